// HomePlug AV / Green PHY management message types (MMTYPE) and their names.
//
// MMTYPE is 16 bits, little endian on the wire; its two low bits give the variant
// (00 REQ, 01 CNF, 10 IND, 11 RSP). Values from HomePlug GP 1.1 / ISO 15118-3 Annex A and,
// for the vendor range 0xA000–0xBFFF with Qualcomm's OUI 00:B0:52, from open-plc-utils.

export const ETHERTYPE_HOMEPLUG = 0x88e1;
export const ETHERTYPE_VLAN = 0x8100;
/** Qualcomm Atheros OUI carried by vendor-specific (VS_*) messages. */
export const OUI_QUALCOMM = Object.freeze([0x00, 0xb0, 0x52]) as readonly number[];

export const MMTYPE_REQ = 0;
export const MMTYPE_CNF = 1;
export const MMTYPE_IND = 2;
export const MMTYPE_RSP = 3;
const SUFFIX = Object.freeze(["REQ", "CNF", "IND", "RSP"]);

/** Base MMTYPE (low two bits zero) → message family name; standard range, any OUI. */
export const MMTYPE_BASE: Readonly<Record<number, string>> = Object.freeze({
  0x0014: "CC_DISCOVER_LIST",
  0x6008: "CM_SET_KEY",
  0x601c: "CM_AMP_MAP",
  0x6020: "CM_BRG_INFO",
  0x6038: "CM_NW_INFO",
  0x6048: "CM_NW_STATS",
  0x6064: "CM_SLAC_PARM",
  0x6068: "CM_START_ATTEN_CHAR",
  0x606c: "CM_ATTEN_CHAR",
  0x6074: "CM_MNBC_SOUND",
  0x6078: "CM_VALIDATE",
  0x607c: "CM_SLAC_MATCH",
  0x6080: "CM_SLAC_USER_DATA",
  0x6084: "CM_ATTEN_PROFILE",
});

/** Qualcomm vendor-specific families (OUI 00:B0:52). */
export const MMTYPE_QUALCOMM: Readonly<Record<number, string>> = Object.freeze({
  0xa000: "VS_SW_VER",
  0xa01c: "VS_RS_DEV",
  0xa038: "VS_NW_INFO",
  0xa060: "VS_HOST_ACTION",
  0xa068: "VS_OP_ATTRIBUTES",
  0xa0b8: "VS_PL_LNK_STATUS",
});

export function isVendorMmtype(mmtype: number): boolean {
  return mmtype >= 0xa000 && mmtype <= 0xbfff;
}

/** "CM_SLAC_PARM.REQ" for 0x6064; undefined when the family is unknown. */
export function mmtypeName(mmtype: number, oui?: Uint8Array): string | undefined {
  const base = mmtype & 0xfffc;
  let family: string | undefined;
  if (isVendorMmtype(mmtype)) {
    if (oui && oui[0] === 0x00 && oui[1] === 0xb0 && oui[2] === 0x52) family = MMTYPE_QUALCOMM[base];
  } else {
    family = MMTYPE_BASE[base];
  }
  return family === undefined ? undefined : `${family}.${SUFFIX[mmtype & 3]}`;
}

/** The MMTYPE value of a name such as "CM_SLAC_MATCH.CNF"; undefined when unknown. */
export function mmtypeOf(name: string): number | undefined {
  const dot = name.lastIndexOf(".");
  if (dot < 0) return undefined;
  const variant = SUFFIX.indexOf(name.slice(dot + 1));
  if (variant < 0) return undefined;
  const family = name.slice(0, dot);
  for (const table of [MMTYPE_BASE, MMTYPE_QUALCOMM]) {
    for (const key in table) if (table[key] === family) return Number(key) | variant;
  }
  return undefined;
}
