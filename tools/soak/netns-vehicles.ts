// The vehicle side of the netns soak: runs in the vehicle's network namespace and drives
// `xs15118 evcc` sessions one after another in this one process (a process per session spends
// most of its time starting Node and tsx: 11 sessions a minute, against some 60 here), over the
// same code path as the command (SDP on the veth, TCP, SAP, the session, the orderly stop).
// One JSON line per session on stdout: {"index", "kind", "status", "session": evcc's JSON line}.
//
//   node --import tsx tools/soak/netns-vehicles.ts --iface IF --sessions N [--first I]

import evcc from "../../hosts/sim/commands/evcc";
import type { CliIo } from "../../hosts/sim/cli";

/** The mix of protocols and transfers, in turn: the charger offers DIN, ISO-2 and -20, DC and AC. */
export const VEHICLE_KINDS: readonly (readonly string[])[] = Object.freeze([
  Object.freeze(["--protocol", "din", "--transfer", "dc"]),
  Object.freeze(["--protocol", "iso2", "--transfer", "dc"]),
  Object.freeze(["--protocol", "iso2", "--transfer", "ac"]),
  Object.freeze(["--protocols", "iso20", "--insecure-iso20-plain-tcp", "--transfer", "dc"]),
  Object.freeze(["--protocols", "iso20", "--insecure-iso20-plain-tcp", "--transfer", "ac"]),
]);

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
}

const args = process.argv.slice(2);
const iface = option(args, "--iface");
const count = Number(option(args, "--sessions") ?? "1");
const first = Number(option(args, "--first") ?? "0");
if (iface === undefined || !Number.isInteger(count) || count < 1 || !Number.isInteger(first) || first < 0) {
  process.stderr.write("usage: netns-vehicles.ts --iface IF --sessions N [--first I]\n");
  process.exit(2);
}

for (let index = first; index < first + count; index++) {
  const kind = VEHICLE_KINDS[index % VEHICLE_KINDS.length];
  let line: string | undefined;
  const errors: string[] = [];
  const io: CliIo = {
    out: (text) => (line = text),
    err: (text) => errors.push(text),
    readStdin: async () => "",
  };
  // A 0.1 kWh battery from 50 % to 51 %: 1 Wh, a complete session (every step, the charge loop
  // included) of about a second.
  const status = await evcc.run(["--iface", iface, "--capacity", "0.1", "--start-soc", "50", "--target-soc", "51", "--max-time", "60", "--json", "--quiet", ...kind], io);
  let session: unknown = null;
  try {
    session = line === undefined ? null : JSON.parse(line);
  } catch {
    session = line;
  }
  process.stdout.write(`${JSON.stringify({ index, kind: kind.join(" "), status, session, ...(status !== 0 ? { stderr: errors.slice(-5) } : {}) })}\n`);
}
process.exit(0);
