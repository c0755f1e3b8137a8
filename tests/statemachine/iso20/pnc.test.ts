// ISO 15118-20 Plug & Charge with both of our roles (modules/statemachine/iso20/pnc.ts): the
// EVCC signs AuthorizationReq(PnC) — GenChallenge and contract chain — with its P-521 contract
// key, the SECC checks challenge, chain (MO root, clock, the backend's OCSP) and signature and
// the operator authorizes the eMAID; every message through the EXI codec. The refusals: a
// replayed or altered challenge, a tampered signature, a signature by another key, an untrusted,
// expired or revoked contract, PnC over plain TCP (not offered, not used, a request refused). Portable crypto (Node and XS).

import { test } from "node:test";
import assert from "node:assert/strict";
import { NobleCrypto } from "../../../hosts/portable-crypto/index";
import { simulatedPnc } from "../../../hosts/sim/pki/pnc-setup";
import { createTestPki, type TestPkiEntity } from "../../../hosts/sim/pki/test-pki";
import { MemoryPkiStorage, PkiStore } from "../../../modules/pki-store/index";
import type { SignatureType, StoredChain } from "../../../modules/pki-store/index";
import type { AuthorizationRequest, OperatorBackend, SeccFacts } from "../../../modules/statemachine/index";
import type { SeccContext } from "../../../modules/statemachine/secc/context";
import { identifyContract, pncAuthorizationRequest, pncOffer } from "../../../modules/statemachine/iso20/pnc";
import type * as cm from "../../../modules/exi/generated/iso20_cm/types";
import { seededEntropy } from "../../support/seeded-entropy";
import { run, stack } from "./stack-support";

const NOW = Date.UTC(2026, 5, 1) / 1000;
const crypto = new NobleCrypto({ entropy: seededEntropy(2020) });
// Only the MO hierarchy and the V2G root: each P-521 key costs inside XS.
const ONLY = ["contract", "v2g-root"];
let pkiOnce: Map<string, TestPkiEntity> | undefined;
const pki = () => (pkiOnce ??= createTestPki({ crypto, profile: "iso20", now: NOW, only: ONLY }));
let foreignOnce: Map<string, TestPkiEntity> | undefined;
const foreign = () => (foreignOnce ??= createTestPki({ crypto, profile: "iso20", now: NOW, only: ["contract"] }));

function setup(now = NOW) {
  const pnc = simulatedPnc({ crypto, pki: pki(), now: () => now, contractInstalled: true, oemProvisioning: false, receiptRequired: false });
  return { pnc, charger: { ...pnc.charger, transport: "1.3" as const } };
}

const contractOf = (entities: Map<string, TestPkiEntity>): StoredChain => ({
  chain: entities.get("contract")!.chain!.map((n) => entities.get(n)!.der),
  key: entities.get("contract")!.key,
});

test("DC session with Plug & Charge: AuthorizationSetup offers PnC, the signed AuthorizationReq(PnC) is accepted, the operator authorizes the eMAID", () => {
  const s = setup();
  const requests: AuthorizationRequest[] = [];
  const backend: OperatorBackend = {
    authorize(request) {
      requests.push(request);
      this.onEvent?.({ kind: "authorized", accepted: true });
    },
  };
  const st = stack({ transfer: "dc", mode: "scheduled", secc: s.charger, evccTransport: "1.3", evccSession: { pnc: s.pnc.vehicle }, backend, targetSoc: 40.5 });
  const outcome = run(st);
  assert.equal(outcome?.reason, "charging-complete", JSON.stringify(outcome));
  const auth = st.trace.find((e) => e.direction === "tx" && e.name === "AuthorizationReq");
  assert.equal(auth?.values.service, "PnC");
  assert.equal(requests.length, 1);
  assert.ok(requests[0].kind === "pnc");
  assert.equal(requests[0].emaid, "DE-XS1-C12345678");
  assert.equal(requests[0].chain.length, 3, "OCSP data of contract, MO Sub-CA 2 and Sub-CA 1");
});

test("over plain TCP there is no Plug & Charge: the charger does not offer it, and a vehicle on plain TCP does not use it", () => {
  const s = setup();
  const plainCharger = stack({ transfer: "ac", mode: "scheduled", secc: { ...s.charger, transport: "none", iso20: { insecureWithoutTls: true } }, evccTransport: "none", insecureIso20WithoutTls: true, evccSession: { pnc: s.pnc.vehicle } });
  assert.equal(run(plainCharger)?.reason, "charging-complete");
  assert.equal(plainCharger.trace.find((e) => e.name === "AuthorizationReq")?.values.service, "EIM");
  // The charger thinks the link is TLS (misconfigured, or a rogue one): the vehicle still keeps its contract to itself.
  const plainVehicle = stack({ transfer: "ac", mode: "scheduled", secc: s.charger, evccTransport: "none", insecureIso20WithoutTls: true, evccSession: { pnc: s.pnc.vehicle } });
  assert.equal(run(plainVehicle)?.reason, "charging-complete");
  assert.equal(plainVehicle.trace.find((e) => e.name === "AuthorizationReq")?.values.service, "EIM");
});

