// Field layouts of the HomePlug GP management messages SLAC uses (ISO 15118-3 Annex A) and of
// the Qualcomm vendor messages for version, reset and link status.
//
// Multi-byte integers are little endian (HomePlug convention); MAC addresses, RunID, NID, NMK
// and the 17-byte station IDs are byte strings (Uint8Array) in wire order.

/** CM_SET_KEY.REQ: the host hands its local modem a new NMK (and NID). */
export interface CmSetKeyReq {
  /** 0x01 = NMK (AES-128). */
  keyType: number;
  myNonce: number;
  yourNonce: number;
  /** Protocol ID; 0x04 = HLE protocol (ISO 15118-3). */
  pid: number;
  prn: number;
  pmn: number;
  ccoCapability: number;
  /** 7 bytes: 52 bits of NID + 2-bit security level. */
  nid: Uint8Array;
  /** 0x01 = NMK. */
  newEks: number;
  /** 16 bytes. */
  newKey: Uint8Array;
}

export interface CmSetKeyCnf {
  /** 0x00 success (Qualcomm firmware also answers 0x01 on success; do not rely on it). */
  result: number;
  myNonce: number;
  yourNonce: number;
  pid: number;
  prn: number;
  pmn: number;
  ccoCapability: number;
}

export interface CmAmpMapReq {
  /** Number of 4-bit amplitude entries. */
  amlen: number;
  /** ceil(amlen / 2) bytes, two entries per byte, low nibble first. */
  amdata: Uint8Array;
}

export interface CmAmpMapCnf {
  /** 0x00 success, 0x01 failure. */
  resType: number;
}

export interface CmSlacParmReq {
  /** 0x00 = PEV–EVSE association. */
  applicationType: number;
  /** 0x00 = no security. */
  securityType: number;
  /** 8 bytes, chosen by the EV; echoed in every later message of the session. */
  runId: Uint8Array;
}

export interface CmSlacParmCnf {
  /** All-stations broadcast FF:FF:FF:FF:FF:FF. */
  msoundTarget: Uint8Array;
  /** C_EV_match_MNBC (10). */
  numSounds: number;
  /** TT_EVSE_match_MNBC in units of 100 ms (0x06 = 600 ms). */
  timeOut: number;
  /** 0x01 = other GP station (the EVSE's host). */
  respType: number;
  /** The EV host's MAC, to which CM_ATTEN_CHAR.IND goes. */
  forwardingSta: Uint8Array;
  applicationType: number;
  securityType: number;
  runId: Uint8Array;
}

export interface CmStartAttenCharInd {
  applicationType: number;
  securityType: number;
  numSounds: number;
  timeOut: number;
  respType: number;
  forwardingSta: Uint8Array;
  runId: Uint8Array;
}

export interface CmMnbcSoundInd {
  applicationType: number;
  securityType: number;
  /** 17 bytes (zeros in practice). */
  senderId: Uint8Array;
  /** Remaining sounds after this one. */
  cnt: number;
  runId: Uint8Array;
  /** 8 bytes. */
  reserved: Uint8Array;
  /** 16 random bytes. */
  rnd: Uint8Array;
}

export interface CmAttenProfileInd {
  /** The sounding EV's MAC. */
  pevMac: Uint8Array;
  numGroups: number;
  reserved: number;
  /** Average attenuation per carrier group, dB. */
  aag: Uint8Array;
}

export interface CmAttenCharInd {
  applicationType: number;
  securityType: number;
  sourceAddress: Uint8Array;
  runId: Uint8Array;
  sourceId: Uint8Array;
  respId: Uint8Array;
  /** Sounds the EVSE actually received. */
  numSounds: number;
  numGroups: number;
  aag: Uint8Array;
}

export interface CmAttenCharRsp {
  applicationType: number;
  securityType: number;
  sourceAddress: Uint8Array;
  runId: Uint8Array;
  sourceId: Uint8Array;
  respId: Uint8Array;
  /** 0x00 success. */
  result: number;
}

export interface CmValidateReq {
  /** 0x00 = PEV S2 toggles. */
  signalType: number;
  /** Toggle window, units of 100 ms (the first request carries 0). */
  timer: number;
  /** 0x01 = ready (first request), 0x00 = not ready. */
  result: number;
}

