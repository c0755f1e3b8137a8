// @node-only — V2G over TLS between the charger and vehicle stations (node:tls on ::1, real
// time): ISO 15118-2 over TLS 1.2 and ISO 15118-20 over TLS 1.3 with mutual authentication on
// one port, the SAP rules by TLS version, and the attacks refused with a log line and an orderly
// end: an untrusted server chain, a -20 vehicle without or with an untrusted certificate, the
// TLS version downgrade, -20 asked for over TLS 1.2 (and -2 over TLS 1.3), the wrong SDP security.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tls from "node:tls";
import { NodeCrypto } from "../../hosts/sim/crypto/node-crypto";
import { NodeTlsListener, NodeTlsSocket } from "../../hosts/sim/crypto/tls";
import { stationPkiFromMemory, stationTls, tlsProfileFor } from "../../hosts/sim/crypto/station-tls";
import type { StationPki } from "../../hosts/sim/crypto/station-tls";
import { NodeTcpSocket, NodeUdpSocket, NodeListener, ipv6Available } from "../../hosts/sim/net/index";
import { NodeClock } from "../../hosts/sim/node-clock";
import { pem } from "../../hosts/sim/pki/files";
import { createTestPki } from "../../hosts/sim/pki/test-pki";
import type { TestPkiProfile } from "../../hosts/sim/pki/test-pki";
import { ChargerStation } from "../../simulation/station/charger-station";
import type { SessionProtocol } from "../../simulation/station/charger-station";
import { VehicleStation } from "../../simulation/station/vehicle-station";
import type { VehicleOutcome } from "../../simulation/station/vehicle-station";
import { EvccConnection } from "../../modules/statemachine/evcc/connection";
import type { EvccConnectionOutcome } from "../../modules/statemachine/evcc/connection";
import type { EvccProtocol } from "../../modules/statemachine/evcc/index";
import type { ListenerClass, ListenerOptions, Logger, Millis, StreamSocketClass, StreamSocketOptions } from "../../modules/common/index";
import type { TlsSecureOptions } from "../../modules/pki-store/index";

const noV6 = (await ipv6Available()) ? undefined : "no IPv6 on this machine (::1 cannot be bound)";
const crypto = new NodeCrypto();
const NOW = Math.floor(Date.now() / 1000);

function pkiOf(): StationPki {
  const profiles = new Map<TestPkiProfile, ReturnType<typeof createTestPki>>();
  for (const profile of ["iso2", "iso20"] as const) profiles.set(profile, createTestPki({ crypto, profile, now: NOW }));
  return stationPkiFromMemory(profiles);
}
/** The stations' PKI, and another one whose roots nobody here trusts. */
const PKI = pkiOf();
const FOREIGN = pkiOf();

const secure = (role: "secc" | "evcc", protocols: readonly string[], pki = PKI, keyLog?: string[]): TlsSecureOptions =>
  stationTls({ role, protocols, pki, crypto, now: () => NOW, onKeyLog: keyLog ? (l) => keyLog.push(l) : undefined });

/** A log that keeps warnings and errors. */
function recordingLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (level, source, message) => void (level === "warn" || level === "error" ? lines.push(`${level} ${source}: ${message}`) : undefined) };
}

// Below Linux's ephemeral range (32768–60999): a port the kernel gives another test's socket
// (npm test runs two files at once) can then never be the one this charger wants to bind.
let nextPort = 20_000 + Math.floor(Math.random() * 9000);

interface Charger {
  station: ChargerStation;
  port: number;
  sdpPort: number;
  log: ReturnType<typeof recordingLog>;
  sessions: { protocol?: string; reason: string }[];
  clock: NodeClock;
  close(): void;
}

