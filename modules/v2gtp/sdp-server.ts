// The charger's SDP responder: UDP port 15118, joined to ff02::1 on one interface, answering
// each valid SECC Discovery Request with this charger's address, TCP port and security.
//
// Security (ISO 15118-2 §7.10.1, the security combinations of its Tables 3 and 4 as RISE-V2G
// reads them): the charger answers with the security the vehicle asked for when it offers it,
// otherwise with the one it does offer; the vehicle then decides.
// Invalid datagrams are dropped without an answer (no negative response exists in SDP).
//
// Wireless (ISO 15118-20 §7.10.1.9, ./sdp-wireless.ts): given `wireless`, the server also answers
// SDPRequestWireless (0x9002) with SDPResponseWireless (0x9003) [V2G20-2279]/[V2G20-2280], only
// when the request's CouplingType is this EVSE's (otherwise it stays silent, -20 §7.10.1.9).
// DiagStatus: with a pairing and positioning device (the request flags "PPD on
// infrastructure" and the host gives `evidDetected`) "ongoing" until the PPD has seen the
// request's EVID [V2G20-4102], then "finished with EVSEID" [V2G20-4103]; otherwise a single-SECC
// charger answers every request "finished with EVSEID" [V2G20-2290]. A request naming another
// EVSEID is left to that EVSE.

import type { Clock, Millis } from "../common/clock";
import type { Logger } from "../common/log";
import { silentLogger } from "../common/log";
import type { Datagram, UdpSocket, UdpSocketClass } from "../common/io";
import { ImplementationError } from "../common/errors";
import { PayloadType, V2gtpError } from "./header";
import { parseIpv6 } from "./ipv6";
import { SDP_MULTICAST_ADDRESS, SDP_PORT, decodeSdpRequest, encodeSdpResponse } from "./sdp";
import type { SdpRequest, SdpResponse, SdpSecurity } from "./sdp";
import { P2psPpd, decodeWirelessSdpRequest, encodeWirelessSdpResponse } from "./sdp-wireless";
import type { WirelessDiagStatus, WirelessSdpRequest, WirelessSdpResponse } from "./sdp-wireless";

/** What a charger on WLAN (WPT, ACDP) tells vehicles in the wireless SDP response. */
export interface SdpWirelessOffer {
  /** This EVSE's CouplingType (./sdp-wireless.ts CouplingType): requests for another one go unanswered. */
  couplingType: number;
  /** This EVSE's EVSEID (up to 37 ASCII characters). */
  evseId: string;
  /**
   * The pairing and positioning device (ACDP, multiple-SECC architecture): true once it has
   * detected this EVID at this EVSE. Without it every request is answered "finished with EVSEID".
   */
  evidDetected?(evid: string): boolean;
}

export interface SdpServerOptions {
  /** The host's UDP socket class (ECMA-419 shape). */
  udp: UdpSocketClass;
  /** Interface (zone) on which to join ff02::1, e.g. "eth0" or "seth0"; omit to not join. */
  interface?: string;
  /** This charger's IPv6 address as the vehicle should use it (usually link-local, no zone). */
  address: string;
  /** TCP port of the plain (no TLS) V2G server, if plain sessions are offered. */
  tcpPort?: number;
  /** TCP port of the TLS V2G server, if TLS sessions are offered. */
  tlsPort?: number;
  /** Local UDP port (default 15118; tests use 0). */
  port?: number;
  /** Local address to bind (default "::"). */
  bindAddress?: string;
  logger?: Logger;
  /**
   * With a clock the server bounds a flood (see SdpServer): at most `answersPerSecond` answers
   * per second to one source address, and one log line per second for what it refused.
   * Without one every valid request is answered and logged.
   */
  clock?: Clock;
  /** Answers per second to one source address (default 8: a car asks every 250 ms at most, §7.10.1). */
  answersPerSecond?: number;
  /** Also serve the wireless SDP (0x9002/0x9003) with these values. */
  wireless?: SdpWirelessOffer;
  /** Called for each valid request with the answer sent (for logs, tests, simulators). */
  onRequest?(request: SdpRequest, response: SdpResponse, from: { address: string; port: number }): void;
  /** Called for each answered wireless request with the answer sent. */
  onWirelessRequest?(request: WirelessSdpRequest, response: WirelessSdpResponse, from: { address: string; port: number }): void;
  /** The socket failed; the server is closed. */
  onError?(error: Error): void;
}