export interface CmValidateCnf {
  signalType: number;
  toggleNum: number;
  /** 0x00 not ready, 0x01 ready, 0x02 success, 0x03 failure, 0x04 not required. */
  result: number;
}

export interface CmSlacMatchReq {
  applicationType: number;
  securityType: number;
  /** 0x3E. */
  mvfLength: number;
  pevId: Uint8Array;
  pevMac: Uint8Array;
  evseId: Uint8Array;
  evseMac: Uint8Array;
  runId: Uint8Array;
  reserved: Uint8Array;
}

export interface CmSlacMatchCnf extends CmSlacMatchReq {
  /** 0x56 (the request's fields plus NID and NMK). */
  nid: Uint8Array;
  reserved2: number;
  nmk: Uint8Array;
}

/** Vendor requests with no body beyond the OUI. */
export type VsEmpty = Record<string, never>;

export interface VsSwVerCnf {
  status: number;
  deviceId: number;
  /** The version string, ASCII, without the trailing NULs. */
  version: string;
}

export interface VsRsDevCnf {
  status: number;
}

export interface VsPlLnkStatusCnf {
  /** 0x00 success. */
  status: number;
  /** 0x00 no link, 0x01 link (the modem is in an AVLN with at least one peer). */
  linkStatus: number;
}

export interface VsNwInfoStation {
  mac: Uint8Array;
  tei: number;
  bda: Uint8Array;
  avgTx: number;
  avgRx: number;
}

export interface VsNwInfoNetwork {
  nid: Uint8Array;
  snid: number;
  tei: number;
  role: number;
  ccoMac: Uint8Array;
  ccoTei: number;
  stations: VsNwInfoStation[];
}

/** Two layouts exist: MMV 0 (INT6x00, 8-bit rates) and MMV 1 (AR7x00/QCA7000, 16-bit rates); the header's MMV tells. */
export interface VsNwInfoCnf {
  networks: VsNwInfoNetwork[];
}

/** Messages decoded only to their raw payload (named, but their fields are not needed here). */
export interface RawPayload {
  payload: Uint8Array;
}

export interface MmeFieldsMap {
  "CM_SET_KEY.REQ": CmSetKeyReq;
  "CM_SET_KEY.CNF": CmSetKeyCnf;
  "CM_AMP_MAP.REQ": CmAmpMapReq;
  "CM_AMP_MAP.CNF": CmAmpMapCnf;
  "CM_SLAC_PARM.REQ": CmSlacParmReq;
  "CM_SLAC_PARM.CNF": CmSlacParmCnf;
  "CM_START_ATTEN_CHAR.IND": CmStartAttenCharInd;
  "CM_MNBC_SOUND.IND": CmMnbcSoundInd;
  "CM_ATTEN_PROFILE.IND": CmAttenProfileInd;
  "CM_ATTEN_CHAR.IND": CmAttenCharInd;
  "CM_ATTEN_CHAR.RSP": CmAttenCharRsp;
  "CM_VALIDATE.REQ": CmValidateReq;
  "CM_VALIDATE.CNF": CmValidateCnf;
  "CM_SLAC_MATCH.REQ": CmSlacMatchReq;
  "CM_SLAC_MATCH.CNF": CmSlacMatchCnf;
  "VS_SW_VER.REQ": VsEmpty;
  "VS_SW_VER.CNF": VsSwVerCnf;
  "VS_RS_DEV.REQ": VsEmpty;
  "VS_RS_DEV.CNF": VsRsDevCnf;
  "VS_PL_LNK_STATUS.REQ": VsEmpty;
  "VS_PL_LNK_STATUS.CNF": VsPlLnkStatusCnf;
  "VS_NW_INFO.REQ": VsEmpty;
  "VS_NW_INFO.CNF": VsNwInfoCnf;
}

/** Names decoded with field layouts. */
export type MmeType = keyof MmeFieldsMap;

/** A field of a fixed layout: name and kind (a number is a byte string of that length). */
type Kind = "u8" | "u16" | "u32" | "mac" | "groups" | "amdata" | number;
export type FieldSpec = readonly [name: string, kind: Kind];

const ID = 17; // PEV ID / EVSE ID / SenderID / SourceID / RespID length
const RUN_ID = 8;