/** A charger on ::1 over TLS with `serverSecure` (or plain TCP without), SDP on a UDP port of ::1. */
async function charger(protocols: SessionProtocol[], serverSecure: TlsSecureOptions | undefined): Promise<Charger> {
  const clock = new NodeClock();
  const log = recordingLog();
  const sessions: Charger["sessions"] = [];
  let ready: Promise<void> | undefined;
  // A listen error (a port in use) ends the listener without `ready` ever settling: fail with it instead of waiting.
  let listenFailed: (error: Error) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (listenFailed = reject));
  const onError = (options: ListenerOptions) => (error: Error) => (options.onError?.(error), listenFailed(error));
  class TlsListener extends NodeTlsListener {
    constructor(options: ListenerOptions) {
      super({ ...options, onError: onError(options), address: "::1", secure: serverSecure!, onHandshakeFailed: (reason) => log.log("warn", "secc", `TLS handshake refused, connection closed: ${reason}`) });
      ready = this.ready;
    }
  }
  class PlainListener extends NodeListener {
    constructor(options: ListenerOptions) {
      super({ ...options, onError: onError(options), address: "::1" });
      ready = this.ready;
    }
  }
  const port = nextPort++;
  const sdpPort = nextPort++;
  const station = new ChargerStation({
    clock,
    io: { Udp: NodeUdpSocket, Listener: (serverSecure ? TlsListener : PlainListener) as ListenerClass },
    tls: serverSecure !== undefined,
    address: "::1",
    port,
    sdpPort,
    protocols,
    transfer: ["dc"],
    config: { transport: "none" },
    dcModule: { isolationCheckTime: 300 as Millis },
    authorizationDelay: 100 as Millis,
    logger: log,
    onSessionEnd: (s) => sessions.push({ protocol: s.protocol, reason: String(s.reason) }),
  });
  station.start();
  await Promise.race([ready, failed]);
  return { station, port, sdpPort, log, sessions, clock, close: () => (station.close(), clock.cancelAll()) };
}

/** A vehicle over TLS with `clientSecure` (plain TCP without) to the charger, directly or by SDP; resolves with its outcome. */
function vehicle(c: Charger, protocols: SessionProtocol[], clientSecure: TlsSecureOptions | undefined, via: "direct" | "sdp" = "direct"): Promise<{ outcome: VehicleOutcome; log: string[] }> {
  const clock = new NodeClock();
  const log = recordingLog();
  class Tls extends NodeTlsSocket {
    constructor(options: StreamSocketOptions) {
      super({ ...options, secure: clientSecure! });
    }
  }
  return new Promise((resolve) => {
    const station: VehicleStation = new VehicleStation({
      clock,
      io: { Udp: NodeUdpSocket, Tcp: (clientSecure ? Tls : NodeTcpSocket) as StreamSocketClass },
      tls: clientSecure !== undefined,
      ...(via === "direct" ? { secc: { address: "::1", port: c.port } } : { sdpDestination: { address: "::1", port: c.sdpPort } }),
      protocols,
      transfer: "dc",
      session: protocols.indexOf("iso20") >= 0 ? { iso20: { transfer: "dc", controlMode: "scheduled" } } : undefined,
      evccId: Uint8Array.of(2, 0, 0, 0, 0x0e, 1),
      battery: { capacityKWh: 1, soc: 50 },
      targetSoc: 51,
      logger: log,
      // The vehicle's battery is the charger's DC load while its contactors are closed.
      onContactors: (closed) => (closed ? c.station.couple({ dcLoad: station.vehicle.dcLoad() }) : c.station.uncouple()),
      onEnd: (outcome) => {
        station.close();
        setTimeout(() => (clock.cancelAll(), resolve({ outcome, log: log.lines })), 50);
      },
    });
    station.start();
  });
}

