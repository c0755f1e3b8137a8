// A whole session on the ESP32 board's stand-ins (tests/station/esp32-main.test.ts; bundled by
// esbuild with the Moddable specifiers mapped to esp32-board-mocks.ts):
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
import type { EthernetLinkClass } from "../../../modules/slac/channel";
import type { FakeNetwork } from "./esp32-net-mocks";

export const PEER_INTERFACE = "peer0";
export const PEER_ADDRESS = "fe80::2";

export interface PeerEnd {
  ok: boolean;
  detail: string;
  protocol?: string;
  messages?: number;
  energyWh?: number;
}

export interface PeerCharger {
  /** How its session ended, once it has. */
  end?: PeerEnd;
  close(): void;
}

/** The charger at the far end: its simulated modem on `peerWire`, its sockets on its own host of `network`. */
export function startPeerCharger(o: { protocol: "din" | "iso2"; network: FakeNetwork; peerWire: EthernetLinkClass; trace(line: string): void }): PeerCharger {
  const natives = o.network.host(PEER_INTERFACE, PEER_ADDRESS);
  const peer: PeerCharger = { close: () => station.close() };
  const station = startBenchStation({
    role: "charger",
    protocol: o.protocol,
    transfer: "dc",
    clock: new TimerClock(),
    random: (count) => Uint8Array.from({ length: count }, () => Math.floor(Math.random() * 256)),
    logger: new TraceLogger({ level: "warn" }),
    raw: o.peerWire,
    net: { ...socketClasses(PEER_INTERFACE, new Poller(), natives), interface: PEER_INTERFACE, linkLocal: () => PEER_ADDRESS },
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

/** The board (native driver) as a vehicle with the simulated vehicle as its BMS, and the peer charger. */
export function startBoardSession(o: { protocol: "din" | "iso2"; network: FakeNetwork; peerWire: EthernetLinkClass; trace(line: string): void }): BoardSession {
  const { config } = parseStationConfig([{ name: "test", values: { role: "vehicle", protocols: [o.protocol], transfer: ["dc"] } }]);
  const board = createBoard({ logLevel: "info", qcaDriver: "native" });
  const vehicle = createStationVehicle({ clock: board.clock, battery: { capacityKWh: 1, soc: 50 }, targetSoc: 51 });
  const station = startStation(config, { ...board, vehicleHardware: () => stationVehicleHardware(vehicle, {}) });
  const peer = startPeerCharger(o);
  return {
    station,
    get peerEnd() {
      return peer.end;
    },
    close: () => {
      station.close();
      peer.close();
    },
  };
}
