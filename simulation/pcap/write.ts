// pcapng writer (SHB, one IDB per link type, EPB) and builders for Ethernet/IPv6/IPv4/UDP/TCP
// frames with correct checksums, so the simulator can write `--pcap FILE` captures that
// Wireshark opens and whose TCP streams its V2GTP dissector follows.
//
// Portable: no Node imports; `PcapngWriter.toBytes()` gives the file's bytes.

import { concatBytes as concat } from "../../modules/common/bytes";
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6, LINKTYPE_ETHERNET } from "./read";

// ---------------------------------------------------------------- pcapng

const UTF8 = (text: string): Uint8Array => {
  const out: number[] = [];
  for (const ch of text) {
    let c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return new Uint8Array(out);
};

function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** Encodes options (code, value) + opt_endofopt, little endian. */
function options(list: [number, Uint8Array][]): Uint8Array {
  if (list.length === 0) return new Uint8Array(0);
  let size = 4;
  for (const [, v] of list) size += 4 + pad4(v.length);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  let o = 0;
  for (const [code, v] of list) {
    dv.setUint16(o, code, true);
    dv.setUint16(o + 2, v.length, true);
    out.set(v, o + 4);
    o += 4 + pad4(v.length);
  }
  return out; // trailing 4 zero bytes = opt_endofopt
}

function block(type: number, body: Uint8Array): Uint8Array {
  const total = 12 + pad4(body.length);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, type, true);
  dv.setUint32(4, total, true);
  out.set(body, 8);
  dv.setUint32(total - 4, total, true);
  return out;
}

export interface PcapngWriterOptions {
  /** shb_userappl; default "xs15118". */
  application?: string;
  /** if_name of the Ethernet interface; default "plc0". */
  interfaceName?: string;
  /** Link type of interface 0; default Ethernet (1). */
  linkType?: number;
}

/**
 * Accumulates a pcapng file in memory: one section, one interface (Ethernet by default, µs
 * timestamps), one Enhanced Packet Block per `addFrame`.
 */
export class PcapngWriter {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;
  private count = 0;

  constructor(opts: PcapngWriterOptions = {}) {
    const shbHead = new Uint8Array(16);
    const sv = new DataView(shbHead.buffer);
    sv.setUint32(0, 0x1a2b3c4d, true);
    sv.setUint16(4, 1, true);
    sv.setUint16(6, 0, true);
    sv.setUint32(8, 0xffffffff, true); // section length: unknown (-1)
    sv.setUint32(12, 0xffffffff, true);
    this.push(block(0x0a0d0d0a, concat([shbHead, options([[4, UTF8(opts.application ?? "xs15118")]])])));
    const idbHead = new Uint8Array(8);
    const iv = new DataView(idbHead.buffer);
    iv.setUint16(0, opts.linkType ?? LINKTYPE_ETHERNET, true);
    iv.setUint32(4, 0, true); // snaplen 0: no limit
    const tsresol = new Uint8Array([6]); // µs (the default, written for clarity)
    this.push(block(0x00000001, concat([idbHead, options([[2, UTF8(opts.interfaceName ?? "plc0")], [9, tsresol]])])));
  }

  /** Adds one frame captured at `timeMs` (epoch milliseconds, fractions kept to the µs). */
  addFrame(timeMs: number, frame: Uint8Array, comment?: string): void {
    const us = Math.round(timeMs * 1000);
    const hi = Math.floor(us / 4294967296);
    const lo = us - hi * 4294967296;
    const head = new Uint8Array(20);
    const dv = new DataView(head.buffer);
    dv.setUint32(0, 0, true);
    dv.setUint32(4, hi, true);
    dv.setUint32(8, lo, true);
    dv.setUint32(12, frame.length, true);
    dv.setUint32(16, frame.length, true);
    const data = new Uint8Array(pad4(frame.length));
    data.set(frame);
    const opts = comment !== undefined ? options([[1, UTF8(comment)]]) : new Uint8Array(0);
    this.push(block(0x00000006, concat([head, data, opts])));
    this.count++;
  }

