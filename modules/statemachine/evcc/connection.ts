// EvccConnection: one EVCC session over one V2GTP connection: SAP first, then DIN or ISO-2.
//
//   const conn = new EvccConnection({
//     open: (callbacks) => new Tcp({ address: sdp.address, port: sdp.port, ...callbacks }),
//     session: { energyTransferMode: "DC_extended", evccId: mac },
//     bms, vehicle: hooks, clock, logger,
//     onTrace: (e) => …, onStop: (outcome) => …,
//   });
//   conn.stop();  conn.pause();  // driver requests
//
// It sends supportedAppProtocolReq at once (protocols in preference order), reads the answer,
// switches the V2GTP connection to the chosen schema, and starts an EvccSession whose
// CommunicationSetup deadline counts from the SAP request. Every request is EXI-encoded with
// the negotiated schema; every response is decoded and fed to the session. The TCP connection
// closes when the session ends; onStop reports the outcome with the protocol.

import type { Clock, IoCallbacks, Logger, Millis, StreamSocket, TimerHandle } from "../../common/index";
import { silentLogger } from "../../common/index";
import { createExiCodec, logFacetViolations } from "../../exi/index";
import type { ExiCodecOptions } from "../../exi/index";
import type { SchemaId } from "../../exi/index";
import { V2gtpConnection, allowedOver, buildSapRequest, protocolInfo, readSapResponse } from "../../v2gtp/index";
import type { TlsSocket } from "../../pki-store/tls";
import type { ProtocolId, SupportedAppProtocolReq, V2gtpCloseReason, V2gtpMessage } from "../../v2gtp/index";
import { messageName } from "../dispatch";
import { iso20SchemaOfMessage, setIso20Header } from "../iso20/envelope";
import { isAcdp, namespaceOf } from "../iso20/services";
import { AcdpStatusStream } from "../iso20/acdp-evcc";
import { PayloadType } from "../../v2gtp/index";
import type { EvccDoc, EvccProtocol } from "./msg";
import { EvccSession } from "./session";
import { V2G_EVCC_COMMUNICATION_SETUP_TIMER, V2G_EVCC_MSG_TIMEOUT } from "./timeouts";
import type { EvBms, EvccConfig, EvccOutcome, EvccStepId, EvccStopReason, EvccTraceEntry, VehicleHooks } from "./types";

/** The codec the connection uses; by default its own modules/exi ExiCodec (tests may pass another). */
export interface EvccCodec {
  encode(schema: SchemaId, doc: object): Uint8Array;
  decode(schema: SchemaId, bytes: Uint8Array): object;
  /** Where the codec has it (ExiCodec does), requests are encoded straight into the V2GTP output buffer. */
  encodeInto?(schema: SchemaId, doc: object, out: Uint8Array, offset: number): number;
}

export interface EvccConnectionOptions {
  /** Opens the socket to the SECC (TCP, or TLS over TCP) with the connection's callbacks. */
  open(callbacks: Required<IoCallbacks>): StreamSocket | undefined;
  /**
   * Protocols for supportedAppProtocolReq, most preferred first. Default: DC ["iso2", "din"],
   * AC ["iso2"]; with session.iso20, "iso20" first. "iso20" asks for the -20 namespace of
   * session.iso20.transfer (:-20:DC or :-20:AC).
   */
  protocols?: readonly EvccProtocol[];
  /** Session settings; the protocol is the one SAP negotiates. */
  session: Omit<EvccConfig, "protocol" | "communicationSetupDeadline">;
  bms: EvBms;
  /** Pilot (S2), contactors, EVSE values: the vehicle's side. */
  vehicle?: VehicleHooks;
  clock: Clock;
  logger?: Logger;
  /** Default: a new ExiCodec for this connection (reused buffers and frames for every message). */
  codec?: EvccCodec;
  /** Generated codecs per schema for the default codec (ExiCodecOptions.fast; SeccConnectionOptions.exiFast says more). */
  exiFast?: ExiCodecOptions["fast"];
  /** Unix time in seconds for the -20 header TimeStamp (a WallClock's unixSeconds; 0 while undefined). */
  unixTime?: () => bigint | undefined;
  /**
   * The connection's transport. -20 requires TLS 1.3: over "none" or "1.2" the EVCC leaves it
   * out of its SAP offer ("none": unless `insecureIso20WithoutTls`, test benches); over "1.3"
   * it offers -20 only (the -2 profile is TLS 1.2; modules/v2gtp/sap.ts allowedOver).
   * "tls": `open` returns a TlsSocket (modules/pki-store/tls.ts) and SAP waits for its handshake,
   * then filters by the version negotiated. Undefined: no filter.
   */
  transport?: "none" | "1.2" | "1.3" | "tls";
  insecureIso20WithoutTls?: boolean;
  /** Live trace: every message with its key values (SAP included). */
  onTrace?(entry: EvccTraceEntry): void;
  /** Called once when the connection's session is over (or SAP / the link failed first). */
  onStop?(outcome: EvccConnectionOutcome): void;
}

