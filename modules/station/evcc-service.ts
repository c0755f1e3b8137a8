// The vehicle's IP side, once its link is up: SDP discovery of the charger (ISO 15118-2
// §7.10; or a given address), the TCP connection, and one EvccConnection (SAP, then DIN,
// ISO-2 or ISO-20) driving the vehicle's hardware: its BMS and its hooks (S2 switch,
// contactors, the EVSE's present values).
//
// Portable: sockets come in as ECMA-419-shaped classes, the hardware as the statemachine's
// interfaces, the date (-20 header TimeStamp) as a WallClock (0 while no trusted time is known).

import type { Clock } from "../common/clock";
import type { StreamSocketClass, UdpSocketClass } from "../common/io";
import type { Logger } from "../common/log";
import { silentLogger } from "../common/log";
import type { WallClock } from "../common/wall-clock";
import type { ExiCodecOptions } from "../exi/index";
import { EvccConnection } from "../statemachine/evcc/connection";
import type { EvccConnectionOutcome } from "../statemachine/evcc/connection";
import type { EnergyTransferMode, EvBms, EvccConfig, EvccProtocol, EvccTraceEntry, VehicleHooks } from "../statemachine/evcc/index";
import { SdpClient } from "../v2gtp/index";
import type { SdpResult, SdpWirelessRequest } from "../v2gtp/index";
import type { SessionProtocol, Transfer } from "./secc-service";

/** The IP side of a host, as the vehicle uses it. */
export interface VehicleIp {
  Udp: UdpSocketClass;
  Tcp: StreamSocketClass;
  /** Interface (zone) for SDP and link-local addresses. */
  interface?: string;
}

/** The vehicle's hardware: its battery management and the hooks the session drives. */
export interface VehicleHardware {
  bms: EvBms;
  vehicle: VehicleHooks;
}

export interface EvccServiceOptions {
  clock: Clock;
  /** The date for the -20 header TimeStamp; absent: never known. */
  wall?: WallClock;
  io: VehicleIp;
  hardware: VehicleHardware;
  /** The charger's address and port; absent: found with SDP. */
  secc?: { address: string; port: number };
  /** Where SDP asks (default ff02::1 port 15118 on the interface). */
  sdpDestination?: { address: string; port: number };
  /** A vehicle on WLAN (WPT, ACDP): SDP asks with the -20 wireless request (modules/v2gtp/sdp-wireless.ts). */
  sdpWireless?: SdpWirelessRequest;
  /** Protocols offered in supportedAppProtocolReq, most preferred first. */
  protocols?: readonly SessionProtocol[];
  transfer?: Transfer;
  /** EVCCID: the vehicle's MAC address. */
  evccId: Uint8Array;
  /**
   * ISO 15118-20 travels over plain TCP here (SDP asks for no security): offered only with this
   * explicitly insecure permission until TLS comes (-20 requires TLS 1.3).
   */
  insecureIso20WithoutTls?: boolean;
  /**
   * io.Tcp opens TLS sockets (modules/pki-store TlsSocket, bound to the vehicle's profile by the
   * host): SDP asks for Security 0x00 (TLS) and a charger answering otherwise is refused; SAP
   * offers by the TLS version the handshake settled (-20 over TLS 1.3, -2 over TLS 1.2).
   * Default: plain TCP, SDP Security 0x10, and a charger answering TLS is refused.
   */
  tls?: boolean;
  /** Session settings beyond the defaults (session.iso20: the -20 service and control mode). */
  session?: Partial<Omit<EvccConfig, "protocol" | "communicationSetupDeadline">>;
  logger?: Logger;
  /** Generated codecs per schema for the connection's codec (EvccConnectionOptions.exiFast). */
  exiFast?: ExiCodecOptions["fast"];
  onTrace?(entry: EvccTraceEntry): void;
  onDiscovered?(result: SdpResult): void;
  /** The session is over (or discovery / SAP failed). */
  onEnd(outcome: VehicleOutcome): void;
}

export interface VehicleOutcome extends Partial<Omit<EvccConnectionOutcome, "reason">> {
  reason: EvccConnectionOutcome["reason"] | "sdp-failed";
  /** The end was normal: the vehicle stopped the session in order (SessionStop). */
  ok: boolean;
}

