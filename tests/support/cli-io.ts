// A CliIo that records output, for CLI tests (Node only: hosts/sim/cli imports Node types).
import type { CliIo } from "../../hosts/sim/cli";

export function bufferIo(stdin = ""): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), readStdin: async () => stdin };
}
