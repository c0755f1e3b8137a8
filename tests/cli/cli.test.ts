// @node-only — the xs15118 command: help, unknown commands, and the installed bin entry.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { main } from "../../hosts/sim/cli";
import { bufferIo } from "../support/cli-io";

test("--help lists the commands and exits 0", async () => {
  const io = bufferIo();
  assert.equal(await main(["--help"], io), 0);
  assert.match(io.stdout.join("\n"), /usage: xs15118 <command>/);
  assert.match(io.stdout.join("\n"), /version/);
});

test("an unknown command exits 2 with the help on stderr", async () => {
  const io = bufferIo();
  assert.equal(await main(["frobnicate"], io), 2);
  assert.match(io.stderr.join("\n"), /unknown command 'frobnicate'/);
});

test("npx --no-install xs15118 --help works from the repository root", () => {
  const result = spawnSync("npx", ["--no-install", "xs15118", "--help"], { encoding: "utf8" });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /commands:/);
});

test("a reader that closes the pipe early (| head) ends any command quietly with 0", () => {
  // `sh -c` with pipefail reports the writer's status; without the handler in bin/xs15118.js the
  // listing died with an EPIPE stack trace (seen with `sim | head`: the live trace is long).
  const result = spawnSync(
    "bash",
    ["-o", "pipefail", "-c", "node bin/xs15118.js sim | head -c 1 >/dev/null"],
    { encoding: "utf8" },
  );
  assert.equal(result.status, 0, result.stderr);
  assert.doesNotMatch(result.stderr, /EPIPE/);
});
