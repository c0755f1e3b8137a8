// @node-only — the ISO 15118-20 captures over TLS 1.3 (dsV2Gshark DS5366 + Josev), decrypted
// with the session keys the test bench discloses on UDP 52345, through our reassembler: they
// confirm 0x8004 (ISO-20 DC) on the wire, besides 0x8001 (SAP) and 0x8002 (CommonMessages).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import { readCapture } from "../../simulation/pcap/read";
import { parseIp } from "../../hosts/sim/pcap/dissect";
import { V2gtpReassembler, payloadTypeName } from "../../modules/v2gtp/index";
import { toHex } from "../../modules/common/index";
import { readShared, sharedSkip } from "../support/shared";

const FILES = ["captures/dsV2Gshark/ISO-20_TLS13_DC_DS5366_Josev.pcapng", "captures/dsV2Gshark/ISO-20_mTLS_DC_DS5366_Josev.pcapng"];

/** RFC 8446 §7.1 HKDF-Expand-Label with an empty context. */
function expandLabel(hash: string, secret: Buffer, label: string, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, "latin1");
  const info = Buffer.concat([Buffer.from([length >> 8, length & 255, full.length]), full, Buffer.from([0])]);
  let t = Buffer.alloc(0);
  const out: Buffer[] = [];
  for (let i = 1; Buffer.concat(out).length < length; i++) {
    t = crypto.createHmac(hash, secret).update(Buffer.concat([t, info, Buffer.from([i])])).digest();
    out.push(t);
  }
  return Buffer.concat(out).subarray(0, length);
}

const SUITES: Record<number, { cipher: string; hash: string; keyLength: number }> = {
  0x1301: { cipher: "aes-128-gcm", hash: "sha256", keyLength: 16 },
  0x1302: { cipher: "aes-256-gcm", hash: "sha384", keyLength: 32 },
  0x1303: { cipher: "chacha20-poly1305", hash: "sha256", keyLength: 32 },
};

class RecordKey {
  seq = 0n;
  readonly key: Buffer;
  readonly iv: Buffer;
  constructor(readonly suite: { cipher: string; hash: string; keyLength: number }, secret: Buffer) {
    this.key = expandLabel(suite.hash, secret, "key", suite.keyLength);
    this.iv = expandLabel(suite.hash, secret, "iv", 12);
  }
  /** Inner plaintext (content + type byte) or undefined when this key does not fit. */
  open(header: Uint8Array, body: Uint8Array): { type: number; data: Buffer } | undefined {
    const nonce = Buffer.from(this.iv);
    for (let i = 0; i < 8; i++) nonce[11 - i] ^= Number((this.seq >> BigInt(8 * i)) & 0xffn);
    try {
      const d = crypto.createDecipheriv(this.suite.cipher as "aes-128-gcm", this.key, nonce, { authTagLength: 16 });
      d.setAAD(header);
      d.setAuthTag(body.subarray(body.length - 16));
      const plain = Buffer.concat([d.update(body.subarray(0, body.length - 16)), d.final()]);
      this.seq++;
      let end = plain.length;
      while (end > 0 && plain[end - 1] === 0) end--;
      return { type: plain[end - 1], data: plain.subarray(0, end - 1) };
    } catch {
      return undefined;
    }
  }
}

interface Flow {
  syn?: number;
  segments: { seq: number; data: Uint8Array }[];
}

function streamOf(f: Flow): Uint8Array {
  const base = f.syn !== undefined ? (f.syn + 1) >>> 0 : f.segments[0].seq;
  const segs = f.segments.map((s) => ({ at: (s.seq - base) >>> 0, data: s.data })).filter((s) => s.at < 0x80000000);
  segs.sort((a, b) => a.at - b.at);
  const parts: Uint8Array[] = [];
  let next = 0;
  for (const s of segs) {
    if (s.at > next) break;
    if (next - s.at < s.data.length) {
      parts.push(s.data.subarray(next - s.at));
      next = s.at + s.data.length;
    }
  }
  return Buffer.concat(parts);
}

function records(stream: Uint8Array): { header: Uint8Array; type: number; body: Uint8Array }[] {
  const out = [];
  for (let o = 0; o + 5 <= stream.length; ) {
    const len = (stream[o + 3] << 8) | stream[o + 4];
    if (o + 5 + len > stream.length) break;
    out.push({ header: stream.subarray(o, o + 5), type: stream[o], body: stream.subarray(o + 5, o + 5 + len) });
    o += 5 + len;
  }
  return out;
}

