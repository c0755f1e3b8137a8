// Schema-informed EXI codec (W3C EXI 1.0, the ISO 15118 profile: bit-packed, non-strict
// schema-informed grammars, no string-table value hits emitted). Grammar tables are generated
// from the XSDs by tools/exigen into ./generated/<schema>/.
//
// Message objects follow docs/CONVENTIONS.md: `{ <rootElementLocalName>: content }`.

import { Decoder, Encoder, type FacetPolicy, type FacetViolation } from "./codec";
import { ExiError } from "./error";
import { grammarOf, type SchemaId } from "./schemas";
import type { Grammar } from "./tables";
import type { FastCodec } from "./fast";
import type { Logger } from "../common/log";

export type { XmlElement, XmlAttribute } from "./xml-tree";
export { ExiError, type ExiErrorReason } from "./error";
export type { SchemaId } from "./schemas";
export type { FastCodec } from "./fast";
export type { FacetName, FacetPolicy, FacetViolation, WildcardItem } from "./codec";
export * as limits from "./limits";

// The generated message types, one namespace per schema (e.g. `Iso2.V2G_Message…`, `Din.Document`).
export type * as AppHand from "./generated/apphand/types";
export type * as Din from "./generated/din/types";
export type * as Iso2 from "./generated/iso2/types";
export type * as Iso20Cm from "./generated/iso20_cm/types";
export type * as Iso20Dc from "./generated/iso20_dc/types";
export type * as Iso20Ac from "./generated/iso20_ac/types";
export type * as Iso20Wpt from "./generated/iso20_wpt/types";
export type * as Iso20Acdp from "./generated/iso20_acdp/types";
export type * as XmlDsig from "./generated/xmldsig/types";

export const SCHEMA_IDS: readonly SchemaId[] = Object.freeze(["apphand", "din", "iso2", "iso20-cm", "iso20-dc", "iso20-ac", "iso20-wpt", "iso20-acdp", "xmldsig"] as SchemaId[]);

function grammar(schema: SchemaId, decoding: boolean): Grammar {
  const g = grammarOf(schema);
  if (!g) throw decoding ? new ExiError("exi-header", `unknown schema ${String(schema)}`, 0) : new ExiError("exi-encode", `unknown schema ${String(schema)}`);
  return g;
}

/** How decoding treats a peer's value that breaks its schema facet (README: Facets). */
export interface DecodeOptions {
  /** Default "field": ExiError("exi-facet"), except the violations fielded peers are known to send. */
  facets?: FacetPolicy;
  /** Each violation the decoder keeps (policy "field" or "lenient"), so the session can log it. */
  onFacetViolation?: (violation: FacetViolation) => void;
}

export interface EncodeOptions {
  /**
   * Default true: every value of our own messages must hold to its schema facets (ExiError
   * "exi-facet"). false re-encodes a peer's decoded message as it came (tools, replay).
   */
  checkFacets?: boolean;
}

export interface ExiCodecOptions extends DecodeOptions {
  /** Development aid (tools/exigen/trace.ts): called with one line per decoded schema-informed event. */
  trace?: (line: string) => void;
  /**
   * Generated codecs a host adds per schema in place of the built-in loop messages' (the Node
   * host's every-message code, hosts/sim/exi-fast; README: Performance). Same bytes and objects:
   * whatever one does not handle goes to the interpreter.
   */
  fast?: { readonly [schema in SchemaId]?: FastCodec };
}

/**
 * A reusable codec: it owns its bit reader/writer and element frame stacks and keeps them
 * between calls, so a long-lived user (one per connection) decodes and encodes without
 * re-allocating them. Not re-entrant: one codec per connection (or per task).
 * There is no module-level instance: a preloaded module's objects are read-only on the device.
 */
export class ExiCodec {
  readonly #options: ExiCodecOptions | undefined;
  #decoder: Decoder | undefined;
  #encoder: Encoder | undefined;

  constructor(options?: ExiCodecOptions) {
    this.#options = options;
  }

