// From capture frames to layered messages: SLAC/HomePlug management (ethertype 0x88E1), SDP
// (UDP 15118), V2GTP over TCP (per-flow reassembly, IPv4 and IPv6) with EXI decoding, TLS
// records (reported, not decrypted) and the TLS key-log lines the dSPACE test bench sends on
// UDP 52345.
//
// Portable (no Node imports) so the XS tests can run it. SLAC frames decode through
// modules/slac, SDP through modules/v2gtp, EXI through modules/exi (overridable for tests).
//
// Main entry points:
//   dissectCapture(capture)      every SLAC/SDP/V2GTP/TLS message, in frame order
//   extractV2gSessions(capture)  per TCP session, the ordered V2G messages (direction,
//                                timestamps, raw EXI + schema) — for replay tests

import { decode as exiDecode } from "../../../modules/exi/index";
import { formatIpv6 } from "../../../modules/v2gtp/ipv6";
import type { SchemaId } from "../../../modules/exi/index";
import { decodeHomePlugFrame } from "../../../modules/slac/index";
import { decodeSdpRequest, decodeSdpResponse, iso20SchemaOf, KNOWN_PAYLOAD_TYPES, payloadTypeName } from "../../../modules/v2gtp/index";
import type { Capture, CaptureFrame } from "../../../simulation/pcap/read";
import { ETHERTYPE_HOMEPLUG, ETHERTYPE_HOMEPLUG_AV, ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from "../../../simulation/pcap/read";

export type ExiSchema = Exclude<SchemaId, "xmldsig">;
export type Direction = "EV→EVSE" | "EVSE→EV";
export type Layer = "slac" | "sdp" | "v2gtp" | "tls";

/** Decoder overrides (tests); by default modules/exi, modules/slac and modules/v2gtp decode. */
export interface Decoders {
  /** EXI: `decode(schema, bytes)` → `{ <Root>: content }`; throws on bad input. */
  exi?: (schema: ExiSchema, bytes: Uint8Array) => object;
}

/** One TLS record of a session, in stream order, for a decryptor. */
export interface TlsRecordUnit {
  fromClient: boolean;
  /** Content type (20 ChangeCipherSpec, 21 Alert, 22 Handshake, 23 ApplicationData). */
  type: number;
  version: number;
  payload: Uint8Array;
  frame: number;
  firstFrame: number;
  time: number;
}

/** Decrypted application data of one record. */
export interface TlsPlaintext {
  fromClient: boolean;
  data: Uint8Array;
  frame: number;
  firstFrame: number;
  time: number;
}

/** Decrypts a TLS session (hosts/sim/pcap/tls.ts: `tlsDecryptor()`, Node only). */
export interface TlsDecryptor {
  decrypt(records: TlsRecordUnit[], keyLog: string[]): { plaintext: TlsPlaintext[]; version: string; cipherSuite: string } | { error: string };
}

export interface DissectOptions {
  decoders?: Decoders;
  /** Decrypts TLS sessions whose keys the capture discloses (key-log lines); off by default. */
  tls?: TlsDecryptor;
  /** Decode EXI (default true). Off: V2G messages carry raw bytes and schema only. */
  decodeExi?: boolean;
}

/** One message of any layer, as the `pcap` command lists them. */
export interface DissectedMessage {
  /** Frame number (1-based) of the frame that completed the message. */
  frame: number;
  /** Epoch milliseconds of that frame. */
  time: number;
  layer: Layer;
  type: string;
  /** Sender and receiver: MAC (SLAC) or [IPv6]:port / IPv4:port. */
  src: string;
  dst: string;
  dir?: Direction;
  /** TCP session index (0-based, in order of first appearance) for v2gtp/tls messages. */
  session?: number;
  fields: Record<string, unknown>;
  /** V2GTP payload type, EXI schema used and the EXI bytes (v2gtp only). */
  payloadType?: number;
  schema?: ExiSchema;
  exi?: Uint8Array;
  /** First frame of a message that spans several segments. */
  firstFrame?: number;
  /** Why this message could not be decoded (EXI error, bad header, bytes missing…). */
  error?: string;
}

export interface V2gMessage {
  frame: number;
  firstFrame: number;
  time: number;
  dir: Direction;
  payloadType: number;
  /** The schema the message was (or would be) decoded with; undefined when unknown. */
  schema: ExiSchema | undefined;
  /** True when no SAP negotiation told the schema and it was guessed by trial decoding. */
  schemaGuessed?: boolean;
  exi: Uint8Array;
  /** Message name: the Body child (DIN/ISO-2) or the root element (SAP/ISO-20). */
  type?: string;
  doc?: object;
  error?: string;
}

export interface Address {
  mac: string;
  ip: string;
  port: number;
}

export interface V2gSession {
  index: number;
  ev: Address;
  evse: Address;
  /** TLS records were seen: without a decryptor (or keys) `messages` is empty. */
  tls: boolean;
  /** The session was decrypted (`DissectOptions.tls` and the keys were there). */
  decrypted?: { version: string; cipherSuite: string };
  /** Why a TLS session could not be decrypted (with a decryptor given). */
  tlsError?: string;
  /** The SAP result: namespace and schema chosen (absent when no SAP was seen/decoded). */
  sap?: {
    /** The supportedAppProtocolRes ResponseCode (OK_SuccessfulNegotiation, …, Failed_NoNegotiation). */
    responseCode: string;
    /** Chosen namespace ("" when the negotiation failed or the SchemaID was not offered). */
    namespace: string;
    /** Chosen SchemaID (-1 when the response carries none). */
    schemaId: number;
    schema: ExiSchema | undefined;
    /** What the EV offered. */
    protocols: SapProtocol[];
  };
  messages: V2gMessage[];
  /** First and last frame of the TCP connection. */
  firstFrame: number;
  lastFrame: number;
  /** Reassembly notes: retransmissions, gaps in the capture. */
  notes: string[];
}

export interface SapProtocol {
  namespace: string;
  major: number;
  minor: number;
  schemaId: number;
  priority: number;
}

export interface DissectResult {
  messages: DissectedMessage[];
  sessions: V2gSession[];
  /** Epoch ms of the first frame (relative times count from here). */
  startTime: number;
  /** NSS key-log lines seen (UDP 52345 or a pcapng Decryption Secrets Block). */
  tlsKeyLog: string[];
}

// ---------------------------------------------------------------- names and helpers

const HEX = "0123456789abcdef";
const BYTE_HEX: string[] = [];
for (let i = 0; i < 256; i++) BYTE_HEX.push(HEX[i >> 4] + HEX[i & 15]);

export function hex(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += BYTE_HEX[bytes[i]];
  return s;
}

/** A compact map key for an address + port (one char per byte). */
function addrKey(ip: Uint8Array, port: number): string {
  return String.fromCharCode.apply(null, ip as unknown as number[]) + String.fromCharCode(port);
}

export function macString(b: Uint8Array): string {
  const parts: string[] = [];
  for (let i = 0; i < 6; i++) parts.push(HEX[b[i] >> 4] + HEX[b[i] & 15]);
  return parts.join(":");
}

/** IPv6 text form (RFC 5952, modules/v2gtp's formatter); IPv4 dotted. */
export function ipString(b: Uint8Array): string {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  return formatIpv6(b);
}

function endpoint(ip: Uint8Array, port: number): string {
  return ip.length === 16 ? `[${ipString(ip)}]:${port}` : `${ipString(ip)}:${port}`;
}

/** Readable name of a V2GTP payload type ("EXI", "ISO20_DC_MAINSTREAM", "0x1234"). */
export function payloadTypeLabel(payloadType: number): string {
  return `V2GTP ${payloadTypeName(payloadType)}`;
}

/** Schema fixed by a V2GTP payload type (ISO-20); 0x8001 depends on the SAP negotiation. */
export function schemaForPayloadType(payloadType: number): ExiSchema | undefined {
  const s = iso20SchemaOf(payloadType);
  return s === "xmldsig" ? undefined : s;
}

/** SAP protocol namespace → the schema of the messages that follow it. */
export function schemaForNamespace(namespace: string): ExiSchema | undefined {
  const ns = namespace.trim();
  if (ns === "urn:din:70121:2012:MsgDef") return "din";
  if (ns === "urn:iso:15118:2:2013:MsgDef") return "iso2";
  if (ns.indexOf("urn:iso:std:iso:15118:-20:") === 0) {
    const tail = ns.slice("urn:iso:std:iso:15118:-20:".length);
    if (tail === "DC") return "iso20-dc";
    if (tail === "AC") return "iso20-ac";
    if (tail === "WPT") return "iso20-wpt";
    if (tail === "ACDP") return "iso20-acdp";
    return "iso20-cm";
  }
  return undefined; // e.g. the 2010 draft urn:iso:15118:2:2010:MsgDef: no schema here
}

/** Message name of a decoded document: Body child (DIN/ISO-2), root element otherwise. */
export function messageType(schema: ExiSchema, doc: object): string {
  const root = Object.keys(doc)[0] ?? "?";
  if ((schema === "din" || schema === "iso2") && root === "V2G_Message") {
    const body = (doc as { V2G_Message?: { Body?: Record<string, unknown> } }).V2G_Message?.Body;
    const child = body ? Object.keys(body)[0] : undefined;
    return child ?? "V2G_Message (empty Body)";
  }
  return root;
}

/** The message's own content: the Body child's content (DIN/ISO-2) or the root's content. */
export function messageContent(schema: ExiSchema, doc: object): Record<string, unknown> {
  const root = Object.keys(doc)[0];
  const top = root === undefined ? undefined : (doc as Record<string, unknown>)[root];
  if ((schema === "din" || schema === "iso2") && root === "V2G_Message") {
    const body = (top as { Body?: Record<string, unknown> } | undefined)?.Body;
    const child = body ? Object.keys(body)[0] : undefined;
    const content = child === undefined ? {} : body![child];
    return isRecord(content) ? content : { value: content };
  }
  return isRecord(top) ? top : { value: top };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !(v instanceof Uint8Array) && !Array.isArray(v);
}

function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

// ---------------------------------------------------------------- IP / UDP / TCP parsing

interface IpPacket {
  src: Uint8Array;
  dst: Uint8Array;
  protocol: number;
  payload: Uint8Array;
  /** Bytes the IP header says the payload has (payload.length is less when the capture cut it). */
  payloadLength: number;
  fragment: boolean;
}

/** Parses IPv4 or IPv6 (skipping IPv6 extension headers); undefined for anything else. */
export function parseIp(ethertype: number, p: Uint8Array): IpPacket | undefined {
  if (ethertype === ETHERTYPE_IPV6) {
    if (p.length < 40 || p[0] >> 4 !== 6) return undefined;
    const plen = (p[4] << 8) | p[5];
    let next = p[6];
    let o = 40;
    let fragment = false;
    const end = 40 + plen;
    // Hop-by-hop, routing, destination options, fragment: skip to the upper layer.
    while (next === 0 || next === 43 || next === 60 || next === 44) {
      if (o + 8 > p.length) return undefined;
      const h = next;
      next = p[o];
      if (h === 44) {
        const offsetAndFlags = (p[o + 2] << 8) | p[o + 3];
        if (offsetAndFlags !== 0) fragment = true; // a real fragment (not an atomic one)
        o += 8;
      } else o += (p[o + 1] + 1) * 8;
    }
    const payload = p.subarray(Math.min(o, p.length), Math.min(end, p.length));
    return { src: p.subarray(8, 24), dst: p.subarray(24, 40), protocol: next, payload, payloadLength: Math.max(0, end - o), fragment };
  }
  if (ethertype === ETHERTYPE_IPV4) {
    if (p.length < 20 || p[0] >> 4 !== 4) return undefined;
    const ihl = (p[0] & 15) * 4;
    const total = (p[2] << 8) | p[3];
    const flagsOffset = (p[6] << 8) | p[7];
    const fragment = (flagsOffset & 0x2000) !== 0 || (flagsOffset & 0x1fff) !== 0;
    const payload = p.subarray(Math.min(ihl, p.length), Math.min(total, p.length));
    return { src: p.subarray(12, 16), dst: p.subarray(16, 20), protocol: p[9], payload, payloadLength: Math.max(0, total - ihl), fragment };
  }
  return undefined;
}

interface TcpHeader {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  payload: Uint8Array;
  /** Payload bytes on the wire (more than payload.length when the snap length cut the frame). */
  payloadLength: number;
}

function parseTcp(ip: IpPacket): TcpHeader | undefined {
  const t = ip.payload;
  if (t.length < 20) return undefined;
  const dv = new DataView(t.buffer, t.byteOffset, t.byteLength);
  const hlen = (t[12] >> 4) * 4;
  if (hlen < 20) return undefined;
  return {
    srcPort: dv.getUint16(0),
    dstPort: dv.getUint16(2),
    seq: dv.getUint32(4),
    ack: dv.getUint32(8),
    flags: t[13],
    payload: t.subarray(Math.min(hlen, t.length)),
    payloadLength: Math.max(0, ip.payloadLength - hlen),
  };
}

// ---------------------------------------------------------------- SLAC / HomePlug and SDP

function mmtypeLabel(mmtype: number): string {
  return `MMTYPE 0x${mmtype.toString(16).padStart(4, "0")}`;
}

function slacMessage(frame: CaptureFrame): DissectedMessage {
  const eth = frame.eth!;
  const base = { frame: frame.number, time: frame.time, layer: "slac" as const, src: macString(eth.src), dst: macString(eth.dst) };
  // decodeHomePlugFrame wants an Ethernet frame; rebuild one for other link types (SLL).
  let bytes = frame.data;
  if (frame.linkType !== 1) {
    bytes = new Uint8Array(14 + eth.payload.length);
    bytes.set(eth.dst, 0);
    bytes.set(eth.src, 6);
    bytes[12] = eth.ethertype >> 8;
    bytes[13] = eth.ethertype & 0xff;
    bytes.set(eth.payload, 14);
  }
  try {
    const m = decodeHomePlugFrame(bytes);
    const h = m.header;
    const fields: Record<string, unknown> = { mmv: h.mmv, mmtype: `0x${h.mmtype.toString(16).padStart(4, "0")}` };
    if (h.fmi && (h.fmi.nf !== 0 || h.fmi.fn !== 0 || h.fmi.fmsn !== 0)) fields.fmi = h.fmi;
    if (h.oui) fields.oui = h.oui;
    if (h.vlan !== undefined) fields.vlan = h.vlan;
    Object.assign(fields, m.fields as object);
    return { ...base, type: m.type === "MME" ? mmtypeLabel(h.mmtype) : m.type, fields };
  } catch (e) {
    const p = eth.payload;
    const mmtype = p.length >= 3 ? p[1] | (p[2] << 8) : -1;
    return { ...base, type: mmtype >= 0 ? mmtypeLabel(mmtype) : "HomePlug MME", fields: { payload: hex(p) }, error: errorText(e) };
  }
}

function sdpMessage(frame: CaptureFrame, payload: Uint8Array, src: string, dst: string): DissectedMessage {
  const base = { frame: frame.number, time: frame.time, layer: "sdp" as const, src, dst };
  const payloadType = payload.length >= 4 && payload[0] === 0x01 && payload[1] === 0xfe ? (payload[2] << 8) | payload[3] : -1;
  const type = payloadType === 0x9000 ? "SECCDiscoveryReq" : payloadType === 0x9001 ? "SECCDiscoveryRes" : payloadType >= 0 ? payloadTypeLabel(payloadType) : "SDP";
  try {
    if (payloadType === 0x9000) return { ...base, type, payloadType, fields: { ...decodeSdpRequest(payload) } };
    if (payloadType === 0x9001) return { ...base, type, payloadType, fields: { ...decodeSdpResponse(payload) } };
    const m: DissectedMessage = { ...base, type, fields: { payload: hex(payload) }, error: payloadType < 0 ? "no V2GTP header" : "SDP payload type not decoded here" };
    if (payloadType >= 0) m.payloadType = payloadType;
    return m;
  } catch (e) {
    return { ...base, type, payloadType, fields: { payload: hex(payload) }, error: errorText(e) };
  }
}

// ---------------------------------------------------------------- TCP reassembly

interface Chunk {
  /** Absolute stream offset (relative to the ISN) of the first byte. */
  start: number;
  data: Uint8Array;
  frame: number;
  time: number;
}

/** A unit cut out of a reassembled byte stream: a V2GTP message, a TLS record, or garbage. */
export interface StreamUnit {
  kind: "v2gtp" | "tls" | "error";
  firstFrame: number;
  frame: number;
  time: number;
  /** V2GTP: payload type and payload; TLS: content type and record body; error: the skipped bytes. */
  payloadType: number;
  payload: Uint8Array;
  /** TLS record version; error reason. */
  version?: number;
  error?: string;
  /** Emission order (ties between units completed by the same frame). */
  order: number;
}

let unitOrder = 0;

/**
 * Splits one direction's byte stream into V2GTP messages or TLS records. Bytes come in order
 * (from the reassembler); `gap()` says bytes are missing (not captured): the partial unit is
 * reported and parsing resynchronises on the next V2GTP header.
 */
export class StreamSplitter {
  /** "other": the stream did not start with V2GTP or TLS (another protocol); its bytes are ignored. */
  mode: "unknown" | "v2gtp" | "tls" | "other" = "unknown";
  readonly units: StreamUnit[] = [];
  private buf = new Uint8Array(0);
  private bufStart = 0;
  /** Per delivered chunk: where it ends, the frame that made it available, the frame it arrived in. */
  private marks: { end: number; frame: number; time: number; arrived: number }[] = [];
  private resync = false;
  private lastFrame = 0;
  private lastTime = 0;

  /** Bytes at stream offset `start`, available since `frame` (carried by frame `arrived`, earlier when reordered). */
  push(start: number, data: Uint8Array, frame: number, time: number, arrived = frame): void {
    if (data.length === 0) return;
    if (this.buf.length === 0) this.bufStart = start;
    const nb = new Uint8Array(this.buf.length + data.length);
    nb.set(this.buf);
    nb.set(data, this.buf.length);
    this.buf = nb;
    this.marks.push({ end: start + data.length, frame, time, arrived });
    this.lastFrame = frame;
    this.lastTime = time;
    this.parse();
  }

  /** Bytes before `nextStart` were never captured. */
  gap(nextStart: number, frame: number, time: number): void {
    if (this.buf.length > 0 && this.isV2g) this.emitError(this.buf.length, "bytes missing from the capture: message incomplete", frame, time);
    this.buf = new Uint8Array(0);
    this.bufStart = nextStart;
    this.marks = [];
    this.resync = true;
    if (this.mode === "tls") this.mode = "other";
  }

  /** End of stream (FIN/RST or end of capture). */
  end(): void {
    if (this.buf.length > 0 && this.isV2g) this.emitError(this.buf.length, "stream ended inside a message", this.lastFrame, this.lastTime);
    this.buf = new Uint8Array(0);
    this.marks = [];
  }

  /** True when this stream carried V2GTP or TLS. */
  get isV2g(): boolean {
    return this.mode === "v2gtp" || this.mode === "tls";
  }

  private frameAt(pos: number): { frame: number; time: number; arrived: number } {
    for (const m of this.marks) if (pos < m.end) return m;
    const last = this.marks[this.marks.length - 1];
    return last ?? { frame: this.lastFrame, time: this.lastTime, arrived: this.lastFrame };
  }

  private consume(n: number): void {
    this.buf = this.buf.subarray(n);
    this.bufStart += n;
    while (this.marks.length > 0 && this.marks[0].end <= this.bufStart) this.marks.shift();
  }

  private emitError(n: number, reason: string, frame?: number, time?: number): void {
    const first = this.frameAt(this.bufStart);
    const last = frame === undefined ? this.frameAt(this.bufStart + n - 1) : { frame, time: time! };
    this.units.push({
      kind: "error",
      firstFrame: first.arrived,
      frame: last.frame,
      time: last.time,
      payloadType: 0,
      payload: this.buf.subarray(0, n),
      error: reason,
      order: unitOrder++,
    });
  }

  private parse(): void {
    for (;;) {
      const b = this.buf;
      if (b.length === 0) return;
      if (this.mode === "unknown" || this.mode === "other") {
        if (b.length < 4) return;
        if (b[0] === 0x01 && b[1] === 0xfe && knownPayloadType((b[2] << 8) | b[3])) this.mode = "v2gtp";
        else if (b[0] >= 0x14 && b[0] <= 0x18 && b[1] === 0x03 && b[2] <= 0x04) this.mode = "tls";
        else {
          // Another protocol (or a capture that starts mid-message): ignore this chunk; a
          // later chunk that starts with a V2GTP header switches to V2GTP.
          this.mode = "other";
          this.consume(b.length);
          return;
        }
      }
      if (this.mode === "tls") {
        if (b.length < 5) return;
        const len = (b[3] << 8) | b[4];
        if (b[1] !== 0x03 || b[0] < 0x14 || b[0] > 0x18) {
          this.emitError(b.length, "not a TLS record header");
          this.consume(b.length);
          return;
        }
        if (b.length < 5 + len) return;
        const first = this.frameAt(this.bufStart);
        const last = this.frameAt(this.bufStart + 5 + len - 1);
        this.units.push({
          kind: "tls",
          firstFrame: first.arrived,
          frame: last.frame,
          time: last.time,
          payloadType: b[0],
          version: (b[1] << 8) | b[2],
          payload: b.subarray(5, 5 + len),
          order: unitOrder++,
        });
        this.consume(5 + len);
        continue;
      }
      // V2GTP
      if (this.resync || !(b[0] === 0x01 && (b.length < 2 || b[1] === 0xfe))) {
        const at = findV2gtpHeader(b);
        if (at < 0) {
          // keep the last 7 bytes: a header may start there
          const keep = Math.min(b.length, 7);
          if (b.length > keep) {
            this.emitError(b.length - keep, "bytes that are not V2GTP skipped");
            this.consume(b.length - keep);
          }
          return;
        }
        if (at > 0) {
          this.emitError(at, "bytes that are not V2GTP skipped");
          this.consume(at);
        }
        this.resync = false;
        continue;
      }
      if (b.length < 8) return;
      const payloadType = (b[2] << 8) | b[3];
      const len = ((b[4] << 24) | (b[5] << 16) | (b[6] << 8) | b[7]) >>> 0;
      if (len > 0x400000) {
        this.emitError(8, `V2GTP payload length ${len} implausible`);
        this.consume(8);
        this.resync = true;
        continue;
      }
      if (b.length < 8 + len) return;
      const first = this.frameAt(this.bufStart);
      const last = this.frameAt(this.bufStart + 8 + len - 1);
      this.units.push({
        kind: "v2gtp",
        firstFrame: first.arrived,
        frame: last.frame,
        time: last.time,
        payloadType,
        payload: b.subarray(8, 8 + len),
        order: unitOrder++,
      });
      this.consume(8 + len);
    }
  }
}

function knownPayloadType(t: number): boolean {
  return KNOWN_PAYLOAD_TYPES.indexOf(t) >= 0;
}

function findV2gtpHeader(b: Uint8Array): number {
  for (let i = 0; i + 4 <= b.length; i++) {
    if (b[i] === 0x01 && b[i + 1] === 0xfe && knownPayloadType((b[i + 2] << 8) | b[i + 3])) return i;
  }
  return -1;
}

/** One direction of a TCP connection: orders segments by sequence number and feeds a splitter. */
export class HalfStream {
  readonly splitter = new StreamSplitter();
  isn: number | undefined;
  /** Next expected offset (relative to isn). */
  next = 0;
  private pending: Chunk[] = [];
  retransmissions = 0;
  gaps = 0;
  finSeen = false;

  /** Sets the initial sequence number from a SYN (first data byte is isn + 1). */
  syn(seq: number): void {
    if (this.isn === undefined) this.isn = (seq + 1) >>> 0;
  }

  /** A segment's payload (`capturedLength` bytes of `wireLength` were captured). */
  segment(seq: number, data: Uint8Array, wireLength: number, frame: number, time: number): void {
    if (this.isn === undefined) this.isn = seq >>> 0;
    let rel = (seq - this.isn) >>> 0;
    if (rel > 0x80000000) {
      // before the ISN: data of an older connection or an older retransmission
      this.retransmissions++;
      return;
    }
    if (wireLength === 0) return;
    // the part the snap length cut off is a hole; keep what was captured
    let d = data.subarray(0, Math.min(data.length, wireLength));
    if (rel + wireLength <= this.next) {
      this.retransmissions++;
      return;
    }
    if (rel < this.next) {
      d = d.subarray(Math.min(d.length, this.next - rel));
      rel = this.next;
    }
    if (d.length > 0) this.insert({ start: rel, data: d, frame, time });
    this.drain(frame, time);
  }

  private insert(c: Chunk): void {
    let i = this.pending.length;
    while (i > 0 && this.pending[i - 1].start > c.start) i--;
    const same = this.pending[i - 1];
    if (same !== undefined && same.start === c.start) {
      this.retransmissions++;
      if (same.data.length >= c.data.length) return;
      this.pending[i - 1] = c;
      return;
    }
    this.pending.splice(i, 0, c);
  }

  /** Delivers the in-order chunks; they became available with frame `frame` (the latest one). */
  private drain(frame: number, time: number): void {
    while (this.pending.length > 0 && this.pending[0].start <= this.next) {
      const c = this.pending.shift()!;
      const end = c.start + c.data.length;
      if (end <= this.next) {
        this.retransmissions++;
        continue;
      }
      const d = c.data.subarray(this.next - c.start);
      const later = c.frame > frame;
      this.splitter.push(this.next, d, later ? c.frame : frame, later ? c.time : time, c.frame);
      this.next = end;
    }
  }

  /** The peer acknowledged `ack`: bytes before it were sent; if we never saw them, skip the hole. */
  acked(ack: number, frame: number, time: number): void {
    if (this.isn === undefined) return;
    const rel = (ack - this.isn) >>> 0;
    if (rel > 0x80000000 || rel <= this.next) return;
    if (this.pending.length > 0 && this.pending[0].start <= rel) this.skipHole(frame, time);
  }

  private skipHole(frame: number, time: number): void {
    const c = this.pending[0];
    this.gaps++;
    this.splitter.gap(c.start, frame, time);
    this.next = c.start;
    this.drain(frame, time);
  }

  /** End of the connection or capture: deliver what is left, skipping holes. */
  finish(): void {
    while (this.pending.length > 0) this.skipHole(this.pending[0].frame, this.pending[0].time);
    this.splitter.end();
  }
}

interface Flow {
  key: string;
  index: number;
  a: { mac: Uint8Array; ip: Uint8Array; port: number };
  b: { mac: Uint8Array; ip: Uint8Array; port: number };
  /** Side that sent the SYN (the client = the EV), if seen. */
  client: "a" | "b" | undefined;
  ab: HalfStream;
  ba: HalfStream;
  closed: boolean;
  dataSeen: boolean;
  firstFrame: number;
  lastFrame: number;
  /** Side whose first data came first. */
  firstSender: "a" | "b" | undefined;
}

// ---------------------------------------------------------------- the dissector

/** Dissects a whole capture. Never throws for bad peer data: problems are per-message `error`s. */
export function dissectCapture(capture: Capture, options: DissectOptions = {}): DissectResult {
  const decoders = options.decoders ?? {};
  const decodeExiOn = options.decodeExi !== false;
  const exi = decoders.exi ?? ((schema: ExiSchema, bytes: Uint8Array) => exiDecode(schema, bytes));
  const messages: (DissectedMessage & { order: number })[] = [];
  const flows: Flow[] = [];
  const openFlows: Record<string, Flow> = {};
  const keyLog: string[] = [];
  const sdpPorts: number[] = [];
  if (capture.tlsKeyLog) for (const line of capture.tlsKeyLog.split("\n")) if (line.trim().length > 0) keyLog.push(line.trim());
  let order = 0;
  const startTime = capture.frames.length > 0 ? capture.frames[0].time : 0;

  const push = (m: DissectedMessage) => messages.push({ ...m, order: order++ });

  for (const frame of capture.frames) {
    const eth = frame.eth;
    if (eth === undefined) continue;
    if (eth.ethertype === ETHERTYPE_HOMEPLUG || eth.ethertype === ETHERTYPE_HOMEPLUG_AV) {
      push(slacMessage(frame));
      continue;
    }
    const ip = parseIp(eth.ethertype, eth.payload);
    if (ip === undefined || ip.fragment) continue;
    if (ip.protocol === 17) {
      const u = ip.payload;
      if (u.length < 8) continue;
      const srcPort = (u[0] << 8) | u[1];
      const dstPort = (u[2] << 8) | u[3];
      const len = (u[4] << 8) | u[5];
      const payload = u.subarray(8, Math.max(8, Math.min(len, u.length)));
      const src = endpoint(ip.src, srcPort);
      const dst = endpoint(ip.dst, dstPort);
      if (srcPort === 15118 || dstPort === 15118) {
        const m = sdpMessage(frame, payload, src, dst);
          if (m.type === "SECCDiscoveryRes" && typeof m.fields.port === "number") sdpPorts.push(m.fields.port);
        push(m);
      } else if (srcPort === 52345 || dstPort === 52345) {
        const text = latin1(payload);
        for (const line of text.split("\n")) {
          const t = line.trim();
          if (t.length === 0 || t[0] === "#") continue;
          keyLog.push(t);
          const parts = t.split(" ");
          push({
            frame: frame.number,
            time: frame.time,
            layer: "tls",
            type: "TLS key log",
            src,
            dst,
            fields: { label: parts[0], clientRandom: parts[1] ?? "" },
          });
        }
      }
      continue;
    }
    if (ip.protocol !== 6) continue;
    const tcp = parseTcp(ip);
    if (tcp === undefined) continue;
    const ka = addrKey(ip.src, tcp.srcPort);
    const kb = addrKey(ip.dst, tcp.dstPort);
    const key = ka < kb ? `${ka}|${kb}` : `${kb}|${ka}`;
    let flow: Flow | undefined = openFlows[key];
    const isSyn = (tcp.flags & 0x02) !== 0 && (tcp.flags & 0x10) === 0;
    if (flow !== undefined && isSyn) {
      // A new connection on the same 4-tuple, unless this is a SYN retransmission
      const half = sameSide(flow, ip.src, tcp.srcPort) === "a" ? flow.ab : flow.ba;
      const fresh = flow.closed || flow.dataSeen;
      if (fresh && !(half.isn === ((tcp.seq + 1) >>> 0) && !flow.dataSeen)) {
        finishFlow(flow);
        flow = undefined;
      }
    }
    if (flow === undefined) {
      // only SYN, data or FIN start a flow (stray ACKs of a closed one do not)
      if (!isSyn && tcp.payloadLength === 0) continue;
      flow = {
        key,
        index: flows.length,
        a: { mac: eth.src, ip: ip.src, port: tcp.srcPort },
        b: { mac: eth.dst, ip: ip.dst, port: tcp.dstPort },
        client: undefined,
        ab: new HalfStream(),
        ba: new HalfStream(),
        closed: false,
        dataSeen: false,
        firstFrame: frame.number,
        lastFrame: frame.number,
        firstSender: undefined,
      };
      flows.push(flow);
      openFlows[key] = flow;
    }
    flow.lastFrame = frame.number;
    const side = sameSide(flow, ip.src, tcp.srcPort);
    const half = side === "a" ? flow.ab : flow.ba;
    const other = side === "a" ? flow.ba : flow.ab;
    if (tcp.flags & 0x02) {
      half.syn(tcp.seq);
      if ((tcp.flags & 0x10) === 0) flow.client = side;
      else if (flow.client === undefined) flow.client = side === "a" ? "b" : "a";
    }
    if (tcp.payloadLength > 0) {
      flow.dataSeen = true;
      if (flow.firstSender === undefined) flow.firstSender = side;
      half.segment(tcp.seq, tcp.payload, tcp.payloadLength, frame.number, frame.time);
    }
    if (tcp.flags & 0x10) other.acked(tcp.ack, frame.number, frame.time);
    if (tcp.flags & 0x05) {
      if (tcp.flags & 0x01) half.finSeen = true;
      if (tcp.flags & 0x04 || (flow.ab.finSeen && flow.ba.finSeen)) flow.closed = true;
    }
  }
  for (const flow of flows) finishFlow(flow);

  // Phase 2: per session, V2GTP units in completion order, decoded with the SAP state.
  const sessions: V2gSession[] = [];
  for (const flow of flows) {
    if (!flow.ab.splitter.isV2g && !flow.ba.splitter.isV2g) continue; // not V2G traffic
    const units = flow.ab.splitter.units.map((u) => ({ u, fromA: true })).concat(flow.ba.splitter.units.map((u) => ({ u, fromA: false })));
    if (units.length === 0) continue;
    units.sort((x, y) => x.u.frame - y.u.frame || x.u.order - y.u.order);
    const clientSide = flowClient(flow, sdpPorts, units);
    const evIsA = clientSide === "a";
    const addr = (s: Flow["a"]): Address => ({ mac: macString(s.mac), ip: ipString(s.ip), port: s.port });
    const session: V2gSession = {
      index: sessions.length,
      ev: addr(evIsA ? flow.a : flow.b),
      evse: addr(evIsA ? flow.b : flow.a),
      tls: flow.ab.splitter.mode === "tls" || flow.ba.splitter.mode === "tls",
      messages: [],
      firstFrame: flow.firstFrame,
      lastFrame: flow.lastFrame,
      notes: [],
    };
    const retrans = flow.ab.retransmissions + flow.ba.retransmissions;
    const gaps = flow.ab.gaps + flow.ba.gaps;
    if (retrans > 0) session.notes.push(`${retrans} retransmitted or duplicate segments ignored`);
    if (gaps > 0) session.notes.push(`${gaps} gaps (bytes not captured) skipped`);
    sessions.push(session);
    if (session.tls && options.tls) {
      const records: TlsRecordUnit[] = [];
      for (const { u, fromA } of units) {
        if (u.kind !== "tls") continue;
        records.push({ fromClient: fromA === evIsA, type: u.payloadType, version: u.version ?? 0, payload: u.payload, frame: u.frame, firstFrame: u.firstFrame, time: u.time });
      }
      const result = options.tls.decrypt(records, keyLog);
      if ("error" in result) session.tlsError = result.error;
      else {
        session.decrypted = { version: result.version, cipherSuite: result.cipherSuite };
        const client = new StreamSplitter();
        const server = new StreamSplitter();
        let co = 0;
        let so = 0;
        for (const p of result.plaintext) {
          if (p.fromClient) {
            client.push(co, p.data, p.frame, p.time, p.firstFrame);
            co += p.data.length;
          } else {
            server.push(so, p.data, p.frame, p.time, p.firstFrame);
            so += p.data.length;
          }
        }
        client.end();
        server.end();
        for (const u of client.units) units.push({ u, fromA: evIsA });
        for (const u of server.units) units.push({ u, fromA: !evIsA });
        units.sort((x, y) => x.u.frame - y.u.frame || x.u.order - y.u.order);
      }
    }
    const sap = new SapTracker();
    for (const { u, fromA } of units) {
      const dir: Direction = fromA === evIsA ? "EV→EVSE" : "EVSE→EV";
      const s = fromA ? flow.a : flow.b;
      const r = fromA ? flow.b : flow.a;
      const base = {
        frame: u.frame,
        time: u.time,
        src: endpoint(s.ip, s.port),
        dst: endpoint(r.ip, r.port),
        dir,
        session: session.index,
      };
      const first = u.firstFrame !== u.frame ? { firstFrame: u.firstFrame } : {};
      if (u.kind === "tls") {
        push({ ...base, ...first, layer: "tls", type: "TLS record", fields: tlsFields(u) });
        continue;
      }
      if (u.kind === "error") {
        push({ ...base, ...first, layer: "v2gtp", type: "V2GTP error", fields: { length: u.payload.length }, error: u.error! });
        continue;
      }
      if (schemaForPayloadType(u.payloadType) === undefined && u.payloadType !== 0x8001) {
        push({ ...base, ...first, layer: "v2gtp", type: payloadTypeLabel(u.payloadType), fields: { payload: hex(u.payload) }, payloadType: u.payloadType, error: "payload type not expected on a V2G TCP stream" });
        continue;
      }
      const vm = sap.decode(dir, u, decodeExiOn ? exi : undefined);
      const v2g: V2gMessage = { frame: u.frame, firstFrame: u.firstFrame, time: u.time, dir, payloadType: u.payloadType, schema: vm.schema, exi: u.payload };
      if (vm.guessed) v2g.schemaGuessed = true;
      if (vm.type !== undefined) v2g.type = vm.type;
      if (vm.doc !== undefined) v2g.doc = vm.doc;
      if (vm.error !== undefined) v2g.error = vm.error;
      session.messages.push(v2g);
      const fields: Record<string, unknown> = vm.doc !== undefined && vm.schema !== undefined ? messageFields(vm.schema, vm.doc) : { exi: hex(u.payload) };
      const m: DissectedMessage = {
        ...base,
        ...first,
        layer: "v2gtp",
        type: vm.type ?? payloadTypeLabel(u.payloadType),
        fields,
        payloadType: u.payloadType,
        exi: u.payload,
      };
      if (vm.schema !== undefined) m.schema = vm.schema;
      if (vm.error !== undefined) m.error = vm.error;
      push(m);
    }
    if (sap.result) session.sap = sap.result;
  }

  messages.sort((x, y) => x.frame - y.frame || x.order - y.order);
  const out: DissectedMessage[] = messages.map((m) => {
    const { order: _o, ...rest } = m;
    return rest;
  });
  return { messages: out, sessions, startTime, tlsKeyLog: keyLog };
}

/**
 * Per TCP session, the ordered V2G messages (direction, timestamps, raw EXI + schema, decoded
 * document when the codec manages). For replay tests: `session.messages.filter(m => m.dir ===
 * "EV→EVSE")` are the car's requests.
 */
export function extractV2gSessions(capture: Capture, options: DissectOptions = {}): V2gSession[] {
  return dissectCapture(capture, options).sessions;
}

function sameSide(flow: Flow, ip: Uint8Array, port: number): "a" | "b" {
  if (port !== flow.a.port || ip.length !== flow.a.ip.length) return "b";
  for (let i = 0; i < ip.length; i++) if (ip[i] !== flow.a.ip[i]) return "b";
  return "a";
}

function finishFlow(flow: Flow): void {
  flow.ab.finish();
  flow.ba.finish();
}

function flowClient(flow: Flow, sdpPorts: number[], units: { u: StreamUnit; fromA: boolean }[]): "a" | "b" {
  if (flow.client !== undefined) return flow.client;
  const aServer = sdpPorts.indexOf(flow.a.port) >= 0;
  const bServer = sdpPorts.indexOf(flow.b.port) >= 0;
  if (aServer !== bServer) return aServer ? "b" : "a";
  if (units.length > 0) return units[0].fromA ? "a" : "b";
  return flow.firstSender ?? "a";
}

function latin1(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}

const TLS_CONTENT: Record<number, string> = { 20: "ChangeCipherSpec", 21: "Alert", 22: "Handshake", 23: "ApplicationData", 24: "Heartbeat" };
const TLS_HANDSHAKE: Record<number, string> = {
  1: "ClientHello",
  2: "ServerHello",
  4: "NewSessionTicket",
  8: "EncryptedExtensions",
  11: "Certificate",
  12: "ServerKeyExchange",
  13: "CertificateRequest",
  14: "ServerHelloDone",
  15: "CertificateVerify",
  16: "ClientKeyExchange",
  20: "Finished",
};

function tlsFields(u: StreamUnit): Record<string, unknown> {
  const v = u.version ?? 0;
  const fields: Record<string, unknown> = {
    content: TLS_CONTENT[u.payloadType] ?? `type ${u.payloadType}`,
    version: v === 0x0301 ? "TLS 1.0" : v === 0x0302 ? "TLS 1.1" : v === 0x0303 ? "TLS 1.2" : `0x${v.toString(16)}`,
    length: u.payload.length,
  };
  if (u.payloadType === 22 && u.payload.length >= 4) {
    // Only meaningful while the handshake is in clear; encrypted handshake records show garbage types.
    const name = TLS_HANDSHAKE[u.payload[0]];
    const hlen = (u.payload[1] << 16) | (u.payload[2] << 8) | u.payload[3];
    if (name !== undefined && hlen + 4 <= u.payload.length) fields.handshake = name;
    else fields.handshake = "encrypted";
  }
  return fields;
}

/** JSON-ready fields of a decoded V2G message: the message content, plus the SessionID. */
function messageFields(schema: ExiSchema, doc: object): Record<string, unknown> {
  const content = messageContent(schema, doc);
  if (schema === "din" || schema === "iso2") {
    const header = (doc as { V2G_Message?: { Header?: Record<string, unknown> } }).V2G_Message?.Header;
    if (header !== undefined) return { Header: header, ...content };
  }
  return content;
}

// ---------------------------------------------------------------- SAP tracking and schema choice

interface Decoded {
  schema: ExiSchema | undefined;
  guessed?: boolean;
  type?: string;
  doc?: object;
  error?: string;
}

/**
 * Follows one session's supportedAppProtocol negotiation and picks each message's schema: the
 * first 0x8001 message of each direction is SAP (apphand); after the response, the schema of
 * the namespace whose SchemaID the SECC chose. When the first message is not SAP (capture
 * started mid-session), DIN and ISO-2 are tried and the one that decodes is kept (`guessed`).
 */
export class SapTracker {
  protocols: SapProtocol[] = [];
  result: V2gSession["sap"] | undefined;
  private sapSeen: Record<Direction, boolean> = { "EV→EVSE": false, "EVSE→EV": false };
  private guessedSchema: ExiSchema | undefined;

  decode(dir: Direction, u: { payloadType: number; payload: Uint8Array }, exi: ((s: ExiSchema, b: Uint8Array) => object) | undefined): Decoded {
    const fixed = schemaForPayloadType(u.payloadType);
    if (fixed !== undefined) return tryDecode(fixed, u.payload, exi);
    if (u.payloadType !== 0x8001) return { schema: undefined, error: `V2GTP payload type 0x${u.payloadType.toString(16)} carries no EXI this tool knows` };
    if (!this.sapSeen[dir] && this.guessedSchema === undefined) {
      this.sapSeen[dir] = true;
      const d = tryDecode("apphand", u.payload, exi);
      if (d.doc !== undefined) {
        this.onSap(d.doc);
        return d;
      }
      if (exi === undefined) return d; // assumed SAP
      const g = this.guess(u.payload, exi);
      return g ?? d;
    }
    const schema = this.result?.schema ?? this.guessedSchema;
    if (schema === undefined) {
      const why =
        this.result === undefined
          ? "no SAP negotiation decoded"
          : `negotiated ${this.result.namespace ? "namespace " + this.result.namespace : "SchemaID " + this.result.schemaId + " (not offered)"} has no schema here`;
      if (exi === undefined) return { schema: undefined };
      return this.guess(u.payload, exi) ?? { schema: undefined, error: `schema unknown (${why}) and neither ISO-2 nor DIN decodes it` };
    }
    const d = tryDecode(schema, u.payload, exi);
    if (this.result === undefined) d.guessed = true;
    return d;
  }

  private guess(bytes: Uint8Array, exi: (s: ExiSchema, b: Uint8Array) => object): Decoded | undefined {
    const order: ExiSchema[] = this.guessedSchema === "din" ? ["din", "iso2"] : ["iso2", "din"];
    for (const s of order) {
      const d = tryDecode(s, bytes, exi);
      if (d.doc !== undefined) {
        this.guessedSchema = s;
        d.guessed = true;
        return d;
      }
    }
    return undefined;
  }

  private onSap(doc: object): void {
    const req = (doc as { supportedAppProtocolReq?: { AppProtocol?: Record<string, unknown>[] } }).supportedAppProtocolReq;
    if (req !== undefined) {
      this.protocols = (req.AppProtocol ?? []).map((p) => ({
        namespace: String(p.ProtocolNamespace ?? ""),
        major: Number(p.VersionNumberMajor ?? 0),
        minor: Number(p.VersionNumberMinor ?? 0),
        schemaId: Number(p.SchemaID ?? -1),
        priority: Number(p.Priority ?? 0),
      }));
      return;
    }
    const res = (doc as { supportedAppProtocolRes?: { ResponseCode?: string; SchemaID?: number } }).supportedAppProtocolRes;
    if (res !== undefined) {
      const id = res.SchemaID === undefined ? -1 : Number(res.SchemaID);
      const p = this.protocols.find((x) => x.schemaId === id);
      const namespace = p?.namespace ?? "";
      this.result = { responseCode: String(res.ResponseCode ?? ""), namespace, schemaId: id, schema: schemaForNamespace(namespace), protocols: this.protocols };
    }
  }
}

function tryDecode(schema: ExiSchema, bytes: Uint8Array, exi: ((s: ExiSchema, b: Uint8Array) => object) | undefined): Decoded {
  if (exi === undefined) return { schema };
  try {
    const doc = exi(schema, bytes);
    return { schema, doc, type: messageType(schema, doc) };
  } catch (e) {
    return { schema, error: errorText(e) };
  }
}