export class EvccService {
  readonly #o: EvccServiceOptions;
  readonly #log: Logger;
  #sdp: SdpClient | undefined;
  #connection: EvccConnection | undefined;
  #ended = false;

  constructor(options: EvccServiceOptions) {
    this.#o = options;
    this.#log = options.logger ?? silentLogger;
  }

  get connection(): EvccConnection | undefined {
    return this.#connection;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Discover the charger (unless given) and run one session. */
  start(): void {
    const o = this.#o;
    if (o.secc) {
      this.#connect(o.secc.address, o.secc.port);
      return;
    }
    this.#sdp = new SdpClient({
      udp: o.io.Udp,
      clock: o.clock,
      interface: o.io.interface,
      security: o.tls ? "tls" : "none",
      // One charger answers on the link SLAC matched: an answer with the other security is
      // decided on at once (refused below) instead of asking 50 times more.
      acceptOtherSecurity: true,
      destination: o.sdpDestination,
      ...(o.sdpWireless !== undefined ? { wireless: o.sdpWireless } : {}),
      logger: this.#log,
      onDiscovered: (result) => {
        this.#sdp = undefined;
        o.onDiscovered?.(result);
        const wanted = o.tls ? "tls" : "none";
        if (result.security !== wanted) {
          // ISO 15118-2 §7.10.1: the EVCC decides on the SECC's answer. A vehicle set up for TLS
          // never falls back to plain TCP (a downgrade an attacker on the link could ask for),
          // and one without TLS cannot talk to a TLS-only port.
          const detail = o.tls
            ? "the charger answered SDP with Security 0x10 (no TLS); this vehicle runs TLS only: refused, no connection"
            : "the charger answered SDP with Security 0x00 (TLS only); this vehicle has no TLS: refused, no connection";
          this.#log.log("warn", "evcc", detail);
          this.#end({ reason: "sdp-failed", detail, ok: false });
          return;
        }
        this.#connect(result.connectAddress, result.port);
      },
      onFailed: (error) => {
        this.#sdp = undefined;
        this.#end({ reason: "sdp-failed", detail: error.message, ok: false });
      },
    });
    this.#sdp.start();
  }

  #connect(address: string, port: number): void {
    const o = this.#o;
    const transfer = o.transfer ?? "dc";
    const mode: EnergyTransferMode = transfer === "dc" ? "DC_extended" : "AC_three_phase_core";
    const wall = o.wall;
    this.#log.log("info", "evcc", `connecting to [${address}]:${port}`);
    this.#connection = new EvccConnection({
      open: (callbacks) => new o.io.Tcp({ address, port, ...callbacks }),
      protocols: o.protocols as readonly EvccProtocol[] | undefined,
      transport: o.tls ? "tls" : "none",
      insecureIso20WithoutTls: o.insecureIso20WithoutTls,
      session: { energyTransferMode: mode, evccId: o.evccId, ...o.session },
      bms: o.hardware.bms,
      vehicle: o.hardware.vehicle,
      unixTime: wall ? () => wall.unixSeconds() : undefined,
      clock: o.clock,
      logger: this.#log,
      exiFast: o.exiFast,
      onTrace: o.onTrace,
      onStop: (outcome) => this.#end({ ...outcome, ok: outcome.orderly && !outcome.paused && isNormalEnd(outcome.reason) }),
    });
  }

  #end(outcome: VehicleOutcome): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#o.onEnd(outcome);
  }

  /** The driver stops charging (orderly). */
  stop(): void {
    this.#connection?.stop();
  }

  /**
   * The data link went down under the service (`reason`: "unplugged", or SLAC's): discovery
   * stops, and a session ends as "link-down" (contactors open, S2 open, TCP closed).
   */
  linkDown(reason: string): void {
    this.#sdp?.close();
    this.#sdp = undefined;
    this.#connection?.linkDown(`the data link went down (${reason})`);
  }

  /** Abandon everything at once. Harmless twice. */
  close(): void {
    this.#sdp?.close();
    this.#sdp = undefined;
    this.#connection?.abort("closed");
  }
}

function isNormalEnd(reason: string): boolean {
  return reason === "charging-complete" || reason === "user-stop" || reason === "evse-stop";
}
