// SLAC frames (ethertype 0x88E1) of the captures in ../shared, for the SLAC tests on Node and XS.
//
// A minimal pcap/pcapng reader (Ethernet link type only, which is all ../shared holds); the
// full reader is hosts/sim/pcap/read.ts. A record cut short by the end of the file is dropped.

import { listShared, readShared } from "../../support/shared";

export interface SlacCaptureFrame {
  /** 1-based frame number in the file (all frames counted, as Wireshark does). */
  number: number;
  /** Milliseconds (capture clock). */
  time: number;
  data: Uint8Array;
}

function u32(d: Uint8Array, o: number, le: boolean): number {
  return le
    ? (d[o] | (d[o + 1] << 8) | (d[o + 2] << 16) | (d[o + 3] << 24)) >>> 0
    : ((d[o] << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3]) >>> 0;
}

function isHomePlug(frame: Uint8Array): boolean {
  if (frame.length < 17) return false;
  let et = (frame[12] << 8) | frame[13];
  if (et === 0x8100) et = (frame[16] << 8) | frame[17];
  return et === 0x88e1;
}

/** All frames of a pcap or pcapng file (Ethernet), with times in ms. */
export function readFrames(bytes: Uint8Array): SlacCaptureFrame[] {
  const out: SlacCaptureFrame[] = [];
  const magic = u32(bytes, 0, false);
  let number = 0;
  if (magic === 0x0a0d0d0a) {
    let o = 0;
    let le = true;
    let resolutions: number[] = [];
    while (o + 12 <= bytes.length) {
      let type = u32(bytes, o, le);
      if (type === 0x0a0d0d0a) {
        le = u32(bytes, o + 8, true) === 0x1a2b3c4d;
        type = 0x0a0d0d0a;
        resolutions = [];
      }
      const length = u32(bytes, o + 4, le);
      if (length < 12 || o + length > bytes.length) break;
      if (type === 1) {
        // IDB: look for if_tsresol (option 9)
        let res = 1e6;
        let p = o + 16;
        while (p + 4 <= o + length - 4) {
          const code = le ? bytes[p] | (bytes[p + 1] << 8) : (bytes[p] << 8) | bytes[p + 1];
          const len = le ? bytes[p + 2] | (bytes[p + 3] << 8) : (bytes[p + 2] << 8) | bytes[p + 3];
          if (code === 0) break;
          if (code === 9 && len >= 1) {
            const v = bytes[p + 4];
            res = v & 0x80 ? Math.pow(2, v & 0x7f) : Math.pow(10, v);
          }
          p += 4 + ((len + 3) & ~3);
        }
        resolutions.push(res);
      } else if (type === 6) {
        number++;
        const iface = u32(bytes, o + 8, le);
        const ts = u32(bytes, o + 12, le) * 4294967296 + u32(bytes, o + 16, le);
        const cap = u32(bytes, o + 20, le);
        const data = bytes.subarray(o + 28, o + 28 + cap);
        out.push({ number, time: (ts / (resolutions[iface] ?? 1e6)) * 1000, data });
      } else if (type === 3) {
        number++;
        const orig = u32(bytes, o + 8, le);
        out.push({ number, time: 0, data: bytes.subarray(o + 12, o + 12 + Math.min(orig, length - 16)) });
      }
      o += length;
    }
    return out;
  }
  const le = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  const nano = magic === 0x4d3cb2a1 || magic === 0xa1b23c4d;
  let o = 24;
  while (o + 16 <= bytes.length) {
    const sec = u32(bytes, o, le);
    const frac = u32(bytes, o + 4, le);
    const cap = u32(bytes, o + 8, le);
    if (o + 16 + cap > bytes.length) break; // cut short by the end of the file
    number++;
    out.push({ number, time: sec * 1000 + (nano ? frac / 1e6 : frac / 1e3), data: bytes.subarray(o + 16, o + 16 + cap) });
    o += 16 + cap;
  }
  return out;
}

/** The HomePlug (0x88E1) frames of one capture, relative to ../shared/captures. */
export function slacFrames(relative: string): SlacCaptureFrame[] {
  const bytes = readShared(`captures/${relative}`);
  if (!bytes) return [];
  return readFrames(bytes).filter((f) => isHomePlug(f.data));
}

/** Every capture file under ../shared/captures, relative to it, sorted. */
export function listCaptures(dir = ""): string[] {
  const out: string[] = [];
  for (const name of listShared(`captures${dir ? "/" + dir : ""}`)) {
    const rel = dir ? `${dir}/${name}` : name;
    if (/\.(pcap|pcapng|dump)$/.test(name)) out.push(rel);
    else if (name.indexOf(".") < 0 || !/\.[a-z]+$/i.test(name)) out.push(...listCaptures(rel));
  }
  return out.sort();
}
