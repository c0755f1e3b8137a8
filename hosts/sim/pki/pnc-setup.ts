// ISO 15118-2 Plug & Charge for a simulated charger and vehicle, on one test PKI: the charger's
// PnC facility (contract validation against the MO and V2G roots, OCSP and contract provisioning
// from the simulated backend) and the vehicle's (its OEM provisioning chain, optionally an
// installed contract). Portable: `sim --payment contract` and the tests use it.

import { MemoryPkiStorage, PkiStore, type Certificate, type CryptoHost } from "../../../modules/pki-store/index";
import { OEM_PROVISIONING_SLOT, type Iso2EvccPnc } from "../../../modules/statemachine/evcc/iso2-pnc";
import { ISO2_CERTIFICATE_SERVICE, type SeccConfigWithPnc } from "../../../modules/statemachine/iso2/pnc";
import { SimulatedPncBackend } from "./contract-provisioning";
import type { TestPkiEntity } from "./test-pki";

export interface SimulatedPnc {
  backend: SimulatedPncBackend;
  /** Merge into the charger's SeccConfig: Contract offered, the Certificate service, ReceiptRequired, the PnC facility. */
  charger: Pick<SeccConfigWithPnc, "paymentOptions" | "valueAddedServices" | "receiptRequired" | "pnc">;
  /** EvccConfig.pnc of the vehicle. */
  vehicle: Iso2EvccPnc;
}

export interface SimulatedPncOptions {
  crypto: CryptoHost;
  /** The "iso2" test PKI (createTestPki). */
  pki: Map<string, TestPkiEntity>;
  /** Unix seconds. */
  now: () => number;
  /** The vehicle already has the test PKI's contract (default false: it installs one first). */
  contractInstalled?: boolean;
  /** The vehicle has its OEM provisioning certificate (default true). */
  oemProvisioning?: boolean;
  /** The vehicle renews its contract when it expires within this many seconds (CertificateUpdate). */
  renewWithin?: number;
  /** The charger asks for a signed MeteringReceipt after each status (default true). */
  receiptRequired?: boolean;
  /** The charger's revocation check, when more than this backend answers (default: this backend's OCSP). */
  isRevoked?: (certificate: Certificate, issuer: Certificate) => boolean;
}

function chainOf(pki: Map<string, TestPkiEntity>, leaf: string): Uint8Array[] {
  return pki.get(leaf)!.chain!.map((name) => pki.get(name)!.der);
}

function anchored(options: SimulatedPncOptions, isRevoked?: (certificate: Certificate, issuer: Certificate) => boolean): PkiStore {
  const store = new PkiStore({ storage: new MemoryPkiStorage(), crypto: options.crypto, now: options.now, isRevoked });
  store.addTrustAnchor("v2g", options.pki.get("v2g-root")!.der);
  store.addTrustAnchor("mo", options.pki.get("mo-root")!.der);
  return store;
}

export function simulatedPnc(options: SimulatedPncOptions): SimulatedPnc {
  const { crypto, pki } = options;
  const backend = new SimulatedPncBackend({ crypto, pki, now: options.now });
  const vehicleStore = anchored(options);
  if (options.oemProvisioning !== false) vehicleStore.setOwnChain(OEM_PROVISIONING_SLOT, chainOf(pki, "oem-prov"), pki.get("oem-prov")!.key);
  if (options.contractInstalled === true) vehicleStore.installContract(chainOf(pki, "contract"), pki.get("contract")!.key);
  return {
    backend,
    charger: {
      paymentOptions: ["Contract", "ExternalPayment"],
      valueAddedServices: [ISO2_CERTIFICATE_SERVICE],
      receiptRequired: options.receiptRequired ?? true,
      pnc: { crypto, store: anchored(options, options.isRevoked ?? backend.isRevoked), provisioning: backend },
    },
    vehicle: { crypto, store: vehicleStore, renewWithin: options.renewWithin, now: options.now },
  };
}