describe("ISO 15118-20 over TLS 1.3, decrypted", { skip: sharedSkip() }, () => {
  for (const file of FILES) {
    test(`${file.split("/").pop()}: payload types 0x8001, 0x8002 and 0x8004 in the decrypted streams`, (t) => {
      const capture = readCapture(readShared(file)!);
      const secrets = new Map<string, Buffer>(); // "<LABEL> <client random>" → secret
      const flows = new Map<string, Flow>();
      for (const frame of capture.frames) {
        if (!frame.eth) continue;
        const p = parseIp(frame.eth.ethertype, frame.eth.payload);
        if (!p || p.fragment) continue;
        const t = p.payload;
        if (t.length < 8) continue;
        const sport = (t[0] << 8) | t[1];
        const dport = (t[2] << 8) | t[3];
        if (p.protocol === 17 && (sport === 52345 || dport === 52345)) {
          for (const line of Buffer.from(t.subarray(8)).toString("latin1").split(/\r?\n/)) {
            const [label, random, secret] = line.trim().split(/\s+/);
            if (secret) secrets.set(`${label} ${random.toLowerCase()}`, Buffer.from(secret, "hex"));
          }
        } else if (p.protocol === 6 && t.length >= 20) {
          const key = `${toHex(p.src)}:${sport}>${toHex(p.dst)}:${dport}`;
          let f = flows.get(key);
          if (!f) flows.set(key, (f = { segments: [] }));
          const seq = ((t[4] << 24) | (t[5] << 16) | (t[6] << 8) | t[7]) >>> 0;
          if (t[13] & 2) f.syn = seq;
          const data = t.subarray((t[12] >> 4) * 4);
          if (data.length > 0) f.segments.push({ seq, data });
        }
      }
      assert.ok(secrets.size >= 4, `key log lines: ${secrets.size}`);
      const types = new Map<string, number>();
      const errors: string[] = [];
      let sessions = 0;
      for (const [key, flow] of flows) {
        if (flow.segments.length === 0) continue;
        const clientStream = streamOf(flow);
        if (clientStream[0] !== 0x16 || clientStream[5] !== 1) continue; // not a ClientHello
        const [a, b] = key.split(">");
        const back = flows.get(`${b}>${a}`);
        if (!back || back.segments.length === 0) continue;
        const serverStream = streamOf(back);
        const random = toHex(clientStream.subarray(11, 43));
        // ServerHello: record(5) type(1) length(3) version(2) random(32) session id, then the suite
        const sidLength = serverStream[5 + 4 + 2 + 32];
        const suiteId = (serverStream[5 + 4 + 2 + 32 + 1 + sidLength] << 8) | serverStream[5 + 4 + 2 + 32 + 2 + sidLength];
        const suite = SUITES[suiteId];
        assert.ok(suite, `cipher suite 0x${suiteId.toString(16)}`);
        for (const [stream, side] of [
          [clientStream, "CLIENT"],
          [serverStream, "SERVER"],
        ] as const) {
          const hs = secrets.get(`${side}_HANDSHAKE_TRAFFIC_SECRET ${random}`);
          const app = secrets.get(`${side}_TRAFFIC_SECRET_0 ${random}`);
          if (!hs || !app) continue;
          const keys = [new RecordKey(suite, hs), new RecordKey(suite, app)];
          const r = new V2gtpReassembler({
            maxPayloadLength: 65536,
            onMessage: (type) => types.set(payloadTypeName(type), (types.get(payloadTypeName(type)) ?? 0) + 1),
            onError: (e) => errors.push(`${side}: ${e.message}`),
          });
          for (const rec of records(stream)) {
            if (rec.type !== 0x17) continue; // handshake in clear, ChangeCipherSpec
            const opened = keys[0].open(rec.header, rec.body) ?? keys[1].open(rec.header, rec.body);
            if (!opened) {
              errors.push(`${side}: a record no key opens`);
              break;
            }
            if (opened.type === 0x17) r.push(opened.data); // application data: V2GTP
          }
          sessions++;
        }
      }
      assert.deepEqual(errors, []);
      assert.ok(sessions >= 2);
      t.diagnostic(`${sessions} directions decrypted: ${JSON.stringify([...types])}`);
      assert.deepEqual([...types.keys()].sort(), ["EXI", "ISO20_DC_MAINSTREAM", "ISO20_MAINSTREAM"]);
    });
  }
});