  get frameCount(): number {
    return this.count;
  }

  /**
   * TLS secrets as NSS key-log lines, written as a Decryption Secrets Block (pcapng, secrets
   * type 0x544c534b "TLSK") right after the interface description, ahead of every packet: Wireshark
   * and `xs15118 pcap` decrypt the capture's TLS streams without a separate key-log file.
   */
  addTlsKeyLog(lines: readonly string[]): void {
    if (lines.length === 0) return;
    const text = UTF8(`${lines.join("\n")}\n`);
    const head = new Uint8Array(8);
    const dv = new DataView(head.buffer);
    dv.setUint32(0, 0x544c534b, true);
    dv.setUint32(4, text.length, true);
    const data = new Uint8Array(pad4(text.length));
    data.set(text);
    const secrets = block(0x0000000a, concat([head, data]));
    // After the SHB and the IDB (chunks 0 and 1), before the first packet.
    this.chunks.splice(2, 0, secrets);
    this.size += secrets.length;
  }

  /**
   * An event that is no frame (pilot state, SLAC result, power status, session summary) as a
   * pcapng Systemd Journal Export Block (block type 9): one journal entry of `KEY=value` lines with
   * its __REALTIME_TIMESTAMP (µs since the epoch). Wireshark lists these entries between the
   * frames (its systemd journal dissector); `readCapture` returns them as `journal`. Values must
   * be one line (newlines become spaces); keys are upper case letters, digits and '_'.
   */
  addJournalEntry(timeMs: number, fields: Readonly<Record<string, string>>): void {
    let text = `__REALTIME_TIMESTAMP=${Math.round(timeMs * 1000)}\n`;
    for (const key of Object.keys(fields)) text += `${key}=${fields[key].replace(/[\r\n]+/g, " ")}\n`;
    const entry = UTF8(text);
    const data = new Uint8Array(pad4(entry.length));
    data.set(entry);
    this.push(block(0x00000009, data));
  }

  toBytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }

  private push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
  }
}


// ---------------------------------------------------------------- checksums and frames

/** The Internet checksum (RFC 1071) over the concatenation of `parts` (odd lengths allowed). */
export function internetChecksum(parts: Uint8Array[]): number {
  let sum = 0;
  let odd = false;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      sum += odd ? p[i] : p[i] << 8;
      odd = !odd;
    }
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** IPv6 (RFC 8200 §8.1) or IPv4 pseudo-header for upper-layer checksums. */
export function pseudoHeader(src: Uint8Array, dst: Uint8Array, protocol: number, length: number): Uint8Array {
  if (src.length === 16) {
    const ph = new Uint8Array(40);
    ph.set(src, 0);
    ph.set(dst, 16);
    const dv = new DataView(ph.buffer);
    dv.setUint32(32, length);
    ph[39] = protocol;
    return ph;
  }
  const ph = new Uint8Array(12);
  ph.set(src, 0);
  ph.set(dst, 4);
  ph[9] = protocol;
  ph[10] = length >> 8;
  ph[11] = length & 0xff;
  return ph;
}

export interface EthernetFields {
  dst: Uint8Array;
  src: Uint8Array;
  ethertype: number;
  payload: Uint8Array;
}

/** An Ethernet II frame (no FCS; padded to the 60-byte minimum like a capture shows it). */
export function ethernetFrame(f: EthernetFields): Uint8Array {
  const out = new Uint8Array(Math.max(60, 14 + f.payload.length));
  out.set(f.dst.subarray(0, 6), 0);
  out.set(f.src.subarray(0, 6), 6);
  out[12] = f.ethertype >> 8;
  out[13] = f.ethertype & 0xff;
  out.set(f.payload, 14);
  return out;
}

export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

/** An IPv6 packet without extension headers (hop limit 64 unless given). */
export function ipv6Packet(src: Uint8Array, dst: Uint8Array, nextHeader: number, payload: Uint8Array, hopLimit = 64): Uint8Array {
  const out = new Uint8Array(40 + payload.length);
  out[0] = 0x60;
  out[4] = payload.length >> 8;
  out[5] = payload.length & 0xff;
  out[6] = nextHeader;
  out[7] = hopLimit;
  out.set(src, 8);
  out.set(dst, 24);
  out.set(payload, 40);
  return out;
}

