// Reader for pcap (both byte orders, µs and ns timestamps) and pcapng (SHB/IDB/EPB/SPB/OPB,
// several sections and interfaces, if_tsresol/if_tsoffset) captures.
//
// Portable on purpose: no Node imports, takes the file's bytes, so the XS tests can use it too.
// Every frame's link layer is normalised to an Ethernet-like view (dst, src, ethertype,
// payload): Ethernet (1) as is (802.1Q/802.1ad tags stripped), Linux cooked SLL (113) and
// SLL2 (276) with the one address they carry as `src` (or `dst` for outgoing frames), and raw
// IP (12, 14, 101, 228, 229) with zero MACs. The captures in ../shared use Ethernet only.
//
// Peer data never throws: a damaged or truncated file yields the frames read so far plus a
// warning in `Capture.warnings`.

export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_HOMEPLUG = 0x88e1;
export const ETHERTYPE_HOMEPLUG_AV = 0x887b; // HomePlug 1.0 MME (Qualcomm tools sometimes use it)

/** The link layer of a frame seen as Ethernet. */
export interface EthernetView {
  dst: Uint8Array; // 6 bytes (zeros when the link type carries no such address)
  src: Uint8Array; // 6 bytes
  ethertype: number;
  /** VLAN ids of stripped 802.1Q/802.1ad tags, outermost first (absent when none). */
  vlans?: number[];
  payload: Uint8Array;
}

export interface CaptureInterface {
  linkType: number;
  snapLength: number;
  /** Units per second of the raw timestamps (1e6 for µs, 1e9 for ns, 2^n for binary resolutions). */
  unitsPerSecond: number;
  name?: string;
}

export interface CaptureFrame {
  /** 1-based frame number, as Wireshark counts them. */
  number: number;
  /** Milliseconds since the Unix epoch, with the file's sub-ms precision as a fraction (µs exact). */
  time: number;
  interfaceId: number;
  linkType: number;
  /** Length on the wire; `data.length` is what was captured (less when the snap length cut it). */
  originalLength: number;
  /** The captured link-layer bytes. */
  data: Uint8Array;
  /** The Ethernet-like view; absent for link types this reader does not understand, or runt frames. */
  eth?: EthernetView;
}

export interface Capture {
  format: "pcap" | "pcapng";
  interfaces: CaptureInterface[];
  frames: CaptureFrame[];
  /** Problems met while reading (truncated file, unknown link type, damaged block). */
  warnings: string[];
  /** NSS key-log text found in pcapng Decryption Secrets Blocks, if any. */
  tlsKeyLog?: string;
  /**
   * Systemd Journal Export Blocks (pcapng block type 9) in file order: what the simulator records
   * beside the frames (pilot, SLAC, power status, summary; see PcapngWriter.addJournalEntry).
   * `time` is epoch ms from __REALTIME_TIMESTAMP; `fields` every KEY=value line.
   */
  journal?: JournalEntry[];
}

export interface JournalEntry {
  time: number;
  fields: Record<string, string>;
}

export class CaptureFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CaptureFormatError";
  }
}

/** True when `bytes` start like a pcap or pcapng file. */
export function isCapture(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  const m = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
  return m === 0x0a0d0d0a || PCAP_MAGICS.indexOf(m) >= 0;
}

const PCAP_MAGICS = [0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1];

/**
 * Reads a whole capture. Throws CaptureFormatError only when the bytes are not a pcap or
 * pcapng file at all; damage later in the file ends the frame list with a warning.
 */
export function readCapture(bytes: Uint8Array): Capture {
  if (bytes.length < 4) throw new CaptureFormatError("file too short for a capture");
  const m = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
  if (m === 0x0a0d0d0a) return readPcapng(bytes);
  if (PCAP_MAGICS.indexOf(m) >= 0) return readPcap(bytes);
  throw new CaptureFormatError(`not a pcap/pcapng file (magic ${hex32(m)})`);
}

