// ISO 15118-2 Plug & Charge with a signed SalesTariff, both roles: the SECC passes the mobility
// operator's tariff (signed by MO Sub-CA 2, the contract's issuer) with its Signature unchanged in
// the ChargeParameterDiscoveryRes header; the EVCC verifies it against the contract chain and
// ignores a tampered, foreign or unsigned one with a log line (or ends the session when told to).
// Every message through the EXI codec, on the portable crypto (Node and XS).

import { test } from "node:test";
import assert from "node:assert/strict";
import { NobleCrypto } from "../../../hosts/portable-crypto/index";
import { simulatedPnc } from "../../../hosts/sim/pki/pnc-setup";
import { simulatedSalesTariffs, simulatedTariff } from "../../../hosts/sim/pki/sales-tariff";
import { createTestPki, type TestPkiEntity } from "../../../hosts/sim/pki/test-pki";
import type { SalesTariffRequest, SeccConfigWithPnc, SignedSalesTariff } from "../../../modules/statemachine/iso2/pnc";
import { signSalesTariff } from "../../../simulation/pki/backend";
import { checkSalesTariffs } from "../../../modules/statemachine/evcc/iso2-pnc";
import type { Iso2EvccPnc } from "../../../modules/statemachine/evcc/iso2-pnc";
import type { LogLevel } from "../../../modules/common/index";
import { seededEntropy } from "../../support/seeded-entropy";
import { pair, run } from "./with-secc";

const NOW = Date.UTC(2026, 5, 1) / 1000;
const crypto = new NobleCrypto({ entropy: seededEntropy(91) });
let pkiOnce: Map<string, TestPkiEntity> | undefined;
const pki = () => (pkiOnce ??= createTestPki({ crypto, profile: "iso2", now: NOW }));

interface Run {
  reason: string | undefined;
  lines: { level: LogLevel; message: string }[];
  requests: SalesTariffRequest[];
  /** The ChargeParameterDiscoveryReq count the EVCC sent. */
  discoveries: number;
}

function session(salesTariff: ((request: SalesTariffRequest) => SignedSalesTariff | undefined) | undefined, options: { payment?: "contract" | "external"; vehicle?: Partial<Iso2EvccPnc>; maxEntries?: number } = {}): Run {
  const pnc = simulatedPnc({ crypto, pki: pki(), now: () => NOW, contractInstalled: true, oemProvisioning: false, receiptRequired: false });
  const requests: SalesTariffRequest[] = [];
  const charger: Partial<SeccConfigWithPnc> = {
    ...pnc.charger,
    ...(options.payment === "external" ? { paymentOptions: ["ExternalPayment"] } : {}),
    transport: "1.2",
    pnc: {
      ...pnc.charger.pnc!,
      ...(salesTariff !== undefined
        ? {
            salesTariff: (request: SalesTariffRequest) => {
              requests.push(request);
              return salesTariff(request);
            },
          }
        : {}),
    },
  };
  const lines: Run["lines"] = [];
  const p = pair({
    protocol: "iso2",
    mode: "DC_extended",
    codec: true,
    secc: charger,
    config: {
      ...(options.payment === "external" ? {} : { pnc: { ...pnc.vehicle, ...options.vehicle } }),
      ...(options.maxEntries !== undefined ? { maxEntriesSAScheduleTuple: options.maxEntries } : {}),
    },
    vehicle: { targetSoc: 60.3 },
    logger: { log: (level, _source, message) => lines.push({ level, message }) },
  });
  const outcome = run(p);
  const discoveries = p.sent.filter((d) => "ChargeParameterDiscoveryReq" in d.V2G_Message.Body).length;
  return { reason: outcome?.reason, lines, requests, discoveries };
}

const logged = (r: Run, text: string) => r.lines.find((l) => l.message.indexOf(text) >= 0);

test("the operator's signed SalesTariff reaches the vehicle, which verifies it against the contract's MO Sub-CA 2", () => {
  const r = session(simulatedSalesTariffs(crypto, pki()));
  assert.equal(r.reason, "charging-complete");
  assert.equal(r.requests.length, r.discoveries, "asked once per ChargeParameterDiscoveryRes");
  assert.equal(r.requests[0].emaid, "DEXS1C12345678");
  // V2G2-304: without DepartureTime the schedule, and so the tariff, spans at least 24 h.
  assert.ok(r.requests[0].duration >= 86_400, String(r.requests[0].duration));
  const line = logged(r, "SalesTariff signature verified");
  assert.ok(line, JSON.stringify(r.lines));
  assert.equal(line.level, "info");
});

