// @node-only — V2GTP and SDP against every capture in ../shared/captures (it reads them with
// hosts/sim/pcap): each plain TCP stream, segment by segment as captured, through our
// reassembler; each SDP datagram through our codec; each SAP handshake replayed to our charger.
// Confirms which payload types real traffic uses.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readCapture, ETHERTYPE_IPV6 } from "../../simulation/pcap/read";
import { parseIp } from "../../hosts/sim/pcap/dissect";
import {
  PROTOCOLS,
  V2gtpReassembler,
  decodeSdpRequest,
  decodeSdpResponse,
  negotiate,
  payloadTypeName,
  protocolOfNamespace,
} from "../../modules/v2gtp/index";
import type { ProtocolId, SupportedAppProtocolReq, SupportedAppProtocolRes } from "../../modules/v2gtp/index";
import { decode, encode } from "../../modules/exi/index";
import { toHex } from "../../modules/common/index";
import { listShared, readShared, sharedSkip } from "../support/shared";

interface Segment {
  seq: number;
  data: Uint8Array;
}

interface Direction {
  key: string;
  syn?: number;
  segments: Segment[];
}

function captureFiles(dir = "captures"): string[] {
  const out: string[] = [];
  for (const name of listShared(dir)) {
    const rel = `${dir}/${name}`;
    if (/\.(pcap|pcapng|dump)$/.test(name)) out.push(rel);
    else out.push(...captureFiles(rel)); // a file lists as empty
  }
  return out;
}

function ip6(b: Uint8Array): string {
  return toHex(b);
}

/** The capture's TCP directions (with data) and UDP 15118 datagrams. */
function scan(rel: string) {
  const capture = readCapture(readShared(rel)!);
  const directions = new Map<string, Direction>();
  const sdp: Uint8Array[] = [];
  for (const frame of capture.frames) {
    if (!frame.eth || frame.eth.ethertype !== ETHERTYPE_IPV6) continue;
    const p = parseIp(frame.eth.ethertype, frame.eth.payload);
    if (!p || p.fragment) continue;
    const t = p.payload;
    if (p.protocol === 17 && t.length >= 8) {
      const sport = (t[0] << 8) | t[1];
      const dport = (t[2] << 8) | t[3];
      if (sport === 15118 || dport === 15118) sdp.push(t.subarray(8));
    } else if (p.protocol === 6 && t.length >= 20) {
      const sport = (t[0] << 8) | t[1];
      const dport = (t[2] << 8) | t[3];
      const seq = ((t[4] << 24) | (t[5] << 16) | (t[6] << 8) | t[7]) >>> 0;
      const flags = t[13];
      const key = `${ip6(p.src)}:${sport}>${ip6(p.dst)}:${dport}`;
      let d = directions.get(key);
      if (!d) directions.set(key, (d = { key, segments: [] }));
      if (flags & 0x02) d.syn = seq; // SYN
      const data = t.subarray((t[12] >> 4) * 4);
      if (data.length > 0) d.segments.push({ seq, data });
    }
  }
  return { capture, directions: [...directions.values()].filter((d) => d.segments.length > 0), sdp };
}

/** The direction's segments in sequence order, retransmissions and overlaps trimmed, stopping at a gap. */
function ordered(d: Direction): Uint8Array[] {
  const base = d.syn !== undefined ? (d.syn + 1) >>> 0 : d.segments[0].seq;
  const rel = d.segments.map((s) => ({ at: (s.seq - base) >>> 0, data: s.data })).filter((s) => s.at < 0x80000000);
  rel.sort((a, b) => a.at - b.at);
  const out: Uint8Array[] = [];
  let next = 0;
  for (const s of rel) {
    if (s.at > next) break; // a hole the capture missed: stop here
    const skip = next - s.at;
    if (skip >= s.data.length) continue;
    out.push(s.data.subarray(skip));
    next = s.at + s.data.length;
  }
  return out;
}

const files = sharedSkip() ? [] : captureFiles();

