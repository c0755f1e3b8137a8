// TLS decryption for captures whose keys are known (NSS key-log lines: the dSPACE bench sends
// them on UDP 52345; SSLKEYLOGFILE files; pcapng Decryption Secrets Blocks). Node only
// (node:crypto). Plugs into dissectCapture through `DissectOptions.tls`.
//
// Covers what ISO 15118 uses: TLS 1.2 with AES-CBC + HMAC-SHA256/384 (ISO 15118-2's
// ECDH(E)_ECDSA_WITH_AES_128_CBC_SHA256) or AES-GCM, and TLS 1.3 with AES-GCM or
// ChaCha20-Poly1305 (ISO 15118-20). MACs are not checked (CBC); AEAD tags are.

import * as crypto from "node:crypto";
import type { TlsDecryptor, TlsPlaintext, TlsRecordUnit } from "./dissect";

interface Suite {
  name: string;
  hash: "sha256" | "sha384";
  cipher: "cbc" | "gcm" | "chacha";
  keyLength: number;
  /** CBC: MAC length. */
  macLength: number;
}

const SUITES: Record<number, Suite> = {
  0xc023: { name: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", hash: "sha256", cipher: "cbc", keyLength: 16, macLength: 32 },
  0xc024: { name: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", hash: "sha384", cipher: "cbc", keyLength: 32, macLength: 48 },
  0xc025: { name: "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256", hash: "sha256", cipher: "cbc", keyLength: 16, macLength: 32 },
  0xc026: { name: "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384", hash: "sha384", cipher: "cbc", keyLength: 32, macLength: 48 },
  0xc027: { name: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", hash: "sha256", cipher: "cbc", keyLength: 16, macLength: 32 },
  0xc028: { name: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", hash: "sha384", cipher: "cbc", keyLength: 32, macLength: 48 },
  0xc02b: { name: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", hash: "sha256", cipher: "gcm", keyLength: 16, macLength: 0 },
  0xc02c: { name: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", hash: "sha384", cipher: "gcm", keyLength: 32, macLength: 0 },
  0xc02d: { name: "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256", hash: "sha256", cipher: "gcm", keyLength: 16, macLength: 0 },
  0xc02e: { name: "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384", hash: "sha384", cipher: "gcm", keyLength: 32, macLength: 0 },
  0xc02f: { name: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", hash: "sha256", cipher: "gcm", keyLength: 16, macLength: 0 },
  0xc030: { name: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", hash: "sha384", cipher: "gcm", keyLength: 32, macLength: 0 },
  0x1301: { name: "TLS_AES_128_GCM_SHA256", hash: "sha256", cipher: "gcm", keyLength: 16, macLength: 0 },
  0x1302: { name: "TLS_AES_256_GCM_SHA384", hash: "sha384", cipher: "gcm", keyLength: 32, macLength: 0 },
  0x1303: { name: "TLS_CHACHA20_POLY1305_SHA256", hash: "sha256", cipher: "chacha", keyLength: 32, macLength: 0 },
};

/** NSS key log: client random (hex) → label → secret. */
export function parseKeyLog(lines: string[]): Map<string, Record<string, Buffer>> {
  const out = new Map<string, Record<string, Buffer>>();
  for (const raw of lines) {
    const line = raw.trim();
    if (line.length === 0 || line[0] === "#") continue;
    const [label, random, secret] = line.split(/\s+/);
    if (!label || !random || !secret) continue;
    const key = random.toLowerCase();
    const entry = out.get(key) ?? {};
    entry[label] = Buffer.from(secret, "hex");
    out.set(key, entry);
  }
  return out;
}

function hmac(hash: string, key: Buffer, data: Buffer): Buffer {
  return crypto.createHmac(hash, key).update(data).digest();
}

/** TLS 1.2 PRF (RFC 5246 §5). */
function prf12(hash: string, secret: Buffer, label: string, seed: Buffer, length: number): Buffer {
  const s = Buffer.concat([Buffer.from(label, "latin1"), seed]);
  const out: Buffer[] = [];
  let a: Buffer = s;
  let n = 0;
  while (n < length) {
    a = hmac(hash, secret, a);
    const p = hmac(hash, secret, Buffer.concat([a, s]));
    out.push(p);
    n += p.length;
  }
  return Buffer.concat(out).subarray(0, length);
}

/** HKDF-Expand-Label (RFC 8446 §7.1) with an empty context. */
function expandLabel(hash: string, secret: Buffer, label: string, length: number): Buffer {
  const full = Buffer.from("tls13 " + label, "latin1");
  const info = Buffer.concat([Buffer.from([length >> 8, length & 0xff, full.length]), full, Buffer.from([0])]);
  const out: Buffer[] = [];
  let t: Buffer = Buffer.alloc(0);
  let n = 0;
  for (let i = 1; n < length; i++) {
    t = hmac(hash, secret, Buffer.concat([t, info, Buffer.from([i])]));
    out.push(t);
    n += t.length;
  }
  return Buffer.concat(out).subarray(0, length);
}

function seqBytes(seq: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32BE(Math.floor(seq / 4294967296), 0);
  b.writeUInt32BE(seq >>> 0, 4);
  return b;
}

function aeadOpen(suite: Suite, key: Buffer, nonce: Buffer, aad: Buffer, sealed: Buffer): Buffer {
  const tag = sealed.subarray(sealed.length - 16);
  const body = sealed.subarray(0, sealed.length - 16);
  const algo = suite.cipher === "chacha" ? "chacha20-poly1305" : `aes-${suite.keyLength * 8}-gcm`;
  const d = crypto.createDecipheriv(algo as "aes-128-gcm", key, nonce, { authTagLength: 16 } as never) as crypto.DecipherGCM;
  d.setAAD(aad);
  d.setAuthTag(tag);
  return Buffer.concat([d.update(body), d.final()]);
}

interface Hello {
  clientRandom?: Buffer;
  serverRandom?: Buffer;
  suite?: number;
  tls13: boolean;
  encryptThenMac: boolean;
}

/** Client/server randoms, cipher suite and version from the clear-text hellos. */
function readHellos(records: TlsRecordUnit[]): Hello {
  const h: Hello = { tls13: false, encryptThenMac: false };
  for (const r of records) {
    if (r.type !== 22 || r.payload.length < 38) continue;
    const p = Buffer.from(r.payload.buffer, r.payload.byteOffset, r.payload.byteLength);
    if (p[0] === 1 && r.fromClient && !h.clientRandom) h.clientRandom = Buffer.from(p.subarray(6, 38));
    if (p[0] === 2 && !r.fromClient && !h.serverRandom) {
      h.serverRandom = Buffer.from(p.subarray(6, 38));
      let o = 38;
      const sidLen = p[o];
      o += 1 + sidLen;
      h.suite = p.readUInt16BE(o);
      o += 3; // suite + compression
      if (o + 2 <= p.length) {
        const end = Math.min(p.length, o + 2 + p.readUInt16BE(o));
        o += 2;
        while (o + 4 <= end) {
          const type = p.readUInt16BE(o);
          const len = p.readUInt16BE(o + 2);
          if (type === 0x002b && len === 2 && p.readUInt16BE(o + 4) === 0x0304) h.tls13 = true;
          if (type === 0x0016) h.encryptThenMac = true;
          o += 4 + len;
        }
      }
    }
  }
  return h;
}

/** A decryptor using the key-log lines found in (or given with) the capture. */
export function tlsDecryptor(extraKeyLog: string[] = []): TlsDecryptor {
  return {
    decrypt(records, keyLog) {
      const keys = parseKeyLog(keyLog.concat(extraKeyLog));
      const hello = readHellos(records);
      if (!hello.clientRandom || !hello.serverRandom || hello.suite === undefined) return { error: "no ClientHello/ServerHello in clear" };
      const suite = SUITES[hello.suite];
      if (!suite) return { error: `cipher suite 0x${hello.suite.toString(16)} not supported` };
      const secrets = keys.get(hello.clientRandom.toString("hex"));
      if (!secrets) return { error: "no key-log entry for this session's client random" };
      try {
        const plaintext = hello.tls13 ? decrypt13(records, suite, secrets) : decrypt12(records, suite, hello, secrets);
        return { plaintext, version: hello.tls13 ? "TLS 1.3" : "TLS 1.2", cipherSuite: suite.name };
      } catch (e) {
        return { error: `decryption failed: ${(e as Error).message}` };
      }
    },
  };
}

function chunk(r: TlsRecordUnit, data: Buffer): TlsPlaintext {
  return { fromClient: r.fromClient, data: new Uint8Array(data), frame: r.frame, firstFrame: r.firstFrame, time: r.time };
}

function decrypt12(records: TlsRecordUnit[], suite: Suite, hello: Hello, secrets: Record<string, Buffer>): TlsPlaintext[] {
  const master = secrets.CLIENT_RANDOM;
  if (!master) throw new Error("no CLIENT_RANDOM (master secret) line");
  const macLen = suite.cipher === "cbc" ? suite.macLength : 0;
  const ivLen = suite.cipher === "cbc" ? 16 : 4;
  const block = prf12(suite.hash, master, "key expansion", Buffer.concat([hello.serverRandom!, hello.clientRandom!]), 2 * macLen + 2 * suite.keyLength + 2 * ivLen);
  let o = 2 * macLen;
  const clientKey = block.subarray(o, (o += suite.keyLength));
  const serverKey = block.subarray(o, (o += suite.keyLength));
  const clientSalt = block.subarray(o, (o += ivLen));
  const serverSalt = block.subarray(o, (o += ivLen));
  const state = { client: { on: false, seq: 0 }, server: { on: false, seq: 0 } };
  const out: TlsPlaintext[] = [];
  for (const r of records) {
    const side = r.fromClient ? state.client : state.server;
    if (r.type === 20) {
      side.on = true;
      side.seq = 0;
      continue;
    }
    if (!side.on) continue;
    const p = Buffer.from(r.payload.buffer, r.payload.byteOffset, r.payload.byteLength);
    const key = r.fromClient ? clientKey : serverKey;
    let plain: Buffer;
    if (suite.cipher === "cbc") {
      const body = hello.encryptThenMac ? p.subarray(0, p.length - macLen) : p;
      const d = crypto.createDecipheriv(`aes-${suite.keyLength * 8}-cbc`, key, body.subarray(0, 16));
      d.setAutoPadding(false);
      const dec = Buffer.concat([d.update(body.subarray(16)), d.final()]);
      const pad = dec[dec.length - 1];
      plain = dec.subarray(0, dec.length - pad - 1 - (hello.encryptThenMac ? 0 : macLen));
    } else {
      const nonce = Buffer.concat([r.fromClient ? clientSalt : serverSalt, p.subarray(0, 8)]);
      const len = p.length - 8 - 16;
      const aad = Buffer.concat([seqBytes(side.seq), Buffer.from([r.type, r.version >> 8, r.version & 0xff, len >> 8, len & 0xff])]);
      plain = aeadOpen(suite, key, nonce, aad, p.subarray(8));
    }
    side.seq++;
    if (r.type === 23) out.push(chunk(r, plain));
  }
  return out;
}

function decrypt13(records: TlsRecordUnit[], suite: Suite, secrets: Record<string, Buffer>): TlsPlaintext[] {
  const need = ["CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0"];
  for (const n of need) if (!secrets[n]) throw new Error(`no ${n} line`);
  const keysOf = (secret: Buffer) => ({ key: expandLabel(suite.hash, secret, "key", suite.keyLength), iv: expandLabel(suite.hash, secret, "iv", 12) });
  const epochs = {
    client: [keysOf(secrets.CLIENT_HANDSHAKE_TRAFFIC_SECRET), keysOf(secrets.CLIENT_TRAFFIC_SECRET_0)],
    server: [keysOf(secrets.SERVER_HANDSHAKE_TRAFFIC_SECRET), keysOf(secrets.SERVER_TRAFFIC_SECRET_0)],
  };
  const state = { client: { epoch: 0, seq: 0 }, server: { epoch: 0, seq: 0 } };
  const out: TlsPlaintext[] = [];
  for (const r of records) {
    if (r.type !== 23) continue; // hellos in clear, compatibility ChangeCipherSpec
    const side = r.fromClient ? state.client : state.server;
    const list = r.fromClient ? epochs.client : epochs.server;
    const p = Buffer.from(r.payload.buffer, r.payload.byteOffset, r.payload.byteLength);
    const aad = Buffer.from([23, r.version >> 8, r.version & 0xff, p.length >> 8, p.length & 0xff]);
    const open = (epoch: number, seq: number) => {
      const { key, iv } = list[epoch];
      const nonce = Buffer.from(iv);
      const s = seqBytes(seq);
      for (let i = 0; i < 8; i++) nonce[4 + i] ^= s[i];
      return aeadOpen(suite, key, nonce, aad, p);
    };
    let inner: Buffer;
    try {
      inner = open(side.epoch, side.seq);
      side.seq++;
    } catch (e) {
      if (side.epoch !== 0) throw e;
      // the handshake ended without us seeing Finished (e.g. a lost record): try the traffic keys
      side.epoch = 1;
      side.seq = 0;
      inner = open(1, 0);
      side.seq = 1;
    }
    let end = inner.length;
    while (end > 0 && inner[end - 1] === 0) end--;
    const type = inner[end - 1];
    const content = inner.subarray(0, end - 1);
    if (type === 23) out.push(chunk(r, content));
    else if (type === 22 && side.epoch === 0) {
      // handshake messages: Finished (20) ends this side's handshake epoch
      let o = 0;
      while (o + 4 <= content.length) {
        const t = content[o];
        const len = (content[o + 1] << 16) | (content[o + 2] << 8) | content[o + 3];
        o += 4 + len;
        if (t === 20) {
          side.epoch = 1;
          side.seq = 0;
        }
      }
    }
  }
  return out;
}
