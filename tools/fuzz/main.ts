// npm run fuzz — fuzzes every layer that reads peer input (see tools/fuzz/layers.ts):
//
//   npm run fuzz -- --layer L --seed S --count N   one layer (or "all", the default), N inputs each
//   npm run fuzz -- --layer L --seed S --index I   input I alone (a finding's reproducer)
//   npm run fuzz -- --engine xs                    inside the XS engine (xsnap), with a smaller corpus
//   npm run fuzz -- --list                         the layers and what each feeds
//
// Prints, per layer: inputs tried, time and rate (and so how long 10^6 inputs take), the
// histogram of outcomes, the slowest input, and every finding (an exception that escaped the
// layer: a crash or an untyped error) with the seed and index that reproduce it. Exit status 1
// when there is a finding. Mutators are seeded: the same seed gives the same inputs.

import { LAYERS } from "./layers";
import { formatReport, runFuzz, type FuzzReport } from "./runner";

const args = process.argv.slice(2);
function option(name: string, fallback: string): string {
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return fallback;
  return args[i].includes("=") ? args[i].slice(args[i].indexOf("=") + 1) : (args[i + 1] ?? fallback);
}

function usage(message: string): never {
  console.error(`${message}\nlayers: ${LAYERS.map((l) => l.name).join(", ")} (or all)`);
  process.exit(2);
}

if (args.includes("--list")) {
  for (const l of LAYERS) console.log(`${l.name.padEnd(12)} ${l.about}`);
  process.exit(0);
}

const layerName = option("layer", "all");
const seed = Number(option("seed", "1"));
const index = option("index", "");
const count = index ? 1 : Number(option("count", "10000"));
const first = index ? Number(index) : 0;
const engine = option("engine", "node");
if (!Number.isInteger(seed) || seed < 0) usage(`--seed ${option("seed", "")}: a non-negative integer`);
if (!Number.isInteger(count) || count < 1) usage(`--count: a positive integer`);
if (engine !== "node" && engine !== "xs") usage(`--engine ${engine}: node or xs`);
const chosen = layerName === "all" ? LAYERS : LAYERS.filter((l) => l.name === layerName);
if (chosen.length === 0) usage(`unknown layer ${layerName}`);

let findings = 0;
const show = (r: FuzzReport): void => {
  findings += r.findings.length;
  for (const line of formatReport(r)) console.log(line);
};

if (engine === "node") {
  for (const layer of chosen) {
    const t0 = Date.now();
    show(runFuzz(layer, { seed, count, first, progress: (n) => process.stderr.write(`  ${layer.name}: ${n} inputs, ${((Date.now() - t0) / 1000).toFixed(0)} s\r`) }));
  }
} else {
  const { bundleForXs, ROOT } = await import("../xs/bundle");
  const { startXsWorker } = await import("../xs/worker");
  const worker = await startXsWorker("xs15118-fuzz");
  try {
    // tests/support/host-xs reads ../shared through the worker, relative to the repository root.
    await worker.evaluate(`globalThis.__XS_ROOT__ = ${JSON.stringify(ROOT)};`);
    await worker.evaluate(await bundleForXs(`import "./tools/fuzz/xs-driver";`));
    console.log("engine: XS (xsnap), reduced corpus");
    for (const layer of chosen) {
      worker.reports.length = 0;
      await worker.evaluate(`__fuzz.run(${JSON.stringify(layer.name)}, ${seed}, ${count}, ${first})`);
      show((worker.reports[0] as { fuzz: FuzzReport }).fuzz);
    }
  } finally {
    await worker.close();
  }
}
process.exit(findings > 0 ? 1 : 0);
