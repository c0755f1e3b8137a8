// @node-only — ISO 15118-2 Plug & Charge through the CSMS (OCPP 2.0.1 over loopback, strict schemas): the SECC's contract provisioning is Get15118EVCertificate (EXI passed through both ways), its revocation check GetCertificateStatus, its authorization Authorize with the chain's certificate hash data; the test CSMS answers from the test PKI.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { NodeCrypto } from "../../hosts/sim/crypto/node-crypto";
import { OcppBridge } from "../../hosts/sim/ocpp/bridge";
import { OcppContractProvisioning } from "../../hosts/sim/ocpp/contract-provisioning";
import { TestCsms } from "../../hosts/sim/ocpp/test-csms";
import { SimulatedPncBackend } from "../../hosts/sim/pki/contract-provisioning";
import { createTestPki, type TestPkiEntity } from "../../hosts/sim/pki/test-pki";
import { ManualClock, toHex } from "../../modules/common/index";
import { decode, encode } from "../../modules/exi/index";
import { MemoryPkiStorage, parseCertificate, PkiStore, type SignatureType, type StoredChain } from "../../modules/pki-store/index";
import { SeccSession, type V2gDocument } from "../../modules/statemachine/index";
import { acceptContract, authorizationReq, certificateInstallationReq, OEM_PROVISIONING_SLOT, paymentDetailsReq, type SignedRequest } from "../../modules/statemachine/evcc/iso2-pnc";
import { ISO2_CERTIFICATE_SERVICE, type SeccConfigWithPnc } from "../../modules/statemachine/iso2/pnc";
import { AC_CONFIG, EVCCID } from "../statemachine/secc/support";

const NOW = Date.UTC(2026, 5, 1) / 1000;
const crypto = new NodeCrypto();
let testPki: Map<string, TestPkiEntity> | undefined;
const pki = (): Map<string, TestPkiEntity> => (testPki ??= createTestPki({ crypto, profile: "iso2", now: NOW }));

function chainOf(leaf: string): StoredChain {
  const entity = pki().get(leaf)!;
  return { chain: entity.chain!.map((name) => pki().get(name)!.der), key: { scheme: entity.key.scheme, privateKey: entity.key.privateKey } };
}

function anchored(isRevoked?: ConstructorParameters<typeof PkiStore>[0]["isRevoked"]): PkiStore {
  const store = new PkiStore({ storage: new MemoryPkiStorage(), crypto, now: () => NOW, isRevoked });
  store.addTrustAnchor("v2g", pki().get("v2g-root")!.der);
  store.addTrustAnchor("mo", pki().get("mo-root")!.der);
  return store;
}

/** A charger whose PnC backend is the CSMS, and a vehicle that sends each message's EXI through the host's `prepare` first. */
async function setup(csmsOptions: ConstructorParameters<typeof TestCsms>[0]) {
  const csms = new TestCsms(csmsOptions);
  const base = await csms.listen();
  const clock = new ManualClock({ start: 1_000 });
  const bridge = new OcppBridge({ url: `${base}/CS-PNC`, clock, unixMs: () => NOW * 1000 });
  await bridge.connect();
  const provisioning = new OcppContractProvisioning({ ocpp: bridge, crypto, clock });
  const seccStore = anchored(provisioning.isRevoked);
  provisioning.attach(seccStore);
  const config: SeccConfigWithPnc = {
    ...AC_CONFIG,
    paymentOptions: ["Contract", "ExternalPayment"],
    transport: "1.2",
    valueAddedServices: [ISO2_CERTIFICATE_SERVICE],
    pnc: { crypto, store: seccStore, provisioning },
  };
  let n = 0;
  const session = new SeccSession({
    config,
    clock,
    protocol: "iso2",
    randomBytes: (count) => Uint8Array.from({ length: count }, (_, i) => (0x21 * ++n + i) & 0xff),
    // As ChargerBinding does with a backend: PnC → Authorize with the eMAID and the chain's OCSP data.
    feedback: { requestAuthorization: (evccId, contract) => bridge.authorize(contract !== undefined ? { kind: "pnc", emaid: contract.emaid, chain: contract.chain } : { kind: "eim", evccId }) },
  });
  bridge.onEvent = (event) => session.control(event as never);
  const evStore = anchored();
  const oem = chainOf("oem-prov");
  evStore.setOwnChain(OEM_PROVISIONING_SLOT, oem.chain, oem.key);
  let sessionId: Uint8Array = new Uint8Array(1);
  let lastSignature: SignatureType | undefined;
  const sentExi: Uint8Array[] = [];
  const send = async (name: string, body: object, signature?: SignatureType): Promise<Record<string, any>> => {
    const header: Record<string, unknown> = { SessionID: sessionId };
    if (signature !== undefined) header.Signature = signature;
    const exi = encode("iso2", { V2G_Message: { Header: header, Body: { [name]: body } } });
    sentExi.push(exi);
    await provisioning.prepare(exi);
    const out = session.request(decode("iso2", exi) as V2gDocument);
    const response = decode("iso2", encode("iso2", out.response!)) as V2gDocument;
    lastSignature = (response.V2G_Message.Header as { Signature?: SignatureType }).Signature;
    if (name === "SessionSetupReq") sessionId = response.V2G_Message.Header.SessionID;
    return (response.V2G_Message.Body as Record<string, any>)[name.replace(/Req$/, "Res")];
  };
  const sendSigned = (r: SignedRequest<string, unknown>) => send(r.name, r.body as object, r.signature);
  const selectContract = async (): Promise<void> => {
    assert.equal((await send("SessionSetupReq", { EVCCID })).ResponseCode, "OK_NewSessionEstablished");
    await send("ServiceDiscoveryReq", {});
    const selection = { SelectedPaymentOption: "Contract", SelectedServiceList: { SelectedService: [{ ServiceID: 1 }, { ServiceID: 2, ParameterSetID: 1 }] } };
    assert.equal((await send("PaymentServiceSelectionReq", selection)).ResponseCode, "OK");
  };
  const close = async (): Promise<void> => {
    await bridge.close();
    await csms.close();
  };
  return { csms, bridge, session, evStore, send, sendSigned, selectContract, sentExi, signature: () => lastSignature, close };
}