/** The SECC's view of one AuthorizationSetup → AuthorizationReq(PnC) exchange, at handler level. */
function exchange(facts: SeccFacts, contract: StoredChain, tamper?: (req: cm.AuthorizationReqType) => void) {
  const ctx = { transport: "1.3" } as SeccContext;
  const offer = pncOffer(ctx, facts);
  assert.ok(offer !== undefined && offer.GenChallenge.length === 16);
  const { mode, signature } = pncAuthorizationRequest(crypto, contract, offer.GenChallenge);
  const req = { Header: { SessionID: new Uint8Array(8), TimeStamp: 0n, Signature: signature }, SelectedAuthorizationService: "PnC", PnC_AReqAuthorizationMode: mode } as cm.AuthorizationReqType;
  tamper?.(req);
  return { ctx, req, result: identifyContract(req, ctx, facts) };
}

test("the SECC's checks: a valid request passes once, its challenge is spent (a replay fails), an altered challenge or signature fails", () => {
  const s = setup();
  const facts = { config: s.charger } as unknown as SeccFacts;
  const ok = exchange(facts, contractOf(pki()));
  assert.equal(ok.result, undefined);
  assert.equal(ok.ctx.pnc?.identified, true);
  assert.equal(ok.ctx.pnc?.emaid, "DE-XS1-C12345678");
  // The same signed request replayed into a new session (a new challenge there).
  const replay = exchange(facts, contractOf(pki()), (req) => (req.PnC_AReqAuthorizationMode!.GenChallenge = ok.req.PnC_AReqAuthorizationMode!.GenChallenge));
  assert.equal(replay.result, "WARNING_ChallengeInvalid");
  // And in its own session again, once identification was reset: the challenge is gone.
  ok.ctx.pnc!.identified = false;
  assert.equal(identifyContract(ok.req, ok.ctx, facts), "WARNING_ChallengeInvalid");
  const flipped = exchange(facts, contractOf(pki()), (req) => {
    const value = (req.Header.Signature as SignatureType).SignatureValue.$value as Uint8Array;
    value[5] ^= 1;
  });
  assert.equal(flipped.result, "FAILED_SignatureError");
  // The challenge altered after signing: it no longer matches what was signed … nor what was given.
  const altered = exchange(facts, contractOf(pki()), (req) => (req.PnC_AReqAuthorizationMode!.GenChallenge = new Uint8Array(16)));
  assert.equal(altered.result, "WARNING_ChallengeInvalid");
});

test("the SECC's checks: a contract chain under an untrusted MO root, another key's signature, a revoked or expired contract", () => {
  const s = setup();
  const facts = { config: s.charger } as unknown as SeccFacts;
  assert.equal(exchange(facts, contractOf(foreign())).result, "WARNING_CertificateValidationError");
  // Our chain, signed with the foreign contract key.
  assert.equal(exchange(facts, { chain: contractOf(pki()).chain, key: contractOf(foreign()).key }).result, "FAILED_SignatureError");
  s.pnc.backend.revoke(pki().get("contract")!.der);
  assert.equal(exchange(facts, contractOf(pki())).result, "WARNING_CertificateRevoked");
  const later = setup(NOW + 3 * 365 * 86_400);
  assert.equal(exchange({ config: later.charger } as unknown as SeccFacts, contractOf(pki())).result, "WARNING_CertificateExpired");
  // No PnC facility, or not over TLS: nothing offered, and a PnC request sent anyway (over plain
  // TCP, no challenge given) is refused before anything of it is looked at.
  const plain = { transport: "none" } as SeccContext;
  assert.equal(pncOffer(plain, facts), undefined);
  const { mode, signature } = pncAuthorizationRequest(crypto, contractOf(pki()), new Uint8Array(16));
  const unasked = { Header: { SessionID: new Uint8Array(8), TimeStamp: 0n, Signature: signature }, SelectedAuthorizationService: "PnC", PnC_AReqAuthorizationMode: mode } as cm.AuthorizationReqType;
  assert.equal(identifyContract(unasked, plain, facts), "WARNING_AuthorizationSelectionInvalid");
  const store = new PkiStore({ storage: new MemoryPkiStorage(), crypto, now: () => NOW });
  assert.equal(pncOffer({ transport: "1.3" } as SeccContext, { config: { ...s.charger, pnc: undefined } } as unknown as SeccFacts), undefined);
  assert.ok(store.contracts().length === 0);
});
