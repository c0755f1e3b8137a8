// ISO 15118-20 Plug & Charge beyond authorization, both of our roles: CertificateInstallation
// (modules/statemachine/iso20/pnc-certificate.ts — the OEM-signed request, the simulated
// backend's CPS-signed SignedInstallationData with the P-521/AES-256-GCM key transport, the
// vehicle's checks) and the signed MeteringConfirmation (./pnc-metering.ts). Whole sessions
// through the EXI codec (EvccConnection ⇄ SeccConnection in memory), then each refusal: a
// tampered OEM signature (FAILED_SignatureError), a tampered CPS signature, GCM tag, a key that is
// not the certificate's, another vehicle's PCID, an untrusted CPS (the vehicle rejects the
// response [V2G20-2504]), a tampered or misdirected metering signature
// (FAILED_MeteringSignatureNotValid). Portable crypto (Node and XS).

import { test } from "node:test";
import assert from "node:assert/strict";
import { NobleCrypto } from "../../../hosts/portable-crypto/index";
import { simulatedPnc } from "../../../hosts/sim/pki/pnc-setup";
import { createTestPki, type TestPkiEntity } from "../../../hosts/sim/pki/test-pki";
import { decode, encode } from "../../../modules/exi/index";
import { MemoryPkiStorage, parseCertificate, PkiStore, signFragments } from "../../../modules/pki-store/index";
import { encryptContractKeyIso20 } from "../../../simulation/pki/backend";
import type { SignatureType } from "../../../modules/pki-store/index";
import type { OperatorBackend, SeccFacts } from "../../../modules/statemachine/index";
import type { SeccContext } from "../../../modules/statemachine/secc/context";
import type { Iso20Record } from "../../../modules/statemachine/iso20/context";
import { acceptContractIso20, certificateInstallation, certificateInstallationRequest } from "../../../modules/statemachine/iso20/pnc-certificate";
import { METERING_CONFIRMATION_PERIOD, meteringConfirmation, meteringConfirmationRequest, withMeteringConfirmation } from "../../../modules/statemachine/iso20/pnc-metering";
import { reply } from "../../../modules/statemachine/framework";
import { OEM_PROVISIONING_SLOT } from "../../../modules/statemachine/evcc/iso2-pnc";
import type * as cm from "../../../modules/exi/generated/iso20_cm/types";
import { seededEntropy } from "../../support/seeded-entropy";
import { engine } from "../../support/shared";
import { run, stack } from "./stack-support";

const NOW = Date.UTC(2026, 5, 1) / 1000;
const crypto = new NobleCrypto({ entropy: seededEntropy(2021) });
// The hierarchies a certificate installation touches (each P-521 key costs inside XS).
let pkiOnce: Map<string, TestPkiEntity> | undefined;
const pki = () => (pkiOnce ??= createTestPki({ crypto, profile: "iso20", now: NOW, only: ["contract", "oem-prov", "cps-leaf", "v2g-root"] }));

function setup(contractInstalled = false) {
  const pnc = simulatedPnc({ crypto, pki: pki(), now: () => NOW, contractInstalled, receiptRequired: true });
  return { pnc, charger: { ...pnc.charger, transport: "1.3" as const } };
}

const accepting: () => OperatorBackend = () => ({
  authorize() {
    this.onEvent?.({ kind: "authorized", accepted: true });
  },
});

