// The vehicle's SDP client: sends a SECC Discovery Request to ff02::1 port 15118 on one
// interface and repeats it until a charger answers with the security the vehicle requires.
//
// Timing (ISO 15118-2 §7.10.1 and DIN 70121 SDP; ../shared/docs/standards-notes.md): wait at
// least 250 ms for a response before repeating the request, at most 50 requests in all; then
// SDP has failed and the vehicle falls back (or restarts) as its state machine decides.
//
// Wireless (ISO 15118-20 §7.10.1.8, ./sdp-wireless.ts): given `wireless`, the client sends
// SDPRequestWireless (0x9002) and accepts only SDPResponseWireless (0x9003) [V2G20-2277],
// [V2G20-2278]. An answer with DiagStatus "ongoing" (the charger's pairing and positioning device
// has not seen the vehicle yet) resets the request count [V2G20-4101] and the client asks again
// after the interval (at least 250 ms, [V2G20-2288]); it stops at "finished with/without EVSEID"
// [V2G20-2287]. A vehicle that named an EVSEID takes only that EVSE's answer.

import type { Clock, TimerHandle } from "../common/clock";
import { Millis } from "../common/clock";
import type { Logger } from "../common/log";
import { silentLogger } from "../common/log";
import type { Datagram, UdpSocket, UdpSocketClass } from "../common/io";
import { ImplementationError, Xs15118Error } from "../common/errors";
import { isLinkLocal, parseIpv6, splitZone } from "./ipv6";
import { SDP_MULTICAST_ADDRESS, SDP_PORT, decodeSdpResponse, encodeSdpRequest } from "./sdp";
import type { SdpResponse, SdpSecurity } from "./sdp";
import { decodeWirelessSdpResponse, encodeWirelessSdpRequest } from "./sdp-wireless";
import type { WirelessDiagStatus, WirelessSdpResponse } from "./sdp-wireless";

/** The vehicle's side of the wireless SDP request. */
export interface SdpWirelessRequest {
  /** Up to 20 ASCII characters (a random one for privacy, or the number plate); "" sends UNKNOWN_EVID. */
  evid: string;
  /** The EVSE the vehicle wants, when it knows it (up to 37 ASCII characters). */
  evseId?: string;
  /** The coupling the vehicle needs (CouplingType). */
  couplingType: number;
  /** P2PS/PPD bits (P2psPpd): how it can be paired and positioned. */
  p2psPpd: number;
}

export const SDP_RETRY_INTERVAL: Millis = Millis(250);
export const SDP_MAX_ATTEMPTS = 50;

/** A charger found by SDP, with the address ready to connect to (zone added for link-local). */
export interface SdpResult extends SdpResponse {
  /** `address` with the interface zone when it is link-local ("fe80::1%eth0"). */
  connectAddress: string;
  /** Number of requests sent before this answer. */
  attempts: number;
  /** Wireless SDP: the charger's DiagStatus, CouplingType and EVSEID. */
  wireless?: { diagStatus: WirelessDiagStatus; couplingType: number; evseId: string };
}

export type SdpClientErrorReason = "sdp-timeout" | "sdp-socket";

export class SdpClientError extends Xs15118Error<SdpClientErrorReason> {
  /** The last answer that offered other security than required, if any came. */
  readonly lastOffer?: SdpResponse;

  constructor(reason: SdpClientErrorReason, message: string, lastOffer?: SdpResponse) {
    super(reason, message);
    this.name = "SdpClientError";
    this.lastOffer = lastOffer;
  }
}

export interface SdpClientOptions {
  udp: UdpSocketClass;
  clock: Clock;
  /** Interface (zone) to ask on: "eth0". Used for the multicast destination and link-local answers. */
  interface?: string;
  /** Security the vehicle requires. */
  security: SdpSecurity;
  /** Accept an answer with the other security (default false: keep asking). */
  acceptOtherSecurity?: boolean;
  /** Time to wait per request; at least 250 ms (default 250 ms). */
  retryInterval?: Millis;
  /** Requests in all; 1..50 (default 50). */
  maxAttempts?: number;
  /** Where to send (default ff02::1%<interface> port 15118; tests use ::1 and another port). */
  destination?: { address: string; port: number };
  logger?: Logger;
  /** Ask with the wireless SDP (WLAN: WPT, ACDP) instead of the 2-byte request. */
  wireless?: SdpWirelessRequest;
  /** Wireless: each "ongoing" answer (the EVSEID in it can tell the driver where to go). */
  onWirelessProgress?(response: WirelessSdpResponse): void;
  onDiscovered(result: SdpResult): void;
  onFailed(error: SdpClientError): void;
}

export class SdpClient {
  readonly #options: SdpClientOptions;
  readonly #logger: Logger;
  readonly #interval: Millis;
  readonly #maxAttempts: number;
  readonly #request: Uint8Array;
  #socket: UdpSocket | undefined;
  #timer: TimerHandle | undefined;
  #attempts = 0;
  #lastOffer: SdpResponse | undefined;
  #done = false;

