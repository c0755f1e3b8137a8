// What a station's firmware takes from its board and gives back (StationBoard, Station), and
// the role-neutral steps of building one (the IP side as the \`tls\` setting asks, the options
// both roles' assemblies take, the Station around the built assembly). charger-firmware.ts and
// vehicle-firmware.ts build on it, so that a single-role image carries only its own role.

import type { Clock } from "../common/clock";
import type { WallClock } from "../common/wall-clock";
import type { Logger } from "../common/log";
import type { LinkSpec } from "../slac/index";
import type { StationConfig } from "./config";
import { boundTls } from "./ip-side";
import type { AssemblyCommon, OpenHostIp } from "./ip-side";
import type { ListenerClass, StreamSocketClass } from "../common/io";
import type { TlsListenerClass, TlsSecureOptions, TlsSocketClass } from "../pki-store/tls";
import type { ChargerDataLink, ChargerDataLinkOptions } from "./charger-link";
import type { VehicleDataLink, VehicleDataLinkOptions } from "./vehicle-link";
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

/**
 * The IP side as the `tls` setting asks: plain (`ip` as the board has it), over TLS (the board's
 * engine over each opened stack's TCP classes, bound to the station's PKI), or refused with the
 * reason (TLS asked for but not to be had: never a silent fallback to plain TCP, which an
 * attacker on the link could force; ISO 15118-2 §7.10.1.1: the SDP answer states the security
 * the charger offers, and a charger set up for TLS offers TLS only).
 */
export function stationIpSide(config: StationConfig, board: StationBoard): { ip?: OpenHostIp; tls: boolean; ipRefused?: string } {
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

/** What both roles' assemblies take from the board, with the IP side as the \`tls\` setting asks (logged here, first). */
export function assemblyBasics(config: StationConfig, board: StationBoard): { common: AssemblyCommon; tls: boolean } {
  const log = board.logger;
  const side = stationIpSide(config, board);
  const common: AssemblyCommon = {
    clock: board.clock,
    wall: board.wall,
    random: board.random,
    logger: log,
    modem: board.modem(config),
    ip: side.ip,
    ...(side.ipRefused !== undefined ? { ipRefused: side.ipRefused } : {}),
    onTrace: (text: string) => log.log("info", "station", text),
  };
  return { common, tls: side.tls };
}

/** The Station around a built assembly of either role; logs what runs. */
export function builtStation(config: StationConfig, board: StationBoard, assembly: { link: ChargerDataLink | VehicleDataLink; close(): void }, sessionActive: () => boolean): Station {
  board.logger.log("info", "station", `${config.role} on ${board.name}: protocols ${config.protocols.join(",")}, ${config.transfer.join(",")}`);
  return {
    role: config.role,
    link: assembly.link,
    get sessionActive(): boolean {
      return sessionActive();
    },
    sessionLayerUp(): boolean {
      return assembly.link.slac.state !== "failed";
    },
    close(): void {
      assembly.close();
    },
  };
}