test("DC session, no contract yet: CertificateInstallation, AuthorizationReq(PnC) with the new contract, the signed MeteringConfirmation", () => {
  const s = setup();
  const st = stack({ transfer: "dc", mode: "scheduled", secc: s.charger, evccTransport: "1.3", evccSession: { pnc: s.pnc.vehicle }, backend: accepting(), targetSoc: 40.5 });
  const outcome = run(st);
  assert.equal(outcome?.reason, "charging-complete", JSON.stringify(outcome));
  const sent = st.trace.filter((e) => e.direction === "tx").map((e) => e.name);
  assert.deepEqual(sent.slice(1, 5), ["SessionSetupReq", "AuthorizationSetupReq", "CertificateInstallationReq", "AuthorizationReq"]);
  assert.equal(st.trace.find((e) => e.name === "AuthorizationReq")?.values.service, "PnC");
  assert.equal(sent.filter((n) => n === "MeteringConfirmationReq").length, 1, "asked once, signed once");
  assert.ok(sent.lastIndexOf("DC_ChargeLoopReq") > sent.indexOf("MeteringConfirmationReq"), "the loop goes on after it");
  // The vehicle holds the contract the backend issued, with the key the backend made.
  const installed = s.pnc.vehicle.store.contract("DE-XS1-C12345678");
  assert.ok(installed !== undefined);
  assert.deepEqual(installed.key.privateKey, s.pnc.backend.issued.get("DE-XS1-C12345678")!.privateKey);
  assert.ok(st.seccTrace.some((l) => l.includes("CertificateInstallationRes")));
});

// A whole session costs seconds of P-521 in XS: the AC one runs on Node only (the handlers are the same).
test("AC session with an installed contract: no installation, the MeteringConfirmation in the AC loop", { skip: engine === "xs" ? "Node only (time)" : false }, () => {
  const s = setup(true);
  const st = stack({ transfer: "ac", mode: "dynamic", secc: s.charger, evccTransport: "1.3", evccSession: { pnc: s.pnc.vehicle }, backend: accepting(), targetSoc: 40.2 });
  assert.equal(run(st)?.reason, "charging-complete");
  const sent = st.trace.filter((e) => e.direction === "tx").map((e) => e.name);
  assert.ok(!sent.includes("CertificateInstallationReq"));
  assert.equal(sent.filter((n) => n === "MeteringConfirmationReq").length, 1);
});

test("a backend with no contract for the PCID (WARNING_NoContractMatchingPCIDFound): the session goes on and the vehicle charges with EIM", { skip: engine === "xs" ? "Node only (time)" : false }, () => {
  const s = setup();
  const backend = s.pnc.backend;
  const none = { install: backend.install.bind(backend), update: backend.update.bind(backend), installIso20: () => ({ ok: false as const, code: "WARNING_NoContractMatchingPCIDFound" as const }) };
  const charger = { ...s.charger, pnc: { ...s.charger.pnc!, provisioning: none } };
  const st = stack({ transfer: "dc", mode: "scheduled", secc: charger, evccTransport: "1.3", evccSession: { pnc: s.pnc.vehicle }, backend: accepting(), targetSoc: 40.5 });
  assert.equal(run(st)?.reason, "charging-complete");
  const sent = st.trace.filter((e) => e.direction === "tx").map((e) => e.name);
  assert.deepEqual(sent.slice(1, 5), ["SessionSetupReq", "AuthorizationSetupReq", "CertificateInstallationReq", "AuthorizationReq"]);
  assert.equal(st.trace.find((e) => e.name === "AuthorizationReq")?.values.service, "EIM");
  assert.ok(!sent.includes("MeteringConfirmationReq"), "nothing to sign with");
  assert.deepEqual(s.pnc.vehicle.store.contracts(), []);
});

// ---- CertificateInstallation, each side's checks ----------------------------------------------

function vehicleStore(withV2gRoot = true): PkiStore {
  const store = new PkiStore({ storage: new MemoryPkiStorage(), crypto, now: () => NOW });
  if (withV2gRoot) store.addTrustAnchor("v2g", pki().get("v2g-root")!.der);
  store.addTrustAnchor("mo", pki().get("mo-root")!.der);
  const oem = pki().get("oem-prov")!;
  store.setOwnChain(OEM_PROVISIONING_SLOT, oem.chain!.map((n) => pki().get(n)!.der), oem.key);
  return store;
}