  constructor(options: SdpClientOptions) {
    const interval = options.retryInterval ?? SDP_RETRY_INTERVAL;
    const attempts = options.maxAttempts ?? SDP_MAX_ATTEMPTS;
    if (interval < SDP_RETRY_INTERVAL) throw new ImplementationError(`SDP retry interval ${interval} ms is below 250 ms`);
    if (!(Number.isInteger(attempts) && attempts >= 1 && attempts <= SDP_MAX_ATTEMPTS)) {
      throw new ImplementationError(`SDP attempts ${attempts} outside 1..50`);
    }
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    this.#interval = interval;
    this.#maxAttempts = attempts;
    const w = options.wireless;
    this.#request =
      w === undefined
        ? encodeSdpRequest({ security: options.security, transport: "tcp" })
        : encodeWirelessSdpRequest({ security: options.security, transport: "tcp", p2psPpd: w.p2psPpd, couplingType: w.couplingType, evid: w.evid, evseId: w.evseId ?? "" });
  }

  /** Requests sent so far. */
  get attempts(): number {
    return this.#attempts;
  }

  /** Opens the socket and sends the first request. */
  start(): void {
    if (this.#socket || this.#done) throw new ImplementationError("SdpClient.start() called twice");
    this.#socket = new this.#options.udp({
      port: 0,
      address: "::",
      onReadable: () => this.#drain(),
      onError: (error) => this.#fail(new SdpClientError("sdp-socket", error.message)),
    });
    this.#send();
  }

  /** Stops asking; no callback runs afterwards. Harmless twice. */
  close(): void {
    this.#done = true;
    this.#options.clock.clear(this.#timer);
    this.#timer = undefined;
    this.#socket?.close();
  }

  #destination(): { address: string; port: number } {
    if (this.#options.destination) return this.#options.destination;
    const zone = this.#options.interface;
    return { address: zone ? `${SDP_MULTICAST_ADDRESS}%${zone}` : SDP_MULTICAST_ADDRESS, port: SDP_PORT };
  }

  #send(): void {
    if (this.#done || !this.#socket) return;
    if (this.#attempts >= this.#maxAttempts) {
      const offered = this.#lastOffer ? ` (a charger offered security '${this.#lastOffer.security}')` : "";
      this.#fail(new SdpClientError("sdp-timeout", `no SDP answer after ${this.#attempts} requests${offered}`, this.#lastOffer));
      return;
    }
    this.#attempts++;
    const to = this.#destination();
    try {
      this.#socket.write(this.#request, to.address, to.port);
      this.#logger.log("debug", "sdp", "SDP request sent", { attempt: this.#attempts, security: this.#options.security });
    } catch (error) {
      // a full output counts as a lost request: the next attempt comes after the interval
      this.#logger.log("warn", "sdp", "SDP request not sent", { error: (error as Error).message });
    }
    this.#timer = this.#options.clock.set(() => {
      this.#timer = undefined;
      this.#send();
    }, this.#interval);
  }

  #drain(): void {
    let datagram: Datagram | undefined;
    while (!this.#done && this.#socket && (datagram = this.#socket.read()) !== undefined) this.#handle(datagram);
  }

  #handle(datagram: Datagram): void {
    const wireless = this.#options.wireless;
    let response: SdpResponse;
    let extra: SdpResult["wireless"];
    try {
      if (wireless === undefined) response = decodeSdpResponse(datagram.data);
      else {
        const w = decodeWirelessSdpResponse(datagram.data);
        if (!this.#wirelessAnswer(w, wireless, datagram.address)) return;
        response = { address: w.address, port: w.port, security: w.security, transport: w.transport };
        extra = { diagStatus: w.diagStatus, couplingType: w.couplingType, evseId: w.evseId };
      }
    } catch (error) {
      this.#logger.log("warn", "sdp", "invalid SDP response ignored", {
        from: datagram.address,
        error: error instanceof Error ? error.message : String(error),
      });
      return;
    }
    if (response.security !== this.#options.security && !this.#options.acceptOtherSecurity) {
      this.#lastOffer = response;
      this.#logger.log("info", "sdp", "SDP answer with other security ignored", {
        from: datagram.address,
        required: this.#options.security,
        offered: response.security,
      });
      return;
    }
    const bytes = parseIpv6(response.address)!;
    const zone = splitZone(datagram.address).zone || this.#options.interface || "";
    const connectAddress = isLinkLocal(bytes) && zone ? `${response.address}%${zone}` : response.address;
    const result: SdpResult = { ...response, connectAddress, attempts: this.#attempts };
    if (extra !== undefined) result.wireless = extra;
    this.close();
    this.#logger.log("info", "sdp", "charger discovered", { address: connectAddress, port: response.port, security: response.security });
    this.#options.onDiscovered(result);
  }

  /** True when a wireless answer ends the discovery; an "ongoing" one restarts the count (else ignored). */
  #wirelessAnswer(w: WirelessSdpResponse, asked: SdpWirelessRequest, from: string): boolean {
    if (w.diagStatus === "ongoing") {
      this.#attempts = 0; // [V2G20-4101]
      this.#logger.log("debug", "sdp", "wireless SDP: the charger has not paired the vehicle yet", { from, evseId: w.evseId });
      this.#options.onWirelessProgress?.(w);
      return false;
    }
    if (w.diagStatus === "error-no-secc") {
      this.#logger.log("info", "sdp", "wireless SDP answer 'error - no SECC' ignored", { from });
      return false;
    }
    const wanted = asked.evseId ?? "";
    if (wanted !== "" && w.evseId !== "" && w.evseId !== wanted) {
      this.#logger.log("info", "sdp", "wireless SDP answer of another EVSE ignored", { from, evseId: w.evseId, wanted });
      return false;
    }
    return true;
  }

  #fail(error: SdpClientError): void {
    if (this.#done) return;
    this.close();
    this.#logger.log("error", "sdp", "SDP failed", { reason: error.reason, message: error.message });
    this.#options.onFailed(error);
  }
}