test("a SalesTariff changed after signing is ignored with a warning; the vehicle charges on the PMaxSchedule", () => {
  const sign = simulatedSalesTariffs(crypto, pki());
  const r = session((request) => {
    const signed = sign(request);
    // A charger (or anyone on the way) lowers the price level after the operator signed.
    const entries = signed.tariff.SalesTariffEntry.map((e) => ({ ...e, EPriceLevel: 0 }));
    return { signature: signed.signature, tariff: { ...signed.tariff, SalesTariffEntry: entries } };
  });
  assert.equal(r.reason, "charging-complete");
  const line = logged(r, "SalesTariff ignored");
  assert.ok(line, JSON.stringify(r.lines));
  assert.equal(line.level, "warn");
  assert.match(line.message, /signature-digest/);
  assert.equal(logged(r, "SalesTariff signature verified"), undefined);
});

test("a SalesTariff signed by another key than the contract's issuer (a foreign signer) is ignored", () => {
  // The CPO's Sub-CA 2 is trusted for TLS, but it did not issue the contract.
  const r = session(simulatedSalesTariffs(crypto, pki(), "cpo-sub-ca-2"));
  assert.equal(r.reason, "charging-complete");
  assert.match(logged(r, "SalesTariff ignored")?.message ?? "", /signature-value/);
});

test("an unsigned SalesTariff in Plug & Charge is ignored (the operator shall sign it)", () => {
  const sign = simulatedSalesTariffs(crypto, pki());
  const r = session((request) => ({ tariff: sign(request).tariff, signature: undefined as never }));
  assert.equal(r.reason, "charging-complete");
  assert.match(logged(r, "SalesTariff ignored")?.message ?? "", /signature-missing/);
});

test('invalidSalesTariff: "close" ends the session on a foreign signature, saying why', () => {
  const r = session(simulatedSalesTariffs(crypto, pki(), "oem-sub-ca-2"), { vehicle: { invalidSalesTariff: "close" } });
  assert.equal(r.reason, "contract");
  assert.ok(logged(r, "SalesTariff refused"), JSON.stringify(r.lines));
});

test("MaxEntriesSAScheduleTuple: the charger passes it on and leaves out a tariff with more entries than the EV takes", () => {
  const sign = simulatedSalesTariffs(crypto, pki());
  // An operator that ignores the limit (always two entries): the charger must not forward it.
  const r = session((request) => sign({ ...request, maxEntries: undefined }), { maxEntries: 1 });
  assert.equal(r.reason, "charging-complete");
  assert.equal(r.requests[0].maxEntries, 1);
  assert.equal(logged(r, "SalesTariff"), undefined, "no tariff reached the vehicle");
  // One that honours it: one entry spanning the schedule, verified.
  const ok = session(sign, { maxEntries: 1 });
  assert.ok(logged(ok, "SalesTariff signature verified"), JSON.stringify(ok.lines));
});

test("external payment: no contract was authenticated, so the charger asks no SalesTariff", () => {
  const r = session(simulatedSalesTariffs(crypto, pki()), { payment: "external" });
  assert.equal(r.reason, "charging-complete");
  assert.equal(r.requests.length, 0);
});

test("checkSalesTariffs: verified, tampered, without Id, and no tariff at all", () => {
  const pnc = simulatedPnc({ crypto, pki: pki(), now: () => NOW, contractInstalled: true });
  const store = pnc.vehicle.store;
  const contract = store.contract(store.contracts()[0])!;
  const tariff = simulatedTariff({ emaid: "DEXS1C12345678", saScheduleTupleId: 1, duration: 86_400 });
  const signed = signSalesTariff(crypto, pki().get("mo-sub-ca-2")!.key, tariff);
  const tuple = (t: object) => [{ SAScheduleTupleID: 1, PMaxSchedule: { PMaxScheduleEntry: [] }, SalesTariff: t }] as never;
  assert.deepEqual(checkSalesTariffs(crypto, store, contract, tuple(signed.tariff), signed.signature), { ok: true, tariffs: [signed.tariff] });
  const changed = { ...signed.tariff, SalesTariffID: 2 };
  const tampered = checkSalesTariffs(crypto, store, contract, tuple(changed), signed.signature);
  assert.equal(tampered.ok, false);
  const withoutId = { ...signed.tariff } as { Id?: string };
  delete withoutId.Id;
  assert.match((checkSalesTariffs(crypto, store, contract, tuple(withoutId), signed.signature) as { detail: string }).detail, /no Id/);
  assert.deepEqual(checkSalesTariffs(crypto, store, contract, [{ SAScheduleTupleID: 1, PMaxSchedule: { PMaxScheduleEntry: [] } }] as never, undefined), { ok: true, tariffs: [] });
});