/** The answer to `request` given what the charger offers (pure; exported for tests and the SECC). */
export function chooseSdpResponse(
  request: SdpRequest,
  offer: { address: string; tcpPort?: number; tlsPort?: number },
): SdpResponse | undefined {
  const ports: Record<SdpSecurity, number | undefined> = { tls: offer.tlsPort, none: offer.tcpPort };
  let security: SdpSecurity = request.security;
  if (ports[security] === undefined) security = security === "tls" ? "none" : "tls";
  const port = ports[security];
  if (port === undefined) return undefined;
  // TransportProtocol 0x10 (UDP) is reserved: V2G runs over TCP whatever was asked.
  return { address: offer.address, port, security, transport: "tcp" };
}

/** Source addresses whose answers are counted at once; beyond, a request is answered uncounted. */
const MAX_TRACKED_SOURCES = 64;
const SECOND = 1000 as Millis;

/** Answers given to one source address in the current one-second window. */
interface SourceWindow {
  start: number;
  answers: number;
}

/**
 * Flood bound (a charger in a car park must keep answering the real car): an SDP request is
 * 10–12 bytes, its answer 28, so a flood with a spoofed source address would make the charger a
 * reflector toward that address, and a log line per request would drown the log. Each source
 * address gets at most `answersPerSecond` answers per second (the car asks at most every 250 ms
 * and repeats only after a silence, ISO 15118-2 §7.10.1 [V2G2-159]), so the real car, whatever
 * others send, is answered every time; what is refused is counted and logged once a second.
 * The table of sources is bounded; a source it cannot hold is answered uncounted (answering the
 * car matters more than the bound).
 */
class SdpFloodBound {
  readonly #clock: Clock;
  readonly #limit: number;
  readonly #sources = new Map<string, SourceWindow>();
  #refused = 0;
  #invalid = 0;
  #reportStart = 0;

  constructor(clock: Clock, limit: number) {
    this.#clock = clock;
    this.#limit = limit;
    this.#reportStart = clock.now();
  }