describe("ISO 15118-2 Plug & Charge through OCPP 2.0.1 (test CSMS on the test PKI)", () => {
  test("the contract is installed by Get15118EVCertificate (EXI both ways), its chain checked by GetCertificateStatus, the eMAID authorized by Authorize", async () => {
    const backend = new SimulatedPncBackend({ crypto, pki: pki(), now: () => NOW });
    const s = await setup({ pnc: { provisioning: backend } });
    try {
      await s.selectContract();
      const installation = await s.sendSigned(certificateInstallationReq(crypto, s.evStore));
      assert.equal(installation.ResponseCode, "OK");
      const oemKey = s.evStore.ownChain(OEM_PROVISIONING_SLOT)!.key.privateKey;
      const installed = acceptContract(crypto, s.evStore, installation as never, s.signature(), oemKey);
      assert.ok(installed.ok, installed.ok ? "" : `${installed.failure}: ${installed.detail}`);
      // The key the CSMS's backend made is the one the vehicle decrypted: the answer came through OCPP.
      assert.deepEqual(installed.contract.key.privateKey, backend.issued.get(installed.emaid)!.privateKey);
      const get = s.csms.received("Get15118EVCertificate") as { action: string; exiRequest: string; iso15118SchemaVersion: string }[];
      assert.equal(get.length, 1);
      assert.equal(get[0].action, "Install");
      assert.equal(get[0].exiRequest, Buffer.from(s.sentExi[s.sentExi.length - 1]).toString("base64"), "the vehicle's EXI, untouched");

      const details = await s.send("PaymentDetailsReq", paymentDetailsReq(installed.contract).PaymentDetailsReq);
      assert.equal(details.ResponseCode, "OK");
      const status = s.csms.received("GetCertificateStatus") as { ocspRequestData: { serialNumber: string } }[];
      assert.equal(status.length, installed.contract.chain.length, "one per certificate of the chain: leaf, MO Sub-CA 2, MO Sub-CA 1");
      assert.ok(status.some((x) => x.ocspRequestData.serialNumber === toHex(parseCertificate(installed.contract.chain[0]).serial).replace(/^0+/, "")));

      assert.equal((await s.sendSigned(authorizationReq(crypto, installed.contract, details.GenChallenge))).EVSEProcessing, "Ongoing");
      await s.bridge.settled();
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal((await s.send("AuthorizationReq", {})).EVSEProcessing, "Finished");
      const authorize = s.csms.received("Authorize")[0] as { idToken: { idToken: string; type: string }; iso15118CertificateHashData: unknown[] };
      assert.deepEqual(authorize.idToken, { idToken: installed.emaid, type: "eMAID" });
      assert.equal(authorize.iso15118CertificateHashData.length, installed.contract.chain.length);
      assert.deepEqual(s.csms.validationFailures, []);
    } finally {
      await s.close();
    }
  });

  test("a contract the CSMS reports revoked: PaymentDetailsRes FAILED_CertificateRevoked; a CSMS without certificates: CertificateInstallationRes FAILED", async () => {
    const contract = chainOf("contract");
    const serial = toHex(parseCertificate(contract.chain[0]).serial).replace(/^0+/, "");
    const backend = new SimulatedPncBackend({ crypto, pki: pki(), now: () => NOW });
    const s = await setup({ pnc: { provisioning: backend, revoked: (hash) => hash.serialNumber === serial } });
    try {
      await s.selectContract();
      assert.equal((await s.send("PaymentDetailsReq", paymentDetailsReq(contract).PaymentDetailsReq)).ResponseCode, "FAILED_CertificateRevoked");
    } finally {
      await s.close();
    }
    const bare = await setup({});
    try {
      await bare.selectContract();
      assert.equal((await bare.sendSigned(certificateInstallationReq(crypto, bare.evStore))).ResponseCode, "FAILED");
      assert.equal(bare.csms.received("Get15118EVCertificate").length, 1);
    } finally {
      await bare.close();
    }
  });
});
