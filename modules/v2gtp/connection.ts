// A V2GTP connection: one StreamSocket (TCP or TLS), incoming messages reassembled and tagged
// with their EXI schema, outgoing payloads framed. What the session layer talks to.
//
//   const conn = new V2gtpConnection({
//     open: (callbacks) => listener.read(callbacks),            // charger: an accepted socket
//     // open: (callbacks) => new Tcp({ address, port, ...callbacks }),  // vehicle
//     onMessage: ({ schema, payload }) => { const doc = decode(schema!, payload); … },
//     onClose: (reason, error) => { … },
//   });
//   conn.send("apphand", encode("apphand", res));
//   conn.selectProtocol("iso2");   // after the SAP handshake: 0x8001 now carries ISO-2
//
// Payload views passed to onMessage live in a reused buffer: decode (or copy) them before the
// callback returns. Header errors are reported through onError; V2GTP has no negative
// acknowledgement, so by default the connection closes (as Josev and EVerest do): after a bad
// version the framing is lost anyway, and an unknown type or an oversize payload means the
// peer speaks something we cannot answer. `closeOnHeaderError: false` keeps a well-framed
// stream open and skips the bad message instead.

import type { IoCallbacks, StreamSocket } from "../common/io";
import { asBytes } from "../common/bytes";
import type { Logger } from "../common/log";
import { silentLogger } from "../common/log";
import { ImplementationError } from "../common/errors";
import type { SchemaId } from "../exi/index";
import { PayloadType, STREAM_PAYLOAD_TYPES, V2GTP_HEADER_LENGTH, iso20SchemaOf, payloadTypeOf, payloadTypeName, writeHeader } from "./header";
import type { V2gtpError } from "./header";
import { DEFAULT_MAX_PAYLOAD_LENGTH, V2gtpReassembler } from "./reassembler";
import type { ProtocolId } from "./sap";

export interface V2gtpMessage {
  payloadType: number;
  /**
   * The EXI schema of the payload: for 0x8001 "apphand" until selectProtocol(), then "din" or
   * "iso2"; for the ISO 15118-20 types their schema; undefined when the connection cannot tell
   * (0x8001 after an ISO 15118-20 handshake).
   */
  schema: SchemaId | undefined;
  /** Valid only during the onMessage call. */
  payload: Uint8Array;
}

export type V2gtpCloseReason =
  | "local" // close() was called
  | "socket" // the socket reported an error or the peer closed
  | "v2gtp" // a bad V2GTP header (see onError)
  | "overflow"; // the peer does not read and our output queue overflowed

export interface V2gtpConnectionOptions {
  /** Builds the socket with the connection's callbacks (see the example above). */
  open(callbacks: Required<IoCallbacks>): StreamSocket | undefined;
  /** Largest incoming payload (default 8192 bytes). Also the size of the reused output buffer. */
  maxPayloadLength?: number;
  /** Accepted incoming payload types (default: the EXI stream types 0x8001-0x8006, 0x8101-0x8104). */
  payloadTypes?: readonly number[];
  /** Close on an unknown payload type or an oversize payload too (default true). */
  closeOnHeaderError?: boolean;
  logger?: Logger;
  onMessage(message: V2gtpMessage): void;
  /** Bad data from the peer (a V2gtpError), reported before any close it causes. */
  onError?(error: V2gtpError): void;
  /** The socket is writable for the first time (connected). */
  onConnect?(): void;
  /** Called once when the connection ends, for whatever reason. */
  onClose?(reason: V2gtpCloseReason, error?: Error): void;
}

/** What sendEncoded() needs of an EXI codec (modules/exi ExiCodec). */
export interface PayloadEncoder {
  encode(schema: SchemaId, doc: object): Uint8Array;
  /**
   * Where the codec has it (ExiCodec does): writes the stream into `out` from `offset` and
   * returns its length (more than `out.length - offset`: nothing usable written).
   */
  encodeInto?(schema: SchemaId, doc: object, out: Uint8Array, offset: number): number;
}

