// node --import tsx tools/bench/codec-vs-c.ts [ROUNDS] [device|node]
// Issue 15: the codec on plain Node (no lockdown) against libcbv2g (C, -O2) per message of
// ../shared/vectors/bench_set.tsv, decode and encode, in CPU time (process.cpuUsage: the
// machine is shared, and CPU time does not count the time other processes hold the cores).
// Each figure is the median of ROUNDS rounds (default 15) of ~50 ms each, after a warm-up;
// the libcbv2g figures are ../shared/docs/reference-figures.md's (the same messages, measured
// on this kind of machine). Two rows per message: the device's codec (generated code for the
// charging loop, the interpreter for the rest) and the Node host's (hosts/sim/exi-fast: every
// message generated, registered with createExiCodec({ fast })). Encode is encodeInto() into a
// reused buffer after an 8-byte V2GTP header, as the V2GTP writer sends (and as libcbv2g writes
// into its caller's buffer); the last column is encode(), which returns a new array (on Node an
// off-heap ArrayBuffer above 64 bytes). Prints the figures and the ratios; never fails on them.
import * as os from "node:os";
import { createExiCodec, type SchemaId } from "../../modules/exi/index";
import { fromHex } from "../../modules/common/index";
import { hasShared, readSharedText, readSharedTsv } from "../../tests/support/shared";
import { median } from "./node-times";
import { NODE_FAST } from "../../hosts/sim/exi-fast/index";

/** bench_set.tsv names → the reference table's message column. */
const REFERENCE_NAMES: Readonly<Record<string, string>> = {
  apphand_supportedAppProtocolReq: "supportedAppProtocolReq",
  din_CurrentDemandReq: "DIN CurrentDemandReq",
  din_CurrentDemandRes: "DIN CurrentDemandRes",
  iso2_CurrentDemandReq: "ISO-2 CurrentDemandReq",
  iso2_CurrentDemandRes: "ISO-2 CurrentDemandRes",
  iso2_ChargeParameterDiscoveryRes_DC: "ISO-2 ChargeParameterDiscoveryRes (DC)",
  iso2_ChargeParameterDiscoveryRes_SalesTariff: "ISO-2 ChargeParameterDiscoveryRes (SalesTariff)",
  iso2_PaymentDetailsReq_certchain: "ISO-2 PaymentDetailsReq (certificate chain)",
  iso2_CertificateInstallationRes: "ISO-2 CertificateInstallationRes",
  iso20_DC_ChargeLoopReq: "ISO-20 DC_ChargeLoopReq",
  iso20_DC_ChargeLoopRes: "ISO-20 DC_ChargeLoopRes",
  iso20_ScheduleExchangeRes: "ISO-20 ScheduleExchangeRes",
};

/** libcbv2g's decode / encode ns per message from the reference table (its "dec / enc" column). */
function libcbv2g(): Map<string, { dec: number; enc: number }> {
  const out = new Map<string, { dec: number; enc: number }>();
  const text = readSharedText("docs/reference-figures.md") ?? "";
  for (const line of text.split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    const m = /^([\d,]+) \/ ([\d,]+)$/.exec(cells[3] ?? "");
    if (m) out.set(cells[1], { dec: Number(m[1].replace(/,/g, "")), enc: Number(m[2].replace(/,/g, "")) });
  }
  return out;
}

function cpuNs(f: () => unknown, n: number): number {
  const t0 = process.cpuUsage();
  for (let i = 0; i < n; i++) f();
  const t = process.cpuUsage(t0);
  return ((t.user + t.system) * 1000) / n;
}

/** Median CPU ns per call over `rounds` rounds of ~50 ms. */
function measure(f: () => unknown, rounds: number): number {
  let n = 1;
  while (cpuNs(f, n) * n < 20e6 && n < 1 << 24) n *= 2; // warm-up and calibration
  n = Math.max(1, Math.round((n * 50e6) / Math.max(1, cpuNs(f, n) * n)));
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) times.push(cpuNs(f, n));
  return median(times);
}

function main(): void {
  if (!hasShared()) {
    console.log("needs ../shared (vectors/bench_set.tsv, docs/reference-figures.md)");
    return;
  }
  const rounds = Number(process.argv[2] ?? 15);
  const only = process.argv[3]; // "device" or "node": one codec only
  const reference = libcbv2g();
  console.log(`Node ${process.version}, CPU time, median of ${rounds} rounds; load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")} on ${os.cpus().length} cores`);
  console.log(["message", "bytes", "Node dec ns", "libcbv2g dec", "ratio", "Node enc ns", "libcbv2g enc", "ratio", "encode() ns"].join("\t"));
  const out = new Uint8Array(8 + 8192);
  for (const [name, schema, hex] of readSharedTsv("vectors/bench_set.tsv")) {
    if (!REFERENCE_NAMES[name]) continue;
    const bytes = fromHex(hex)!;
    const c = reference.get(REFERENCE_NAMES[name]);
    const ratio = (a: number, b: number | undefined) => (b ? (a / b).toFixed(2) : "—");
    // the device's codec (loop messages generated, the rest interpreted), then the Node host's
    // (every message generated, hosts/sim/exi-fast), which the sim CLI and Node sessions use
    for (const [label, codec] of [["device", createExiCodec()], ["node", createExiCodec({ fast: NODE_FAST })]] as const) {
      if (only && only !== label) continue;
      const doc = codec.decode(schema as SchemaId, bytes);
      const dec = measure(() => codec.decode(schema as SchemaId, bytes), rounds);
      const enc = measure(() => codec.encodeInto(schema as SchemaId, doc, out, 8), rounds);
      const copied = measure(() => codec.encode(schema as SchemaId, doc), rounds);
      console.log([`${name} (${label})`, bytes.length, dec.toFixed(0), c?.dec ?? "—", ratio(dec, c?.dec), enc.toFixed(0), c?.enc ?? "—", ratio(enc, c?.enc), copied.toFixed(0)].join("\t"));
    }
  }
  console.log(`load average after: ${os.loadavg().map((x) => x.toFixed(1)).join(" ")}`);
}

main();
