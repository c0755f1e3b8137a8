import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock, MemoryLogger } from "../../modules/common/index";
import type { StreamSocket } from "../../modules/common/io";
import { encode } from "../../modules/exi/index";
import { frame } from "../../modules/v2gtp/index";
import { EvccConnection } from "../../modules/statemachine/evcc/connection";
import type { EvccConnectionOutcome } from "../../modules/statemachine/evcc/connection";
import type { ConnectionEnd } from "../../modules/statemachine/index";
import { VirtualIpStack } from "../../simulation/vnet/stack";
import { seededRandom } from "../../simulation/random";
import { ChargerStation } from "../../simulation/station/charger-station";
import type { ChargerSessionSummary } from "../../simulation/station/charger-station";
import { VehicleStation } from "../../simulation/station/vehicle-station";
import type { VehicleOutcome } from "../../simulation/station/vehicle-station";

/**
 * A charger, a vehicle and a third host on one link (a hub: every frame reaches every other
 * host), SDP on ff02::1, TCP on IPv6. `cut` drops every frame to and from the vehicle.
 */
function link() {
  const clock = new ManualClock({ start: 1_000 });
  const hosts: VirtualIpStack[] = [];
  let cut = false;
  const host = (name: string, last: number): VirtualIpStack => {
    const stack: VirtualIpStack = new VirtualIpStack({
      name,
      clock,
      link: {
        mac: Uint8Array.of(2, 0, 0, 0, last, 1),
        write: (f) => {
          for (const other of hosts) if (other !== stack && !(cut && (stack === ev || other === ev))) other.receive(f);
        },
      },
    });
    hosts.push(stack);
    return stack;
  };
  const ev = host("ev0", 0x0e);
  const evse = host("evse0", 0x0a);
  const other = host("x0", 0x0b);
  const logger = new MemoryLogger();
  const summaries: ChargerSessionSummary[] = [];
  const connectionEnds: ConnectionEnd[] = [];
  const charger = new ChargerStation({
    clock,
    io: evse,
    address: evse.address.split("%")[0],
    interface: "evse0",
    transfer: ["dc"],
    protocols: ["iso2"],
    random: seededRandom(7),
    logger,
    onSessionEnd: (s) => summaries.push(s),
    onConnectionEnd: (e) => connectionEnds.push(e),
  });
  const sent: string[] = [];
  let sessionSetupAt: number | undefined;
  let outcome: VehicleOutcome | undefined;
  const vehicle = new VehicleStation({
    clock,
    io: ev,
    interface: "ev0",
    transfer: "dc",
    protocols: ["iso2"],
    evccId: ev.mac,
    battery: { capacityKWh: 10, soc: 70 },
    targetSoc: 75,
    logger,
    onTrace: (e) => {
      if (e.direction !== "tx") return;
      sent.push(e.name);
      if (e.name === "SessionSetupReq") sessionSetupAt ??= clock.now();
    },
    onContactors: (closed) => (closed ? charger.couple({ dcLoad: vehicle.vehicle.dcLoad() }) : charger.uncouple()),
    onEnd: (o) => (outcome = o),
  });
  charger.start();
  vehicle.start();
  return {
    clock,
    ev,
    other,
    charger,
    vehicle,
    logger,
    summaries,
    connectionEnds,
    sent,
    sessionSetupAt: () => sessionSetupAt,
    outcome: () => outcome,
    setCut: (value: boolean) => (cut = value),
    /** The charger's address as the other hosts dial it. */
    chargerAddress: evse.address.split("%")[0],
    run(until: () => boolean, limitMs = 3_600_000): void {
      const end = clock.now() + limitMs;
      while (!until() && clock.now() < end) clock.advance(100);
    },
  };
}

