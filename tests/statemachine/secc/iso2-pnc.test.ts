// ISO 15118-2 Plug & Charge on the SECC, end to end in process: a vehicle built from the EVCC's
// PnC functions (modules/statemachine/evcc/iso2-pnc.ts) and the SECC session with the simulated
// backend (hosts/sim/pki/contract-provisioning.ts), on the test PKI and the portable crypto
// (so it runs inside XS too). Every message goes through the EXI codec both ways, so signatures
// are checked over what a peer would decode. Then the attacks, each refused with its code.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { NobleCrypto } from "../../../hosts/portable-crypto/index";
import { SimulatedPncBackend } from "../../../hosts/sim/pki/contract-provisioning";
import { createTestPki, type TestPkiEntity } from "../../../hosts/sim/pki/test-pki";
import { ManualClock } from "../../../modules/common/index";
import { decode, encode } from "../../../modules/exi/index";
import { MemoryPkiStorage, PkiStore, type Certificate, type SignatureType, type StoredChain } from "../../../modules/pki-store/index";
import { SeccSession, type SeccConfig, type V2gDocument } from "../../../modules/statemachine/index";
import {
  acceptContract,
  authorizationReq,
  certificateInstallationReq,
  certificateUpdateReq,
  meteringReceiptReq,
  OEM_PROVISIONING_SLOT,
  paymentDetailsReq,
  type SignedRequest,
} from "../../../modules/statemachine/evcc/iso2-pnc";
import { ISO2_CERTIFICATE_SERVICE, type SeccConfigWithPnc } from "../../../modules/statemachine/iso2/pnc";
import { seededEntropy } from "../../support/seeded-entropy";
import { AC_CONFIG, EVCCID, pv } from "./support";

const NOW = Date.UTC(2026, 5, 1) / 1000;
const DAY = 86_400;
const crypto = new NobleCrypto({ entropy: seededEntropy(42) });

let shared: { pki: Map<string, TestPkiEntity>; foreign: Map<string, TestPkiEntity> } | undefined;
/** The test PKI, and a second one whose MO root nobody trusts (built once: keys cost in XS). */
function pkis(): { pki: Map<string, TestPkiEntity>; foreign: Map<string, TestPkiEntity> } {
  shared ??= { pki: createTestPki({ crypto, profile: "iso2", now: NOW }), foreign: createTestPki({ crypto, profile: "iso2", now: NOW, only: ["contract"] }) };
  return shared;
}

function chainOf(entities: Map<string, TestPkiEntity>, leaf: string): StoredChain {
  const entity = entities.get(leaf)!;
  return { chain: entity.chain!.map((name) => entities.get(name)!.der), key: { scheme: entity.key.scheme, privateKey: entity.key.privateKey } };
}

function anchoredStore(pki: Map<string, TestPkiEntity>, now: number, isRevoked?: (certificate: Certificate) => boolean): PkiStore {
  const store = new PkiStore({ storage: new MemoryPkiStorage(), crypto, now: () => now, isRevoked });
  store.addTrustAnchor("v2g", pki.get("v2g-root")!.der);
  store.addTrustAnchor("mo", pki.get("mo-root")!.der);
  return store;
}

interface Setup {
  backend: SimulatedPncBackend;
  seccStore: PkiStore;
  evStore: PkiStore;
  config: SeccConfigWithPnc;
}

function setup(options: { seccNow?: number; transport?: "none" | "1.2"; provisioning?: boolean } = {}): Setup {
  const { pki } = pkis();
  const backend = new SimulatedPncBackend({ crypto, pki, now: () => NOW });
  const seccStore = anchoredStore(pki, options.seccNow ?? NOW, backend.isRevoked);
  const evStore = anchoredStore(pki, NOW);
  const oem = chainOf(pki, "oem-prov");
  evStore.setOwnChain(OEM_PROVISIONING_SLOT, oem.chain, oem.key);
  const config: SeccConfigWithPnc = {
    ...AC_CONFIG,
    paymentOptions: ["Contract", "ExternalPayment"],
    receiptRequired: true,
    transport: options.transport ?? "1.2",
    valueAddedServices: [ISO2_CERTIFICATE_SERVICE],
    pnc: { crypto, store: seccStore, provisioning: options.provisioning === false ? undefined : backend },
  };
  return { backend, seccStore, evStore, config };
}

