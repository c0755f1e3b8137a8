// @node-only — reads ../shared/captures with hosts/sim/pcap (readCapture, extractV2gSessions, the TLS decryptor).
//
// The ISO 15118-20 sessions of ../shared/captures/dsV2Gshark (a dSPACE DS5366 car simulator
// against a Josev charger): AC_BPT Scheduled in plain TCP, DC Dynamic over TLS 1.3 and over
// mutual TLS 1.3 (decrypted with the key log the bench discloses in the capture).
//  - SECC: the car's requests into our SECC, configured like the real charger; every answer
//    encodes and has the real charger's message type, ResponseCode and EVSEProcessing.
//  - EVCC: the real charger's answers to our EVCC; our EVCC sends the car's sequence of
//    request types.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { readCapture } from "../../../simulation/pcap/read";
import { extractV2gSessions } from "../../../hosts/sim/pcap/dissect";
import { tlsDecryptor } from "../../../hosts/sim/pcap/tls";
import type { V2gSession } from "../../../hosts/sim/pcap/dissect";
import { SHARED_DIR, sharedSkip } from "../../support/shared";
import { replayIso20Evcc, replayIso20Secc } from "./replay-support";
import type { Iso20ControlMode, Iso20Transfer } from "../../../modules/statemachine/iso20/services";

const DIR = path.join(SHARED_DIR, "captures", "dsV2Gshark");

const CAPTURES: [string, Iso20Transfer, Iso20ControlMode][] = [
  ["ISO-20_BPT_AC_DS5366_Josev.pcapng", "ac_bpt", "scheduled"],
  ["ISO-20_TLS13_DC_DS5366_Josev.pcapng", "dc", "dynamic"],
  ["ISO-20_mTLS_DC_DS5366_Josev.pcapng", "dc", "dynamic"],
];

function sessionOf(file: string): V2gSession {
  const sessions = extractV2gSessions(readCapture(new Uint8Array(fs.readFileSync(path.join(DIR, file)))), { tls: tlsDecryptor() });
  const found = sessions.find((s) => s.sap?.namespace.indexOf("urn:iso:std:iso:15118:-20:") === 0 && s.messages.length > 10);
  assert.ok(found, `${file}: no decoded -20 session`);
  return found!;
}

describe("ISO 15118-20 replay of real sessions (../shared/captures/dsV2Gshark)", { skip: sharedSkip() }, () => {
  for (const [file, transfer, mode] of CAPTURES) {
    test(`SECC: ${file}: every car request gets the real charger's message type, code and EVSEProcessing`, (t) => {
      const r = replayIso20Secc(sessionOf(file));
      t.diagnostic(`${r.requests} requests, ${r.matched} answered as the real charger; stop ${r.stopReason}`);
      assert.deepEqual(r.encodeErrors, []);
      assert.deepEqual(r.mismatches, []);
      assert.deepEqual(r.processingDiffs, []);
      assert.equal(r.matched, r.requests);
      assert.equal(r.stopReason, "ev-terminate");
      // The AC_BPT car sends its discharge limits as magnitudes (11 kW), as bpt.ts reads the standard.
      if (transfer === "ac_bpt") assert.equal(r.peerNegativeDischarge, false);
    });

    test(`EVCC: ${file}: the real charger's answers drive our EVCC through the car's sequence (${transfer}, ${mode})`, () => {
      const r = replayIso20Evcc(sessionOf(file), transfer, mode);
      assert.equal(r.outcome?.reason, "charging-complete", `${r.outcome?.reason} ${r.outcome?.detail}`);
      assert.equal(r.outcome?.orderly, true);
      assert.deepEqual(r.ours, r.car);
      // The Josev charger sends EVSEMaximumDischargePower negative (−2990 W): noted and logged.
      if (transfer === "ac_bpt") assert.ok(r.log.indexOf("charger sends discharge limits negative") >= 0, r.log.join("\n"));
    });
  }
});
