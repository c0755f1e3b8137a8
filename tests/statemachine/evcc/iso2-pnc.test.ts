// ISO 15118-2 Plug & Charge with both of our roles: the EVCC session (Contract, certificate
// installation, signed AuthorizationReq and MeteringReceiptReq) against the SECC session with the
// simulated backend, every message through the EXI codec, on the portable crypto (Node and XS).

import { test } from "node:test";
import assert from "node:assert/strict";
import { NobleCrypto } from "../../../hosts/portable-crypto/index";
import { simulatedPnc } from "../../../hosts/sim/pki/pnc-setup";
import { createTestPki, type TestPkiEntity } from "../../../hosts/sim/pki/test-pki";
import type { SeccConfigWithPnc } from "../../../modules/statemachine/iso2/pnc";
import { seededEntropy } from "../../support/seeded-entropy";
import { toHex } from "../../../modules/common/index";
import { parseCertificate } from "../../../modules/pki-store/index";
import type { AuthorizationRequest, OperatorBackend } from "../../../modules/statemachine/index";
import { pair, run } from "./with-secc";

const NOW = Date.UTC(2026, 5, 1) / 1000;
const crypto = new NobleCrypto({ entropy: seededEntropy(77) });
let pkiOnce: Map<string, TestPkiEntity> | undefined;
const pki = () => (pkiOnce ??= createTestPki({ crypto, profile: "iso2", now: NOW }));

function stores(options: { contract?: boolean; oem?: boolean; renewWithin?: number } = {}) {
  const pnc = simulatedPnc({ crypto, pki: pki(), now: () => NOW, contractInstalled: options.contract, oemProvisioning: options.oem, renewWithin: options.renewWithin });
  const secc: Partial<SeccConfigWithPnc> = { ...pnc.charger, transport: "1.2" };
  return { backend: pnc.backend, ev: pnc.vehicle.store, secc, pnc };
}

function names(p: ReturnType<typeof pair>): string[] {
  const out: string[] = [];
  for (const e of p.trace) if (e.direction === "tx" && out[out.length - 1] !== e.name) out.push(e.name);
  return out;
}

test("AC Plug & Charge: the vehicle installs a contract, authorizes with it and signs the metering receipts", () => {
  const s = stores();
  // A short charge (60 → 60.2 %): the charger asks a signed receipt after every ChargingStatus.
  const p = pair({ protocol: "iso2", mode: "AC_three_phase_core", codec: true, secc: s.secc, config: { pnc: { crypto, store: s.ev } }, vehicle: { targetSoc: 60.2 } });
  const outcome = run(p);
  assert.equal(outcome?.reason, "charging-complete", JSON.stringify(outcome));
  assert.equal(p.seccStop(), "ev-terminate");
  const sent = names(p);
  assert.deepEqual(sent.slice(0, 7), ["SessionSetupReq", "ServiceDiscoveryReq", "PaymentServiceSelectionReq", "CertificateInstallationReq", "PaymentDetailsReq", "AuthorizationReq", "ChargeParameterDiscoveryReq"]);
  assert.ok(sent.indexOf("MeteringReceiptReq") > 0, sent.join(","));
  assert.deepEqual(s.ev.contracts(), ["DEXS1C12345678"]);
  const auth = p.sent.find((d) => "AuthorizationReq" in d.V2G_Message.Body)!;
  assert.ok((auth.V2G_Message.Header as { Signature?: unknown }).Signature !== undefined, "AuthorizationReq is signed");
});

test("DC Plug & Charge with a contract already installed: no installation, PaymentDetails first", () => {
  const s = stores({ contract: true });
  const p = pair({ protocol: "iso2", mode: "DC_extended", codec: true, secc: s.secc, config: { pnc: { crypto, store: s.ev } }, vehicle: { targetSoc: 60.5 } });
  const outcome = run(p);
  assert.equal(outcome?.reason, "charging-complete", JSON.stringify(outcome));
  const sent = names(p);
  assert.deepEqual(sent.slice(2, 5), ["PaymentServiceSelectionReq", "PaymentDetailsReq", "AuthorizationReq"]);
  assert.ok(sent.indexOf("MeteringReceiptReq") > 0, sent.join(","));
});

