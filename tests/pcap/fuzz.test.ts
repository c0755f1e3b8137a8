// Peer data never crashes the reader or the dissector: damaged captures (flipped bytes, cuts)
// give warnings and per-message errors, never exceptions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readCapture, CaptureFormatError } from "../../simulation/pcap/read";
import { dissectCapture } from "../../hosts/sim/pcap/dissect";
import { engine, readShared, sharedSkip } from "../support/shared";
import { PcapngWriter, SyntheticTcpSession, v2gtpMessage } from "../../simulation/pcap/write";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function survives(bytes: Uint8Array, label: string): void {
  let capture;
  try {
    capture = readCapture(bytes);
  } catch (e) {
    assert.ok(e instanceof CaptureFormatError, `${label}: ${(e as Error).stack}`);
    return;
  }
  try {
    dissectCapture(capture);
  } catch (e) {
    assert.fail(`${label}: dissectCapture threw ${(e as Error).stack}`);
  }
}

function mutations(base: Uint8Array, rounds: number, seed: number): void {
  const r = rng(seed);
  for (let i = 0; i < rounds; i++) {
    const b = base.slice();
    const kind = i % 3;
    if (kind === 0) for (let k = 0; k < 1 + Math.floor(r() * 20); k++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
    if (kind === 1) {
      survives(b.subarray(0, Math.floor(r() * b.length)), `cut ${i}`);
      continue;
    }
    if (kind === 2) {
      // flip bytes inside the V2GTP/TCP part of frames (past the first 100 bytes of the file)
      for (let k = 0; k < 5; k++) b[100 + Math.floor(r() * (b.length - 100))] ^= 1 << Math.floor(r() * 8);
    }
    survives(b, `mutation ${i}`);
  }
}

test("a synthetic session survives random damage", () => {
  const w = new PcapngWriter();
  const ev = { mac: new Uint8Array([2, 0, 0, 0, 0, 1]), ip: new Uint8Array(16).fill(1), port: 50000 };
  const evse = { mac: new Uint8Array([2, 0, 0, 0, 0, 2]), ip: new Uint8Array(16).fill(2), port: 61341 };
  const tcp = new SyntheticTcpSession(w, ev, evse);
  tcp.mss = 40;
  tcp.open(0);
  for (let i = 0; i < 6; i++) tcp.send(i % 2 === 0, v2gtpMessage(0x8001, new Uint8Array(30 + i).fill(0x80)), 10 * i);
  tcp.close(true, 100);
  mutations(w.toBytes(), engine === "xs" ? 60 : 400, 7);
});

test("a real capture survives random damage", { skip: sharedSkip() }, () => {
  const base = readShared("captures/tux-evse-binding/iso15118-v2g-protocol-handshake.pcapng")!;
  mutations(base, engine === "xs" ? 30 : 300, 11);
  const dump = readShared("captures/everest-logfiles/Tesla/Model_Y_11.1/iso15118-2/ac-iso/1_telsa_model_y.dump")!;
  mutations(dump, engine === "xs" ? 30 : 300, 13);
});
