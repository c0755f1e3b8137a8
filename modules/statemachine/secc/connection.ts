// SeccConnection: one accepted TCP (or TLS) connection of the charger, bound to a SeccSession.
//
// The receive pipeline, in one place (Josev's comm_session, as a class):
//   V2GTP message (modules/v2gtp V2gtpConnection: framing, reassembly, payload type → schema)
//   → EXI decode with the schema (apphand first, then the negotiated din/iso2)
//   → SeccSession.request (sequence and session checks, handler, timers)
//   → EXI encode of the response → V2GTP send; after SAP the connection switches schema.
// A session stop closes the TCP connection: after sending the response for a stop caused by a
// request, at once for a timeout. A closed connection is a link-down for the session.

import { silentLogger } from "../../common/index";
import type { Clock, Logger } from "../../common/index";
import { createExiCodec, logFacetViolations } from "../../exi/index";
import type { ExiCodecOptions } from "../../exi/index";
import type { SchemaId } from "../../exi/index";
import { PayloadType, V2gtpConnection } from "../../v2gtp/index";
import type { V2gtpCloseReason, V2gtpConnectionOptions, V2gtpMessage } from "../../v2gtp/index";
import type { StopReason } from "../framework";
import { messageName } from "../dispatch";
import { V2G_SECC_CURRENT_DEMAND_PERFORMANCE_TIME, V2G_SECC_MSG_PERFORMANCE_TIME } from "../secc-timeouts";
import { ISO20_SECC_CLOSE_DELAY, V2G_SECC_MSG_PERFORMANCE_TIME_CHARGE_LOOP } from "../iso20/timeouts";
import type { TimerHandle } from "../../common/index";
import type { V2gDocument } from "../msg-types";
import { SeccSession } from "./session";
import type { SeccRequestDoc, SeccSessionOptions } from "./session";

/** The codec functions the connection uses (by default its own modules/exi ExiCodec; replaceable in tests). */
export interface SeccCodec {
  encode(schema: SchemaId, doc: object): Uint8Array;
  decode(schema: SchemaId, bytes: Uint8Array): object;
  /** Where the codec has it (ExiCodec does), responses are encoded straight into the V2GTP output buffer. */
  encodeInto?(schema: SchemaId, doc: object, out: Uint8Array, offset: number): number;
}

export interface SeccConnectionOptions extends Omit<SeccSessionOptions, "onStop" | "logger"> {
  /** Builds the socket with the connection's callbacks: `(callbacks) => listener.read(callbacks)`. */
  open: V2gtpConnectionOptions["open"];
  /** Default: a new ExiCodec for this connection (reused buffers and frames for every message). */
  codec?: SeccCodec;
  /**
   * Generated codecs the host registers per schema for the default codec (ExiCodecOptions.fast:
   * the Node host's every-message code, hosts/sim/exi-fast); absent: the built-in loop messages'.
   */
  exiFast?: ExiCodecOptions["fast"];
  logger?: Logger;
  /** The connection is closed (after the session stopped, or the peer/socket went away). */
  onClose?(reason: StopReason | V2gtpCloseReason): void;
  /** Largest incoming V2GTP payload (default: the V2GTP connection's). */
  maxPayloadLength?: number;
  /**
   * Host hook before the session sees a request (its EXI, valid during the call only, and the
   * request as decoded, so the host need not decode it again): a promise holds the request until
   * it settles. For answers the synchronous handlers need that
   * only a network can give, e.g. the operator's CertificateInstallationRes for ISO-2 Plug & Charge
   * (no EVSEProcessing=Ongoing there; hosts/sim/ocpp/contract-provisioning.ts). Undefined: at once.
   */
  beforeRequest?(schema: SchemaId, payload: Uint8Array, request: object): Promise<void> | undefined;
}

export class SeccConnection {
  readonly session: SeccSession;
  readonly #conn: V2gtpConnection;
  readonly #codec: SeccCodec;
  readonly #logger: Logger;
  readonly #onClose: ((reason: StopReason | V2gtpCloseReason) => void) | undefined;
  readonly #clock: Clock;
  /** True while a request is being handled: a stop then closes after the response is sent. */
  #handling = false;
  #closeAfterSend = false;
  #closed = false;
  /** -20: the close that waits for the EV to close first after SessionStopRes. */
  #closeTimer: TimerHandle | undefined;
  readonly #beforeRequest: SeccConnectionOptions["beforeRequest"];