describe("real captures through the V2GTP layer", { skip: sharedSkip() }, () => {
  const types = new Map<string, number>();
  const problems: string[] = [];
  const sapPairs: { file: string; req: Uint8Array; res: Uint8Array }[] = [];
  let streams = 0;
  let tlsStreams = 0;
  let messages = 0;
  let sdpRequests = 0;
  let sdpResponses = 0;

  test("every capture reads; every plain stream reassembles segment by segment without a header error", () => {
    for (const rel of files) {
      const { directions, sdp } = scan(rel);
      for (const datagram of sdp) {
        const type = (datagram[2] << 8) | datagram[3];
        try {
          if (type === 0x9000) (decodeSdpRequest(datagram), sdpRequests++);
          else if (type === 0x9001) (decodeSdpResponse(datagram), sdpResponses++);
          else problems.push(`${rel}: SDP datagram of type ${payloadTypeName(type)}`);
        } catch (e) {
          problems.push(`${rel}: SDP ${toHex(datagram)}: ${(e as Error).message}`);
        }
      }
      const firstSap = new Map<string, Uint8Array>(); // connection → first 0x8001 payload per direction
      for (const d of directions) {
        const chunks = ordered(d);
        if (chunks.length === 0) continue;
        if (chunks[0][0] === 0x16 || chunks[0][0] === 0x17) {
          tlsStreams++; // TLS records (ISO-2 PnC, ISO-20 DC): encrypted, not ours to read here
          continue;
        }
        if (chunks[0][0] !== 0x01) continue; // another protocol (the bench's key disclosure, …)
        streams++;
        const r = new V2gtpReassembler({
          maxPayloadLength: 65536,
          onMessage: (type, payload) => {
            messages++;
            const name = payloadTypeName(type);
            types.set(name, (types.get(name) ?? 0) + 1);
            if (type === 0x8001 && !firstSap.has(d.key)) firstSap.set(d.key, payload.slice());
          },
          onError: (e) => problems.push(`${rel} ${d.key}: ${e.message}`),
        });
        for (const c of chunks) r.push(c);
        // a capture may stop mid-message (the session was cut); that is not a framing error
      }
      // pair each connection's two first 0x8001 payloads (request EV→EVSE, response back)
      for (const [key, payload] of firstSap) {
        const [a, b] = key.split(">");
        const back = firstSap.get(`${b}>${a}`);
        if (back && payload.length > back.length) sapPairs.push({ file: rel, req: payload, res: back });
      }
    }
    assert.deepEqual(problems, []);
    assert.ok(files.length >= 100, `${files.length} capture files`);
  });

  test("payload types seen: 0x8001 (SAP/DIN/ISO-2), 0x8002 and 0x8003 (ISO-20 AC, plain), SDP 0x9000/0x9001", (t) => {
    t.diagnostic(`${files.length} files, ${streams} plain streams, ${tlsStreams} TLS streams, ${messages} messages: ${JSON.stringify([...types])}; SDP ${sdpRequests} requests, ${sdpResponses} responses`);
    assert.deepEqual([...types.keys()].sort(), ["EXI", "ISO20_AC_MAINSTREAM", "ISO20_MAINSTREAM"]);
    assert.ok(messages > 60_000, `${messages} messages in ${streams} plain streams (${tlsStreams} TLS streams skipped)`);
    assert.ok(sdpRequests >= 100 && sdpResponses >= 100, `${sdpRequests} SDP requests, ${sdpResponses} responses`);
  });

  test("every SAP handshake found in a plain stream: our charger, configured like the real one, agrees", (t) => {
    try {
      decode("apphand", new Uint8Array([0x80, 0x40, 0x00, 0x40]));
    } catch (e) {
      t.skip(`EXI codec unavailable (${(e as Error).message})`);
      return;
    }
    const disagreements: string[] = [];
    let compared = 0;
    for (const pair of sapPairs) {
      let req: SupportedAppProtocolReq;
      let res: SupportedAppProtocolRes;
      try {
        req = decode("apphand", pair.req) as SupportedAppProtocolReq;
        res = decode("apphand", pair.res) as SupportedAppProtocolRes;
      } catch {
        continue; // not a SAP pair (a stream that started after the handshake)
      }
      if (!req.supportedAppProtocolReq || !res.supportedAppProtocolRes) continue;
      compared++;
      const real = res.supportedAppProtocolRes;
      const entries = req.supportedAppProtocolReq.AppProtocol;
      const asked = new Set(entries.map((e) => protocolOfNamespace(e.ProtocolNamespace)?.id));
      const offer: ProtocolId[] = PROTOCOLS.map((p) => p.id).filter((id) => !asked.has(id));
      if (real.ResponseCode.startsWith("OK")) {
        const chosen = entries.find((e) => e.SchemaID === real.SchemaID)!;
        for (const e of entries) {
          const id = protocolOfNamespace(e.ProtocolNamespace)?.id;
          if (id && (e === chosen || e.Priority > chosen.Priority)) offer.push(id);
        }
      }
      const ours = negotiate(req, offer);
      const ok = real.ResponseCode.startsWith("OK")
        ? toHex(encode("apphand", ours.response)) === toHex(pair.res)
        : ours.code === "Failed_NoNegotiation";
      if (!ok) disagreements.push(`${pair.file}: real ${JSON.stringify(real)}, ours ${JSON.stringify(ours.response)}`);
    }
    t.diagnostic(`${compared} SAP handshakes replayed, ${disagreements.length} disagreements`);
    assert.deepEqual(disagreements, []);
    assert.ok(compared >= 90, `${compared} handshakes compared`);
  });
});
