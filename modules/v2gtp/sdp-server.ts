// The charger's SDP responder: UDP port 15118, joined to ff02::1 on one interface, answering
// each valid SECC Discovery Request with this charger's address, TCP port and security.
//
// Security (ISO 15118-2 §7.10.1, the security combinations of its Tables 3 and 4 as RISE-V2G
// reads them): the charger answers with the security the vehicle asked for when it offers it,
// otherwise with the one it does offer; the vehicle then decides.
// Invalid datagrams are dropped without an answer (no negative response exists in SDP).

import type { Logger } from "../common/log";
import { silentLogger } from "../common/log";
import type { Datagram, UdpSocket, UdpSocketClass } from "../common/io";
import { ImplementationError } from "../common/errors";
import { PayloadType, V2gtpError } from "./header";
import { parseIpv6 } from "./ipv6";
import { SDP_MULTICAST_ADDRESS, SDP_PORT, decodeSdpRequest, encodeSdpResponse } from "./sdp";
import type { SdpRequest, SdpResponse, SdpSecurity } from "./sdp";

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
  /** Called for each valid request with the answer sent (for logs, tests, simulators). */
  onRequest?(request: SdpRequest, response: SdpResponse, from: { address: string; port: number }): void;
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

export class SdpServer {
  readonly #socket: UdpSocket;
  readonly #options: SdpServerOptions;
  readonly #logger: Logger;
  /** The two possible answers, encoded once (no allocation per request). */
  readonly #encoded: Record<SdpSecurity, Uint8Array | undefined>;
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
    let request: SdpRequest;
    try {
      request = decodeSdpRequest(datagram.data);
    } catch (error) {
      if (error instanceof V2gtpError && error.payloadType === PayloadType.SDP_REQUEST_WIRELESS) {
        this.#logger.log("info", "sdp", "wireless SDP request (0x9002) ignored: not supported", from);
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
}
