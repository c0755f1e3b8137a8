// One station (a charger or a vehicle) assembled from its configuration and its board: the
// firmware's main.ts on every host calls this, so the mapping from settings to parts is
// written once (the parts themselves are assembly.ts's, which the simulators use too).
//
// A board gives what it has: pilot and modem always; the IPv6 stack over the matched link and
// the session's hardware (power stage, BMS) where it has them. On the ESP32 the IP side is a
// later issue (lwIP netif glue, see hosts/esp32/README.md): a board without `ip` runs the
// pilot and SLAC, logs that the session cannot start, and keeps the pilot safe (no power).

import type { Clock } from "../common/clock";
import type { WallClock } from "../common/wall-clock";
import type { Logger } from "../common/log";
import type { LinkSpec } from "../slac/index";
import type { StationConfig } from "./config";
import { ChargerAssembly, VehicleAssembly } from "./assembly";
import type { OpenHostIp } from "./assembly";
import type { ChargerDataLink, ChargerDataLinkOptions, VehicleDataLink, VehicleDataLinkOptions } from "./data-link";
import { chargerConfig } from "./secc-service";
import type { ChargerHardware } from "./secc-service";
import type { VehicleHardware } from "./evcc-service";
import type { SeccConfig } from "../statemachine/index";
import type { PkiStorage } from "../pki-store/storage";

/** What a board gives the station: time, randomness, logging, and its hardware as IO specs. */
export interface StationBoard {
  readonly name: string;
  clock: Clock;
  wall: WallClock;
  logger: Logger;
  random(count: number): Uint8Array;
  /** The pilot hardware for a charger (generator and ADC) on the configured pins. */
  chargerPilot(config: StationConfig): ChargerDataLinkOptions["pilot"];
  /** The pilot hardware for a vehicle (ADC and S2 switch) on the configured pins. */
  vehiclePilot(config: StationConfig): VehicleDataLinkOptions["pilot"];
  /** The powerline modem's link on the configured bus. */
  modem(config: StationConfig): LinkSpec;
  /** The IPv6 stack over the matched link; absent where the host has no IP link yet. */
  ip?: OpenHostIp;
  /** Storage kept across restarts (NVS, files): a charger's paused sessions and energy ledger; absent: memory. */
  storage?: PkiStorage;
  /** A charger's power stage, AC supply, meter and authorization; absent: none wired yet. */
  chargerHardware?(config: StationConfig, seccConfig: SeccConfig): ChargerHardware;
  /** A vehicle's BMS and contactors; absent: none wired yet. */
  vehicleHardware?(config: StationConfig): VehicleHardware;
}

export interface Station {
  readonly role: StationConfig["role"];
  readonly link: ChargerDataLink | VehicleDataLink;
  /**
   * A charging session runs: a peer matched on the link or a V2G session held. The firmware's
   * updater activates nothing and applies no configuration change while it does (issue 18).
   */
  readonly sessionActive: boolean;
  /**
   * The session layer is up: the station is built and its SLAC side has not failed (a QCA7000
   * that does not answer on SPI fails it). What a new firmware must reach before it confirms
   * itself healthy; a session with a vehicle is not waited for (a charger may see none for days).
   */
  sessionLayerUp(): boolean;
  close(): void;
}

/** The charger's session configuration from the station's settings. */
export function seccConfigOf(config: StationConfig): SeccConfig {
  return chargerConfig(config.transfer, config.protocols, {
    evseId: config.evseId,
    dc: { maxVoltage: config.maxVoltage, maxCurrent: config.maxCurrent, maxPower: config.maxPower, minVoltage: config.minVoltage, minCurrent: config.minCurrent, peakCurrentRipple: 5, currentRegulationTolerance: 1 },
    ac: { nominalVoltage: 230, maxCurrent: config.acCurrent, phases: config.acPhases === 1 ? 1 : 3 },
  });
}

export function startStation(config: StationConfig, board: StationBoard): Station {
  const log = board.logger;
  const common = {
    clock: board.clock,
    wall: board.wall,
    random: board.random,
    logger: log,
    modem: board.modem(config),
    ip: board.ip,
    onTrace: (text: string) => log.log("info", "station", text),
  };
  let assembly: ChargerAssembly | VehicleAssembly;
  if (config.role === "charger") {
    const secc = seccConfigOf(config);
    assembly = new ChargerAssembly({ ...common, pilot: board.chargerPilot(config), config: secc, hardware: board.chargerHardware?.(config, secc), storage: board.storage, service: { port: config.port } });
  } else {
    assembly = new VehicleAssembly({
      ...common,
      pilot: board.vehiclePilot(config),
      hardware: board.vehicleHardware?.(config),
      service: {
        evccId: config.mac,
        protocols: config.protocols,
        transfer: config.transfer[0],
        onEnd: (outcome) => log.log(outcome.ok ? "info" : "warn", "station", `session over: ${outcome.reason}${outcome.detail ? ` (${outcome.detail})` : ""}`),
      },
    });
  }
  log.log("info", "station", `${config.role} on ${board.name}: protocols ${config.protocols.join(",")}, ${config.transfer.join(",")}`);
  const built = assembly;
  return {
    role: config.role,
    link: assembly.link,
    get sessionActive(): boolean {
      return built instanceof ChargerAssembly ? built.sessionActive : built.link.linkUp || built.service !== undefined;
    },
    sessionLayerUp(): boolean {
      return built.link.slac.state !== "failed";
    },
    close(): void {
      assembly.close();
    },
  };
}