  constructor(options: SeccConnectionOptions) {
    this.#logger = options.logger ?? silentLogger;
    this.#codec = options.codec ?? createExiCodec({ ...logFacetViolations(this.#logger, "secc"), fast: options.exiFast });
    this.#onClose = options.onClose;
    this.#clock = options.clock;
    this.#beforeRequest = options.beforeRequest;
    this.session = new SeccSession({
      ...options,
      logger: this.#logger,
      onStop: (reason) => this.#sessionStopped(reason),
    });
    this.#conn = new V2gtpConnection({
      open: options.open,
      maxPayloadLength: options.maxPayloadLength,
      logger: this.#logger,
      onMessage: (message) => this.#message(message),
      onClose: (reason) => this.#connectionClosed(reason),
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Closes the connection (the session sees a link-down). Harmless twice. */
  close(): void {
    this.#conn.close();
  }

  #message(message: V2gtpMessage): void {
    const schema = message.schema;
    if (schema !== "apphand" && schema !== "din" && schema !== "iso2" && (schema === undefined || schema.indexOf("iso20-") !== 0)) {
      this.#logger.log("warn", "secc", "payload of a protocol this SECC does not speak", { payloadType: message.payloadType });
      this.#conn.close();
      return;
    }
    const started = this.#clock.now();
    let doc: object;
    try {
      doc = this.#codec.decode(schema, message.payload);
    } catch (error) {
      // The EV's bytes do not decode: nothing can be answered (no request type is known).
      this.#logger.log("warn", "secc", "EXI decode failed", { schema, error: (error as Error).message });
      this.session.linkDown();
      this.#conn.close();
      return;
    }
    // -20 side streams (0x8101-0x8104, -20 Table 14, e.g. ACDP system status 0x8103): the
    // answer goes back on the payload type the request came on.
    const type = message.payloadType;
    const side = type >= PayloadType.ISO20_SCHEDULE_RENEGOTIATION && type <= PayloadType.ISO20_PARKING_STATUS ? type : undefined;
    const held = this.#beforeRequest?.(schema, message.payload, doc);
    if (held !== undefined) {
      // The decoded request owns its bytes (the decoder copies them), so the V2GTP layer may
      // reuse its buffer while the host works; the response time counts from the resumption.
      const resume = (): void => {
        if (!this.#closed) this.#handle(doc, this.#clock.now(), side);
      };
      held.then(resume, resume);
      return;
    }
    this.#handle(doc, started, side);
  }

  #handle(doc: object, started: number, side?: number): void {
    this.#handling = true;
    let out;
    try {
      out = this.session.request(doc as SeccRequestDoc);
    } finally {
      this.#handling = false;
    }
    if (out.response !== undefined) {
      const outSchema: SchemaId = this.session.schemaOf(out.response);
      try {
        // encoded straight into the V2GTP output buffer where the codec can (no array per response)
        this.#conn.sendEncoded(side ?? outSchema, this.#codec, outSchema, out.response);
      } catch (error) {
        // Our own response does not fit the schema: a bug on our side, never the peer's.
        this.#logger.log("error", "secc", "response does not encode", { schema: outSchema, error: (error as Error).message });
      }
      this.#checkPerformance(out.response, started);
      const chosen = this.session.protocol;
      // After -20 SAP every message has its own payload type (any -20 id says so to V2GTP).
      if (outSchema === "apphand" && chosen !== undefined) this.#conn.selectProtocol(chosen === "iso20" ? "iso20-dc" : chosen);
    }
    if (out.close || this.#closeAfterSend) {
      const reason = this.session.stopReason;
      if (this.session.protocol === "iso20" && (reason === "ev-terminate" || reason === "ev-pause")) {
        // -20 teardown: after SessionStopRes the EV closes the TCP connection; the SECC closes
        // it itself only if the EV has not after ISO20_SECC_CLOSE_DELAY.
        if (this.#closeTimer === undefined) this.#closeTimer = this.#clock.set(() => this.#conn.close(), ISO20_SECC_CLOSE_DELAY);
      } else this.#conn.close();
    }
  }

  /**
   * V2G_SECC_Msg_Performance_Time: CurrentDemandRes within 25 ms (field reports: cars give up
   * soon after), a -20 DC/AC_ChargeLoopRes within 0.25 s (Tables 216, 217), any other response
   * within 1.5 s. Measured from the complete request to the
   * response handed to the socket; a late answer is logged, not suppressed.
   */
  #checkPerformance(response: object, started: number): void {
    const spent = this.#clock.now() - started;
    if (spent < V2G_SECC_CURRENT_DEMAND_PERFORMANCE_TIME) return;
    const body = (response as V2gDocument).V2G_Message?.Body;
    // -20 messages are their own root element (as is supportedAppProtocolRes).
    const name = (body === undefined ? messageName(response) : messageName(body)) ?? "?";
    const limit =
      name === "CurrentDemandRes"
        ? V2G_SECC_CURRENT_DEMAND_PERFORMANCE_TIME
        : name === "DC_ChargeLoopRes" || name === "AC_ChargeLoopRes"
          ? V2G_SECC_MSG_PERFORMANCE_TIME_CHARGE_LOOP
          : V2G_SECC_MSG_PERFORMANCE_TIME;
    if (spent > limit) this.#logger.log("warn", "secc", `${name} took ${spent} ms (limit ${limit} ms)`, { message: name, ms: spent });
  }

  #sessionStopped(reason: StopReason): void {
    if (this.#handling) {
      this.#closeAfterSend = true; // the response is still to be sent
      return;
    }
    this.#logger.log("info", "secc", "closing the connection", { reason });
    this.#conn.close();
  }

  #connectionClosed(reason: V2gtpCloseReason): void {
    this.#clock.clear(this.#closeTimer);
    this.#closeTimer = undefined;
    if (this.#closed) return;
    this.#closed = true;
    const stopped = this.session.stopReason;
    if (stopped === undefined) this.session.linkDown();
    this.session.dispose();
    this.#onClose?.(stopped ?? reason);
  }
}