function hex32(n: number): string {
  return "0x" + (n >>> 0).toString(16).padStart(8, "0");
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

// ---------------------------------------------------------------- pcap

function readPcap(bytes: Uint8Array): Capture {
  const dv = view(bytes);
  const warnings: string[] = [];
  if (bytes.length < 24) throw new CaptureFormatError("pcap global header truncated");
  const magicBE = dv.getUint32(0, false);
  const le = magicBE === 0xd4c3b2a1 || magicBE === 0x4d3cb2a1;
  const nano = magicBE === 0xa1b23c4d || magicBE === 0x4d3cb2a1;
  const snapLength = dv.getUint32(16, le);
  const linkRaw = dv.getUint32(20, le);
  const linkType = linkRaw & 0x0fffffff; // upper bits: FCS length flags
  const iface: CaptureInterface = { linkType, snapLength, unitsPerSecond: nano ? 1e9 : 1e6 };
  const frames: CaptureFrame[] = [];
  const fracLimit = nano ? 1e9 : 1e6;
  const maxLen = Math.max(snapLength > 0 ? snapLength : 0, 262144);
  let prevSec = -1;
  /** A record header at `o` that looks right (and so does the next one, when there is one). */
  const plausible = (o: number, depth: number): boolean => {
    if (o + 16 > bytes.length) return depth > 0 && o <= bytes.length;
    const sec = dv.getUint32(o, le);
    const capLen = dv.getUint32(o + 8, le);
    const origLen = dv.getUint32(o + 12, le);
    if (dv.getUint32(o + 4, le) >= fracLimit || capLen > maxLen || capLen > origLen || origLen > 0x40000) return false;
    if (prevSec >= 0 && Math.abs(sec - prevSec) > 86400) return false;
    return depth > 0 || plausible(o + 16 + capLen, 1);
  };
  let off = 24;
  while (off < bytes.length) {
    if (off + 16 > bytes.length) {
      warnings.push(`truncated record header at byte ${off} (file cut short)`);
      break;
    }
    if (!plausible(off, 1)) {
      // A damaged file (stray or lost bytes): look for the next record that makes sense.
      let next = -1;
      for (let o = off + 1; o < Math.min(bytes.length - 16, off + 65536); o++) {
        if (plausible(o, 0)) {
          next = o;
          break;
        }
      }
      if (next < 0) {
        warnings.push(`damaged record header at byte ${off}; stopped`);
        break;
      }
      warnings.push(`damaged record header at byte ${off}: skipped ${next - off} bytes`);
      off = next;
    }
    const sec = dv.getUint32(off, le);
    const frac = dv.getUint32(off + 4, le);
    const capLen = dv.getUint32(off + 8, le);
    const origLen = dv.getUint32(off + 12, le);
    if (capLen > 0x4000000) {
      warnings.push(`implausible record length ${capLen} at byte ${off}; stopped`);
      break;
    }
    prevSec = sec;
    let data = bytes.subarray(off + 16, off + 16 + capLen);
    if (data.length < capLen) warnings.push(`last record truncated (${data.length} of ${capLen} bytes, file cut short)`);
    const time = sec * 1000 + (nano ? frac / 1e6 : frac / 1e3);
    frames.push(makeFrame(frames.length + 1, time, 0, linkType, origLen, data));
    off += 16 + capLen;
  }
  if (!supportedLinkType(linkType)) warnings.push(`link type ${linkType} not understood: frames have no Ethernet view`);
  return { format: "pcap", interfaces: [iface], frames, warnings };
}

// ---------------------------------------------------------------- pcapng

interface Section {
  le: boolean;
  interfaces: (CaptureInterface & { tsOffsetSeconds: number })[];
}

function readPcapng(bytes: Uint8Array): Capture {
  const dv = view(bytes);
  const warnings: string[] = [];
  const interfaces: CaptureInterface[] = [];
  const frames: CaptureFrame[] = [];
  let keyLog = "";
  const journal: JournalEntry[] = [];
  let section: Section | undefined;
  /** Global interface index of each section interface (interfaces of all sections in one list). */
  let globalIds: number[] = [];
  let off = 0;
  while (off < bytes.length) {
    if (off + 12 > bytes.length) {
      warnings.push(`truncated block header at byte ${off} (file cut short)`);
      break;
    }
    const typeBE = dv.getUint32(off, false);
    let le: boolean;
    if (typeBE === 0x0a0d0d0a) {
      const bom = dv.getUint32(off + 8, true);
      if (bom === 0x1a2b3c4d) le = true;
      else if (bom === 0x4d3c2b1a) le = false;
      else {
        warnings.push(`bad byte-order magic in section header at byte ${off}; stopped`);
        break;
      }
    } else if (section === undefined) {
      warnings.push("pcapng block before the first section header; stopped");
      break;
    } else le = section.le;
    const type = dv.getUint32(off, le);
    const length = dv.getUint32(off + 4, le);
    if (length < 12 || length % 4 !== 0) {
      warnings.push(`bad block length ${length} at byte ${off}; stopped`);
      break;
    }
    if (off + length > bytes.length) {
      warnings.push(`block at byte ${off} truncated (${bytes.length - off} of ${length} bytes, file cut short)`);
      break;
    }
    const body = bytes.subarray(off + 8, off + length - 4);
    const bv = view(body);
    switch (type) {
      case 0x0a0d0d0a: // Section Header Block: a new section resets the interfaces
        section = { le, interfaces: [] };
        globalIds = [];
        break;
      case 0x00000001: {
        // Interface Description Block
        if (body.length < 8) {
          warnings.push(`short interface block at byte ${off}`);
          break;
        }
        const linkType = bv.getUint16(0, le);
        const snapLength = bv.getUint32(4, le);
        const iface = { linkType, snapLength, unitsPerSecond: 1e6, tsOffsetSeconds: 0 } as CaptureInterface & {
          tsOffsetSeconds: number;
        };
        forEachOption(body, 8, le, (code, value) => {
          if (code === 2) iface.name = latin1(value);
          else if (code === 9 && value.length >= 1) {
            const r = value[0];
            iface.unitsPerSecond = r & 0x80 ? Math.pow(2, r & 0x7f) : Math.pow(10, r & 0x7f);
          } else if (code === 14 && value.length >= 8) {
            const v = view(value);
            const hi = v.getInt32(le ? 4 : 0, le);
            const lo = v.getUint32(le ? 0 : 4, le);
            iface.tsOffsetSeconds = hi * 4294967296 + lo;
          }
        });
        section!.interfaces.push(iface);
        globalIds.push(interfaces.length);
        const pub: CaptureInterface = { linkType, snapLength, unitsPerSecond: iface.unitsPerSecond };
        if (iface.name !== undefined) pub.name = iface.name;
        interfaces.push(pub);
        if (!supportedLinkType(linkType)) warnings.push(`interface ${interfaces.length - 1}: link type ${linkType} not understood`);
        break;
      }
      case 0x00000006: // Enhanced Packet Block
      case 0x00000002: {
        // Obsolete Packet Block (interface id is 16 bits, then a 16-bit drops count)
        if (body.length < 20) {
          warnings.push(`short packet block at byte ${off}`);
          break;
        }
        const ifId = type === 6 ? bv.getUint32(0, le) : bv.getUint16(0, le);
        const iface = section!.interfaces[ifId];
        if (iface === undefined) {
          warnings.push(`packet block at byte ${off} names unknown interface ${ifId}`);
          break;
        }
        const hi = bv.getUint32(4, le);
        const lo = bv.getUint32(8, le);
        const capLen = bv.getUint32(12, le);
        const origLen = bv.getUint32(16, le);
        const data = body.subarray(20, 20 + Math.min(capLen, body.length - 20));
        const time = timestampMs(hi, lo, iface.unitsPerSecond) + iface.tsOffsetSeconds * 1000;
        frames.push(makeFrame(frames.length + 1, time, globalIds[ifId], iface.linkType, origLen, data));
        break;
      }
      case 0x00000003: {
        // Simple Packet Block: interface 0, no timestamp
        const iface = section!.interfaces[0];
        if (iface === undefined || body.length < 4) {
          warnings.push(`simple packet block at byte ${off} without interface`);
          break;
        }
        const origLen = bv.getUint32(0, le);
        let capLen = Math.min(origLen, body.length - 4);
        if (iface.snapLength > 0) capLen = Math.min(capLen, iface.snapLength);
        const prev = frames.length > 0 ? frames[frames.length - 1].time : 0;
        frames.push(makeFrame(frames.length + 1, prev, globalIds[0], iface.linkType, origLen, body.subarray(4, 4 + capLen)));
        break;
      }
      case 0x0000000a: {
        // Decryption Secrets Block: keep TLS key logs
        if (body.length >= 8) {
          const secretsType = bv.getUint32(0, le);
          const len = bv.getUint32(4, le);
          if (secretsType === 0x544c534b) keyLog += latin1(body.subarray(8, 8 + len));
        }
        break;
      }
      case 0x00000009: {
        // Systemd Journal Export Block: one entry of KEY=value lines (text fields only)
        const entry = readJournalEntry(body);
        if (entry !== undefined) journal.push(entry);
        else warnings.push(`journal block at byte ${off} without __REALTIME_TIMESTAMP`);
        break;
      }
      default:
        break; // NRB, ISB, custom blocks: not needed
    }
    off += length;
  }
  const capture: Capture = { format: "pcapng", interfaces, frames, warnings };
  if (keyLog.length > 0) capture.tlsKeyLog = keyLog;
  if (journal.length > 0) capture.journal = journal;
  return capture;
}

/** A journal export entry's text fields (binary-encoded fields, which need a length, are skipped). */
function readJournalEntry(body: Uint8Array): JournalEntry | undefined {
  const text = utf8(body);
  const fields: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) fields[line.slice(0, eq)] = line.slice(eq + 1);
  }
  const us = Number(fields.__REALTIME_TIMESTAMP);
  if (!(us >= 0)) return undefined;
  delete fields.__REALTIME_TIMESTAMP;
  return { time: us / 1000, fields };
}