/** Waits until `ok()` or `ms` pass. */
async function until(ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

describe("V2G over TLS between the stations (::1)", { skip: noV6 }, () => {
  test("one TLS port for -2 and -20: a -2 vehicle charges over TLS 1.2, a -20 vehicle over TLS 1.3 with its certificate; key log lines for both", async () => {
    const keyLog: string[] = [];
    const c = await charger(["iso20", "iso2"], secure("secc", ["iso2", "iso20"], PKI, keyLog));
    try {
      assert.equal(tlsProfileFor(["iso2", "iso20"]), "iso2+iso20");
      const iso2 = await vehicle(c, ["iso2"], secure("evcc", ["iso2"]));
      assert.equal(iso2.outcome.ok, true, `${iso2.outcome.reason}: ${iso2.outcome.detail} ${iso2.log.join("; ")}`);
      assert.equal(iso2.outcome.protocol, "iso2");
      const iso20 = await vehicle(c, ["iso20", "iso2"], secure("evcc", ["iso20", "iso2"]));
      assert.equal(iso20.outcome.ok, true, `${iso20.outcome.reason}: ${iso20.outcome.detail} ${iso20.log.join("; ")}`);
      assert.equal(iso20.outcome.protocol, "iso20");
      await until(() => c.sessions.length === 2);
      assert.deepEqual(c.sessions.map((s) => s.protocol), ["iso2", "iso20"]);
      assert.ok(keyLog.some((l) => l.startsWith("CLIENT_RANDOM ")), "TLS 1.2 master secret logged");
      assert.ok(keyLog.some((l) => l.startsWith("CLIENT_TRAFFIC_SECRET_0 ")), "TLS 1.3 traffic secrets logged");
      assert.deepEqual(c.log.lines, []);
    } finally {
      c.close();
    }
  });

  test("SDP over TLS: the charger answers Security 0x00 with its TLS port and the vehicle connects with TLS", async () => {
    const c = await charger(["iso2"], secure("secc", ["iso2"]));
    try {
      const r = await vehicle(c, ["iso2"], secure("evcc", ["iso2"]), "sdp");
      assert.equal(r.outcome.ok, true, `${r.outcome.reason}: ${r.outcome.detail}`);
    } finally {
      c.close();
    }
  });

  test("wrong SDP security, both ways: refused by the vehicle with a log line, no connection made", async () => {
    const tlsCharger = await charger(["iso2"], secure("secc", ["iso2"]));
    try {
      const plainVehicle = await vehicle(tlsCharger, ["iso2"], undefined, "sdp");
      assert.equal(plainVehicle.outcome.ok, false);
      assert.equal(plainVehicle.outcome.reason, "sdp-failed");
      assert.match(plainVehicle.outcome.detail ?? "", /Security 0x00 \(TLS only\); this vehicle has no TLS: refused/);
      assert.ok(plainVehicle.log.some((l) => /warn evcc: the charger answered SDP with Security 0x00/.test(l)), plainVehicle.log.join("\n"));
      assert.equal(tlsCharger.station.sessions, 0, "the vehicle never connected");
    } finally {
      tlsCharger.close();
    }
    const plainCharger = await charger(["iso2"], undefined);
    try {
      const tlsVehicle = await vehicle(plainCharger, ["iso2"], secure("evcc", ["iso2"]), "sdp");
      assert.equal(tlsVehicle.outcome.reason, "sdp-failed");
      assert.match(tlsVehicle.outcome.detail ?? "", /Security 0x10 \(no TLS\); this vehicle runs TLS only: refused/);
      assert.equal(plainCharger.station.sessions, 0, "no fallback to plain TCP");
    } finally {
      plainCharger.close();
    }
  });

  test("an untrusted server chain: the vehicle refuses the handshake, nothing reaches SAP", async () => {
    const c = await charger(["iso2"], secure("secc", ["iso2"]));
    try {
      const r = await vehicle(c, ["iso2"], secure("evcc", ["iso2"], FOREIGN));
      assert.equal(r.outcome.ok, false);
      assert.match(`${r.outcome.reason} ${r.outcome.detail}`, /certificate|verify|issuer/i);
      assert.equal(r.outcome.protocol, undefined, "no SAP");
      // node:tls checks the chain once OpenSSL's handshake is over, then closes: the charger sees
      // a connection that ends before SAP.
      await until(() => c.station.point.candidates === 0);
      assert.equal(c.sessions.filter((s) => s.protocol !== undefined).length, 0, "no session");
    } finally {
      c.close();
    }
  });

  test("the SECC leaf's DC=CPO is checked after the handshake: a chain under the V2G root without it is refused", async () => {
    // The CPS leaf chains to the same V2G root but is not an SECC certificate (DC=CPS).
    const entries = PKI.get("iso2")!;
    const notSecc: StationPki = new Map([["iso2", new Map([...entries, ["secc", entries.get("cps-leaf")!]])]]);
    const c = await charger(["iso2"], secure("secc", ["iso2"], notSecc));
    try {
      const r = await vehicle(c, ["iso2"], secure("evcc", ["iso2"]));
      assert.equal(r.outcome.ok, false);
      assert.match(r.outcome.detail ?? "", /TLS peer refused: SECC certificate chain: domain/);
    } finally {
      c.close();
    }
  });

  for (const [what, certificate] of [
    ["without a certificate", undefined],
    ["with a certificate under an OEM root the charger does not trust", FOREIGN],
  ] as const) {
    test(`ISO 15118-20 vehicle ${what}: the charger refuses the TLS 1.3 handshake (mutual authentication) and logs why`, async () => {
      const c = await charger(["iso20"], secure("secc", ["iso20"]));
      try {
        const client = secure("evcc", ["iso20"]);
        const credentials = certificate ? secure("evcc", ["iso20"], certificate).credentials! : undefined;
        const key = credentials?.[0].key;
        // A raw TLS 1.3 client: our own TLS host refuses to run the -20 profile without credentials.
        const socket = tls.connect({
          host: "::1",
          port: c.port,
          minVersion: "TLSv1.3",
          ca: client.trustAnchors.map((der) => pem("CERTIFICATE", der)),
          checkServerIdentity: () => undefined,
          ...(credentials && key ? { cert: credentials[0].chain.map((d) => pem("CERTIFICATE", d)).join(""), key: (await import("../../hosts/sim/pki/files")).privateKeyObject(key.scheme, key.privateKey).export({ format: "pem", type: "pkcs8" }).toString() } : {}),
        });
        const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
        socket.on("error", () => undefined);
        await closed;
        await until(() => c.log.lines.length > 0);
        assert.match(c.log.lines.join("\n"), certificate ? /TLS handshake refused, connection closed: peer certificate not accepted: UNABLE_TO_GET_ISSUER_CERT/ : /TLS handshake refused, connection closed: .*(certificate|peer did not return)/i);
        assert.equal(c.station.sessions, 0, "the connection never reached the charging point");
      } finally {
        c.close();
      }
    });
  }

  test("TLS version downgrade: a -20-only vehicle fails the handshake with a -2 (TLS 1.2) charger; a -20/-2 vehicle withdraws -20 and charges with -2", async () => {
    const c = await charger(["iso2"], secure("secc", ["iso2"]));
    try {
      const only20 = await vehicle(c, ["iso20"], secure("evcc", ["iso20"]));
      assert.equal(only20.outcome.ok, false);
      assert.match(only20.outcome.detail ?? "", /version|protocol/i);
      assert.equal(only20.outcome.protocol, undefined);
      const both = await vehicle(c, ["iso20", "iso2"], secure("evcc", ["iso20", "iso2"]));
      assert.equal(both.outcome.ok, true, `${both.outcome.reason}: ${both.outcome.detail}`);
      assert.equal(both.outcome.protocol, "iso2", "over TLS 1.2 only -2");
    } finally {
      c.close();
    }
  });

  /** A vehicle that ignores the SAP rule (no transport filter) over a TLS socket of `profile`. */
  function rogueVehicle(port: number, protocols: EvccProtocol[], clientSecure: TlsSecureOptions): Promise<EvccConnectionOutcome> {
    const clock = new NodeClock();
    return new Promise((resolve) => {
      new EvccConnection({
        open: (callbacks) => new NodeTlsSocket({ address: "::1", port, secure: clientSecure, ...callbacks }),
        protocols,
        session: { energyTransferMode: "DC_extended", evccId: Uint8Array.of(2, 0, 0, 0, 0x0e, 2), iso20: { transfer: "dc", controlMode: "scheduled" } },
        bms: { soc: () => 50 } as never,
        clock,
        onStop: (outcome) => (clock.cancelAll(), resolve(outcome)),
      });
    });
  }

  test("SAP by TLS version: -20 asked for over TLS 1.2 and -2 over TLS 1.3 are refused (Failed_NoNegotiation) with a log line, the connection closed", async () => {
    const c = await charger(["iso20", "iso2"], secure("secc", ["iso2", "iso20"]));
    try {
      const over12 = await rogueVehicle(c.port, ["iso20"], secure("evcc", ["iso2"]));
      assert.equal(over12.reason, "sap-failed", JSON.stringify(over12));
      await until(() => c.log.lines.length > 0);
      assert.match(c.log.lines.join("\n"), /SAP refused: the vehicle's iso20 is not allowed over TLS 1\.2/);
      const over13 = await rogueVehicle(c.port, ["iso2"], secure("evcc", ["iso20"]));
      assert.equal(over13.reason, "sap-failed", JSON.stringify(over13));
      await until(() => c.log.lines.length > 1);
      assert.match(c.log.lines.join("\n"), /SAP refused: the vehicle's iso2 is not allowed over TLS 1\.3/);
      await until(() => c.station.point.candidates === 0 && c.station.connection === undefined);
      assert.equal(c.sessions.length, 0, "no session began");
    } finally {
      c.close();
    }
  });
});