/** Output bytes waiting for onWritable, at most this many payload maxima (then: overflow). */
const QUEUE_LIMIT_FACTOR = 4;

export class V2gtpConnection {
  readonly #options: V2gtpConnectionOptions;
  readonly #logger: Logger;
  readonly #reassembler: V2gtpReassembler;
  readonly #closeOnHeaderError: boolean;
  #socket: StreamSocket | undefined;
  #out: Uint8Array;
  #queue: Uint8Array[] = [];
  #queued = 0;
  #exiSchema: SchemaId | undefined = "apphand";
  #connected = false;
  #closed = false;

  constructor(options: V2gtpConnectionOptions) {
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    this.#closeOnHeaderError = options.closeOnHeaderError ?? true;
    const max = options.maxPayloadLength ?? DEFAULT_MAX_PAYLOAD_LENGTH;
    this.#out = new Uint8Array(V2GTP_HEADER_LENGTH + Math.min(max, 512));
    this.#reassembler = new V2gtpReassembler({
      maxPayloadLength: max,
      payloadTypes: options.payloadTypes ?? STREAM_PAYLOAD_TYPES,
      onMessage: (payloadType, payload) => this.#message(payloadType, payload),
      onError: (error) => this.#headerError(error),
    });
    const socket = options.open({
      onReadable: () => this.#readable(),
      onWritable: () => this.#writable(),
      onError: (error) => this.#end("socket", error),
    });
    if (this.#closed) {
      socket?.close();
      return;
    }
    if (!socket) throw new ImplementationError("V2gtpConnection: open() returned no socket");
    this.#socket = socket;
    this.#readable(); // in case the host delivered data while open() was still running
  }

  get closed(): boolean {
    return this.#closed;
  }

  get remoteAddress(): string | undefined {
    return this.#socket?.remoteAddress;
  }

  get remotePort(): number | undefined {
    return this.#socket?.remotePort;
  }

  /** The schema 0x8001 payloads are decoded with now. */
  get exiSchema(): SchemaId | undefined {
    return this.#exiSchema;
  }

  /**
   * After the SAP handshake: DIN or ISO-2 → 0x8001 carries that schema; an ISO 15118-20 id →
   * the -20 messages use their own payload types and 0x8001 is no longer expected.
   */
  selectProtocol(protocol: ProtocolId): void {
    this.#exiSchema = protocol === "din" ? "din" : protocol === "iso2" ? "iso2" : undefined;
  }

  /** The schema of an incoming payload type (see V2gtpMessage.schema). */
  schemaFor(payloadType: number): SchemaId | undefined {
    if (payloadType === PayloadType.EXI) return this.#exiSchema;
    return iso20SchemaOf(payloadType);
  }

  /**
   * Frames and writes a payload. `to` is a payload type or a schema (SAP/DIN/ISO-2 → 0x8001,
   * ISO-20 → its type). Returns false when the connection is closed. Throws on misuse.
   */
  send(to: number | SchemaId, payload: Uint8Array): boolean {
    const payloadType = this.#payloadType(to);
    if (this.#closed || !this.#socket) return false;
    this.#room(payload.length);
    this.#out.set(payload, V2GTP_HEADER_LENGTH);
    return this.#write(payloadType, payload.length);
  }

  /**
   * Encodes `doc` straight into the output buffer after the header and sends it (send() without
   * the encoded message's own array and its copy: the charging loop's responses, issue 15); an
   * encoder without encodeInto (a test's) encodes and is sent as send() does.
   * Returns false when the connection is closed (nothing is encoded then). Throws the
   * encoder's error (nothing is sent) and on misuse.
   */
  sendEncoded(to: number | SchemaId, encoder: PayloadEncoder, schema: SchemaId, doc: object): boolean {
    if (encoder.encodeInto === undefined) return this.send(to, encoder.encode(schema, doc));
    const payloadType = this.#payloadType(to);
    if (this.#closed || !this.#socket) return false;
    let length = encoder.encodeInto(schema, doc, this.#out, V2GTP_HEADER_LENGTH);
    if (V2GTP_HEADER_LENGTH + length > this.#out.length) {
      // longer than any message before on this connection: a buffer it fits, once
      this.#room(length);
      length = encoder.encodeInto(schema, doc, this.#out, V2GTP_HEADER_LENGTH);
    }
    return this.#write(payloadType, length);
  }

  #payloadType(to: number | SchemaId): number {
    const payloadType = typeof to === "number" ? to : payloadTypeOf(to);
    if (!(payloadType >= 0 && payloadType <= 0xffff)) throw new ImplementationError(`no payload type for '${String(to)}'`);
    return payloadType;
  }

  /** An output buffer with room for the header and `length` payload bytes. */
  #room(length: number): void {
    const total = V2GTP_HEADER_LENGTH + length;
    if (this.#out.length < total) this.#out = new Uint8Array(Math.max(total, this.#out.length * 2));
  }

  /** Heads the payload in the output buffer and writes (or queues) the message. */
  #write(payloadType: number, length: number): boolean {
    writeHeader(this.#out, 0, payloadType, length);
    const bytes = this.#out.subarray(0, V2GTP_HEADER_LENGTH + length);
    if (this.#queue.length > 0 || !this.#tryWrite(bytes)) this.#enqueue(bytes);
    return !this.#closed;
  }

  /** Closes the socket; onClose("local") runs once. Harmless twice. */
  close(): void {
    this.#end("local");
  }

  #tryWrite(bytes: Uint8Array): boolean {
    try {
      // ECMA-419: write() copies the bytes or throws when the output is full
      this.#socket!.write(bytes);
      return true;
    } catch {
      return false;
    }
  }

  #enqueue(bytes: Uint8Array): void {
    this.#queued += bytes.length;
    const limit = QUEUE_LIMIT_FACTOR * (V2GTP_HEADER_LENGTH + this.#reassembler.maxPayloadLength);
    if (this.#queued > limit) {
      this.#end("overflow", new ImplementationError(`output queue over ${limit} bytes: the peer does not read`));
      return;
    }
    this.#queue.push(bytes.slice());
  }

  #writable(): void {
    if (this.#closed) return;
    while (this.#queue.length > 0) {
      if (!this.#tryWrite(this.#queue[0])) return;
      this.#queued -= this.#queue[0].length;
      this.#queue.shift();
    }
    if (!this.#connected) {
      this.#connected = true;
      this.#options.onConnect?.();
    }
  }

  #readable(): void {
    const socket = this.#socket;
    if (!socket) return;
    while (!this.#closed) {
      const data = socket.read();
      if (data === undefined) return;
      this.#reassembler.push(asBytes(data));
    }
  }

  #message(payloadType: number, payload: Uint8Array): void {
    if (this.#closed) return;
    this.#options.onMessage({ payloadType, schema: this.schemaFor(payloadType), payload });
  }

  #headerError(error: V2gtpError): void {
    if (this.#closed) return;
    this.#logger.log("warn", "v2gtp", "bad V2GTP header", {
      reason: error.reason,
      message: error.message,
      payloadType: error.payloadType >= 0 ? payloadTypeName(error.payloadType) : undefined,
    });
    this.#options.onError?.(error);
    if (error.action === "close" || this.#closeOnHeaderError) this.#end("v2gtp", error);
  }

  #end(reason: V2gtpCloseReason, error?: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    this.#queued = 0;
    try {
      this.#socket?.close();
    } catch {
      // closing a failed socket may throw on some hosts; it is gone either way
    }
    this.#logger.log(reason === "local" ? "debug" : "info", "v2gtp", "connection closed", {
      reason,
      error: error?.message,
    });
    this.#options.onClose?.(reason, error);
  }
}