/** UTF-8 bytes to text up to the first NUL (the block's padding). */
function utf8(bytes: Uint8Array): string {
  let s = "";
  let i = 0;
  while (i < bytes.length && bytes[i] !== 0) {
    const b = bytes[i];
    const n = b < 0x80 ? 0 : b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : b >= 0xc0 ? 1 : 0;
    let c = n === 0 ? b : b & (0x3f >> n);
    for (let k = 1; k <= n && i + k < bytes.length; k++) c = (c << 6) | (bytes[i + k] & 0x3f);
    s += String.fromCodePoint(c);
    i += n + 1;
  }
  return s;
}

function forEachOption(body: Uint8Array, start: number, le: boolean, fn: (code: number, value: Uint8Array) => void): void {
  const dv = view(body);
  let o = start;
  while (o + 4 <= body.length) {
    const code = dv.getUint16(o, le);
    const len = dv.getUint16(o + 2, le);
    if (code === 0) break;
    if (o + 4 + len > body.length) break;
    fn(code, body.subarray(o + 4, o + 4 + len));
    o += 4 + ((len + 3) & ~3);
  }
}

/** Exact split of a 64-bit timestamp in `unitsPerSecond` units into epoch milliseconds. */
function timestampMs(hi: number, lo: number, unitsPerSecond: number): number {
  if (hi < 0x200000) {
    // fits in 2^53: plain arithmetic is exact enough
    const units = hi * 4294967296 + lo;
    const sec = Math.floor(units / unitsPerSecond);
    return sec * 1000 + ((units - sec * unitsPerSecond) * 1000) / unitsPerSecond;
  }
  const units = (BigInt(hi) << 32n) | BigInt(lo);
  const ups = BigInt(unitsPerSecond);
  const sec = units / ups;
  const rest = units - sec * ups;
  return Number(sec) * 1000 + (Number(rest) * 1000) / unitsPerSecond;
}

