// The charger's contract revocation check through OCPP 2.0.1 GetCertificateStatus
// (hosts/sim/ocpp/contract-provisioning.ts) with the CSMS's ocspResult verified (RFC 6960): a
// good response from the test PKI's backend passes, a revoked one fails, and a tampered one or
// one signed by the wrong CA counts as not good though the CSMS said Accepted. The CSMS here is
// a function (no network), so the file runs inside XS too.

import { test } from "node:test";
import assert from "node:assert/strict";
import { NobleCrypto } from "../../hosts/portable-crypto/index";
import { OcppContractProvisioning, type OcppPncCalls } from "../../hosts/sim/ocpp/contract-provisioning";
import { SimulatedPncBackend } from "../../hosts/sim/pki/contract-provisioning";
import { ocspResponse } from "../../hosts/sim/pki/ocsp-responder";
import { createTestPki, type TestPkiEntity } from "../../hosts/sim/pki/test-pki";
import { ManualClock } from "../../modules/common/index";
import { encode } from "../../modules/exi/index";
import { MemoryPkiStorage, ocspCertIdFromOcpp, parseCertificate, PkiStore, type OcspCertId } from "../../modules/pki-store/index";
import { paymentDetailsReq } from "../../modules/statemachine/evcc/iso2-pnc";
import { seededEntropy } from "../support/seeded-entropy";

const NOW = Date.UTC(2026, 5, 1) / 1000;
const crypto = new NobleCrypto({ entropy: seededEntropy(16) });
let shared: Map<string, TestPkiEntity> | undefined;
const pki = () => (shared ??= createTestPki({ crypto, profile: "iso2", now: NOW, only: ["contract"] }));

/** A charger store whose revocation answers come from `answer` (the CSMS's GetCertificateStatus). */
async function checkContract(answer: (certId: OcspCertId) => { good: boolean; ocspResponse?: Uint8Array }): Promise<{ ok: boolean; failure?: string; asked: number }> {
  let asked = 0;
  const ocpp: OcppPncCalls = {
    get15118EvCertificate: async () => ({ accepted: false }),
    getCertificateStatus: async (hash) => {
      asked++;
      return answer(ocspCertIdFromOcpp(hash)!);
    },
  };
  const provisioning = new OcppContractProvisioning({ ocpp, crypto, clock: new ManualClock({ start: 0 }), now: () => NOW, unknownIsRevoked: true });
  const store = new PkiStore({ storage: new MemoryPkiStorage(), crypto, now: () => NOW, isRevoked: provisioning.isRevoked });
  store.addTrustAnchor("mo", pki().get("mo-root")!.der);
  provisioning.attach(store);
  const entity = pki().get("contract")!;
  const chain = entity.chain!.map((name) => pki().get(name)!.der);
  const exi = encode("iso2", { V2G_Message: { Header: { SessionID: Uint8Array.of(1) }, Body: paymentDetailsReq({ chain, key: { scheme: entity.key.scheme, privateKey: entity.key.privateKey } }) } });
  await provisioning.prepare(exi);
  const result = store.validate(chain, "contract");
  return { ok: result.ok, failure: result.ok ? undefined : result.failure, asked };
}

test("GetCertificateStatus with the backend's OCSP responses: good passes, a revoked contract fails", async () => {
  const backend = new SimulatedPncBackend({ crypto, pki: pki(), now: () => NOW });
  const good = await checkContract((id) => ({ good: true, ocspResponse: backend.ocspResponse(id) }));
  // One GetCertificateStatus for each certificate below the root: the contract, MO Sub-CA 2 and 1.
  assert.deepEqual(good, { ok: true, failure: undefined, asked: 3 });
  backend.revoke(pki().get("contract")!.der);
  const revoked = await checkContract((id) => ({ good: true, ocspResponse: backend.ocspResponse(id) }));
  assert.equal(revoked.ok, false);
  assert.equal(revoked.failure, "revoked");
});

test("an Accepted GetCertificateStatus whose ocspResult does not verify counts as not good", async () => {
  const backend = new SimulatedPncBackend({ crypto, pki: pki(), now: () => NOW });
  const tampered = await checkContract((id) => {
    const response = backend.ocspResponse(id);
    response[response.length - 1] ^= 0x01;
    return { good: true, ocspResponse: response };
  });
  assert.equal(tampered.failure, "revoked");
  // Signed by MO Sub-CA 1 for everything: right for Sub-CA 2's own status, wrong for the contract.
  const subCa1 = pki().get("mo-sub-ca-1")!;
  const foreign = await checkContract((id) => ({ good: true, ocspResponse: ocspResponse(crypto, { certId: id, status: { good: true }, now: NOW, signer: { certificate: parseCertificate(subCa1.der), key: subCa1.key } }) }));
  assert.equal(foreign.failure, "revoked");
});
