// The simulated mobility operator's SalesTariff for ISO 15118-2 Plug & Charge: a two-level
// time-of-use tariff over the span the charger's PMaxSchedule covers, signed with the key of the
// MO Sub-CA 2 that issued the test PKI's contract certificates (ISO 15118-2: a signed
// SalesTariff is signed with the private key that issued the contract leaf the vehicle used).
// Portable (no Node): `sim`, `secc` and the XS tests use it alike.

import type { CryptoHost } from "../../../modules/pki-store/index";
import { type SalesTariffRequest, type SignedSalesTariff } from "../../../modules/statemachine/iso2/pnc";
import { signSalesTariff } from "../../../simulation/pki/backend";
import type { iso2 } from "../../../modules/statemachine/msg-types";
import type { TestPkiEntity } from "./test-pki";

/** The tariff's Id: short, as fielded stacks keep it (embedded peers bound Id lengths). */
export const SALES_TARIFF_ID = "ID2";

/**
 * The tariff for one request: price level 2 for the first half of the span, 1 after it (one
 * entry when the EV accepts only one). The last entry carries the duration to the span's end.
 */
export function simulatedTariff(request: SalesTariffRequest): iso2.SalesTariffType & { Id: string } {
  const span = Math.max(1, Math.round(request.duration));
  const half = Math.floor(span / 2);
  const entries: iso2.SalesTariffEntryType[] =
    request.maxEntries === 1 || half === 0
      ? [{ RelativeTimeInterval: { start: 0, duration: span }, EPriceLevel: 1 }]
      : [
          { RelativeTimeInterval: { start: 0 }, EPriceLevel: 2 },
          { RelativeTimeInterval: { start: half, duration: span - half }, EPriceLevel: 1 },
        ];
  return { Id: SALES_TARIFF_ID, SalesTariffID: 1, SalesTariffDescription: "xs15118 test tariff", NumEPriceLevels: 2, SalesTariffEntry: entries };
}

/**
 * Iso2SeccPnc.salesTariff for a test PKI: every authenticated contract gets the simulated tariff,
 * signed by "mo-sub-ca-2" (or `signer`, another entity of the PKI: tests sign with a foreign key).
 */
export function simulatedSalesTariffs(crypto: CryptoHost, pki: Map<string, TestPkiEntity>, signer = "mo-sub-ca-2"): (request: SalesTariffRequest) => SignedSalesTariff {
  const entity = pki.get(signer);
  if (entity === undefined) throw new Error(`the test PKI has no ${signer}`);
  return (request) => signSalesTariff(crypto, entity.key, simulatedTariff(request));
}
