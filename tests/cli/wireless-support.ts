// Test support for `xs15118 secc|evcc --transfer wpt|acdp` as two processes (Node only): the
// processes, a recording TCP relay between them on loopback, the V2GTP messages of each side
// and their round trip through `xs15118 exi batch`.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as net from "node:net";
import { fileURLToPath } from "node:url";
import { main } from "../../hosts/sim/cli";
import { bufferIo } from "../support/cli-io";
import { toHex } from "../../modules/common/index";
import { iso20SchemaOf, PayloadType } from "../../modules/v2gtp/index";
import type { SchemaId } from "../../modules/exi/index";

const BIN = fileURLToPath(new URL("../../bin/xs15118.js", import.meta.url));

export interface Proc {
  out: string[];
  err: string[];
  exit: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

/** `xs15118 ARGS` as a process, in network namespace `ns` when given. */
export function proc(args: string[], ns?: string): Proc {
  const command = ns === undefined ? [process.execPath, BIN, ...args] : ["ip", "netns", "exec", ns, process.execPath, BIN, ...args];
  const child = spawn(command[0], command.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
  const out: string[] = [];
  const err: string[] = [];
  child.stdout.setEncoding("utf8").on("data", (c: string) => out.push(...c.split("\n").filter((l) => l !== "")));
  child.stderr.setEncoding("utf8").on("data", (c: string) => err.push(...c.split("\n").filter((l) => l !== "")));
  const exit = new Promise<number | null>((resolve) => child.once("close", resolve));
  return { out, err, exit, kill: (signal) => child.kill(signal) };
}

export const jsonLines = (lines: string[]) => lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);

/** A TCP relay on [::1] to the charger's port that keeps what each side sent, in order. */
async function relay(port: number): Promise<{ port: number; ev: Buffer[]; evse: Buffer[]; close(): void }> {
  const ev: Buffer[] = [];
  const evse: Buffer[] = [];
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: "::1", port });
    client.on("data", (d: Buffer) => {
      ev.push(Buffer.from(d));
      upstream.write(d);
    });
    upstream.on("data", (d: Buffer) => {
      evse.push(Buffer.from(d));
      client.write(d);
    });
    client.on("close", () => upstream.end());
    upstream.on("close", () => client.end());
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "::1", resolve));
  return { port: (server.address() as net.AddressInfo).port, ev, evse, close: () => server.close() };
}

/** Each side's stream cut into V2GTP messages: payload type and payload. */
export function v2gtp(chunks: Buffer[]): { type: number; payload: Uint8Array }[] {
  const stream = Buffer.concat(chunks);
  const out: { type: number; payload: Uint8Array }[] = [];
  for (let i = 0; i + 8 <= stream.length; ) {
    const length = stream.readUInt32BE(i + 4);
    out.push({ type: stream.readUInt16BE(i + 2), payload: new Uint8Array(stream.subarray(i + 8, i + 8 + length)) });
    i += 8 + length;
  }
  return out;
}

/** A charger and a vehicle of `transfer` through the relay; both exit codes, JSON lines and what went over the wire. */
export async function session(transfer: "wpt" | "acdp", secc: string[] = [], evcc: string[] = []) {
  const charger = proc(["secc", "--no-sdp", "--port", "0", "--protocols", "iso20", "--transfer", transfer, "--insecure-iso20-plain-tcp", "--fast", "--json", "--quiet", ...secc]);
  try {
    let ready: Record<string, unknown> | undefined;
    const deadline = Date.now() + 30_000;
    while ((ready = jsonLines(charger.out).find((j) => j.event === "ready")) === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(ready, `secc ready: ${charger.err.join("\n")}`);
    const wire = await relay(ready.port as number);
    try {
      // A 2 kWh pack from 50 % to 51 %: 20 Wh, a few seconds at 11 kW.
      const vehicle = proc(["evcc", "--secc", `[::1]:${wire.port}`, "--protocols", "iso20", "--transfer", transfer, "--insecure-iso20-plain-tcp", "--capacity", "2", "--start-soc", "50", "--target-soc", "51", "--max-time", "90", "--json", ...evcc]);
      const code = await vehicle.exit;
      charger.kill("SIGTERM");
      const seccCode = await charger.exit;
      return { code, seccCode, vehicle: jsonLines(vehicle.out)[0], sessions: jsonLines(charger.out).filter((j) => j.event === "session"), evErr: vehicle.err, seccErr: charger.err, ev: v2gtp(wire.ev), evse: v2gtp(wire.evse) };
    } finally {
      wire.close();
    }
  } finally {
    charger.kill("SIGKILL");
  }
}

/** Every message through `xs15118 exi batch` (decode, re-encode, compare): the lines that did not come back the same. */
export async function roundTrip(messages: { type: number; payload: Uint8Array }[]): Promise<string[]> {
  const schemaOf = (type: number): SchemaId => (type === PayloadType.EXI ? "apphand" : iso20SchemaOf(type)!);
  const batch = bufferIo(messages.map((m) => `roundtrip ${schemaOf(m.type)} ${toHex(m.payload)}`).join("\n"));
  assert.equal(await main(["exi", "batch"], batch), 0, batch.stderr.join("\n"));
  assert.equal(batch.stdout.length, messages.length);
  return batch.stdout.map((l, i) => (l === "OK SAME" ? undefined : `0x${messages[i].type.toString(16)}: ${l}`)).filter((l): l is string => l !== undefined);
}