/** `count` bytes of a fixed pseudo-random sequence (a 32-bit LCG). */
function noise(count: number): Uint8Array {
  const out = new Uint8Array(count);
  let x = 0x15118;
  for (let i = 0; i < count; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** A TCP client on `stack` to the charger; `onConnect` runs when it is connected. */
function dial(stack: VirtualIpStack, address: string, port: number, onConnect: (socket: StreamSocket) => void): { closed: () => string | undefined } {
  let closedWith: string | undefined;
  let connected = false;
  const socket: StreamSocket = new stack.Tcp({
    address,
    port,
    onWritable: () => {
      if (connected) return;
      connected = true;
      onConnect(socket);
    },
    onReadable: () => {
      while (socket.read() !== undefined);
    },
    onError: (error) => (closedWith ??= error.message),
  });
  return { closed: () => closedWith };
}

describe("charger station: a second TCP connection does not end the vehicle's session", () => {
  test("4 KB of random bytes from another host 4 s into the session: that connection is closed, the vehicle charges to its target", () => {
    const w = link();
    w.run(() => w.sessionSetupAt() !== undefined && w.clock.now() >= w.sessionSetupAt()! + 4000, 60_000);
    assert.ok(w.vehicle.connection !== undefined && w.outcome() === undefined, "the session is under way");
    const intruder = dial(w.other, w.chargerAddress, w.charger.port, (socket) => socket.write(noise(4096)));
    w.run(() => intruder.closed() !== undefined, 5_000);
    assert.equal(intruder.closed(), "connection closed by peer");
    assert.equal(w.outcome(), undefined, `the vehicle still charges: ${JSON.stringify(w.outcome())}`);
    assert.deepEqual(w.connectionEnds.map((e) => `${e.connection} ${e.outcome} ${e.reason}`), ["2 no-session v2gtp"]);
    w.run(() => w.outcome() !== undefined);
    w.clock.advance(5_000);
    assert.equal(w.outcome()?.ok, true, JSON.stringify(w.outcome()));
    assert.equal(w.outcome()?.reason, "charging-complete");
    assert.ok(w.vehicle.vehicle.battery.soc >= 75);
    assert.deepEqual(w.summaries.map((s) => `${s.session} ${s.reason}`), ["1 ev-terminate"]);
    assert.ok(w.logger.find("connection 2 closed before it had a session: v2gtp; connection 1 keeps its session").length === 1);
    w.charger.close();
  });

  test("a newcomer with a valid SAP and a SessionSetupReq of another SessionID gets FAILED and is closed; the session is unaffected", () => {
    const w = link();
    w.run(() => w.sent.indexOf("CurrentDemandReq") >= 0, 60_000);
    const sap = {
      supportedAppProtocolReq: { AppProtocol: [{ ProtocolNamespace: "urn:iso:15118:2:2013:MsgDef", VersionNumberMajor: 2, VersionNumberMinor: 0, SchemaID: 1, Priority: 1 }] },
    };
    const setup = { V2G_Message: { Header: { SessionID: Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1) }, Body: { SessionSetupReq: { EVCCID: Uint8Array.of(2, 0, 0, 0, 0xb, 1) } } } };
    const newcomer = dial(w.other, w.chargerAddress, w.charger.port, (socket) => {
      socket.write(frame(0x8001, encode("apphand", sap)));
      socket.write(frame(0x8001, encode("iso2", setup)));
    });
    w.run(() => newcomer.closed() !== undefined, 5_000);
    assert.equal(newcomer.closed(), "connection closed by peer");
    assert.deepEqual(w.connectionEnds.map((e) => `${e.connection} ${e.outcome} ${e.reason}`), ["2 no-session evse-busy"]);
    w.run(() => w.outcome() !== undefined);
    assert.equal(w.outcome()?.ok, true, JSON.stringify(w.outcome()));
    assert.deepEqual(w.summaries.map((s) => `${s.session} ${s.reason}`), ["1 ev-terminate"]);
    w.charger.close();
  });

  test("a silent newcomer is closed after V2G_SECC_CommunicationSetup_Timeout (18 s); the session is unaffected", () => {
    const w = link();
    w.run(() => w.sent.indexOf("CurrentDemandReq") >= 0, 60_000);
    const at = w.clock.now();
    const silent = dial(w.other, w.chargerAddress, w.charger.port, () => undefined);
    w.run(() => silent.closed() !== undefined, 30_000);
    assert.equal(silent.closed(), "connection closed by peer");
    const after = w.clock.now() - at;
    assert.ok(after >= 18_000 && after < 18_500, `closed after ${after} ms`);
    assert.equal(w.outcome(), undefined, `the vehicle still charges: ${JSON.stringify(w.outcome())}`);
    assert.deepEqual(w.connectionEnds.map((e) => `${e.connection} ${e.outcome} ${e.reason}`), ["2 no-session timeout-communication-setup"]);
    w.run(() => w.outcome() !== undefined);
    assert.equal(w.outcome()?.ok, true, JSON.stringify(w.outcome()));
    w.charger.close();
  });

  test("link loss mid-charge (old socket half-open), the vehicle reconnects with its SessionID: session handed over, charging continues, energy counted once", () => {
    const w = link();
    w.run(() => w.sent.filter((n) => n === "CurrentDemandReq").length >= 20, 120_000);
    const socBefore = w.vehicle.vehicle.battery.soc;
    // The powerline drops: nothing reaches or leaves the vehicle. Its EVCC gives up
    // (V2G_EVCC_Msg_Timeout), opens its contactors and closes its socket; the FIN is lost, so
    // the charger's socket stays open (half-open).
    w.setCut(true);
    w.run(() => w.outcome() !== undefined, 10_000);
    const lost = w.outcome()!;
    assert.equal(lost.ok, false);
    assert.equal(lost.reason, "timeout-message");
    w.clock.advance(2_000);
    assert.equal(w.charger.connection?.closed, false, "the charger still holds the old connection");
    w.setCut(false);
    // The vehicle is back on the link: a new TCP connection, SAP, SessionSetupReq with its SessionID.
    const v = w.vehicle.vehicle;
    let resumed: EvccConnectionOutcome | undefined;
    let setupCode: string | undefined;
    new EvccConnection({
      open: (callbacks) => new w.ev.Tcp({ address: w.chargerAddress, port: w.charger.port, ...callbacks }),
      protocols: ["iso2"],
      session: { energyTransferMode: "DC_extended", evccId: w.ev.mac, resumeSessionId: lost.sessionId },
      bms: v,
      vehicle: {
        setPilotState: (state) => v.setPilotState(state),
        setContactors: (closed) => {
          v.setContactors(closed);
          if (closed) w.charger.couple({ dcLoad: v.dcLoad() });
          else w.charger.uncouple();
        },
        onEvseValues: (values) => v.onEvseValues(values),
      },
      clock: w.clock,
      onTrace: (e) => {
        if (e.direction === "rx" && e.name === "SessionSetupRes") setupCode = String(e.values.code);
      },
      onStop: (o) => (resumed = o),
    });
    w.run(() => resumed !== undefined);
    w.clock.advance(5_000);
    assert.equal(setupCode, "OK_OldSessionJoined");
    assert.equal(resumed?.reason, "charging-complete", JSON.stringify(resumed));
    assert.ok(v.battery.soc >= 75 && socBefore < 75, `SoC ${socBefore} → ${v.battery.soc}`);
    assert.deepEqual(w.connectionEnds.map((e) => `${e.connection} ${e.outcome} ${e.reason} → ${e.to}`), ["1 handed-over handed-over → 2"]);
    // One session, from the first connection to the end, with all the energy the meter counted.
    assert.equal(w.summaries.length, 1);
    const s = w.summaries[0];
    assert.equal(s.session, 2);
    assert.deepEqual(s.handedOverFrom, [1]);
    assert.equal(s.reason, "ev-terminate");
    assert.equal(s.energyWh, w.charger.meter.energyWh);
    assert.ok(s.energyWh > 400, `${s.energyWh} Wh`);
    w.charger.close();
  });
});