/** Every layout and each of its fields frozen too, so a preloaded LAYOUTS is read-only all the way down. */
function frozenLayouts(layouts: Record<string, FieldSpec[]>): Readonly<Record<string, readonly FieldSpec[]>> {
  for (const layout of Object.values(layouts)) {
    for (const field of layout) Object.freeze(field);
    Object.freeze(layout);
  }
  return Object.freeze(layouts);
}

/** Layouts in wire order, after the MME header (and after the OUI for vendor messages). */
// preload: built at load, read-only afterwards
export const LAYOUTS: Readonly<Record<string, readonly FieldSpec[]>> = frozenLayouts({
  "CM_SET_KEY.REQ": [
    ["keyType", "u8"], ["myNonce", "u32"], ["yourNonce", "u32"], ["pid", "u8"], ["prn", "u16"],
    ["pmn", "u8"], ["ccoCapability", "u8"], ["nid", 7], ["newEks", "u8"], ["newKey", 16],
  ],
  "CM_SET_KEY.CNF": [
    ["result", "u8"], ["myNonce", "u32"], ["yourNonce", "u32"], ["pid", "u8"], ["prn", "u16"],
    ["pmn", "u8"], ["ccoCapability", "u8"],
  ],
  "CM_AMP_MAP.REQ": [["amlen", "u16"], ["amdata", "amdata"]],
  "CM_AMP_MAP.CNF": [["resType", "u8"]],
  "CM_SLAC_PARM.REQ": [["applicationType", "u8"], ["securityType", "u8"], ["runId", RUN_ID]],
  "CM_SLAC_PARM.CNF": [
    ["msoundTarget", "mac"], ["numSounds", "u8"], ["timeOut", "u8"], ["respType", "u8"],
    ["forwardingSta", "mac"], ["applicationType", "u8"], ["securityType", "u8"], ["runId", RUN_ID],
  ],
  "CM_START_ATTEN_CHAR.IND": [
    ["applicationType", "u8"], ["securityType", "u8"], ["numSounds", "u8"], ["timeOut", "u8"],
    ["respType", "u8"], ["forwardingSta", "mac"], ["runId", RUN_ID],
  ],
  "CM_MNBC_SOUND.IND": [
    ["applicationType", "u8"], ["securityType", "u8"], ["senderId", ID], ["cnt", "u8"],
    ["runId", RUN_ID], ["reserved", 8], ["rnd", 16],
  ],
  "CM_ATTEN_PROFILE.IND": [["pevMac", "mac"], ["numGroups", "u8"], ["reserved", "u8"], ["aag", "groups"]],
  "CM_ATTEN_CHAR.IND": [
    ["applicationType", "u8"], ["securityType", "u8"], ["sourceAddress", "mac"], ["runId", RUN_ID],
    ["sourceId", ID], ["respId", ID], ["numSounds", "u8"], ["numGroups", "u8"], ["aag", "groups"],
  ],
  "CM_ATTEN_CHAR.RSP": [
    ["applicationType", "u8"], ["securityType", "u8"], ["sourceAddress", "mac"], ["runId", RUN_ID],
    ["sourceId", ID], ["respId", ID], ["result", "u8"],
  ],
  "CM_VALIDATE.REQ": [["signalType", "u8"], ["timer", "u8"], ["result", "u8"]],
  "CM_VALIDATE.CNF": [["signalType", "u8"], ["toggleNum", "u8"], ["result", "u8"]],
  "CM_SLAC_MATCH.REQ": [
    ["applicationType", "u8"], ["securityType", "u8"], ["mvfLength", "u16"], ["pevId", ID],
    ["pevMac", "mac"], ["evseId", ID], ["evseMac", "mac"], ["runId", RUN_ID], ["reserved", 8],
  ],
  "CM_SLAC_MATCH.CNF": [
    ["applicationType", "u8"], ["securityType", "u8"], ["mvfLength", "u16"], ["pevId", ID],
    ["pevMac", "mac"], ["evseId", ID], ["evseMac", "mac"], ["runId", RUN_ID], ["reserved", 8],
    ["nid", 7], ["reserved2", "u8"], ["nmk", 16],
  ],
  "VS_SW_VER.REQ": [],
  "VS_RS_DEV.REQ": [],
  "VS_RS_DEV.CNF": [["status", "u8"]],
  "VS_PL_LNK_STATUS.REQ": [],
  "VS_PL_LNK_STATUS.CNF": [["status", "u8"], ["linkStatus", "u8"]],
  "VS_NW_INFO.REQ": [],
});
