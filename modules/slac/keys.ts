// HomePlug AV key derivation: the NID (Network Identifier) of an NMK (Network Membership Key).
//
// HomePlug AV 1.1 §4.4.3.1: the NID is the PBKDF1 (SHA-256, no salt, 5 iterations) digest of
// the NMK — hash the NMK, re-hash the digest four times — of which the first 52 bits are kept;
// the security level (2 bits, 0 = simple connect) takes the top of the last half byte. Checked
// against the CM_SET_KEY.REQ and CM_SLAC_MATCH.CNF frames of the EVerest captures, and against
// the well-known NID b0f2e695666b03 of the default NMK of the password "HomePlugAV".

import { sha256 } from "../common/sha256";
import { ImplementationError } from "../common/errors";

export const NMK_LENGTH = 16;
export const NID_LENGTH = 7;

export function deriveNid(nmk: Uint8Array, securityLevel = 0): Uint8Array {
  if (nmk.length !== NMK_LENGTH) throw new ImplementationError("an NMK is 16 bytes");
  let digest = sha256(nmk);
  for (let i = 0; i < 4; i++) digest = sha256(digest);
  const nid = digest.slice(0, NID_LENGTH);
  nid[6] = (nid[6] >> 4) | ((securityLevel & 3) << 4);
  return nid;
}

/** A random NMK and its NID, from the host's random source. */
export function newNetworkKey(random: (count: number) => Uint8Array): { nmk: Uint8Array; nid: Uint8Array } {
  const nmk = random(NMK_LENGTH);
  if (!(nmk instanceof Uint8Array) || nmk.length !== NMK_LENGTH) throw new ImplementationError("random(16) must return 16 bytes");
  return { nmk: nmk.slice(), nid: deriveNid(nmk) };
}