let ipv4Id = 1;

/** An IPv4 packet (no options, DF set) with its header checksum. */
export function ipv4Packet(src: Uint8Array, dst: Uint8Array, protocol: number, payload: Uint8Array, ttl = 64): Uint8Array {
  const out = new Uint8Array(20 + payload.length);
  const dv = new DataView(out.buffer);
  out[0] = 0x45;
  dv.setUint16(2, out.length);
  dv.setUint16(4, ipv4Id++ & 0xffff);
  dv.setUint16(6, 0x4000);
  out[8] = ttl;
  out[9] = protocol;
  out.set(src, 12);
  out.set(dst, 16);
  dv.setUint16(10, internetChecksum([out.subarray(0, 20)]));
  out.set(payload, 20);
  return out;
}

/** An IP packet for the address family of `src` (16 bytes: IPv6, 4 bytes: IPv4). */
export function ipPacket(src: Uint8Array, dst: Uint8Array, protocol: number, payload: Uint8Array): Uint8Array {
  return src.length === 16 ? ipv6Packet(src, dst, protocol, payload) : ipv4Packet(src, dst, protocol, payload);
}

/** A UDP datagram with its checksum over the pseudo-header of `srcIp`/`dstIp`. */
export function udpDatagram(srcIp: Uint8Array, dstIp: Uint8Array, srcPort: number, dstPort: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + payload.length);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, srcPort);
  dv.setUint16(2, dstPort);
  dv.setUint16(4, out.length);
  out.set(payload, 8);
  let ck = internetChecksum([pseudoHeader(srcIp, dstIp, IPPROTO_UDP, out.length), out]);
  if (ck === 0) ck = 0xffff;
  dv.setUint16(6, ck);
  return out;
}

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

export interface TcpFields {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  window?: number;
  /** Raw TCP options (padded to 4 bytes here). */
  options?: Uint8Array;
  payload?: Uint8Array;
}

/** A TCP segment with its checksum over the pseudo-header of `srcIp`/`dstIp`. */
export function tcpSegment(srcIp: Uint8Array, dstIp: Uint8Array, f: TcpFields): Uint8Array {
  const opts = f.options ?? new Uint8Array(0);
  const hlen = 20 + pad4(opts.length);
  const payload = f.payload ?? new Uint8Array(0);
  const out = new Uint8Array(hlen + payload.length);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, f.srcPort);
  dv.setUint16(2, f.dstPort);
  dv.setUint32(4, f.seq >>> 0);
  dv.setUint32(8, f.ack >>> 0);
  out[12] = (hlen / 4) << 4;
  out[13] = f.flags;
  dv.setUint16(14, f.window ?? 65535);
  out.set(opts, 20);
  out.set(payload, hlen);
  dv.setUint16(16, internetChecksum([pseudoHeader(srcIp, dstIp, IPPROTO_TCP, out.length), out]));
  return out;
}

/** The V2GTP header + payload (version 0x01, inverse 0xFE). */
export function v2gtpMessage(payloadType: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + payload.length);
  const dv = new DataView(out.buffer);
  out[0] = 0x01;
  out[1] = 0xfe;
  dv.setUint16(2, payloadType);
  dv.setUint32(4, payload.length);
  out.set(payload, 8);
  return out;
}

// ---------------------------------------------------------------- synthetic TCP session

export interface Endpoint {
  mac: Uint8Array;
  /** 16 bytes (IPv6) or 4 bytes (IPv4); both ends of a session use the same family. */
  ip: Uint8Array;
  port: number;
}

/** Writes one TCP connection's frames: handshake, data in both directions with ACKs, FIN. */
export class SyntheticTcpSession {
  private clientSeq: number;
  private serverSeq: number;
  /** Largest segment payload; longer sends are split. */
  mss = 1440;

