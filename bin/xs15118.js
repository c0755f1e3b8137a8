#!/usr/bin/env node
// The xs15118 command: loads the Node host's CLI (TypeScript, compiled on the fly by tsx).
import { register } from "tsx/esm/api";

register();
const { main } = await import("../hosts/sim/cli.ts");
process.exitCode = await main(process.argv.slice(2));