test("a contract that expires within renewWithin is renewed with CertificateUpdate first", () => {
  const s = stores({ contract: true, renewWithin: 3 * 365 * 86_400 });
  const before = s.ev.contract("DEXS1C12345678")!.chain[0];
  const p = pair({ protocol: "iso2", mode: "DC_extended", codec: true, secc: s.secc, config: { pnc: { ...s.pnc.vehicle } }, vehicle: { targetSoc: 60.3 } });
  assert.equal(run(p)?.reason, "charging-complete");
  assert.deepEqual(names(p).slice(2, 6), ["PaymentServiceSelectionReq", "CertificateUpdateReq", "PaymentDetailsReq", "AuthorizationReq"]);
  assert.notDeepEqual(s.ev.contract("DEXS1C12345678")!.chain[0], before, "the renewed contract replaced the old one");
});

test("the operator authorizes the contract: eMAID and the OCSP data of its chain (OCPP Authorize)", () => {
  const s = stores({ contract: true });
  const requests: AuthorizationRequest[] = [];
  const backend: OperatorBackend = {
    authorize(request) {
      requests.push(request);
      this.onEvent?.({ kind: "authorized", accepted: true });
    },
  };
  const p = pair({ protocol: "iso2", mode: "AC_three_phase_core", codec: true, secc: { ...s.secc, receiptRequired: false }, config: { pnc: s.pnc.vehicle }, vehicle: { targetSoc: 60.2 }, backend });
  assert.equal(run(p)?.reason, "charging-complete");
  assert.equal(requests.length, 1);
  const request = requests[0];
  assert.ok(request.kind === "pnc");
  assert.equal(request.emaid, "DEXS1C12345678");
  const entities = pki();
  const [leaf, sub2, sub1] = ["contract", "mo-sub-ca-2", "mo-sub-ca-1"].map((n) => parseCertificate(entities.get(n)!.der));
  const root = parseCertificate(entities.get("mo-root")!.der);
  assert.deepEqual(request.chain.map((h) => h.serialNumber), [leaf, sub2, sub1].map((c) => toHex(c.serial).replace(/^0+(?=.)/, "")));
  assert.deepEqual(request.chain.map((h) => h.issuerKeyHash), [sub2, sub1, root].map((c) => toHex(crypto.digest("SHA-256", c.publicKey))));
  assert.equal(request.chain[0].issuerNameHash, toHex(crypto.digest("SHA-256", sub2.subjectDer)));
});

test("the vehicle refuses a contract the charger's backend had revoked at OCSP: FAILED_CertificateRevoked ends it", () => {
  const s = stores({ contract: true });
  s.backend.revoke(pki().get("contract")!.der);
  const p = pair({ protocol: "iso2", mode: "DC_extended", codec: true, secc: s.secc, config: { pnc: { crypto, store: s.ev } } });
  const outcome = run(p);
  assert.equal(outcome?.reason, "response-code");
  assert.match(outcome?.detail ?? "", /PaymentDetailsRes: FAILED_CertificateRevoked/);
  assert.equal(p.seccStop(), "failed-response");
});

test("over plain TCP the charger offers no Contract: the PnC vehicle charges with EIM", () => {
  const s = stores({ contract: true });
  const p = pair({ protocol: "iso2", mode: "AC_three_phase_core", codec: true, secc: { ...s.secc, transport: "none" }, config: { pnc: { crypto, store: s.ev } } });
  const outcome = run(p);
  assert.equal(outcome?.reason, "charging-complete");
  const sent = names(p);
  assert.equal(sent.indexOf("PaymentDetailsReq"), -1);
  assert.equal(sent.indexOf("MeteringReceiptReq"), -1, "no contract to sign with: the receipt is not sent");
});

test("no contract and no OEM provisioning certificate: the vehicle stops with reason contract", () => {
  const s = stores({ oem: false });
  const p = pair({ protocol: "iso2", mode: "AC_three_phase_core", codec: true, secc: s.secc, config: { pnc: { crypto, store: s.ev } } });
  const outcome = run(p);
  assert.equal(outcome?.reason, "contract");
});