  constructor(
    private readonly out: { addFrame(timeMs: number, frame: Uint8Array): void },
    readonly client: Endpoint,
    readonly server: Endpoint,
    clientIsn = 0x1000,
    serverIsn = 0x8000,
  ) {
    this.clientSeq = clientIsn >>> 0;
    this.serverSeq = serverIsn >>> 0;
  }

  /** SYN, SYN-ACK, ACK (all at `timeMs`, 0.1 ms apart). */
  open(timeMs: number): void {
    const mssOpt = new Uint8Array([2, 4, 0x05, 0xa0]); // MSS 1440
    this.segment(true, timeMs, TCP_SYN, new Uint8Array(0), mssOpt);
    this.clientSeq = (this.clientSeq + 1) >>> 0;
    this.segment(false, timeMs + 0.1, TCP_SYN | TCP_ACK, new Uint8Array(0), mssOpt);
    this.serverSeq = (this.serverSeq + 1) >>> 0;
    this.segment(true, timeMs + 0.2, TCP_ACK, new Uint8Array(0));
  }

  /** Data from the client (`fromClient`) or the server, then the peer's pure ACK 0.05 ms later. */
  send(fromClient: boolean, data: Uint8Array, timeMs: number, ackFromPeer = true): void {
    for (let o = 0; o < data.length; o += this.mss) {
      const chunk = data.subarray(o, Math.min(o + this.mss, data.length));
      this.segment(fromClient, timeMs, TCP_PSH | TCP_ACK, chunk);
      if (fromClient) this.clientSeq = (this.clientSeq + chunk.length) >>> 0;
      else this.serverSeq = (this.serverSeq + chunk.length) >>> 0;
    }
    if (ackFromPeer) this.segment(!fromClient, timeMs + 0.05, TCP_ACK, new Uint8Array(0));
  }

  /** FIN from `fromClient`'s side, FIN-ACK from the other, final ACK. */
  close(fromClient: boolean, timeMs: number): void {
    this.segment(fromClient, timeMs, TCP_FIN | TCP_ACK, new Uint8Array(0));
    this.bump(fromClient);
    this.segment(!fromClient, timeMs + 0.1, TCP_FIN | TCP_ACK, new Uint8Array(0));
    this.bump(!fromClient);
    this.segment(fromClient, timeMs + 0.2, TCP_ACK, new Uint8Array(0));
  }

  private bump(client: boolean): void {
    if (client) this.clientSeq = (this.clientSeq + 1) >>> 0;
    else this.serverSeq = (this.serverSeq + 1) >>> 0;
  }

  private segment(fromClient: boolean, timeMs: number, flags: number, payload: Uint8Array, opts?: Uint8Array): void {
    const a = fromClient ? this.client : this.server;
    const b = fromClient ? this.server : this.client;
    const seq = fromClient ? this.clientSeq : this.serverSeq;
    const ack = flags & TCP_ACK ? (fromClient ? this.serverSeq : this.clientSeq) : 0;
    const fields: TcpFields = { srcPort: a.port, dstPort: b.port, seq, ack, flags, payload };
    if (opts) fields.options = opts;
    const tcp = tcpSegment(a.ip, b.ip, fields);
    const ip = ipPacket(a.ip, b.ip, IPPROTO_TCP, tcp);
    const ethertype = a.ip.length === 16 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4;
    this.out.addFrame(timeMs, ethernetFrame({ dst: b.mac, src: a.mac, ethertype, payload: ip }));
  }
}

/** One UDP frame (Ethernet + IP + UDP), e.g. an SDP request to ff02::1 port 15118. */
export function udpFrame(src: Endpoint, dst: Endpoint, payload: Uint8Array): Uint8Array {
  const udp = udpDatagram(src.ip, dst.ip, src.port, dst.port, payload);
  const ip = src.ip.length === 16 ? ipv6Packet(src.ip, dst.ip, IPPROTO_UDP, udp, 255) : ipv4Packet(src.ip, dst.ip, IPPROTO_UDP, udp);
  return ethernetFrame({ dst: dst.mac, src: src.mac, ethertype: src.ip.length === 16 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4, payload: ip });
}
