// Helpers for the pcap tests: capture file listing in ../shared and synthetic file builders.
import { engine, hasShared, listShared } from "../support/shared";

export const CAPTURE_RE = /\.(dump|pcap|pcapng)$/;

/** Every capture file under ../shared/captures (relative paths), recursively. */
export function listCaptures(): string[] {
  if (!hasShared()) return [];
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of listShared(rel)) {
      const child = `${rel}/${name}`;
      if (CAPTURE_RE.test(name)) out.push(child);
      else if (!/\.(md|csv|log|keylog|txt)$/.test(name) && name !== "LICENSE") walk(child);
    }
  };
  walk("captures");
  return out.sort();
}

/** In XS keep data-heavy loops to a representative subset. */
export function representative(files: string[]): string[] {
  if (engine !== "xs") return files;
  const pick = [
    "captures/tux-evse-binding/iso15118-v2g-protocol-handshake.pcapng",
    "captures/tux-evse-binding/iso15118-slac+sdp+tls.pcapng",
    "captures/dsV2Gshark/ISO-20_BPT_AC_DS5366_Josev.pcapng",
  ];
  const dumps = files.filter((f) => f.endsWith(".dump"));
  return files.filter((f) => pick.indexOf(f) >= 0).concat(dumps.length > 0 ? [dumps[0]] : []);
}

/** A classic pcap file: `le` byte order, `nano` timestamps, records (seconds, fraction, bytes). */
export function classicPcap(le: boolean, nano: boolean, linkType: number, records: [number, number, Uint8Array, number?][]): Uint8Array {
  let size = 24;
  for (const [, , d] of records) size += 16 + d.length;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, nano ? 0xa1b23c4d : 0xa1b2c3d4, le);
  dv.setUint16(4, 2, le);
  dv.setUint16(6, 4, le);
  dv.setUint32(16, 262144, le);
  dv.setUint32(20, linkType, le);
  let o = 24;
  for (const [sec, frac, d, orig] of records) {
    dv.setUint32(o, sec, le);
    dv.setUint32(o + 4, frac, le);
    dv.setUint32(o + 8, d.length, le);
    dv.setUint32(o + 12, orig ?? d.length, le);
    out.set(d, o + 16);
    o += 16 + d.length;
  }
  return out;
}

/** A pcapng block (little or big endian) with a body padded to 4 bytes. */
export function ngBlock(le: boolean, type: number, body: Uint8Array): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const total = 12 + padded;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, type, le);
  dv.setUint32(4, total, le);
  out.set(body, 8);
  dv.setUint32(total - 4, total, le);
  return out;
}

export function bytesOf(le: boolean, spec: (["u8", number] | ["u16", number] | ["u32", number] | ["raw", Uint8Array])[]): Uint8Array {
  let n = 0;
  for (const [k, v] of spec) n += k === "u8" ? 1 : k === "u16" ? 2 : k === "u32" ? 4 : (v as Uint8Array).length;
  const out = new Uint8Array(n);
  const dv = new DataView(out.buffer);
  let o = 0;
  for (const [k, v] of spec) {
    if (k === "u8") out[o++] = v as number;
    else if (k === "u16") (dv.setUint16(o, v as number, le), (o += 2));
    else if (k === "u32") (dv.setUint32(o, v as number, le), (o += 4));
    else (out.set(v as Uint8Array, o), (o += (v as Uint8Array).length));
  }
  return out;
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}

/** A minimal Ethernet frame carrying `ethertype` and `payload`. */
export function ethFrame(dst: number, src: number, ethertype: number, payload: Uint8Array): Uint8Array {
  const f = new Uint8Array(14 + payload.length);
  f.fill(dst, 0, 6);
  f.fill(src, 6, 12);
  f[12] = ethertype >> 8;
  f[13] = ethertype & 0xff;
  f.set(payload, 14);
  return f;
}
