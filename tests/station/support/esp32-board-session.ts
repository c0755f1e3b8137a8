// A whole session on the ESP32 board's stand-ins (tests/station/esp32-main.test.ts; bundled by
// esbuild with the Moddable specifiers mapped to esp32-board-mocks.ts):
//  - optionally over TLS: the board's PKI from the stand-in NVS as board-tls.ts reads it, the
//    TLS classes (node:tls standing in for hosts/native-tls) given by the test;
//  - the board (hosts/esp32/board.ts, native QCA7000 driver) as a vehicle through startStation,
//    as main.ts builds it, plus a BMS: the simulated vehicle (the board has none wired yet, and
//    without one the assembly opens no IP side);
//  - the peer: a charger as the Linux host runs it (hosts/linux/bench-station.ts: its own
//    simulated modem on the wire, simulated pilot and power stages) on the same in-memory link,
//    through the same socket classes (hosts/native-net/net.ts) on its own stand-in host.

import { createBoard } from "../../../hosts/esp32/board";
import { TimerClock } from "../../../hosts/esp32/clock";
import { TraceLogger } from "../../../hosts/esp32/logger";
import { socketClasses, Poller } from "../../../hosts/native-net/net";
import { startBenchStation } from "../../../hosts/linux/bench-station";
import { parseStationConfig, startStation } from "../../../modules/station/index";
import type { Station } from "../../../modules/station/index";
import { createStationVehicle, stationVehicleHardware } from "../../../simulation/station/vehicle-station";
import { SimChargerHardware } from "../../../simulation/station/charger-station";
import type { Millis, TimerHandle } from "../../../modules/common/clock";
import { StandInBattery } from "../../../simulation/standin-load";
import type { EthernetLinkClass } from "../../../modules/slac/channel";
import type { FakeNetwork } from "./esp32-net-mocks";
import type { BoardTls } from "../../../modules/station/index";
import type { CryptoHost } from "../../../modules/pki-store/crypto";
import { stationTls } from "../../../hosts/sim/crypto/station-secure";
import type { StationPki } from "../../../hosts/sim/crypto/station-secure";
import { boardTls, PKI_DOMAIN } from "../../../hosts/esp32/station-pki";
import { PreferenceStorage } from "../../../hosts/esp32/preference-storage";
export { pkiPreferenceKey, PKI_DOMAIN } from "../../../hosts/esp32/station-pki";

export const PEER_INTERFACE = "peer0";
export const PEER_ADDRESS = "fe80::2";

export interface PeerEnd {
  ok: boolean;
  detail: string;
  protocol?: string;
  messages?: number;
  energyWh?: number;
}

export interface Peer {
  /** How its session ended, once it has. */
  end?: PeerEnd;
  close(): void;
}

export interface SessionOptions {
  protocol: "din" | "iso2";
  network: FakeNetwork;
  /** The peer's end of the powerline. */
  peerWire: EthernetLinkClass;
  trace(line: string): void;
  /**
   * V2G over TLS (the board's setting `tls on`): the TLS classes standing in for hosts/native-tls
   * over the stand-in sockets (the test's node:tls ones), the crypto for the V2G chain checks, and
   * the peer's PKI. The board reads its own from the stand-in NVS (domain xs15118-pki).
   */
  tls?: { over: BoardTls["over"]; crypto: CryptoHost; peerPki: StationPki };
}

/** The station at the far end, as the Linux host runs it: its simulated modem on `peerWire`, pilot, power stage or battery; its sockets on its own host of `network`. */
export function startPeer(role: "charger" | "vehicle", o: SessionOptions): Peer {
  const natives = o.network.host(PEER_INTERFACE, PEER_ADDRESS);
  const peer: Peer = { close: () => station.close() };
  const sockets = socketClasses(PEER_INTERFACE, new Poller(), natives);
  const tls = o.tls;
  const secure = tls && stationTls({ role: role === "charger" ? "secc" : "evcc", protocols: [o.protocol], pki: tls.peerPki, crypto: tls.crypto, now: () => Math.floor(Date.now() / 1000) });
  const station = startBenchStation({
    role,
    protocol: o.protocol,
    transfer: "dc",
    clock: new TimerClock(),
    random: (count) => Uint8Array.from({ length: count }, () => Math.floor(Math.random() * 256)),
    logger: new TraceLogger({ level: "warn" }),
    raw: o.peerWire,
    net: { ...sockets, interface: PEER_INTERFACE, linkLocal: () => PEER_ADDRESS },
    ...(tls && secure ? { tls: { ...tls.over(sockets), secure } } : {}),
    onTrace: (text) => o.trace(`peer: ${text}`),
    onEnd: (result) => {
      peer.end = result;
    },
  });
  return peer;
}