  /** Encodes a full EXI stream (header byte 0x80). Throws ExiError ("exi-encode": `doc` does not fit the schema; "exi-facet", "exi-limit"). */
  encode(schema: SchemaId, doc: object, options?: EncodeOptions): Uint8Array {
    return (this.#encoder ??= new Encoder()).encode(grammar(schema, false), doc, false, options?.checkFacets, this.#options?.fast?.[schema]);
  }

  /**
   * Encodes a full EXI stream like encode() into `out` from byte `offset` (the V2GTP writer's
   * buffer after its header), with no new array and no copy. Returns the stream's length in
   * bytes; where that is more than `out.length - offset`, `out` holds nothing usable: retry
   * with a buffer of at least `offset` + that length.
   */
  encodeInto(schema: SchemaId, doc: object, out: Uint8Array, offset: number, options?: EncodeOptions): number {
    return (this.#encoder ??= new Encoder()).encodeInto(grammar(schema, false), doc, out, offset, options?.checkFacets, this.#options?.fast?.[schema]);
  }

  /** Decodes a full EXI stream. Throws only ExiError. Trailing bytes after the end of the document are ignored. */
  decode(schema: SchemaId, bytes: Uint8Array): object {
    return (this.#decoder ??= newDecoder(this.#options)).decode(grammar(schema, true), bytes, false, this.#options?.fast?.[schema]);
  }

  /** Encodes an EXI fragment (for signatures: SignedInfo, the signed body element…). */
  encodeFragment(schema: SchemaId, doc: object, options?: EncodeOptions): Uint8Array {
    return (this.#encoder ??= new Encoder()).encode(grammar(schema, false), doc, true, options?.checkFacets);
  }

  decodeFragment(schema: SchemaId, bytes: Uint8Array): object {
    return (this.#decoder ??= newDecoder(this.#options)).decode(grammar(schema, true), bytes, true);
  }
}

function newDecoder(options: ExiCodecOptions | undefined): Decoder {
  return new Decoder(options?.trace, options?.facets, options?.onFacetViolation);
}

/**
 * Codec options that log each facet violation the decoder keeps (a deviation fielded peers
 * send, README: Facets) as one warning, so a session's log says which value was off and where.
 */
export function logFacetViolations(logger: Logger, source: string): ExiCodecOptions {
  return {
    onFacetViolation: (v) => logger.log("warn", source, `peer value outside its schema facet, accepted (a deviation fielded peers send): ${v.path} ${v.facet} ${v.limit}, got ${v.value}`, { path: v.path, facet: v.facet, limit: String(v.limit), value: String(v.value) }),
  };
}

/** A new reusable codec (see ExiCodec). */
export function createExiCodec(options?: ExiCodecOptions): ExiCodec {
  return new ExiCodec(options);
}

// The one-shot functions below build a decoder or encoder per call (its reader/writer, a
// 1 KB output buffer for the encoder, and the frames the message's depth needs): convenient
// for tools and tests; a connection keeps an ExiCodec instead (see tools/bench/exi.ts for both).

/** Encodes a full EXI stream (header byte 0x80). Throws ExiError ("exi-encode": `doc` does not fit the schema; "exi-facet", "exi-limit"). */
export function encode(schema: SchemaId, doc: object, options?: EncodeOptions): Uint8Array {
  return new Encoder().encode(grammar(schema, false), doc, false, options?.checkFacets);
}

/** Decodes a full EXI stream. Throws only ExiError. Trailing bytes after the end of the document are ignored. */
export function decode(schema: SchemaId, bytes: Uint8Array, options?: DecodeOptions): object {
  return newDecoder(options).decode(grammar(schema, true), bytes, false);
}

/** Encodes an EXI fragment (for signatures: SignedInfo, the signed body element…). */
export function encodeFragment(schema: SchemaId, doc: object, options?: EncodeOptions): Uint8Array {
  return new Encoder().encode(grammar(schema, false), doc, true, options?.checkFacets);
}

export function decodeFragment(schema: SchemaId, bytes: Uint8Array, options?: DecodeOptions): object {
  return newDecoder(options).decode(grammar(schema, true), bytes, true);
}
