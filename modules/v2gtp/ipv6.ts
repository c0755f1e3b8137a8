// IPv6 text ⇄ 16 bytes (RFC 4291 §2.2 input, RFC 5952 canonical output), with zones ("%eth0").
// SDP carries the charger's address as 16 raw bytes; hosts speak text.

/** Splits "fe80::1%eth0" into address and zone ("" when none). */
export function splitZone(text: string): { address: string; zone: string } {
  const i = text.indexOf("%");
  return i < 0 ? { address: text, zone: "" } : { address: text.slice(0, i), zone: text.slice(i + 1) };
}

function parseGroups(part: string, out: number[]): boolean {
  if (part.length === 0) return true;
  const groups = part.split(":");
  for (let g = 0; g < groups.length; g++) {
    const s = groups[g];
    if (g === groups.length - 1 && s.indexOf(".") >= 0) {
      // embedded IPv4 (::ffff:192.0.2.1)
      const octets = s.split(".");
      if (octets.length !== 4) return false;
      const b: number[] = [];
      for (const o of octets) {
        if (!/^\d{1,3}$/.test(o) || Number(o) > 255) return false;
        b.push(Number(o));
      }
      out.push((b[0] << 8) | b[1], (b[2] << 8) | b[3]);
      continue;
    }
    if (!/^[0-9a-fA-F]{1,4}$/.test(s)) return false;
    out.push(parseInt(s, 16));
  }
  return true;
}

/** 16 bytes of an IPv6 literal (a zone is ignored); undefined when malformed. */
export function parseIpv6(text: string): Uint8Array | undefined {
  const { address } = splitZone(text.trim());
  const double = address.indexOf("::");
  if (double >= 0 && address.indexOf("::", double + 1) >= 0) return undefined;
  const head: number[] = [];
  const tail: number[] = [];
  if (double >= 0) {
    if (!parseGroups(address.slice(0, double), head) || !parseGroups(address.slice(double + 2), tail)) return undefined;
    if (head.length + tail.length > 7) return undefined;
  } else {
    if (!parseGroups(address, head) || head.length !== 8) return undefined;
  }
  const words = head.concat(new Array<number>(8 - head.length - tail.length).fill(0), tail);
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = words[i] >> 8;
    out[2 * i + 1] = words[i] & 0xff;
  }
  return out;
}

/** RFC 5952 text of 16 bytes: lower case, no leading zeros, the longest run (≥ 2) of zero groups as "::". */
export function formatIpv6(bytes: Uint8Array, zone = ""): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((bytes[2 * i] << 8) | bytes[2 * i + 1]);
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  let text: string;
  if (bestStart < 0) text = words.map((w) => w.toString(16)).join(":");
  else {
    const left = words.slice(0, bestStart).map((w) => w.toString(16)).join(":");
    const right = words.slice(bestStart + bestLength).map((w) => w.toString(16)).join(":");
    text = `${left}::${right}`;
  }
  return zone ? `${text}%${zone}` : text;
}

/** fe80::/10 — needs a zone to be reachable. */
export function isLinkLocal(bytes: Uint8Array): boolean {
  return bytes[0] === 0xfe && (bytes[1] & 0xc0) === 0x80;
}