  /** True when `address` may have another answer now. */
  admit(address: string): boolean {
    const now = this.#clock.now();
    let w = this.#sources.get(address);
    if (w !== undefined && now - w.start >= SECOND) w = undefined;
    if (w === undefined) {
      if (this.#sources.size >= MAX_TRACKED_SOURCES) this.#prune(now);
      w = { start: now, answers: 0 };
      if (this.#sources.size < MAX_TRACKED_SOURCES) this.#sources.set(address, w);
    }
    if (w.answers >= this.#limit) {
      this.#refused++;
      return false;
    }
    w.answers++;
    return true;
  }

  /** Counts an invalid datagram; true when it may be logged on its own (the first in a second). */
  invalid(): boolean {
    return this.#invalid++ === 0;
  }

  /** The refusals and invalid datagrams of the last second, once a second; undefined otherwise. */
  report(): { refused: number; invalid: number } | undefined {
    const now = this.#clock.now();
    if (now - this.#reportStart < SECOND) return undefined;
    this.#reportStart = now;
    const out = { refused: this.#refused, invalid: this.#invalid };
    this.#refused = 0;
    this.#invalid = 0;
    return out.refused > 1 || out.invalid > 1 ? out : undefined;
  }

  #prune(now: number): void {
    for (const [address, w] of this.#sources) if (now - w.start >= SECOND) this.#sources.delete(address);
  }
}

export class SdpServer {
  readonly #socket: UdpSocket;
  readonly #options: SdpServerOptions;
  readonly #logger: Logger;
  /** The two possible answers, encoded once (no allocation per request). */
  readonly #encoded: Record<SdpSecurity, Uint8Array | undefined>;
  readonly #bound: SdpFloodBound | undefined;
  #closed = false;

  constructor(options: SdpServerOptions) {
    if (options.tcpPort === undefined && options.tlsPort === undefined) {
      throw new ImplementationError("SdpServer needs tcpPort, tlsPort or both");
    }
    if (!parseIpv6(options.address)) throw new ImplementationError(`'${options.address}' is not an IPv6 address`);
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    const encoded = (security: SdpSecurity): Uint8Array | undefined => {
      const r = chooseSdpResponse({ security, transport: "tcp" }, options);
      return r && r.security === security ? encodeSdpResponse(r) : undefined;
    };
    this.#encoded = { tls: encoded("tls"), none: encoded("none") };
    const w = options.wireless;
    // Checks the wireless offer once (an EVSEID too long or not ASCII is the caller's error).
    if (w !== undefined) encodeWirelessSdpResponse({ address: options.address, port: 1, security: "none", transport: "tcp", diagStatus: "ongoing", couplingType: w.couplingType, evseId: w.evseId });
    const limit = options.answersPerSecond ?? 8;
    if (!(Number.isInteger(limit) && limit >= 1)) throw new ImplementationError(`answersPerSecond ${limit}: a positive integer`);
    this.#bound = options.clock ? new SdpFloodBound(options.clock, limit) : undefined;
    this.#socket = new options.udp({
      port: options.port ?? SDP_PORT,
      address: options.bindAddress ?? "::",
      multicast: options.interface ? [`${SDP_MULTICAST_ADDRESS}%${options.interface}`] : [],
      onReadable: () => this.#drain(),
      onError: (error) => {
        this.#logger.log("error", "sdp", "SDP server socket failed", { error: error.message });
        this.close();
        options.onError?.(error);
      },
    });
  }

  /** The bound UDP port where the host reports it (tests bind port 0). */
  get port(): number | undefined {
    return this.#socket.port;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
  }

  #drain(): void {
    let datagram: Datagram | undefined;
    while (!this.#closed && (datagram = this.#socket.read()) !== undefined) this.#handle(datagram);
  }

  #handle(datagram: Datagram): void {
    const from = { address: datagram.address, port: datagram.port };
    const bound = this.#bound;
    const summary = bound?.report();
    if (summary) this.#logger.log("warn", "sdp", "SDP flood bounded in the last second", summary);
    const data = datagram.data;
    if (this.#options.wireless !== undefined && data.length >= 4 && ((data[2] << 8) | data[3]) === PayloadType.SDP_REQUEST_WIRELESS) {
      this.#handleWireless(datagram, this.#options.wireless, from);
      return;
    }
    let request: SdpRequest;
    try {
      request = decodeSdpRequest(data);
    } catch (error) {
      if (bound && !bound.invalid()) return; // counted; the once-a-second summary tells
      if (error instanceof V2gtpError && error.payloadType === PayloadType.SDP_REQUEST_WIRELESS) {
        this.#logger.log("info", "sdp", "wireless SDP request (0x9002) ignored: this charger serves no wireless SDP", from);
      } else {
        this.#logger.log("warn", "sdp", "invalid SDP request dropped", {
          ...from,
          error: error instanceof Error ? error.message : String(error),
        });
      }
      return;
    }
    const response = chooseSdpResponse(request, this.#options);
    if (!response) return; // unreachable: the constructor requires a port
    if (bound && !bound.admit(datagram.address)) return; // counted; the summary tells
    try {
      this.#socket.write(this.#encoded[response.security]!, datagram.address, datagram.port);
    } catch (error) {
      // a full output: the vehicle retries every 250 ms, so dropping this answer is safe
      this.#logger.log("warn", "sdp", "SDP response not sent", { error: (error as Error).message });
      return;
    }
    this.#logger.log("info", "sdp", "SDP request answered", {
      from: `${from.address}:${from.port}`,
      requested: request.security,
      security: response.security,
      port: response.port,
    });
    this.#options.onRequest?.(request, response, from);
  }

  #handleWireless(datagram: Datagram, offer: SdpWirelessOffer, from: { address: string; port: number }): void {
    const bound = this.#bound;
    let request: WirelessSdpRequest;
    try {
      request = decodeWirelessSdpRequest(datagram.data);
    } catch (error) {
      if (bound && !bound.invalid()) return;
      this.#logger.log("warn", "sdp", "invalid wireless SDP request dropped", { ...from, error: error instanceof Error ? error.message : String(error) });
      return;
    }
    if (request.couplingType !== offer.couplingType) {
      this.#logger.log("info", "sdp", "wireless SDP request for another coupling type: not answered", { ...from, requested: request.couplingType, ours: offer.couplingType });
      return;
    }
    if (request.evseId !== "" && request.evseId !== offer.evseId) {
      this.#logger.log("info", "sdp", "wireless SDP request for another EVSE: not answered", { ...from, requested: request.evseId });
      return;
    }
    const chosen = chooseSdpResponse({ security: request.security, transport: request.transport }, this.#options);
    if (!chosen) return; // unreachable: the constructor requires a port
    if (bound && !bound.admit(datagram.address)) return;
    const ppd = (request.p2psPpd & P2psPpd.PPD_ON_INFRASTRUCTURE) !== 0 && offer.evidDetected !== undefined;
    const diagStatus: WirelessDiagStatus = ppd && !offer.evidDetected!(request.evid) ? "ongoing" : "finished-with-evseid";
    const response: WirelessSdpResponse = { ...chosen, diagStatus, couplingType: offer.couplingType, evseId: offer.evseId };
    try {
      this.#socket.write(encodeWirelessSdpResponse(response), datagram.address, datagram.port);
    } catch (error) {
      this.#logger.log("warn", "sdp", "wireless SDP response not sent", { error: (error as Error).message });
      return;
    }
    this.#logger.log("info", "sdp", "wireless SDP request answered", { from: `${from.address}:${from.port}`, evid: request.evid, diagStatus, port: chosen.port });
    this.#options.onWirelessRequest?.(request, response, from);
  }
}