export interface BoardSession {
  station: Station;
  /** The peer's end: how its session ended. */
  readonly peerEnd: PeerEnd | undefined;
  close(): void;
}

function boardSession(station: Station, peer: Peer, stop?: () => void): BoardSession {
  return {
    station,
    get peerEnd() {
      return peer.end;
    },
    close: () => {
      stop?.();
      station.close();
      peer.close();
    },
  };
}

/** The board with the test's TLS classes standing in for the native engine, its PKI read from the stand-in NVS as on the board. */
function withTls(board: ReturnType<typeof createBoard>, o: SessionOptions): ReturnType<typeof createBoard> {
  if (!o.tls) return board;
  return { ...board, tls: boardTls({ storage: new PreferenceStorage(PKI_DOMAIN), crypto: o.tls.crypto, wall: board.wall, over: o.tls.over }) };
}

/** The board (native driver) as a vehicle with the simulated vehicle as its BMS, and the peer charger. */
export function startBoardSession(o: SessionOptions): BoardSession {
  const { config } = parseStationConfig([{ name: "test", values: { role: "vehicle", protocols: [o.protocol], transfer: ["dc"], tls: o.tls ? "on" : "off" } }]);
  const board = withTls(createBoard({ logLevel: "info", qcaDriver: "native" }), o);
  const vehicle = createStationVehicle({ clock: board.clock, battery: { capacityKWh: 1, soc: 50 }, targetSoc: 51 });
  const station = startStation(config, { ...board, vehicleHardware: () => stationVehicleHardware(vehicle, {}) });
  return boardSession(station, startPeer("charger", o));
}

/**
 * The board (native driver) as a charger with the simulated DC power stage, meter and authorizer,
 * and the peer vehicle. The vehicle's battery is in the peer's process: once pre-charge has
 * settled, a stand-in battery is the stage's load until its contactors open (as
 * simulation/standin-load.ts does for `xs15118 secc`, there from the SECC's trace).
 */
export function startBoardCharger(o: SessionOptions): BoardSession {
  const { config } = parseStationConfig([{ name: "test", values: { role: "charger", protocols: [o.protocol], transfer: ["dc"], tls: o.tls ? "on" : "off" } }]);
  const board = withTls(createBoard({ logLevel: "info", qcaDriver: "native" }), o);
  let hardware: SimChargerHardware | undefined;
  const station = startStation(config, {
    ...board,
    chargerHardware: (_c, secc) => {
      hardware = new SimChargerHardware({ clock: board.clock, config: secc, transfer: ["dc"], dcModule: { isolationCheckTime: 300 as Millis }, authorizationDelay: 100 as Millis });
      return hardware.parts;
    },
  });
  // Coupled once pre-charge has settled (the output held a voltage above 50 V for a second, so
  // the cable check's short test voltage does not count), anchored 30 V below it so that the
  // vehicle's target voltage in the charge loop is above the battery and current flows
  // (StandInLoads anchors at the first CurrentDemandReq, which this harness does not see).
  let coupled = false;
  let settled = { voltage: 0, since: 0 };
  let timer: TimerHandle | undefined;
  const couple = (): void => {
    const dc = hardware?.dc;
    if (dc && !dc.contactorsClosed && coupled) {
      coupled = false;
      hardware!.uncouple();
    } else if (dc && dc.contactorsClosed && !coupled && dc.mode === "voltage") {
      const now = board.clock.now();
      if (dc.presentVoltage < 50 || Math.abs(dc.presentVoltage - settled.voltage) > 0.5) settled = { voltage: dc.presentVoltage, since: now };
      else if (now - settled.since >= 1000) {
        coupled = true;
        hardware!.couple({ dcLoad: new StandInBattery({ voltage: dc.presentVoltage - 30 }) });
      }
    }
    timer = board.clock.set(couple, 10 as Millis);
  };
  couple();
  return boardSession(station, startPeer("vehicle", o), () => board.clock.clear(timer));
}