/** The vehicle side of one connection: every message through the EXI codec. */
class PncEv {
  readonly session: SeccSession;
  sessionId: Uint8Array = new Uint8Array(1);
  lastSignature: SignatureType | undefined;

  constructor(config: SeccConfig, transport?: () => "none" | "1.2" | "1.3" | undefined) {
    let n = 0;
    this.session = new SeccSession({
      config,
      clock: new ManualClock(),
      protocol: "iso2",
      transport,
      randomBytes: (count) => Uint8Array.from({ length: count }, (_, i) => (0x21 * ++n + i) & 0xff),
    });
  }

  send(name: string, body: object, signature?: SignatureType): Record<string, any> {
    const header: Record<string, unknown> = { SessionID: this.sessionId };
    if (signature !== undefined) header.Signature = signature;
    const request = decode("iso2", encode("iso2", { V2G_Message: { Header: header, Body: { [name]: body } } })) as V2gDocument;
    const out = this.session.request(request);
    assert.ok(out.response !== undefined, `no response to ${name}`);
    const response = decode("iso2", encode("iso2", out.response)) as V2gDocument;
    const resName = name.replace(/Req$/, "Res");
    const res = (response.V2G_Message.Body as Record<string, any>)[resName];
    assert.ok(res !== undefined, `expected ${resName}`);
    this.lastSignature = (response.V2G_Message.Header as { Signature?: SignatureType }).Signature;
    if (name === "SessionSetupReq") this.sessionId = response.V2G_Message.Header.SessionID;
    return res;
  }

  sendSigned<B>(request: SignedRequest<string, B>): Record<string, any> {
    return this.send(request.name, request.body as object, request.signature);
  }

  /** SessionSetup … PaymentServiceSelection(Contract) with the Certificate service (Installation). */
  selectContract(): void {
    assert.equal(this.send("SessionSetupReq", { EVCCID }).ResponseCode, "OK_NewSessionEstablished");
    const sd = this.send("ServiceDiscoveryReq", {});
    assert.deepEqual(sd.PaymentOptionList.PaymentOption, ["Contract", "ExternalPayment"]);
    assert.equal(sd.ServiceList.Service[0].ServiceCategory, "ContractCertificate");
    const selection = { SelectedPaymentOption: "Contract", SelectedServiceList: { SelectedService: [{ ServiceID: 1 }, { ServiceID: 2, ParameterSetID: 1 }] } };
    assert.equal(this.send("PaymentServiceSelectionReq", selection).ResponseCode, "OK");
    assert.equal(this.session.state, "PaymentDetails");
  }
}

const AC_PARAM = { DepartureTime: 0, EAmount: pv(20, "Wh", 3), EVMaxVoltage: pv(400, "V"), EVMaxCurrent: pv(16, "A"), EVMinCurrent: pv(6, "A") };