function latin1(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0) break;
    s += String.fromCharCode(bytes[i]);
  }
  return s;
}

// ---------------------------------------------------------------- link layer

function supportedLinkType(linkType: number): boolean {
  return (
    linkType === LINKTYPE_ETHERNET ||
    linkType === LINKTYPE_LINUX_SLL ||
    linkType === LINKTYPE_LINUX_SLL2 ||
    linkType === LINKTYPE_RAW ||
    linkType === 12 ||
    linkType === 14 ||
    linkType === LINKTYPE_IPV4 ||
    linkType === LINKTYPE_IPV6
  );
}

function makeFrame(
  number: number,
  time: number,
  interfaceId: number,
  linkType: number,
  originalLength: number,
  data: Uint8Array,
): CaptureFrame {
  const frame: CaptureFrame = { number, time, interfaceId, linkType, originalLength, data };
  const eth = linkView(linkType, data);
  if (eth !== undefined) frame.eth = eth;
  return frame;
}

const ZERO_MAC = new Uint8Array(6);

/** The Ethernet-like view of a link-layer frame, or undefined (unknown link type, runt). */
export function linkView(linkType: number, data: Uint8Array): EthernetView | undefined {
  switch (linkType) {
    case LINKTYPE_ETHERNET: {
      if (data.length < 14) return undefined;
      let ethertype = (data[12] << 8) | data[13];
      let o = 14;
      let vlans: number[] | undefined;
      while ((ethertype === 0x8100 || ethertype === 0x88a8 || ethertype === 0x9100) && o + 4 <= data.length) {
        (vlans ??= []).push(((data[o] << 8) | data[o + 1]) & 0x0fff);
        ethertype = (data[o + 2] << 8) | data[o + 3];
        o += 4;
      }
      const v: EthernetView = { dst: data.subarray(0, 6), src: data.subarray(6, 12), ethertype, payload: data.subarray(o) };
      if (vlans) v.vlans = vlans;
      return v;
    }
    case LINKTYPE_LINUX_SLL: {
      if (data.length < 16) return undefined;
      const packetType = (data[0] << 8) | data[1];
      const addrLen = Math.min((data[4] << 8) | data[5], 8);
      const addr = addrLen === 6 ? data.subarray(6, 12) : ZERO_MAC;
      const ethertype = (data[14] << 8) | data[15];
      return sllView(packetType, addr, ethertype, data.subarray(16));
    }
    case LINKTYPE_LINUX_SLL2: {
      if (data.length < 20) return undefined;
      const ethertype = (data[0] << 8) | data[1];
      const packetType = data[10];
      const addrLen = Math.min(data[11], 8);
      const addr = addrLen === 6 ? data.subarray(12, 18) : ZERO_MAC;
      return sllView(packetType, addr, ethertype, data.subarray(20));
    }
    case LINKTYPE_RAW:
    case 12:
    case 14:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6: {
      if (data.length < 1) return undefined;
      const version = data[0] >> 4;
      const ethertype = version === 6 ? ETHERTYPE_IPV6 : version === 4 ? ETHERTYPE_IPV4 : 0;
      return { dst: ZERO_MAC, src: ZERO_MAC, ethertype, payload: data };
    }
    default:
      return undefined;
  }
}

/** SLL carries one address, the sender's (for outgoing frames too); the destination is unknown. */
function sllView(_packetType: number, addr: Uint8Array, ethertype: number, payload: Uint8Array): EthernetView {
  return { dst: ZERO_MAC, src: addr, ethertype, payload };
}
