// Byte helpers the core needs on every host (XS 13 has no Uint8Array hex/base64 methods).

const HEX_DIGITS = "0123456789abcdef";

export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    out += HEX_DIGITS[b >> 4] + HEX_DIGITS[b & 15];
  }
  return out;
}

function nibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 97 && code <= 102) return code - 87; // a-f
  if (code >= 65 && code <= 70) return code - 55; // A-F
  return -1;
}

/** Parses hex (whitespace and a leading 0x are ignored); returns undefined for malformed input. */
export function fromHex(text: string): Uint8Array | undefined {
  let s = text.replace(/\s+/g, "");
  if (s.startsWith("0x") || s.startsWith("0X")) s = s.slice(2);
  if (s.length % 2 !== 0) return undefined;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(s.charCodeAt(2 * i));
    const lo = nibble(s.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) return undefined;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/**
 * Why fromHex rejects `text`, for a message to the person who typed it; undefined when it
 * accepts it. Names the first character that is not a hex digit with its position in `text`
 * (counted from 1, whitespace included), or else the odd count of digits.
 */
export function hexProblem(text: string): string | undefined {
  let digits = 0;
  let prefix = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 32 || (code >= 9 && code <= 13)) continue;
    // "0x" before the first digit pair is a prefix (as fromHex takes it), not a digit
    if (digits === 1 && !prefix && (code === 120 || code === 88) && text.slice(0, i).trim() === "0") {
      prefix = true;
      digits = 0;
      continue;
    }
    if (nibble(code) < 0) return `${describeChar(text, i)} at position ${i + 1} is not a hex digit`;
    digits++;
  }
  if (digits % 2 !== 0) return `${digits} hex digits: an odd count (each byte takes two)`;
  return undefined;
}

/** 'g', or U+001E for a character that does not print. */
function describeChar(text: string, i: number): string {
  const code = text.codePointAt(i)!;
  return code < 0x21 || (code >= 0x7f && code < 0xa0) ? `U+${code.toString(16).toUpperCase().padStart(4, "0")}` : `'${String.fromCodePoint(code)}'`;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** True when every byte is zero (or there are none): a SessionID of zero asks for a new session. */
export function allZero(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** The parts one after another, in a new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A view of any ECMA-419 buffer argument as bytes, without copying. */
export function asBytes(data: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}