export interface EvccConnectionOutcome extends Omit<EvccOutcome, "step"> {
  step: EvccStepId | "SupportedAppProtocol";
  /** The negotiated protocol, when SAP succeeded. */
  protocol?: EvccProtocol;
}

export class EvccConnection {
  readonly #o: EvccConnectionOptions;
  readonly #log: Logger;
  readonly #codec: EvccCodec;
  readonly #conn: V2gtpConnection;
  readonly #startedAt: Millis;
  #sapRequest: SupportedAppProtocolReq | undefined;
  #sapTimer: TimerHandle | undefined;
  #protocol: EvccProtocol | undefined;
  #session: EvccSession | undefined;
  #outcome: EvccConnectionOutcome | undefined;
  /** The socket became writable or delivered data once: the TCP connection was set up. */
  #connected = false;
  /** What open() returned (a TlsSocket with transport "tls"). */
  #socket: StreamSocket | undefined;
  /** -20 ACDP: the system status side stream (payload type 0x8103) while the device is down. */
  #acdpStatus: AcdpStatusStream | undefined;

  constructor(options: EvccConnectionOptions) {
    this.#o = options;
    this.#log = options.logger ?? silentLogger;
    this.#codec = options.codec ?? createExiCodec({ ...logFacetViolations(this.#log, "evcc"), fast: options.exiFast });
    this.#startedAt = options.clock.now();
    const tls = options.transport === "tls";
    this.#conn = new V2gtpConnection({
      open: (callbacks) => (this.#socket = options.open(callbacks)),
      logger: options.logger,
      onMessage: (message) => this.#onMessage(message),
      onConnect: () => {
        this.#connected = true;
        // Over TLS the offer depends on the version the handshake settled.
        if (tls && this.#sapRequest === undefined && this.#outcome === undefined) this.#sendSap();
      },
      onClose: (reason, error) => this.#onClose(reason, error),
    });
    if (!this.#conn.closed && !tls) this.#sendSap();
  }

  /** The transport SAP filters by: the configured one, or the TLS version the handshake settled. */
  #transport(): "none" | "1.2" | "1.3" | undefined {
    const transport = this.#o.transport;
    if (transport !== "tls") return transport;
    const version = (this.#socket as TlsSocket | undefined)?.session?.protocol;
    return version === "TLSv1.3" ? "1.3" : "1.2";
  }

  /** The EVCC session, once SAP chose DIN or ISO-2. */
  get session(): EvccSession | undefined {
    return this.#session;
  }

  get protocol(): EvccProtocol | undefined {
    return this.#protocol;
  }

  get outcome(): EvccConnectionOutcome | undefined {
    return this.#outcome;
  }

  /** User stop (orderly): PowerDelivery(Stop) … SessionStop(Terminate). */
  stop(): void {
    if (this.#session) this.#session.stop();
    else this.#end({ reason: "user-stop", detail: "stopped before the session started" });
  }

  /** ISO-2: orderly stop with SessionStop(Pause); reconnect later with session.resumeSessionId. */
  pause(): void {
    if (this.#session) this.#session.pause();
    else this.#end({ reason: "user-stop", detail: "stopped before the session started" });
  }

  /** ISO-2 while charging: PowerDelivery(Renegotiate) and new charge parameters. */
  renegotiate(): void {
    this.#session?.renegotiate();
  }

  /** ISO 15118-20 while charging: choose the services anew (SessionStop ServiceRenegotiation). */
  renegotiateService(): void {
    this.#session?.renegotiateService();
  }

  /** ISO 15118-20 while charging: PowerDelivery(Standby) (true) or back to Start (false). */
  standby(on: boolean): void {
    this.#session?.standby(on);
  }

  /**
   * The data link under the connection is gone (the vehicle was unplugged, SLAC lost the
   * charger): the session ends as "link-down" — no further message, contactors open, pilot B,
   * TCP closed — as when the TCP connection itself breaks.
   */
  linkDown(detail: string): void {
    if (this.#outcome) return;
    if (this.#session) this.#session.handle({ type: "link-down", detail });
    else this.#end({ reason: "link-down", detail });
  }

  /** Emergency: no further message, contactors open, pilot B, TCP closed. */
  abort(detail?: string): void {
    if (this.#session) this.#session.handle({ type: "control", control: { kind: "abort", detail } });
    else this.#end({ reason: "aborted", detail });
  }

  // ------------------------------------------------------------ SAP

  #sendSap(): void {
    const dc = this.#o.session.energyTransferMode.indexOf("DC") === 0;
    const iso20 = this.#o.session.iso20;
    const protocols = this.#o.protocols ?? ((iso20 !== undefined ? ["iso20"] : []) as EvccProtocol[]).concat(dc ? ["iso2", "din"] : ["iso2"]);
    const offer: ProtocolId[] = [];
    const transport = this.#transport();
    // Plain TCP with the test-bench permission: no filter; otherwise the profiles' rules.
    const filter = transport === "none" && this.#o.insecureIso20WithoutTls === true ? undefined : transport;
    const withdrawn: string[] = [];
    for (const p of protocols) {
      // -20: the namespace of the service asked for (:-20:DC also carries MCS; WPT and ACDP have their own).
      const id: ProtocolId | undefined = p !== "iso20" ? p : iso20 !== undefined ? (`iso20-${namespaceOf(iso20.transfer)}` as ProtocolId) : undefined;
      if (id === undefined) continue;
      if (filter === undefined || allowedOver(filter, protocolInfo(id).namespace)) offer.push(id);
      else withdrawn.push(p);
    }
    if (withdrawn.length > 0) {
      const over = filter === "none" ? "plain TCP" : `TLS ${filter}`;
      this.#log.log(offer.length === 0 ? "warn" : "info", "evcc", `SAP: ${withdrawn.join(",")} withdrawn over ${over} (ISO 15118-20 needs TLS 1.3; ISO 15118-2 runs over TLS 1.2 or plain TCP)`);
    }
    if (offer.length === 0) {
      const over = filter === "none" ? "plain TCP" : `TLS ${filter}`;
      return this.#end({ reason: "sap-failed", detail: `none of the protocols ${protocols.join(",")} may run over ${over} (ISO 15118-20 needs TLS 1.3 or insecureIso20WithoutTls; ISO 15118-2 is not run over TLS 1.3)` });
    }
    const request = buildSapRequest(offer);
    this.#sapRequest = request;
    this.#trace("tx", "supportedAppProtocolReq", { protocols: protocols.join(",") });
    this.#sapTimer = this.#o.clock.set(() => this.#end({ reason: "timeout-message", detail: "no supportedAppProtocolRes within V2G_EVCC_Msg_Timeout" }), V2G_EVCC_MSG_TIMEOUT);
    try {
      this.#conn.send("apphand", this.#codec.encode("apphand", request));
    } catch (error) {
      this.#end({ reason: "aborted", detail: `cannot send supportedAppProtocolReq: ${errorText(error)}` });
    }
  }

  #onSapResponse(payload: Uint8Array): void {
    this.#o.clock.clear(this.#sapTimer);
    this.#sapTimer = undefined;
    let response: object;
    try {
      response = this.#codec.decode("apphand", payload);
    } catch (error) {
      return this.#end({ reason: "decode-error", detail: `supportedAppProtocolRes: ${errorText(error)}` });
    }
    const result = readSapResponse(this.#sapRequest!, response);
    this.#trace("rx", "supportedAppProtocolRes", result.ok ? { code: result.code, protocol: result.protocol } : { code: result.code, error: result.message });
    if (!result.ok) return this.#end({ reason: "sap-failed", detail: result.message });
    const chosen = result.protocol;
    const protocol: EvccProtocol | undefined = chosen === "din" || chosen === "iso2" ? chosen : chosen !== undefined && chosen.indexOf("iso20-") === 0 ? "iso20" : undefined;
    if (protocol === undefined || (protocol === "iso20" && this.#o.session.iso20 === undefined)) {
      return this.#end({ reason: "sap-failed", detail: `negotiated ${chosen ?? result.entry.ProtocolNamespace}, which this EVCC does not speak` });
    }
    if (protocol === "din" && this.#o.session.energyTransferMode.indexOf("AC") === 0) {
      return this.#end({ reason: "sap-failed", detail: "DIN 70121 negotiated for AC charging" });
    }
    this.#protocol = protocol;
    // After -20 SAP every message has its own payload type (any -20 id says so to V2GTP).
    this.#conn.selectProtocol(protocol === "iso20" ? "iso20-dc" : protocol);
    // Plug & Charge never over plain TCP: the contract (eMAID, certificates, signatures) stays
    // out of a session the vehicle knows to be unencrypted, whatever the charger offers.
    const plain = this.#transport() === "none";
    if (plain && this.#o.session.pnc !== undefined) this.#log.log("info", "evcc", "Plug & Charge not used: the connection is plain TCP (it needs TLS)");
    this.#session = new EvccSession({
      config: { ...this.#o.session, ...(plain ? { pnc: undefined } : {}), protocol, communicationSetupDeadline: (this.#startedAt + V2G_EVCC_COMMUNICATION_SETUP_TIMER) as Millis },
      bms: this.#o.bms,
      clock: this.#o.clock,
      logger: this.#o.logger,
      unixTime: this.#o.unixTime,
      callbacks: {
        send: (doc) => this.#sendV2g(doc),
        onStop: (outcome) => this.#onSessionStop(outcome),
        onTrace: this.#o.onTrace,
        setPilotState: this.#o.vehicle?.setPilotState?.bind(this.#o.vehicle),
        setContactors: this.#o.vehicle?.setContactors?.bind(this.#o.vehicle),
        onEvseValues: this.#o.vehicle?.onEvseValues?.bind(this.#o.vehicle),
      },
    });
    const transfer = this.#o.session.iso20?.transfer;
    if (protocol === "iso20" && transfer !== undefined && isAcdp(transfer)) this.#acdpStatus = this.#statusStream();
    this.#session.start();
  }

  // ------------------------------------------------------------ session traffic

  #sendV2g(doc: EvccDoc): void {
    const protocol = this.#schemaOf(doc);
    let sent: boolean;
    try {
      // encoded straight into the V2GTP output buffer where the codec can (no array per request)
      sent = this.#conn.sendEncoded(protocol, this.#codec, protocol, doc);
    } catch (error) {
      // Our own message does not fit the schema: a bug, reported and the session ended.
      this.#log.log("error", "evcc", "request does not encode", { error: errorText(error) });
      this.#session?.handle({ type: "control", control: { kind: "abort", detail: `encode: ${errorText(error)}` } });
      return;
    }
    if (!sent) throw new Error("connection closed");
  }

  /** The ACDP side stream: its requests go out on 0x8103 with the session's header; a fault stops the charge in order. */
  #statusStream(): AcdpStatusStream {
    return new AcdpStatusStream({
      clock: this.#o.clock,
      bms: this.#o.bms,
      logger: this.#o.logger,
      send: (name, content) => {
        const session = this.#session;
        if (session === undefined) return;
        const doc = setIso20Header({ [name]: content }, session.facts.sessionId, this.#o.unixTime?.() ?? 0n);
        this.#trace("tx", name, {});
        this.#conn.send(PayloadType.ISO20_ACDP_SYSTEM_STATUS, this.#codec.encode("iso20-acdp", doc));
      },
      onFault: () => this.#session?.stop(),
    });
  }

  /** The EXI schema of a request: DIN/ISO-2 by the protocol, -20 by the message family. */
  #schemaOf(doc: EvccDoc): SchemaId {
    const protocol = this.#protocol!;
    return protocol === "iso20" ? iso20SchemaOfMessage(messageName(doc) ?? "") : protocol;
  }

  #onMessage(message: V2gtpMessage): void {
    this.#connected = true;
    if (this.#outcome) return;
    if (this.#session === undefined) {
      if (message.schema !== "apphand") return this.#end({ reason: "sap-failed", detail: `payload type 0x${message.payloadType.toString(16)} before supportedAppProtocolRes` });
      return this.#onSapResponse(message.payload);
    }
    const protocol = this.#protocol!;
    const schema = message.schema;
    const fits = protocol === "iso20" ? schema !== undefined && schema.indexOf("iso20-") === 0 : schema === protocol;
    if (schema === undefined || !fits) {
      return this.#session.handle({ type: "bad-response", detail: `payload type 0x${message.payloadType.toString(16)} is not ${protocol}` });
    }
    let doc: EvccDoc;
    try {
      doc = this.#codec.decode(schema, message.payload) as EvccDoc;
    } catch (error) {
      return this.#session.handle({ type: "bad-response", detail: errorText(error) });
    }
    const status = this.#acdpStatus;
    if (status !== undefined && message.payloadType === PayloadType.ISO20_ACDP_SYSTEM_STATUS) {
      // The side stream's answer: not the main stream's, whatever that waits for.
      const res = (doc as { ACDP_SystemStatusRes?: Record<string, unknown> }).ACDP_SystemStatusRes;
      this.#trace("rx", "ACDP_SystemStatusRes", {});
      if (res !== undefined) status.onResponse(res);
      return;
    }
    this.#session.handle({ type: "response", message: doc });
    const acdp = this.#session.facts.iso20?.acdp;
    status?.update(acdp !== undefined && acdp.connected && !acdp.disconnected && !this.#session.ended);
  }

  #onClose(reason: V2gtpCloseReason, error?: Error): void {
    if (this.#outcome) return;
    if (!this.#connected && this.#session === undefined && reason === "socket") {
      // Never connected: not a lost link but no link at all. Hosts that can tell (Node, the
      // simulator's IP stack) mark a refusal with the POSIX code ECONNREFUSED.
      const refused = (error as { code?: unknown } | undefined)?.code === "ECONNREFUSED";
      return this.#end({ reason: refused ? "connection-refused" : "connect-failed", detail: `no TCP connection to the charger${error ? `: ${error.message}` : ""}` });
    }
    this.linkDown(`V2GTP connection closed (${reason}${error ? `: ${error.message}` : ""})`);
  }

  #onSessionStop(outcome: EvccOutcome): void {
    this.#acdpStatus?.close(); // nothing more on the side stream after SessionStop ([V2G20-4056])
    this.#outcome = { ...outcome, protocol: this.#protocol };
    this.#conn.close();
    this.#o.onStop?.(this.#outcome);
  }

  /** Ends before a session exists (SAP phase). */
  #end(result: { reason: EvccStopReason; detail?: string }): void {
    if (this.#outcome) return;
    if (this.#session) {
      this.#session.handle({ type: "control", control: { kind: "abort", detail: result.detail } });
      return;
    }
    this.#o.clock.clear(this.#sapTimer);
    this.#sapTimer = undefined;
    const outcome: EvccConnectionOutcome = { reason: result.reason, step: "SupportedAppProtocol", orderly: false, paused: false, sessionId: new Uint8Array(1) };
    if (result.detail !== undefined) outcome.detail = result.detail;
    this.#outcome = outcome;
    this.#log.log("warn", "evcc", `connection ended before the session: ${result.reason}`, { detail: result.detail });
    this.#conn.close();
    this.#o.onStop?.(outcome);
  }

  #trace(direction: "tx" | "rx", name: string, values: Record<string, string | number | boolean | undefined>): void {
    this.#log.log("trace", "evcc", `${direction} ${name}`, values);
    this.#o.onTrace?.({ at: this.#o.clock.now(), direction, name, values });
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
