import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock, MemoryLogger, toHex } from "../../../modules/common/index";
import { decode, encode } from "../../../modules/exi/index";
import { frame } from "../../../modules/v2gtp/index";
import { ChargingPoint } from "../../../modules/statemachine/index";
import type { ConnectionEnd } from "../../../modules/statemachine/index";
import { FakeStream } from "../../v2gtp/fake-io";
import { DC_CONFIG, EVCCID, doc, recordingFeedback } from "./support";

const NAMESPACES = { din: "urn:din:70121:2012:MsgDef", iso2: "urn:iso:15118:2:2013:MsgDef" } as const;

function sapReq(protocol: "din" | "iso2") {
  return { supportedAppProtocolReq: { AppProtocol: [{ ProtocolNamespace: NAMESPACES[protocol], VersionNumberMajor: 2, VersionNumberMinor: 0, SchemaID: 1, Priority: 1 }] } };
}

/** `count` bytes of a fixed pseudo-random sequence (a 32-bit LCG): noise, the same every run. */
function noise(count: number, seed = 0x15118): Uint8Array {
  const out = new Uint8Array(count);
  let x = seed >>> 0;
  for (let i = 0; i < count; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** One TCP connection from an EV (or from anybody) to the charging point, on a fake socket. */
class Peer {
  readonly stream: FakeStream;
  readonly number: number;
  readonly protocol: "din" | "iso2";
  #read = 0;
  #sapDone = false;
  sessionId = new Uint8Array(1);

  constructor(point: ChargingPoint, protocol: "din" | "iso2") {
    let stream: FakeStream | undefined;
    this.number = point.accept((callbacks) => (stream = new FakeStream(callbacks)));
    this.stream = stream!;
    this.protocol = protocol;
  }

  /** Decoded responses that arrived since the last call. */
  responses(): any[] {
    const bytes = this.stream.output();
    const out: any[] = [];
    while (this.#read + 8 <= bytes.length) {
      const o = this.#read;
      const len = ((bytes[o + 4] << 24) | (bytes[o + 5] << 16) | (bytes[o + 6] << 8) | bytes[o + 7]) >>> 0;
      const payload = bytes.subarray(o + 8, o + 8 + len);
      out.push(decode(this.#sapDone ? this.protocol : "apphand", payload));
      this.#sapDone = true;
      this.#read = o + 8 + len;
    }
    return out;
  }

  sap(): any {
    this.stream.peerWrite(frame(0x8001, encode("apphand", sapReq(this.protocol))));
    return this.responses()[0];
  }

  /** Sends a request; returns the response body content (undefined when none came). */
  request(name: string, content: object = {}, sessionId = this.sessionId): any {
    this.stream.peerWrite(frame(0x8001, encode(this.protocol, doc(sessionId, name, content))));
    const res = this.responses()[0];
    if (res === undefined) return undefined;
    if (name === "SessionSetupReq") this.sessionId = res.V2G_Message.Header.SessionID;
    return res.V2G_Message.Body[name.replace(/Req$/, "Res")];
  }
}

function setup(options: { maxCandidates?: number } = {}) {
  const clock = new ManualClock();
  const logger = new MemoryLogger();
  const calls: string[] = [];
  const ends: ConnectionEnd[] = [];
  const starts: string[] = [];
  let n = 0;
  const point = new ChargingPoint({
    config: DC_CONFIG,
    clock,
    logger,
    feedback: recordingFeedback(calls),
    maxCandidates: options.maxCandidates,
    randomBytes: (count) => {
      n++;
      const out = new Uint8Array(count);
      for (let i = 0; i < count; i++) out[i] = (0x10 * n + i) & 0xff;
      return out;
    },
    onSessionStart: (info) => starts.push(info.from === undefined ? `${info.connection}` : `${info.from}→${info.connection}`),
    onConnectionEnd: (end) => ends.push(end),
  });
  const connect = (protocol: "din" | "iso2" = "iso2") => new Peer(point, protocol);
  /** An EV with a session set up and its services discovered. */
  const liveEv = (protocol: "din" | "iso2" = "iso2") => {
    const ev = connect(protocol);
    ev.sap();
    assert.equal(ev.request("SessionSetupReq", { EVCCID }).ResponseCode, "OK_NewSessionEstablished");
    assert.equal(ev.request("ServiceDiscoveryReq", {}).ResponseCode, "OK");
    return ev;
  };
  return { clock, logger, calls, ends, starts, point, connect, liveEv };
}

describe("ChargingPoint: one live session, newcomers vetted", () => {
  test("4 KB of random bytes on a second connection close only that connection; the session carries on", () => {
    const t = setup();
    const ev = t.liveEv();
    const intruder = t.connect();
    intruder.stream.peerWrite(noise(4096));
    assert.equal(intruder.stream.closed, true);
    assert.deepEqual(t.ends, [{ connection: intruder.number, reason: "v2gtp", outcome: "no-session", to: undefined }]);
    assert.equal(t.logger.find(`connection ${intruder.number} closed before it had a session: v2gtp; connection ${ev.number} keeps its session`).length, 1);
    assert.equal(ev.stream.closed, false);
    assert.equal(t.point.live?.session.stopReason, undefined);
    assert.equal(t.calls.indexOf("sessionStopped(link-down)"), -1);
    assert.equal(ev.request("PaymentServiceSelectionReq", { SelectedPaymentOption: "ExternalPayment", SelectedServiceList: { SelectedService: [{ ServiceID: 1 }] } }).ResponseCode, "OK");
  });

  test("EXI that does not decode from a newcomer closes only the newcomer", () => {
    const t = setup();
    const ev = t.liveEv();
    const intruder = t.connect();
    intruder.stream.peerWrite(frame(0x8001, Uint8Array.of(0x80, 0xff, 0xff, 0xff)));
    assert.equal(intruder.stream.closed, true);
    assert.equal(t.ends[0].outcome, "no-session");
    assert.equal(ev.stream.closed, false);
    assert.equal(t.calls.filter((c) => c.startsWith("sessionStopped")).length, 0);
  });

  test("a newcomer's SAP is answered, its SessionSetupReq with another SessionID gets FAILED and it is closed", () => {
    const t = setup();
    const ev = t.liveEv();
    const other = t.connect();
    assert.equal(other.sap().supportedAppProtocolRes.ResponseCode, "OK_SuccessfulNegotiation");
    const wrong = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const res = other.request("SessionSetupReq", { EVCCID }, wrong);
    assert.equal(res.ResponseCode, "FAILED");
    assert.equal(other.stream.closed, true);
    assert.deepEqual(t.ends, [{ connection: other.number, reason: "evse-busy", outcome: "no-session", to: undefined }]);
    assert.equal(t.logger.find(`connection ${other.number} refused: SessionID ${toHex(wrong)} is not the live session's`).length, 1);
    assert.equal(ev.stream.closed, false);
    assert.deepEqual(t.starts, [`${ev.number}`]);
    assert.equal(t.calls.filter((c) => c.startsWith("sessionStopped")).length, 0);
    assert.equal(ev.request("PaymentServiceSelectionReq", { SelectedPaymentOption: "ExternalPayment", SelectedServiceList: { SelectedService: [{ ServiceID: 1 }] } }).ResponseCode, "OK");
  });

  test("SessionID 0 (a new session) while a session is live: FAILED, newcomer closed", () => {
    const t = setup();
    t.liveEv();
    const other = t.connect();
    other.sap();
    assert.equal(other.request("SessionSetupReq", { EVCCID: Uint8Array.of(2, 0, 0, 0, 0, 9) }).ResponseCode, "FAILED");
    assert.equal(other.stream.closed, true);
    assert.equal(t.logger.find("refused: SessionID 0 asks for a new session").length, 1);
  });

  test("the live SessionID with another EVCCID is refused", () => {
    const t = setup();
    const ev = t.liveEv();
    const other = t.connect();
    other.sap();
    assert.equal(other.request("SessionSetupReq", { EVCCID: Uint8Array.of(2, 0, 0, 0, 0, 9) }, ev.sessionId).ResponseCode, "FAILED");
    assert.equal(other.stream.closed, true);
    assert.equal(ev.stream.closed, false);
  });

  test("a silent newcomer is closed after V2G_SECC_CommunicationSetup_Timeout; the session carries on", () => {
    const t = setup();
    const ev = t.liveEv();
    const silent = t.connect();
    t.clock.advance(17_999);
    assert.equal(silent.stream.closed, false);
    t.clock.advance(1);
    assert.equal(silent.stream.closed, true);
    assert.deepEqual(t.ends, [{ connection: silent.number, reason: "timeout-communication-setup", outcome: "no-session", to: undefined }]);
    assert.equal(ev.stream.closed, false);
    assert.equal(t.point.live?.session.stopReason, undefined);
    assert.equal(ev.request("PaymentServiceSelectionReq", { SelectedPaymentOption: "ExternalPayment", SelectedServiceList: { SelectedService: [{ ServiceID: 1 }] } }).ResponseCode, "OK");
  });

  for (const protocol of ["iso2", "din"] as const) {
    test(`${protocol}: the EV back on a new connection with its SessionID takes its session over; the old socket closes without ending it`, () => {
      const t = setup();
      const ev = t.liveEv(protocol);
      const id = ev.sessionId;
      t.calls.length = 0;
      // The old connection goes quiet (half-open); the EV reconnects.
      t.clock.advance(3000);
      const back = t.connect(protocol);
      back.sap();
      const res = back.request("SessionSetupReq", { EVCCID }, id);
      assert.equal(res.ResponseCode, "OK_OldSessionJoined");
      assert.equal(toHex(back.sessionId), toHex(id));
      assert.equal(ev.stream.closed, true);
      assert.deepEqual(t.ends, [{ connection: ev.number, reason: "handed-over", outcome: "handed-over", to: back.number }]);
      assert.deepEqual(t.starts, [`${ev.number}`, `${ev.number}→${back.number}`]);
      assert.equal(t.point.liveNumber, back.number);
      // The old session's stop reaches the charger (output down), then the resumed one starts.
      assert.deepEqual(t.calls, ["sessionStopped(handed-over)", `sessionStarted(${protocol},true)`]);
      assert.equal(t.point.store.find(id), undefined, "the joined session left the store");
      // The session goes on from ServiceDiscovery on the new connection.
      assert.equal(back.request("ServiceDiscoveryReq", {}).ResponseCode, "OK");
      // And a third connection now cannot take it with a wrong ID.
      const third = t.connect(protocol);
      third.sap();
      assert.equal(third.request("SessionSetupReq", { EVCCID }).ResponseCode, "FAILED");
      assert.equal(back.stream.closed, false);
    });
  }

  test("while charging: the handover stops the output once, the resumed session restarts it", () => {
    const t = setup();
    const ev = t.liveEv();
    const ctx = t.point.live!.session.context as { charging: boolean; dc: boolean };
    ctx.charging = true; // as after PowerDeliveryReq(Start)
    t.calls.length = 0;
    const back = t.connect();
    back.sap();
    assert.equal(back.request("SessionSetupReq", { EVCCID }, ev.sessionId).ResponseCode, "OK_OldSessionJoined");
    assert.deepEqual(t.calls, ["stopCharging(dc)", "sessionStopped(handed-over)", "sessionStarted(iso2,true)"]);
  });

  test("with no session live a newcomer proceeds as normal; of two, the first SessionSetupReq wins", () => {
    const t = setup();
    const a = t.connect();
    const b = t.connect();
    a.sap();
    b.sap();
    assert.equal(t.point.live, undefined);
    assert.equal(b.request("SessionSetupReq", { EVCCID }).ResponseCode, "OK_NewSessionEstablished");
    assert.equal(t.point.liveNumber, b.number);
    assert.equal(a.request("SessionSetupReq", { EVCCID: Uint8Array.of(2, 0, 0, 0, 0, 9) }).ResponseCode, "FAILED");
    assert.equal(a.stream.closed, true);
    assert.equal(b.stream.closed, false);
  });

  test("after the live session ended, the next connection gets a new session", () => {
    const t = setup();
    const ev = t.liveEv();
    ev.stream.callbacks.onError?.(new Error("connection closed by peer"));
    assert.deepEqual(t.ends, [{ connection: ev.number, reason: "socket", outcome: "session-end", to: undefined }]);
    assert.equal(t.point.live, undefined);
    const next = t.connect();
    next.sap();
    assert.equal(next.request("SessionSetupReq", { EVCCID }, ev.sessionId).ResponseCode, "OK_NewSessionEstablished");
  });

  test("more newcomers than maxCandidates: the oldest waiting one is closed", () => {
    const t = setup({ maxCandidates: 2 });
    const ev = t.liveEv();
    const first = t.connect();
    const second = t.connect();
    const third = t.connect();
    assert.equal(first.stream.closed, true);
    assert.equal(second.stream.closed, false);
    assert.equal(third.stream.closed, false);
    assert.deepEqual(t.ends, [{ connection: first.number, reason: "crowded", outcome: "no-session", to: undefined }]);
    assert.equal(t.point.candidates, 2);
    assert.equal(ev.stream.closed, false);
  });

  test("close() ends the live session and every newcomer", () => {
    const t = setup();
    const ev = t.liveEv();
    const other = t.connect();
    t.point.close();
    t.point.close();
    assert.equal(ev.stream.closed, true);
    assert.equal(other.stream.closed, true);
    assert.deepEqual(
      t.ends.map((e) => `${e.connection} ${e.outcome} ${e.reason}`),
      [`${ev.number} session-end local`, `${other.number} no-session local`],
    );
    assert.equal(t.clock.pending, 0);
  });
});
