// One station (a charger or a vehicle) assembled from its configuration and its board: the
// firmware's main.ts on every host calls this, so the mapping from settings to parts is
// written once (the parts themselves are assembly.ts's, which the simulators use too).
//
// A board gives what it has: pilot and modem always; the IPv6 stack over the matched link, a
// TLS engine with the station's PKI, and the session's hardware (power stage, BMS) where it has
// them. A board without `ip` runs the pilot and SLAC, logs that the session cannot start, and
// keeps the pilot safe (no power); so does one asked for TLS (setting `tls`) that cannot have it.

import type { Clock } from "../common/clock";
import type { WallClock } from "../common/wall-clock";
import type { Logger } from "../common/log";
import type { LinkSpec } from "../slac/index";
import type { StationConfig } from "./config";
import { ChargerAssembly, VehicleAssembly, boundTls } from "./assembly";
import type { OpenHostIp } from "./assembly";
import type { ListenerClass, StreamSocketClass } from "../common/io";
import type { TlsListenerClass, TlsSecureOptions, TlsSocketClass } from "../pki-store/tls";
import type { ChargerDataLink, ChargerDataLinkOptions, VehicleDataLink, VehicleDataLinkOptions } from "./data-link";
import { chargerConfig } from "./secc-service";
import type { ChargerHardware } from "./secc-service";
import type { VehicleHardware } from "./evcc-service";
import type { SeccConfig } from "../statemachine/index";
import type { PkiStorage } from "../pki-store/storage";

/** V2G over TLS on a board: its TLS engine and the station's PKI in its storage. */
export interface BoardTls {
  /** The engine's TLS classes over an IP stack's TCP classes (hosts/native-tls on mbedTLS; node:tls in tests). */
  over(io: { Tcp: StreamSocketClass; Listener: ListenerClass }): { Tls: TlsSocketClass; TlsListener: TlsListenerClass };
  /** The station's TLS options from the PKI on the board; throws naming what is missing and how to provision it. */
  secure(config: StationConfig): TlsSecureOptions;
  /** Where the PKI lives, for the log ("NVS xs15118-pki"). */
  readonly store: string;
}

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
  /**
   * V2G over TLS (setting `tls`); absent: this build has no TLS engine, and `tls on` runs no
   * session (with the reason in the log).
   */
  tls?: BoardTls;
  /** Why this build has no TLS, for the log (e.g. "this build has no mbedTLS"). */
  noTlsReason?: string;
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

/**
 * The IP side as the `tls` setting asks: plain (`ip` as the board has it), over TLS (the board's
 * engine over each opened stack's TCP classes, bound to the station's PKI), or refused with the
 * reason (TLS asked for but not to be had: never a silent fallback to plain TCP, which an
 * attacker on the link could force; ISO 15118-2 §7.10.1.1: the SDP answer states the security
 * the charger offers, and a charger set up for TLS offers TLS only).
 */
function ipSide(config: StationConfig, board: StationBoard): { ip?: OpenHostIp; tls: boolean; ipRefused?: string } {
  const log = board.logger;
  const ip = board.ip;
  if (config.tls === "off") {
    log.log("info", "station", "V2G over plain TCP (setting tls off)");
    return { ip, tls: false };
  }
  const refuse = (reason: string): { ip?: OpenHostIp; tls: boolean; ipRefused: string } => {
    log.log("error", "station", `tls on, but ${reason}: no V2G session will start (the pilot and SLAC run; power stays off)`);
    return { ip, tls: false, ipRefused: `TLS is not to be had (${reason})` };
  };
  if (config.protocols.indexOf("iso2") < 0) return refuse("DIN SPEC 70121 has no TLS and ISO 15118-2 is not among the protocols");
  const engine = board.tls;
  if (engine === undefined) return refuse(board.noTlsReason ?? "this build has no TLS engine");
  let secure: TlsSecureOptions;
  try {
    secure = engine.secure(config);
  } catch (error) {
    return refuse(`the station's PKI in ${engine.store} is not complete: ${(error as Error).message}`);
  }
  if (config.protocols.indexOf("din") >= 0) log.log("warn", "station", "tls on: DIN SPEC 70121 has no TLS, so no DIN session runs; ISO 15118-2 runs over TLS");
  log.log("info", "station", `V2G over TLS (profile ${secure.profile}, PKI from ${engine.store})`);
  if (ip === undefined) return { tls: true };
  const onRefused = (reason: string): void => log.log("warn", "station", `TLS handshake refused, connection closed: ${reason}`);
  return {
    tls: true,
    ip: (link) => {
      const stack = ip(link);
      return { ...stack, ...boundTls({ ...engine.over(stack), secure }, onRefused) };
    },
  };
}

export function startStation(config: StationConfig, board: StationBoard): Station {
  const log = board.logger;
  const side = ipSide(config, board);
  const common = {
    clock: board.clock,
    wall: board.wall,
    random: board.random,
    logger: log,
    modem: board.modem(config),
    ip: side.ip,
    ...(side.ipRefused !== undefined ? { ipRefused: side.ipRefused } : {}),
    onTrace: (text: string) => log.log("info", "station", text),
  };
  let assembly: ChargerAssembly | VehicleAssembly;
  if (config.role === "charger") {
    const secc = seccConfigOf(config);
    assembly = new ChargerAssembly({ ...common, pilot: board.chargerPilot(config), config: secc, hardware: board.chargerHardware?.(config, secc), storage: board.storage, service: { port: config.port, tls: side.tls } });
  } else {
    assembly = new VehicleAssembly({
      ...common,
      pilot: board.vehiclePilot(config),
      hardware: board.vehicleHardware?.(config),
      service: {
        evccId: config.mac,
        protocols: config.protocols,
        transfer: config.transfer[0],
        tls: side.tls,
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