/** The SECC's handler for one signed CertificateInstallationReq; `tamper` changes it after signing. */
function install(s: ReturnType<typeof setup>, tamper?: (req: cm.CertificateInstallationReqType) => void, transport: "1.3" | "none" = "1.3") {
  const { body, signature } = certificateInstallationRequest(crypto, vehicleStore());
  const req = { ...body, Header: { SessionID: new Uint8Array(8), TimeStamp: 0n, Signature: signature } } as cm.CertificateInstallationReqType;
  tamper?.(req);
  const ctx = { transport } as SeccContext;
  const result = certificateInstallation(req, ctx, { config: s.charger } as unknown as SeccFacts);
  const res = (result.body as { CertificateInstallationRes: cm.CertificateInstallationResType }).CertificateInstallationRes;
  return { result, res, signature: ctx.responseSignature };
}

/** A response as the vehicle receives it: the CPS signature in the header, through the codec. */
function received(res: cm.CertificateInstallationResType, signature: SignatureType | undefined): cm.CertificateInstallationResType {
  const doc = { CertificateInstallationRes: { ...res, Header: { SessionID: new Uint8Array(8), TimeStamp: 0n, ...(signature ? { Signature: signature } : {}) } } };
  return (decode("iso20-cm", encode("iso20-cm", doc)) as typeof doc).CertificateInstallationRes;
}

/** The CPS signs again (a backend fault or a stolen CPS key): only the vehicle's own checks remain. */
function resigned(res: cm.CertificateInstallationResType): cm.CertificateInstallationResType {
  const cps = pki().get("cps-leaf")!;
  const data = res.SignedInstallationData;
  const signature = signFragments({ crypto, schema: "iso20-cm", scheme: cps.key.scheme, privateKey: cps.key.privateKey, fragments: [{ id: data.Id, fragment: { SignedInstallationData: data } }] });
  return { ...res, Header: { ...res.Header, Signature: signature } };
}

test("the SECC passes a CertificateInstallationReq signed by the OEM key on, with the CPS signature in the response header", () => {
  const s = setup();
  const ok = install(s);
  assert.equal(ok.result.kind, "reply");
  assert.equal(ok.res.ResponseCode, "OK");
  assert.equal(ok.res.SignedInstallationData.ECDHCurve, "SECP521");
  assert.equal(ok.res.SignedInstallationData.DHPublicKey.length, 133);
  assert.equal(ok.res.SignedInstallationData.SECP521_EncryptedPrivateKey?.length, 94);
  assert.ok(ok.signature !== undefined);
  // The vehicle accepts what came through the codec, and installs it.
  const store = vehicleStore();
  const accepted = acceptContractIso20(crypto, store, received(ok.res, ok.signature));
  assert.ok(accepted.ok, accepted.ok ? "" : `${accepted.failure}: ${accepted.detail}`);
  assert.equal(accepted.emaid, "DE-XS1-C12345678");
  assert.deepEqual(store.contracts(), ["DEXS1C12345678"], "keyed by the eMAID without separators");
});

test("the SECC refuses a tampered OEM signature (FAILED_SignatureError), an OEM chain under a root it does not trust, the request over plain TCP or without a backend", () => {
  const s = setup();
  const flipped = install(s, (req) => ((req.Header.Signature as SignatureType).SignatureValue.$value as Uint8Array)[7] ^= 1);
  assert.equal(flipped.result.kind, "stop");
  assert.equal(flipped.res.ResponseCode, "FAILED_SignatureError");
  // The chain swapped for another after signing: the signature no longer covers it.
  const swapped = install(s, (req) => (req.OEMProvisioningCertificateChain.SubCertificates = undefined));
  assert.equal(swapped.res.ResponseCode, "FAILED_SignatureError");
  assert.equal(install(s, undefined, "none").res.ResponseCode, "FAILED_SequenceError");
  // A charger that holds OEM roots checks the OEM chain itself: under another root it is refused.
  const strict = setup();
  strict.charger.pnc!.store.addTrustAnchor("oem", pki().get("v2g-root")!.der);
  assert.equal(install(strict).res.ResponseCode, "WARNING_CertificateValidationError");
  strict.charger.pnc!.store.addTrustAnchor("oem", pki().get("oem-root")!.der);
  assert.equal(install(strict).res.ResponseCode, "OK");
  const noBackend = { ...s, charger: { ...s.charger, pnc: { ...s.charger.pnc!, provisioning: undefined } } };
  assert.equal(install(noBackend).res.ResponseCode, "FAILED_SequenceError");
  // The refusal is still a schema-valid response.
  assert.ok(encode("iso20-cm", { CertificateInstallationRes: { ...flipped.res, Header: { SessionID: new Uint8Array(8), TimeStamp: 0n } } }).length > 0);
});

