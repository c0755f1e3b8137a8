// Slowloris (issue 16 item 4): a client that trickles its bytes, one a second, forever. What
// bounds it is the session's timers, not the bytes: V2G_SECC_CommunicationSetup_Timeout (18 s)
// from the connection until SessionSetupReq, and V2G_SECC_Sequence_Timeout (60 s, DIN 70121,
// ISO 15118-2 and -20 alike) from each response until the next complete request
// (modules/statemachine/secc-timeouts.ts; ../shared/docs/standards-notes.md). A trickled byte never restarts either. How many such clients may wait
// at once is ChargingPoint's maxCandidates; how much each may hold is V2GTP's maximum payload
// (tests/v2gtp/attacks.test.ts). Session hijack with another SessionID: see
// tests/statemachine/secc/charging-point.test.ts ("a newcomer's SAP is answered, its
// SessionSetupReq with another SessionID gets FAILED and it is closed" and the tests after it).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../../modules/common/index";
import { decode, encode } from "../../../modules/exi/index";
import { frame, writeHeader } from "../../../modules/v2gtp/index";
import { ChargingPoint } from "../../../modules/statemachine/index";
import type { ConnectionEnd } from "../../../modules/statemachine/index";
import { FakeStream } from "../../v2gtp/fake-io";
import { DC_CONFIG, EVCCID, doc } from "./support";

const SAP_REQ = {
  supportedAppProtocolReq: { AppProtocol: [{ ProtocolNamespace: "urn:iso:15118:2:2013:MsgDef", VersionNumberMajor: 2, VersionNumberMinor: 0, SchemaID: 1, Priority: 1 }] },
};

function setup() {
  const clock = new ManualClock();
  const ends: ConnectionEnd[] = [];
  const point = new ChargingPoint({ config: DC_CONFIG, clock, onConnectionEnd: (end) => ends.push(end) });
  const connect = (): FakeStream => {
    let stream: FakeStream | undefined;
    point.accept((callbacks) => (stream = new FakeStream(callbacks)));
    return stream!;
  };
  /** Sends one message whole and returns the decoded answer (SAP first, then ISO-2). */
  const exchange = (stream: FakeStream, payload: Uint8Array, schema: "apphand" | "iso2"): any => {
    const before = stream.output().length;
    stream.peerWrite(frame(0x8001, payload));
    const out = stream.output().subarray(before);
    return out.length > 8 ? decode(schema, out.subarray(8)) : undefined;
  };
  /** An EV with a session set up: its stream and SessionID. */
  const liveEv = () => {
    const stream = connect();
    assert.ok(exchange(stream, encode("apphand", SAP_REQ), "apphand"));
    const res = exchange(stream, encode("iso2", doc(new Uint8Array(1), "SessionSetupReq", { EVCCID })), "iso2");
    assert.equal(res.V2G_Message.Body.SessionSetupRes.ResponseCode, "OK_NewSessionEstablished");
    return { stream, sessionId: res.V2G_Message.Header.SessionID as Uint8Array };
  };
  /** One byte of `bytes` a second from `stream`, for `seconds`; returns how many were written before it closed. */
  const trickle = (stream: FakeStream, bytes: Uint8Array, seconds: number): number => {
    let sent = 0;
    for (let s = 0; s < seconds && !stream.closed; s++) {
      stream.peerWrite(bytes.subarray(sent % bytes.length, (sent % bytes.length) + 1));
      sent++;
      clock.advance(1000);
    }
    return sent;
  };
  return { clock, ends, point, connect, exchange, liveEv, trickle };
}

/** A V2GTP header declaring the maximum payload, then zeros: a message that never completes in time. */
function endless(): Uint8Array {
  const bytes = new Uint8Array(8 + 8192);
  writeHeader(bytes, 0, 0x8001, 8192);
  return bytes;
}

describe("slowloris: bytes trickled one a second are bounded by the session timers", () => {
  test("a newcomer trickling a valid SAP request is closed at V2G_SECC_CommunicationSetup_Timeout (18 s), unanswered; the live session carries on", () => {
    const t = setup();
    const ev = t.liveEv();
    const slow = t.connect();
    const sap = frame(0x8001, encode("apphand", SAP_REQ));
    assert.ok(sap.length > 18);
    const sent = t.trickle(slow, sap, 3600);
    assert.equal(sent, 18);
    assert.equal(slow.closed, true);
    assert.equal(slow.output().length, 0, "nothing was answered");
    assert.equal(t.ends.at(-1)!.reason, "timeout-communication-setup");
    assert.equal(ev.stream.closed, false);
    const res = t.exchange(ev.stream, encode("iso2", doc(ev.sessionId, "ServiceDiscoveryReq", {})), "iso2");
    assert.equal(res.V2G_Message.Body.ServiceDiscoveryRes.ResponseCode, "OK");
  });

  test("with no session live, a message of the maximum length trickled forever is closed at 18 s; the next connection is served", () => {
    const t = setup();
    const slow = t.connect();
    assert.equal(t.trickle(slow, endless(), 3600), 18);
    assert.equal(slow.closed, true);
    assert.equal(t.ends[0].reason, "timeout-communication-setup");
    const ev = t.liveEv();
    assert.equal(ev.stream.closed, false);
  });

  test("an established session trickling its next request is closed at V2G_SECC_Sequence_Timeout (60 s after the last response), the session stopped", () => {
    const t = setup();
    const ev = t.liveEv();
    assert.equal(t.trickle(ev.stream, endless(), 3600), 60);
    assert.equal(ev.stream.closed, true);
    assert.equal(t.ends.at(-1)!.reason, "timeout-sequence");
  });

  test("100 tricklers at once: at most maxCandidates (2) wait beside the live session, each for at most 18 s; the live session carries on", () => {
    const t = setup();
    const ev = t.liveEv();
    const slow: FakeStream[] = [];
    for (let i = 0; i < 100; i++) {
      const s = t.connect();
      s.peerWrite(endless().subarray(0, 8)); // a header declaring 8192 bytes: the buffer is at most that
      slow.push(s);
    }
    assert.equal(slow.filter((s) => !s.closed).length, 2);
    assert.equal(t.point.candidates, 2);
    t.clock.advance(17_000);
    const res = t.exchange(ev.stream, encode("iso2", doc(ev.sessionId, "ServiceDiscoveryReq", {})), "iso2");
    assert.equal(res.V2G_Message.Body.ServiceDiscoveryRes.ResponseCode, "OK");
    t.clock.advance(1_000);
    assert.equal(slow.filter((s) => !s.closed).length, 0);
    assert.equal(ev.stream.closed, false);
  });
});
