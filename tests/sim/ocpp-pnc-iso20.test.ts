// @node-only — ISO 15118-20 CertificateInstallation through the CSMS (OCPP 2.0.1 over loopback,
// strict schemas): the SECC's handler (modules/statemachine/iso20/pnc-certificate.ts) answers from
// Get15118EVCertificate with iso15118SchemaVersion = the -20 CommonMessages namespace, the
// vehicle's EXI passed through untouched and the CSMS's EXI CertificateInstallationRes (CPS
// signature in its header) passed back; the vehicle opens and installs the contract the CSMS's
// backend made — over OCPP 2.1: OCPP 2.0.1 caps exiResponse at 5,600 characters, and a -20
// response with P-521 contract and CPS chains is longer (its CSMS answer fails the schema, the
// charger answers FAILED). A CSMS without certificates: FAILED, as for -2.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { NodeCrypto } from "../../hosts/sim/crypto/node-crypto";
import { OcppBridge } from "../../hosts/sim/ocpp/bridge";
import { OcppContractProvisioning } from "../../hosts/sim/ocpp/contract-provisioning";
import { TestCsms } from "../../hosts/sim/ocpp/test-csms";
import { SimulatedPncBackend } from "../../hosts/sim/pki/contract-provisioning";
import { createTestPki, type TestPkiEntity } from "../../hosts/sim/pki/test-pki";
import { ManualClock } from "../../modules/common/index";
import { decode, encode } from "../../modules/exi/index";
import { MemoryPkiStorage, PkiStore, type SignatureType } from "../../modules/pki-store/index";
import type { SeccFacts } from "../../modules/statemachine/index";
import type { SeccContext } from "../../modules/statemachine/secc/context";
import { OEM_PROVISIONING_SLOT } from "../../modules/statemachine/evcc/iso2-pnc";
import { acceptContractIso20, certificateInstallation, certificateInstallationRequest } from "../../modules/statemachine/iso20/pnc-certificate";
import type * as cm from "../../modules/exi/generated/iso20_cm/types";

const NOW = Date.UTC(2026, 5, 1) / 1000;
const crypto = new NodeCrypto();
let testPki: Map<string, TestPkiEntity> | undefined;
const pki = (): Map<string, TestPkiEntity> => (testPki ??= createTestPki({ crypto, profile: "iso20", now: NOW }));

function anchored(): PkiStore {
  const store = new PkiStore({ storage: new MemoryPkiStorage(), crypto, now: () => NOW });
  store.addTrustAnchor("v2g", pki().get("v2g-root")!.der);
  store.addTrustAnchor("mo", pki().get("mo-root")!.der);
  return store;
}

async function installThroughCsms(csmsOptions: ConstructorParameters<typeof TestCsms>[0], protocol: "ocpp2.0.1" | "ocpp2.1" = "ocpp2.1") {
  const csms = new TestCsms({ ...csmsOptions, protocols: [protocol] });
  const base = await csms.listen();
  const clock = new ManualClock({ start: 1_000 });
  const bridge = new OcppBridge({ url: `${base}/CS-PNC20`, clock, unixMs: () => NOW * 1000, protocols: [protocol] });
  await bridge.connect();
  try {
    const provisioning = new OcppContractProvisioning({ ocpp: bridge, crypto, clock });
    const config = { paymentOptions: ["Contract", "ExternalPayment"], pnc: { crypto, store: anchored(), provisioning } };
    const vehicle = anchored();
    const oem = pki().get("oem-prov")!;
    vehicle.setOwnChain(OEM_PROVISIONING_SLOT, oem.chain!.map((n) => pki().get(n)!.der), oem.key);
    const { body, signature } = certificateInstallationRequest(crypto, vehicle);
    const exi = encode("iso20-cm", { CertificateInstallationReq: { ...body, Header: { SessionID: new Uint8Array(8).fill(7), TimeStamp: BigInt(NOW), Signature: signature } } });
    // The host's beforeRequest hook: the session handles the request once the CSMS answered.
    await provisioning.prepare(exi, "iso20-cm");
    const req = (decode("iso20-cm", exi) as { CertificateInstallationReq: cm.CertificateInstallationReqType }).CertificateInstallationReq;
    const ctx = { transport: "1.3" } as SeccContext;
    const result = certificateInstallation(req, ctx, { config } as unknown as SeccFacts);
    const res = (result.body as { CertificateInstallationRes: cm.CertificateInstallationResType }).CertificateInstallationRes;
    const wire = encode("iso20-cm", { CertificateInstallationRes: { ...res, Header: { SessionID: req.Header.SessionID, TimeStamp: BigInt(NOW), ...(ctx.responseSignature ? { Signature: ctx.responseSignature as SignatureType } : {}) } } });
    const received = (decode("iso20-cm", wire) as { CertificateInstallationRes: cm.CertificateInstallationResType }).CertificateInstallationRes;
    return { csms, vehicle, exi, received };
  } finally {
    await bridge.close();
    await csms.close();
  }
}

describe("ISO 15118-20 CertificateInstallation through OCPP (test CSMS on the iso20 test PKI)", () => {
  test("Get15118EVCertificate (OCPP 2.1) with the -20 namespace, the EXI both ways; the vehicle installs the contract the CSMS's backend made", async () => {
    const backend = new SimulatedPncBackend({ crypto, pki: pki(), now: () => NOW });
    const { csms, vehicle, exi, received } = await installThroughCsms({ pnc: { provisioning: backend } });
    assert.deepEqual(csms.validationFailures, []);
    assert.equal(received.ResponseCode, "OK");
    const answer = csms.records.find((r) => r.direction === "tx" && r.method === "Get15118EVCertificateResponse")?.params as { exiResponse: string };
    assert.ok(answer.exiResponse.length > 5600, `${answer.exiResponse.length} base64 characters: more than OCPP 2.0.1 allows`);
    const get = csms.received("Get15118EVCertificate") as { action: string; exiRequest: string; iso15118SchemaVersion: string }[];
    assert.equal(get.length, 1);
    assert.equal(get[0].action, "Install");
    assert.equal(get[0].iso15118SchemaVersion, "urn:iso:std:iso:15118:-20:CommonMessages");
    assert.equal(get[0].exiRequest, Buffer.from(exi).toString("base64"), "the vehicle's EXI, untouched");
    const installed = acceptContractIso20(crypto, vehicle, received);
    assert.ok(installed.ok, installed.ok ? "" : `${installed.failure}: ${installed.detail}`);
    assert.deepEqual(installed.contract.key.privateKey, backend.issued.get("DE-XS1-C12345678")!.privateKey);
    assert.deepEqual(csms.validationFailures, []);
  });

  test("OCPP 2.0.1's 5,600-character exiResponse cannot carry it: FAILED; a CSMS without certificates: FAILED; the vehicle installs nothing", async () => {
    const backend = new SimulatedPncBackend({ crypto, pki: pki(), now: () => NOW });
    const tooLong = await installThroughCsms({ pnc: { provisioning: backend } }, "ocpp2.0.1");
    assert.ok(tooLong.csms.validationFailures.some((f) => f.message.includes("exiResponse must NOT have more than 5600 characters")));
    assert.equal(tooLong.received.ResponseCode, "FAILED");
    const { received, vehicle } = await installThroughCsms({});
    assert.equal(received.ResponseCode, "FAILED");
    assert.equal(acceptContractIso20(crypto, vehicle, received).ok, false);
    assert.deepEqual(vehicle.contracts(), []);
  });
});