// Node only for time (a dozen P-521 chain validations): the same refusals of the key transport run in XS in tests/pki-store/key-transport-iso20.test.ts.
test("the vehicle rejects a tampered CPS signature or GCM tag, a key that is not the certificate's, another vehicle's PCID, an untrusted CPS", { skip: engine === "xs" ? "Node only (time)" : false }, () => {
  const s = setup();
  const { res, signature } = install(s);
  const open = (r: cm.CertificateInstallationResType, store = vehicleStore()) => {
    const result = acceptContractIso20(crypto, store, r);
    assert.equal(store.contracts().length, result.ok ? 1 : 0, "nothing installed on a refusal");
    return result.ok ? "ok" : `${result.failure}${result.failure === "key" ? ":" + result.detail.split(":")[0] : ""}`;
  };
  const good = received(res, signature);
  assert.equal(open(good), "ok");
  const badSignature = received(res, signature);
  (badSignature.Header.Signature!.SignatureValue.$value as Uint8Array)[3] ^= 1;
  assert.equal(open(badSignature), "signature");
  // A changed tag is caught by the CPS signature first; signed again, by the GCM tag itself.
  const tag = received(res, signature);
  tag.SignedInstallationData.SECP521_EncryptedPrivateKey![93] ^= 1;
  assert.equal(open(tag), "signature");
  assert.equal(open(resigned(tag)), "key:key-transport-tag");
  // A valid transport of some other key next to this certificate.
  const other = crypto.generateSigningKey("ECDSA-P521-SHA512");
  const leaf = parseCertificate(good.SignedInstallationData.ContractCertificateChain.Certificate);
  const oemKey = parseCertificate(pki().get("oem-prov")!.der).publicKey;
  const wrongKey = encryptContractKeyIso20(crypto, "SECP521", oemKey, other.privateKey, { pcid: "XSOEM000000000001", contractSki: leaf.subjectKeyId! });
  assert.equal(open(resigned({ ...good, SignedInstallationData: { ...good.SignedInstallationData, DHPublicKey: wrongKey.dhPublicKey, SECP521_EncryptedPrivateKey: wrongKey.encryptedPrivateKey } })), "key:key-transport-key");
  // Encrypted for this vehicle's key but bound to another PCID (the response of another car).
  const otherCar = encryptContractKeyIso20(crypto, "SECP521", oemKey, s.pnc.backend.issued.get("DE-XS1-C12345678")!.privateKey, { pcid: "XSOEM000000000002", contractSki: leaf.subjectKeyId! });
  assert.equal(open(resigned({ ...good, SignedInstallationData: { ...good.SignedInstallationData, DHPublicKey: otherCar.dhPublicKey, SECP521_EncryptedPrivateKey: otherCar.encryptedPrivateKey } })), "key:key-transport-tag");
  assert.equal(open(good, vehicleStore(false)), "cps-chain");
  assert.equal(open({ ...good, ResponseCode: "WARNING_NoContractMatchingPCIDFound" }), "response-code");
});

// ---- MeteringConfirmation, the SECC's checks -------------------------------------------------

