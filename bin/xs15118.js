#!/usr/bin/env node
// The xs15118 command: loads the Node host's CLI (TypeScript, compiled on the fly by tsx).
import { register } from "tsx/esm/api";

register();
// `xs15118 pcap FILE | head`, `xs15118 sim --fault list | head`: a reader that closes the pipe
// ends any command's output quietly instead of an EPIPE stack trace.
process.stdout.on("error", (e) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});
const { main } = await import("../hosts/sim/cli.ts");
process.exitCode = await main(process.argv.slice(2));
