// One station (a charger or a vehicle) assembled from its configuration and its board: the
// firmware's main.ts on every host calls this, so the assembly is written once.
//
// Today it runs the pilot and SLAC over the board's modem. The IP side over the matched link
// (SDP, V2GTP, the session with the board's power hardware) needs the host's IPv6 link: on
// the ESP32 that is a later issue (lwIP netif glue, see hosts/esp32/README.md), so a board
// without `ip` logs that the session cannot start and keeps the pilot safe (no power).

import type { Clock } from "../common/clock";
import type { WallClock } from "../common/wall-clock";
import type { Logger } from "../common/log";
import type { LinkSpec, SlacEvMatchInfo, SlacMatchInfo } from "../slac/index";
import type { StationConfig } from "./config";
import { ChargerDataLink, VehicleDataLink } from "./data-link";
import type { ChargerDataLinkOptions, VehicleDataLinkOptions } from "./data-link";

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
  /** The IP side, started once the AVLN is up; absent where the host has no IP link yet. */
  ip?: {
    charger?(config: StationConfig, info: SlacMatchInfo): { close(): void };
    vehicle?(config: StationConfig, info: SlacEvMatchInfo): { close(): void };
  };
}

export interface Station {
  readonly role: StationConfig["role"];
  readonly link: ChargerDataLink | VehicleDataLink;
  close(): void;
}

export function startStation(config: StationConfig, board: StationBoard): Station {
  const log = board.logger;
  let session: { close(): void } | undefined;
  const stopSession = (reason: string): void => {
    if (!session) return;
    log.log("info", "station", `link down (${reason}): the session stops`);
    session.close();
    session = undefined;
  };
  const noIp = (): void => log.log("warn", "station", `link up, but ${board.name} has no IP link yet: no V2G session (the pilot keeps power off)`);
  const common = { clock: board.clock, random: board.random, logger: log, modem: board.modem(config), onLinkDown: stopSession };
  let link: ChargerDataLink | VehicleDataLink;
  if (config.role === "charger") {
    link = new ChargerDataLink({
      ...common,
      pilot: board.chargerPilot(config),
      onLinkUp: (info) => {
        const start = board.ip?.charger;
        if (start) session = start(config, info);
        else noIp();
      },
    });
  } else {
    link = new VehicleDataLink({
      ...common,
      pilot: board.vehiclePilot(config),
      onLinkUp: (info) => {
        const start = board.ip?.vehicle;
        if (start) session = start(config, info);
        else noIp();
      },
    });
  }
  log.log("info", "station", `${config.role} on ${board.name}: protocols ${config.protocols.join(",")}, ${config.transfer.join(",")}`);
  return {
    role: config.role,
    link,
    close(): void {
      stopSession("closed");
      link.close();
    },
  };
}