describe("ISO 15118-2 Plug & Charge, SECC and vehicle", () => {
  test("a session that installs a contract, authorizes with the signed challenge and signs its metering receipt", () => {
    const s = setup();
    const ev = new PncEv(s.config);
    ev.selectContract();
    // CertificateInstallation: signed by the OEM provisioning key; the CPS-signed answer installs the contract.
    const installation = ev.sendSigned(certificateInstallationReq(crypto, s.evStore));
    assert.equal(installation.ResponseCode, "OK");
    assert.ok(ev.lastSignature !== undefined, "the response header carries the CPS signature");
    const oemKey = s.evStore.ownChain(OEM_PROVISIONING_SLOT)!.key.privateKey;
    const installed = acceptContract(crypto, s.evStore, installation as any, ev.lastSignature, oemKey);
    assert.ok(installed.ok, installed.ok ? "" : `${installed.failure}: ${installed.detail}`);
    assert.equal(installed.emaid, "DEXS1C12345678");
    assert.deepEqual(s.evStore.contracts(), ["DEXS1C12345678"]);
    assert.deepEqual(installed.contract.key.privateKey, s.backend.issued.get("DEXS1C12345678")!.privateKey);
    // PaymentDetails → a 16-byte challenge; Authorization signed over it.
    const details = ev.send("PaymentDetailsReq", paymentDetailsReq(installed.contract).PaymentDetailsReq);
    assert.equal(details.ResponseCode, "OK");
    assert.equal(details.GenChallenge.length, 16);
    const auth = authorizationReq(crypto, installed.contract, details.GenChallenge);
    assert.deepEqual([ev.sendSigned(auth).ResponseCode, ev.session.state], ["OK", "Authorization"]);
    ev.session.control({ kind: "authorized", accepted: true });
    // A repetition while Ongoing is not checked again (the challenge is spent).
    assert.equal(ev.sendSigned(auth).EVSEProcessing, "Finished");
    ev.send("ChargeParameterDiscoveryReq", { RequestedEnergyTransferMode: "AC_three_phase_core", AC_EVChargeParameter: AC_PARAM });
    ev.send("PowerDeliveryReq", { ChargeProgress: "Start", SAScheduleTupleID: 1 });
    ev.session.control({ kind: "meter", wh: 1500 });
    const status = ev.send("ChargingStatusReq", {});
    assert.equal(status.ReceiptRequired, true);
    const receipt = meteringReceiptReq(crypto, installed.contract, { SessionID: ev.sessionId, SAScheduleTupleID: 1, MeterInfo: status.MeterInfo });
    assert.equal(ev.sendSigned(receipt).ResponseCode, "OK");
    ev.send("PowerDeliveryReq", { ChargeProgress: "Stop", SAScheduleTupleID: 1 });
    assert.equal(ev.send("SessionStopReq", { ChargingSession: "Terminate" }).ResponseCode, "OK");
    assert.equal(ev.session.stopReason, "ev-terminate");
  });

  test("a vehicle with a contract updates it: signed by the old contract key, the new key encrypted for it", () => {
    const s = setup();
    const { pki } = pkis();
    const old = chainOf(pki, "contract");
    const ev = new PncEv(s.config);
    ev.selectContract();
    const update = ev.sendSigned(certificateUpdateReq(crypto, s.evStore, old));
    assert.equal(update.ResponseCode, "OK");
    const installed = acceptContract(crypto, s.evStore, update as any, ev.lastSignature, old.key.privateKey);
    assert.ok(installed.ok);
    assert.notDeepEqual(installed.contract.chain[0], old.chain[0]);
    assert.equal(ev.send("PaymentDetailsReq", paymentDetailsReq(installed.contract).PaymentDetailsReq).ResponseCode, "OK");
  });

  describe("attacks and failures the SECC refuses", () => {
    function untilPaymentDetails(s: Setup, contract: StoredChain): { ev: PncEv; challenge: Uint8Array } {
      const ev = new PncEv(s.config);
      ev.selectContract();
      const details = ev.send("PaymentDetailsReq", paymentDetailsReq(contract).PaymentDetailsReq);
      assert.equal(details.ResponseCode, "OK");
      return { ev, challenge: details.GenChallenge };
    }

    test("a wrong or replayed GenChallenge: FAILED_ChallengeInvalid", () => {
      const s = setup();
      const contract = chainOf(pkis().pki, "contract");
      const first = untilPaymentDetails(s, contract);
      const signed = authorizationReq(crypto, contract, first.challenge);
      assert.equal(first.ev.sendSigned(signed).ResponseCode, "OK");
      // The same signed request recorded and replayed into a new session (new challenge).
      const second = untilPaymentDetails(s, contract);
      assert.notDeepEqual(second.challenge, first.challenge);
      assert.equal(second.ev.sendSigned(signed).ResponseCode, "FAILED_ChallengeInvalid");
      assert.equal(second.ev.session.stopReason, "failed-response");
      const third = untilPaymentDetails(s, contract);
      const wrong = Uint8Array.from(third.challenge);
      wrong[15] ^= 1;
      assert.equal(third.ev.sendSigned(authorizationReq(crypto, contract, wrong)).ResponseCode, "FAILED_ChallengeInvalid");
    });

    test("a tampered or foreign signature, or none: FAILED_SignatureError", () => {
      const s = setup();
      const contract = chainOf(pkis().pki, "contract");
      const a = untilPaymentDetails(s, contract);
      const signed = authorizationReq(crypto, contract, a.challenge);
      const value = Uint8Array.from(signed.signature.SignatureValue.$value);
      value[10] ^= 0x40;
      assert.equal(a.ev.sendSigned({ ...signed, signature: { ...signed.signature, SignatureValue: { $value: value } } }).ResponseCode, "FAILED_SignatureError");
      // Signed by a key that is not the contract's (the OEM provisioning key).
      const b = untilPaymentDetails(s, contract);
      const other = { ...contract, key: s.evStore.ownChain(OEM_PROVISIONING_SLOT)!.key };
      assert.equal(b.ev.sendSigned(authorizationReq(crypto, other, b.challenge)).ResponseCode, "FAILED_SignatureError");
      const c = untilPaymentDetails(s, contract);
      assert.equal(c.ev.send("AuthorizationReq", { Id: "ID1", GenChallenge: c.challenge }).ResponseCode, "FAILED_SignatureError");
    });

    test("contract chains: expired, revoked, to an unknown root, for another eMAID", () => {
      const { pki, foreign } = pkis();
      const contract = chainOf(pki, "contract");
      const details = (s: Setup, chain: StoredChain, emaid?: string) => {
        const ev = new PncEv(s.config);
        ev.selectContract();
        const body = paymentDetailsReq(chain).PaymentDetailsReq;
        return ev.send("PaymentDetailsReq", emaid === undefined ? body : { ...body, eMAID: emaid }).ResponseCode;
      };
      assert.equal(details(setup({ seccNow: NOW + 3 * 365 * DAY }), contract), "FAILED_CertificateExpired");
      const revoked = setup();
      revoked.backend.revoke(contract.chain[0]);
      assert.equal(details(revoked, contract), "FAILED_CertificateRevoked");
      assert.equal(details(setup(), chainOf(foreign, "contract")), "FAILED_CertChainError");
      assert.equal(details(setup(), contract, "DEXS1C99999999"), "FAILED_CertChainError");
    });

    test("a tampered CertificateInstallationReq, and no provisioning behind the charger", () => {
      const s = setup();
      const ev = new PncEv(s.config);
      ev.selectContract();
      const req = certificateInstallationReq(crypto, s.evStore);
      const roots = { RootCertificateID: [...req.body.ListOfRootCertificateIDs.RootCertificateID, { X509IssuerName: "CN=Evil", X509SerialNumber: 1n }] };
      assert.equal(ev.sendSigned({ ...req, body: { ...req.body, ListOfRootCertificateIDs: roots } }).ResponseCode, "FAILED_SignatureError");
      const none = setup({ provisioning: false });
      const ev2 = new PncEv(none.config);
      ev2.selectContract();
      assert.equal(ev2.sendSigned(certificateInstallationReq(crypto, none.evStore)).ResponseCode, "FAILED_NoCertificateAvailable");
    });

    test("a metering receipt not signed by the contract key: FAILED_SignatureError", () => {
      const s = setup();
      const contract = chainOf(pkis().pki, "contract");
      const { ev, challenge } = untilPaymentDetails(s, contract);
      ev.sendSigned(authorizationReq(crypto, contract, challenge));
      ev.session.control({ kind: "authorized", accepted: true });
      ev.send("AuthorizationReq", {});
      ev.send("ChargeParameterDiscoveryReq", { RequestedEnergyTransferMode: "AC_three_phase_core", AC_EVChargeParameter: AC_PARAM });
      ev.send("PowerDeliveryReq", { ChargeProgress: "Start", SAScheduleTupleID: 1 });
      ev.session.control({ kind: "meter", wh: 100 });
      const status = ev.send("ChargingStatusReq", {});
      const forged = meteringReceiptReq(crypto, { ...contract, key: s.evStore.ownChain(OEM_PROVISIONING_SLOT)!.key }, { SessionID: ev.sessionId, MeterInfo: status.MeterInfo });
      assert.equal(ev.sendSigned(forged).ResponseCode, "FAILED_SignatureError");
    });

    test("garbage certificates and malformed signatures get their codes, never a crash", () => {
      const s = setup();
      const junk = Uint8Array.of(0x30, 0x82, 0xff, 0xff, 1, 2, 3);
      const a = new PncEv(s.config);
      a.selectContract();
      assert.equal(a.send("PaymentDetailsReq", { eMAID: "DEXS1C12345678", ContractSignatureCertChain: { Certificate: junk } }).ResponseCode, "FAILED_CertChainError");
      const b = new PncEv(s.config);
      b.selectContract();
      const req = certificateInstallationReq(crypto, s.evStore);
      assert.equal(b.sendSigned({ ...req, body: { ...req.body, OEMProvisioningCert: junk } }).ResponseCode, "FAILED_CertChainError");
      const contract = chainOf(pkis().pki, "contract");
      const c = untilPaymentDetails(s, contract);
      const signed = authorizationReq(crypto, contract, c.challenge);
      const short = { ...signed.signature, SignatureValue: { $value: signed.signature.SignatureValue.$value.subarray(0, 10) } };
      assert.equal(c.ev.sendSigned({ ...signed, signature: short }).ResponseCode, "FAILED_SignatureError");
      const d = untilPaymentDetails(s, contract);
      const other = { ...signed.signature, SignedInfo: { ...signed.signature.SignedInfo, SignatureMethod: { Algorithm: "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512" } } };
      assert.equal(d.ev.sendSigned({ ...authorizationReq(crypto, contract, d.challenge), signature: other }).ResponseCode, "FAILED_SignatureError");
    });

    test("Plug & Charge over plaintext: Contract is neither offered nor accepted", () => {
      const s = setup({ transport: "none" });
      const ev = new PncEv(s.config);
      ev.send("SessionSetupReq", { EVCCID });
      assert.deepEqual(ev.send("ServiceDiscoveryReq", {}).PaymentOptionList.PaymentOption, ["ExternalPayment"]);
      const selection = { SelectedPaymentOption: "Contract", SelectedServiceList: { SelectedService: [{ ServiceID: 1 }] } };
      assert.equal(ev.send("PaymentServiceSelectionReq", selection).ResponseCode, "FAILED_PaymentSelectionInvalid");
    });

    test("the connection's own transport decides, over the configured one", () => {
      const s = setup({ transport: "none" });
      const { transport: _ignored, ...unset } = s.config;
      const overTls = new PncEv(unset, () => "1.2");
      overTls.selectContract();
      const plain = new PncEv({ ...s.config, transport: "1.2" }, () => "none");
      plain.send("SessionSetupReq", { EVCCID });
      assert.deepEqual(plain.send("ServiceDiscoveryReq", {}).PaymentOptionList.PaymentOption, ["ExternalPayment"]);
    });
  });

  describe("what the vehicle refuses in a CertificateInstallationRes", () => {
    function installation(): { s: Setup; res: Record<string, any>; signature: SignatureType | undefined; oemKey: Uint8Array } {
      const s = setup();
      const ev = new PncEv(s.config);
      ev.selectContract();
      const res = ev.sendSigned(certificateInstallationReq(crypto, s.evStore));
      return { s, res, signature: ev.lastSignature, oemKey: s.evStore.ownChain(OEM_PROVISIONING_SLOT)!.key.privateKey };
    }

    test("a changed eMAID, a missing signature, another vehicle's key, an untrusted CPS", () => {
      const { s, res, signature, oemKey } = installation();
      // No default for the signature: passing undefined must mean "none".
      const failure = (r: object, sig: SignatureType | undefined, key = oemKey, store = s.evStore) => {
        const result = acceptContract(crypto, store, r as any, sig, key);
        return result.ok ? "ok" : result.failure;
      };
      assert.equal(failure({ ...res, eMAID: { ...res.eMAID, $value: "DEXS1C00000666" } }, signature), "signature");
      assert.equal(failure(res, undefined), "signature");
      assert.equal(failure(res, signature, crypto.generateSigningKey("ECDSA-P256-SHA256").privateKey), "key");
      const noV2g = new PkiStore({ storage: new MemoryPkiStorage(), crypto, now: () => NOW });
      noV2g.addTrustAnchor("mo", pkis().pki.get("mo-root")!.der);
      assert.equal(failure(res, signature, oemKey, noV2g), "cps-chain");
      assert.deepEqual(s.evStore.contracts(), [], "nothing was installed");
      assert.equal(failure(res, signature), "ok");
    });
  });
});
