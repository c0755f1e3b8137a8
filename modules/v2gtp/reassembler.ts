// Incremental V2GTP reassembly for a byte stream (TCP/TLS): messages split over any number of
// segments, several messages in one segment, or one byte at a time.
//
// Memory: one header buffer (8 bytes) and one payload buffer that grows on demand up to the
// configured maximum and is then reused for every message. A delivered payload is a view into
// that buffer, valid only until the callback returns — copy it (`slice()`) to keep it.

import { ImplementationError } from "../common/errors";
import { V2GTP_HEADER_LENGTH, V2gtpError, readHeader } from "./header";
import type { HeaderCheck } from "./header";

/** Default largest payload: the biggest message in ../shared/vectors/real is 4,595 bytes. */
export const DEFAULT_MAX_PAYLOAD_LENGTH = 8192;

export interface ReassemblerOptions {
  /** Largest payload accepted; longer ones are skipped with a "v2gtp-length" error. */
  maxPayloadLength?: number;
  /** Accepted payload types (default: every known type). */
  payloadTypes?: readonly number[];
  /** Initial payload buffer size (grows up to maxPayloadLength). Default 512. */
  initialCapacity?: number;
  /** A complete message. `payload` is only valid during the call. */
  onMessage(payloadType: number, payload: Uint8Array): void;
  /**
   * A bad header. With `error.action === "skip"` the reassembler skips that payload and goes on;
   * with "close" it stops (every later push is ignored until reset()).
   */
  onError(error: V2gtpError): void;
}

// Reassembly states (plain numbers: a const enum would not survive every bundler).
const State = Object.freeze({ Header: 0, Payload: 1, Skip: 2, Failed: 3 } as const);
type State = 0 | 1 | 2 | 3;

export class V2gtpReassembler {
  readonly #check: HeaderCheck;
  readonly #onMessage: (payloadType: number, payload: Uint8Array) => void;
  readonly #onError: (error: V2gtpError) => void;
  readonly #header = new Uint8Array(V2GTP_HEADER_LENGTH);
  #buffer: Uint8Array;
  #state: State = State.Header;
  #filled = 0; // bytes of the header or payload received so far
  #payloadType = 0;
  #payloadLength = 0;
  #position = 0; // stream offset, for error positions

  constructor(options: ReassemblerOptions) {
    const max = options.maxPayloadLength ?? DEFAULT_MAX_PAYLOAD_LENGTH;
    if (!(max >= 0 && max <= 0xffffffff)) throw new ImplementationError(`maxPayloadLength ${max} out of range`);
    this.#check = { maxPayloadLength: max, payloadTypes: options.payloadTypes };
    this.#onMessage = options.onMessage;
    this.#onError = options.onError;
    this.#buffer = new Uint8Array(Math.min(max, options.initialCapacity ?? 512));
  }

  get maxPayloadLength(): number {
    return this.#check.maxPayloadLength;
  }

  /** True after a "close" error: the stream cannot be resynchronised. */
  get failed(): boolean {
    return this.#state === State.Failed;
  }

  /** True when no partial message is pending (a clean point to end the stream). */
  get idle(): boolean {
    return this.#state === State.Header && this.#filled === 0;
  }

  /** Bytes of the current partial message (header included) received so far. */
  get pending(): number {
    if (this.#state === State.Header) return this.#filled;
    return V2GTP_HEADER_LENGTH + this.#filled;
  }

  /** Forget any partial message and a failure; keep the buffer. */
  reset(): void {
    this.#state = State.Header;
    this.#filled = 0;
    this.#position = 0;
  }

  /** Feeds bytes from the stream; callbacks run synchronously, in stream order. */
  push(chunk: Uint8Array): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      switch (this.#state) {
        case State.Failed:
          return;
        case State.Header: {
          const take = Math.min(V2GTP_HEADER_LENGTH - this.#filled, n - i);
          for (let k = 0; k < take; k++) this.#header[this.#filled + k] = chunk[i + k];
          this.#filled += take;
          i += take;
          if (this.#filled < V2GTP_HEADER_LENGTH) break;
          this.#startPayload();
          break;
        }
        case State.Payload: {
          const take = Math.min(this.#payloadLength - this.#filled, n - i);
          this.#buffer.set(chunk.subarray(i, i + take), this.#filled);
          this.#filled += take;
          i += take;
          if (this.#filled === this.#payloadLength) this.#deliver();
          break;
        }
        case State.Skip: {
          const take = Math.min(this.#payloadLength - this.#filled, n - i);
          this.#filled += take;
          i += take;
          if (this.#filled === this.#payloadLength) this.#next();
          break;
        }
      }
    }
  }

  #startPayload(): void {
    const start = this.#position;
    let header;
    try {
      header = readHeader(this.#header, 0, this.#check, start);
    } catch (error) {
      const e = error as V2gtpError;
      if (e.action === "skip") {
        this.#state = State.Skip;
        this.#payloadLength = e.payloadLength;
        this.#filled = 0;
        this.#onError(e);
        if (this.#state === State.Skip && this.#payloadLength === 0) this.#next();
      } else {
        this.#state = State.Failed;
        this.#onError(e);
      }
      return;
    }
    this.#payloadType = header.payloadType;
    this.#payloadLength = header.payloadLength;
    this.#filled = 0;
    if (this.#buffer.length < header.payloadLength) {
      // grow geometrically, never past the maximum (checked by readHeader)
      let size = Math.max(this.#buffer.length * 2, 64);
      while (size < header.payloadLength) size *= 2;
      this.#buffer = new Uint8Array(Math.min(size, this.#check.maxPayloadLength));
    }
    this.#state = State.Payload;
    if (header.payloadLength === 0) this.#deliver();
  }

  #deliver(): void {
    const type = this.#payloadType;
    const length = this.#payloadLength;
    this.#next();
    this.#onMessage(type, this.#buffer.subarray(0, length));
  }

  #next(): void {
    this.#position += V2GTP_HEADER_LENGTH + this.#payloadLength;
    this.#state = State.Header;
    this.#filled = 0;
  }
}
