// HomePlug AV/GP management frames (ethertype 0x88E1): Ethernet + MME header + fields.
//
// Header: destination MAC, source MAC, optional 802.1Q tag, ethertype 0x88E1, MMV (1 byte),
// MMTYPE (2 bytes LE), then for MMV ≥ 1 the fragment information FMI (2 bytes: NF_MI and FN_MI
// nibbles, FMSN). Vendor messages (MMTYPE 0xA000–0xBFFF) carry a 3-byte OUI next. Qualcomm
// firmware speaks MMV 0 (no FMI) for its VS_* messages; SLAC messages use MMV 1.
// Frames are padded to the Ethernet minimum of 60 bytes; trailing bytes are ignored.

import { SlacDecodeError } from "./errors";
import { LAYOUTS, type FieldSpec, type MmeFieldsMap, type MmeType, type RawPayload, type VsNwInfoCnf, type VsSwVerCnf } from "./messages";
import { ETHERTYPE_HOMEPLUG, ETHERTYPE_VLAN, isVendorMmtype, mmtypeName, mmtypeOf, OUI_QUALCOMM } from "./mmtypes";
import { ImplementationError } from "../common/errors";

// Constants are frozen number arrays (typed arrays cannot be frozen, and preloaded modules are
// read-only on the device); `new Uint8Array(MAC_BROADCAST)` makes a byte copy.
export const MAC_BROADCAST: readonly number[] = Object.freeze([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
/** Destination of host → local-modem messages (CM_SET_KEY, VS_*): Qualcomm's local-management address. */
export const MAC_LOCAL_MODEM: readonly number[] = Object.freeze([0x00, 0xb0, 0x52, 0x00, 0x00, 0x01]);
export const ETH_MIN_FRAME = 60;

export interface MmeFmi {
  /** Number of fragments minus one. */
  nf: number;
  /** This fragment's number. */
  fn: number;
  /** Fragmentation message sequence number. */
  fmsn: number;
}

export interface MmeHeader {
  dst: Uint8Array;
  src: Uint8Array;
  /** 802.1Q TCI when the frame carried a VLAN tag. */
  vlan?: number;
  mmv: number;
  mmtype: number;
  /** Present for MMV ≥ 1. */
  fmi?: MmeFmi;
  /** Vendor messages: the 3-byte OUI. */
  oui?: Uint8Array;
}

/** A decoded frame whose fields we lay out. */
export type SlacMessage = { [K in MmeType]: { type: K; fields: MmeFieldsMap[K]; header: MmeHeader } }[MmeType];

/** A frame with a known name but no field layout here (CC_DISCOVER_LIST, CM_NW_INFO, VS_HOST_ACTION, …), or an unknown MMTYPE ("MME"). */
export interface OtherMessage {
  type: string;
  fields: RawPayload;
  header: MmeHeader;
}

export type HomePlugFrame = SlacMessage | OtherMessage;

/** Narrowing helper: `isType(frame, "CM_SLAC_PARM.REQ")`. */
export function isType<K extends MmeType>(frame: HomePlugFrame, type: K): frame is Extract<SlacMessage, { type: K }> {
  return frame.type === type && (frame.fields as RawPayload).payload === undefined;
}

// ---------------------------------------------------------------------------------------------
// decoding

/**
 * Decodes one Ethernet frame (destination MAC first) carrying a HomePlug management message.
 * Throws SlacDecodeError ("not-homeplug", "truncated", "mmv") for frames it cannot accept.
 * Unknown MMTYPEs decode as `{ type: "MME", fields: { payload } }` (header.mmtype tells which).
 */
export function decodeHomePlugFrame(frame: Uint8Array): HomePlugFrame {
  if (frame.length < 17) throw new SlacDecodeError("truncated", "shorter than an MME header", frame.length);
  let off = 12;
  let ethertype = (frame[off] << 8) | frame[off + 1];
  let vlan: number | undefined;
  if (ethertype === ETHERTYPE_VLAN) {
    vlan = (frame[14] << 8) | frame[15];
    off = 16;
    ethertype = (frame[off] << 8) | frame[off + 1];
  }
  if (ethertype !== ETHERTYPE_HOMEPLUG) {
    throw new SlacDecodeError("not-homeplug", `ethertype 0x${ethertype.toString(16)}`, off);
  }
  off += 2;
  if (frame.length < off + 3) throw new SlacDecodeError("truncated", "no MMTYPE", frame.length);
  const mmv = frame[off];
  const mmtype = frame[off + 1] | (frame[off + 2] << 8);
  off += 3;
  if (mmv > 2) throw new SlacDecodeError("mmv", `MMV ${mmv}`, off - 3);
  const header: MmeHeader = { dst: frame.slice(0, 6), src: frame.slice(6, 12), mmv, mmtype };
  if (vlan !== undefined) header.vlan = vlan;
  if (mmv >= 1) {
    if (frame.length < off + 2) throw new SlacDecodeError("truncated", "no FMI", frame.length);
    header.fmi = { nf: frame[off] >> 4, fn: frame[off] & 15, fmsn: frame[off + 1] };
    off += 2;
  }
  if (isVendorMmtype(mmtype)) {
    if (frame.length < off + 3) throw new SlacDecodeError("truncated", "no OUI", frame.length);
    header.oui = frame.slice(off, off + 3);
    off += 3;
  }
  const name = mmtypeName(mmtype, header.oui);
  const body = frame.subarray(off);
  if (name === undefined) return { type: "MME", fields: { payload: body.slice() }, header };
  // A fragment of a longer message carries only part of the fields.
  if (header.fmi && (header.fmi.nf !== 0 || header.fmi.fn !== 0)) return { type: name, fields: { payload: body.slice() }, header };
  const layout = LAYOUTS[name];
  let fields: unknown;
  if (layout) fields = readLayout(name, layout, body, off);
  else if (name === "VS_SW_VER.CNF") fields = readSwVerCnf(body, off);
  else if (name === "VS_NW_INFO.CNF") fields = mmv === 0 ? readNwInfoCnf(body, off) : readNwInfoCnf1(body, off);
  else fields = { payload: body.slice() };
  return { type: name, fields, header } as HomePlugFrame;
}

function need(body: Uint8Array, at: number, n: number, name: string, base: number): void {
  if (at + n > body.length) throw new SlacDecodeError("truncated", `${name} needs ${at + n} payload bytes, has ${body.length}`, base + body.length);
}

function readLayout(name: string, layout: readonly FieldSpec[], body: Uint8Array, base: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let at = 0;
  for (const [field, kind] of layout) {
    switch (kind) {
      case "u8":
        need(body, at, 1, name, base);
        out[field] = body[at++];
        break;
      case "u16":
        need(body, at, 2, name, base);
        out[field] = body[at] | (body[at + 1] << 8);
        at += 2;
        break;
      case "u32":
        need(body, at, 4, name, base);
        out[field] = (body[at] | (body[at + 1] << 8) | (body[at + 2] << 16) | (body[at + 3] << 24)) >>> 0;
        at += 4;
        break;
      case "mac":
        need(body, at, 6, name, base);
        out[field] = body.slice(at, at + 6);
        at += 6;
        break;
      case "groups": {
        const n = out.numGroups as number;
        need(body, at, n, name, base);
        out[field] = body.slice(at, at + n);
        at += n;
        break;
      }
      case "amdata": {
        const n = ((out.amlen as number) + 1) >> 1;
        need(body, at, n, name, base);
        out[field] = body.slice(at, at + n);
        at += n;
        break;
      }
      default:
        need(body, at, kind, name, base);
        out[field] = body.slice(at, at + kind);
        at += kind;
    }
  }
  return out;
}

function readSwVerCnf(body: Uint8Array, base: number): VsSwVerCnf {
  need(body, 0, 3, "VS_SW_VER.CNF", base);
  const length = body[2];
  need(body, 3, length, "VS_SW_VER.CNF", base);
  let version = "";
  for (let i = 0; i < length && body[3 + i] !== 0; i++) version += String.fromCharCode(body[3 + i]);
  return { status: body[0], deviceId: body[1], version };
}

function readNwInfoCnf(body: Uint8Array, base: number): VsNwInfoCnf {
  const name = "VS_NW_INFO.CNF";
  need(body, 0, 1, name, base);
  const count = body[0];
  let at = 1;
  const networks: VsNwInfoCnf["networks"] = [];
  for (let n = 0; n < count; n++) {
    need(body, at, 18, name, base);
    const net = {
      nid: body.slice(at, at + 7),
      snid: body[at + 7],
      tei: body[at + 8],
      role: body[at + 9],
      ccoMac: body.slice(at + 10, at + 16),
      ccoTei: body[at + 16],
      stations: [] as VsNwInfoCnf["networks"][number]["stations"],
    };
    const stations = body[at + 17];
    at += 18;
    for (let s = 0; s < stations; s++) {
      need(body, at, 15, name, base);
      net.stations.push({ mac: body.slice(at, at + 6), tei: body[at + 6], bda: body.slice(at + 7, at + 13), avgTx: body[at + 13], avgRx: body[at + 14] });
      at += 15;
    }
    networks.push(net);
  }
  return { networks };
}

/**
 * The MMV 1 layout (AR7x00 / QCA7000 family, open-plc-utils NetInfo2): SUB_VERSION, reserved,
 * DATA_LEN (LE), then reserved, NUMAVLNS and 32-byte network / 24-byte station records with
 * 16-bit average PHY rates.
 */
function readNwInfoCnf1(body: Uint8Array, base: number): VsNwInfoCnf {
  const name = "VS_NW_INFO.CNF";
  need(body, 0, 6, name, base);
  const count = body[5];
  let at = 6;
  const networks: VsNwInfoCnf["networks"] = [];
  for (let n = 0; n < count; n++) {
    need(body, at, 32, name, base);
    const net = {
      nid: body.slice(at, at + 7),
      snid: body[at + 9],
      tei: body[at + 10],
      role: body[at + 15],
      ccoMac: body.slice(at + 16, at + 22),
      ccoTei: body[at + 22],
      stations: [] as VsNwInfoCnf["networks"][number]["stations"],
    };
    const stations = body[at + 26];
    at += 32;
    for (let s = 0; s < stations; s++) {
      need(body, at, 24, name, base);
      net.stations.push({
        mac: body.slice(at, at + 6),
        tei: body[at + 6],
        bda: body.slice(at + 10, at + 16),
        avgTx: body[at + 16] | (body[at + 17] << 8),
        avgRx: body[at + 20] | (body[at + 21] << 8),
      });
      at += 24;
    }
    networks.push(net);
  }
  return { networks };
}

// ---------------------------------------------------------------------------------------------
// encoding

export interface EncodeOptions<K extends MmeType> {
  type: K;
  fields: MmeFieldsMap[K];
  dst: ArrayLike<number>;
  src: ArrayLike<number>;
  /** Default: 0 for vendor (VS_*) messages, as Qualcomm firmware expects; 1 otherwise. */
  mmv?: number;
  fmi?: MmeFmi;
  vlan?: number;
}

/** Builds the Ethernet frame of a message; padded to 60 bytes. Throws ImplementationError on a bad field. */
export function encodeHomePlugFrame<K extends MmeType>(message: EncodeOptions<K>): Uint8Array {
  const mmtype = mmtypeOf(message.type);
  if (mmtype === undefined) throw new ImplementationError(`unknown message type ${message.type}`);
  const vendor = isVendorMmtype(mmtype);
  const mmv = message.mmv ?? (vendor ? 0 : 1);
  const out: number[] = [];
  pushBytes(out, message.dst, 6, "dst");
  pushBytes(out, message.src, 6, "src");
  if (message.vlan !== undefined) out.push(0x81, 0x00, (message.vlan >> 8) & 0xff, message.vlan & 0xff);
  out.push(ETHERTYPE_HOMEPLUG >> 8, ETHERTYPE_HOMEPLUG & 0xff, mmv, mmtype & 0xff, mmtype >> 8);
  if (mmv >= 1) {
    const fmi = message.fmi ?? { nf: 0, fn: 0, fmsn: 0 };
    out.push(((fmi.nf & 15) << 4) | (fmi.fn & 15), fmi.fmsn & 0xff);
  }
  if (vendor) out.push(OUI_QUALCOMM[0], OUI_QUALCOMM[1], OUI_QUALCOMM[2]);
  const fields = message.fields as unknown as Record<string, unknown>;
  const layout = LAYOUTS[message.type];
  if (layout) writeLayout(out, layout, fields, message.type);
  else if (message.type === "VS_SW_VER.CNF") writeSwVerCnf(out, fields as unknown as VsSwVerCnf);
  else if (message.type === "VS_NW_INFO.CNF") {
    if (mmv === 0) writeNwInfoCnf(out, fields as unknown as VsNwInfoCnf);
    else writeNwInfoCnf1(out, fields as unknown as VsNwInfoCnf);
  }
  while (out.length < ETH_MIN_FRAME) out.push(0);
  return new Uint8Array(out);
}

function pushBytes(out: number[], value: unknown, length: number, name: string): void {
  if (value === undefined) {
    for (let i = 0; i < length; i++) out.push(0);
    return;
  }
  const bytes = value as ArrayLike<number>;
  if (typeof value !== "object" || value === null || bytes.length !== length) {
    throw new ImplementationError(`field ${name} must be ${length} bytes`);
  }
  for (let i = 0; i < length; i++) out.push(bytes[i] & 0xff);
}

function writeLayout(out: number[], layout: readonly FieldSpec[], fields: Record<string, unknown>, type: string): void {
  for (const [field, kind] of layout) {
    const value = fields[field];
    const n = typeof value === "number" ? value : 0;
    switch (kind) {
      case "u8":
        out.push(n & 0xff);
        break;
      case "u16":
        out.push(n & 0xff, (n >> 8) & 0xff);
        break;
      case "u32":
        out.push(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
        break;
      case "mac":
        pushBytes(out, value, 6, `${type}.${field}`);
        break;
      case "groups":
        pushBytes(out, value, fields.numGroups as number, `${type}.${field}`);
        break;
      case "amdata":
        pushBytes(out, value, ((fields.amlen as number) + 1) >> 1, `${type}.${field}`);
        break;
      default:
        pushBytes(out, value, kind, `${type}.${field}`);
    }
  }
}

function writeSwVerCnf(out: number[], fields: VsSwVerCnf): void {
  // The version field is a fixed 128-byte NUL-padded string on QCA firmware (VERLENGTH says 128).
  const length = 128;
  out.push(fields.status & 0xff, fields.deviceId & 0xff, length);
  for (let i = 0; i < length; i++) out.push(i < fields.version.length ? fields.version.charCodeAt(i) & 0x7f : 0);
}

function writeNwInfoCnf1(out: number[], fields: VsNwInfoCnf): void {
  const data: number[] = [0, fields.networks.length];
  for (const net of fields.networks) {
    pushBytes(data, net.nid, 7, "nid");
    data.push(0, 0, net.snid, net.tei, 0, 0, 0, 0, net.role);
    pushBytes(data, net.ccoMac, 6, "ccoMac");
    data.push(net.ccoTei, 0, 0, 0, net.stations.length, 0, 0, 0, 0, 0);
    for (const sta of net.stations) {
      pushBytes(data, sta.mac, 6, "mac");
      data.push(sta.tei, 0, 0, 0);
      pushBytes(data, sta.bda, 6, "bda");
      data.push(sta.avgTx & 0xff, (sta.avgTx >> 8) & 0xff, 0, 0, sta.avgRx & 0xff, (sta.avgRx >> 8) & 0xff, 0, 0);
    }
  }
  out.push(1, 0, data.length & 0xff, data.length >> 8);
  for (const b of data) out.push(b);
}

function writeNwInfoCnf(out: number[], fields: VsNwInfoCnf): void {
  out.push(fields.networks.length);
  for (const net of fields.networks) {
    pushBytes(out, net.nid, 7, "nid");
    out.push(net.snid, net.tei, net.role);
    pushBytes(out, net.ccoMac, 6, "ccoMac");
    out.push(net.ccoTei, net.stations.length);
    for (const sta of net.stations) {
      pushBytes(out, sta.mac, 6, "mac");
      out.push(sta.tei);
      pushBytes(out, sta.bda, 6, "bda");
      out.push(sta.avgTx, sta.avgRx);
    }
  }
}