test("the SECC accepts the contract's signature over its reading once, and refuses a tampered or misdirected one (FAILED_MeteringSignatureNotValid)", () => {
  const s = setup(true);
  const contract = s.pnc.vehicle.store.contract("DE-XS1-C12345678")!;
  const sessionId = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
  const meterInfo: cm.SignedMeteringDataType["MeterInfo"] = { MeterID: "SIM-METER-1", ChargedEnergyReadingWh: 1234n };
  const facts = { config: s.charger } as unknown as SeccFacts;
  const confirm = (info = meterInfo, tamper?: (req: cm.MeteringConfirmationReqType) => void, asked = true) => {
    const ctx = {
      sessionId,
      iso20: (asked ? { metering: { meterInfo, confirmed: false, at: 0 } } : {}) as Iso20Record,
      pnc: { identified: true, contractKey: parseCertificate(contract.chain[0]).publicKey, contractScheme: contract.key.scheme },
    } as unknown as SeccContext;
    const { body, signature } = meteringConfirmationRequest(crypto, contract, sessionId, info, 1);
    const req = { ...body, Header: { SessionID: sessionId, TimeStamp: 0n, Signature: signature } } as cm.MeteringConfirmationReqType;
    tamper?.(req);
    const result = meteringConfirmation(req, ctx, facts);
    return (result.body as { MeteringConfirmationRes: cm.MeteringConfirmationResType }).MeteringConfirmationRes.ResponseCode;
  };
  assert.equal(confirm(), "OK");
  assert.equal(confirm(meterInfo, (req) => ((req.Header.Signature as SignatureType).SignatureValue.$value as Uint8Array)[9] ^= 1), "FAILED_MeteringSignatureNotValid");
  assert.equal(confirm(meterInfo, (req) => (req.SignedMeteringData.MeterInfo = { ...meterInfo, ChargedEnergyReadingWh: 1n })), "FAILED_MeteringSignatureNotValid", "changed after signing");
  assert.equal(confirm({ ...meterInfo, ChargedEnergyReadingWh: 1000n }), "FAILED_MeteringSignatureNotValid", "signed, but not the reading asked for");
  assert.equal(confirm(meterInfo, undefined, false), "FAILED_SequenceError", "not asked for");
});

test("the loop asks for a MeteringConfirmation once the meter counted energy, then a period after each confirmation, never without a contract", () => {
  const loop = withMeteringConfirmation((_req: unknown, _ctx: SeccContext, facts: SeccFacts) =>
    reply({ DC_ChargeLoopRes: { Header: {}, ResponseCode: "OK", MeterInfo: { MeterID: "M-1", ChargedEnergyReadingWh: BigInt(facts.evse.meterWh) }, EVSEPresentCurrent: { Exponent: 0, Value: 1 } } }),
  );
  const ctx = { iso20: {} as Iso20Record, pnc: { identified: true } } as unknown as SeccContext;
  const ask = (now: number, meterWh: number, c = ctx) => {
    const body = (loop(undefined, c, { config: { receiptRequired: true }, now, evse: { meterWh } } as unknown as SeccFacts).body as { DC_ChargeLoopRes: Record<string, unknown> }).DC_ChargeLoopRes;
    return body.EVSEStatus === undefined ? "-" : Object.keys(body).join(",");
  };
  assert.equal(ask(0, 0), "-", "nothing to confirm yet");
  assert.equal(ask(1_000, 5), "Header,ResponseCode,EVSEStatus,MeterInfo,EVSEPresentCurrent", "asked, in schema order");
  assert.equal(ask(2_000, 6), "-", "not again before the EV answered");
  ctx.iso20!.metering!.confirmed = true;
  ctx.iso20!.metering!.at = 3_000;
  assert.equal(ask(3_000 + METERING_CONFIRMATION_PERIOD - 1, 50), "-");
  assert.equal(ask(3_000 + METERING_CONFIRMATION_PERIOD, 50), "Header,ResponseCode,EVSEStatus,MeterInfo,EVSEPresentCurrent");
  assert.equal(ask(1_000, 5, { iso20: {} as Iso20Record, pnc: { identified: false } } as unknown as SeccContext), "-", "EIM: no contract to sign with");
});
