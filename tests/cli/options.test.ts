// @node-only — the command-line convention every xs15118 command follows (hosts/sim/commands/
// options.ts): one option parser, one name per concept in sim/secc/evcc, documented exit codes.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../hosts/sim/cli";
import { UsageError, parseOptions } from "../../hosts/sim/commands/options";
import { bufferIo } from "../support/cli-io";

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = bufferIo();
  const code = await main(args, io);
  return { code, out: io.stdout.join("\n"), err: io.stderr.join("\n") };
}

/** Runs `body` with the working directory in a fresh temporary folder. */
async function inTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-cli-"));
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    return await body(dir);
  } finally {
    process.chdir(cwd);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const COMMANDS = ["cp", "evcc", "exi", "pcap", "pki", "sap", "secc", "sim", "version"];

describe("one option parser for every command", () => {
  test("a value-taking option refuses a following --option as its value: `sim --pcap --quiet` writes no file named --quiet", async () => {
    await inTempDir(async (dir) => {
      const r = await run(["sim", "--capacity", "5", "--start-soc", "70", "--target-soc", "71", "--pcap", "--quiet"]);
      assert.equal(r.code, 2);
      assert.match(r.err, /--pcap needs a value \(FILE\), but the next argument is the option --quiet; if --quiet is really the value, write --pcap=--quiet/);
      assert.equal(r.out, "", "nothing was run");
      assert.deepEqual(fs.readdirSync(dir), []);
    });
  });

  test("the same for every value-taking option of every command", async () => {
    for (const args of [["evcc", "--iface", "--json"], ["secc", "--port", "--json"], ["exi", "decode", "--schema", "--xml", "80"], ["pcap", "x.pcap", "--layer", "--json"], ["sap", "--offer", "--json", "80"]]) {
      const r = await run(args);
      assert.equal(r.code, 2, args.join(" "));
      assert.match(r.err, /needs a value .* but the next argument is the option/, args.join(" "));
    }
  });

  test("--name=VALUE works, and a flag given a value is refused", async () => {
    const r = await run(["sim", "--capacity=5", "--start-soc=70", "--target-soc=71", "--quiet", "--json"]);
    assert.equal(r.code, 0, r.err);
    assert.equal(JSON.parse(r.out).socStart, 70);
    const flag = await run(["sim", "--json=yes"]);
    assert.equal(flag.code, 2);
    assert.match(flag.err, /--json takes no value/);
  });

  test("an unknown option is exit 2 in every command, with the nearest name as a hint", async () => {
    const hinted: [args: string[], wrong: string, near: string][] = [
      [["sim", "--start-sco", "10"], "--start-sco", "--start-soc"],
      [["evcc", "--iface", "eth9", "--taget-soc", "90"], "--taget-soc", "--target-soc"],
      [["secc", "--iface", "eth9", "--protocls", "din"], "--protocls", "--protocol"],
      [["exi", "decode", "--schema", "din", "--xlm", "80"], "--xlm", "--xml"],
      [["pcap", "x.pcap", "--sesions"], "--sesions", "--sessions"],
      [["sap", "--ofer", "din", "80"], "--ofer", "--offer"],
    ];
    for (const [args, wrong, near] of hinted) {
      const r = await run(args);
      assert.equal(r.code, 2, args.join(" "));
      assert.match(r.err, new RegExp(`unknown option ${wrong} \\(did you mean ${near}\\?\\)`), args.join(" "));
      assert.match(r.err, /\(xs15118 [a-z ]+ --help for the options\)/);
    }
    assert.match((await run(["sim", "--frobnicate"])).err, /unknown option --frobnicate$/m, "no hint when nothing is near");
  });

  test("parseOptions: '--' ends the options, a negative number is a value, repeatable options keep every value", () => {
    const specs = [{ name: "--n", value: "N" }, { name: "--keylog", value: "FILE", repeatable: true }, { name: "--json" }];
    const p = parseOptions("t", ["--n", "-5", "--keylog", "a", "--keylog=b", "--", "--json"], specs, { positionals: "any" });
    assert.equal(p.values.get("--n"), "-5");
    assert.deepEqual(p.lists.get("--keylog"), ["a", "b"]);
    assert.deepEqual(p.positionals, ["--json"]);
    assert.equal(p.values.get("--json"), undefined);
    assert.throws(() => parseOptions("t", ["--n"], specs), (e: unknown) => e instanceof UsageError && e.message === "--n needs a value (N)");
    assert.throws(() => parseOptions("t", ["--n="], specs), /--n needs a value \(N\), got an empty one/);
    assert.throws(() => parseOptions("t", ["stray"], specs), /unexpected argument 'stray'/);
  });
});

describe("one name per concept in sim, secc and evcc", () => {
  test("sim takes the old evcc names as deprecated aliases, with a warning", async () => {
    const r = await run(["sim", "--protocol", "din", "--battery-kwh", "5", "--soc", "70", "--target-soc", "71", "--quiet", "--json"]);
    assert.equal(r.code, 0, r.err);
    const summary = JSON.parse(r.out);
    assert.equal(summary.socStart, 70);
    assert.match(r.err, /--soc is deprecated: use --start-soc/);
    assert.match(r.err, /--battery-kwh is deprecated: use --capacity/);
  });

  test("every command's --help names the shared options and lists the exit statuses, as xs15118 --help does", async () => {
    const top = await run(["--help"]);
    assert.equal(top.code, 0);
    for (const line of [/exit status: 0 done/, /1 the session or the operation failed/, /2 usage error/, /3 environment/, /--start-soc N +--target-soc N +--capacity KWH/]) assert.match(top.out, line);
    for (const name of COMMANDS.filter((c) => c !== "version")) {
      const r = await run([name, "--help"]);
      assert.equal(r.code, 0, name);
      assert.match(r.out, /exit status: 0 done/, name);
      assert.match(r.out, /3 environment/, name);
    }
    for (const name of ["sim", "evcc"]) {
      const r = await run([name, "--help"]);
      for (const option of ["--protocol", "--transfer", "--start-soc", "--target-soc", "--capacity", "--max-time", "--json", "--quiet", "--verbose"]) assert.match(r.out, new RegExp(`${option} `), `${name} ${option}`);
    }
    const secc = await run(["secc", "--help"]);
    for (const option of ["--protocol", "--transfer", "--port", "--iface", "--json", "--quiet", "--verbose"]) assert.match(secc.out, new RegExp(`${option} `), `secc ${option}`);
  });

  test("xs15118 with no command is a usage error (2), the help on stderr", async () => {
    const r = await run([]);
    assert.equal(r.code, 2);
    assert.match(r.err, /usage: xs15118 <command>/);
  });
});

describe("errors reported when and as they happen", () => {
  test("an unwritable --pcap is exit 3 before the run starts, not an exception after it", async () => {
    const r = await run(["sim", "--capacity", "5", "--start-soc", "70", "--target-soc", "71", "--pcap", "/nonexistent-dir/x.pcapng"]);
    assert.equal(r.code, 3);
    assert.match(r.err, /^xs15118 sim: cannot write the capture \/nonexistent-dir\/x\.pcapng: ENOENT/);
    assert.equal(r.out, "", "no session ran");
  });

  test("evcc: a charger port nobody listens on is connection-refused (exit 1), not link-down", async (t) => {
    // a port that was free a moment ago on the loopback interface
    const server = net.createServer();
    const listening = await new Promise<boolean>((resolve) => {
      server.once("error", () => resolve(false));
      server.listen({ host: "::1", port: 0 }, () => resolve(true));
    });
    if (!listening) return t.skip("no IPv6 loopback (::1) here");
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const r = await run(["evcc", "--secc", `[::1]:${port}`, "--json", "--quiet"]);
    assert.equal(r.code, 1);
    const summary = JSON.parse(r.out);
    assert.equal(summary.reason, "connection-refused");
    assert.match(summary.detail, /ECONNREFUSED/);
    assert.equal(summary.ok, false);
  });

  test("evcc --max-time: a charger that never answers ends the run as time-limit (exit 1), naming the limit", async (t) => {
    const sockets: net.Socket[] = [];
    const server = net.createServer((socket) => sockets.push(socket)); // accepts, never answers
    const listening = await new Promise<boolean>((resolve) => {
      server.once("error", () => resolve(false));
      server.listen({ host: "::1", port: 0 }, () => resolve(true));
    });
    if (!listening) return t.skip("no IPv6 loopback (::1) here");
    try {
      const port = (server.address() as net.AddressInfo).port;
      const r = await run(["evcc", "--secc", `[::1]:${port}`, "--max-time", "0.5s", "--json", "--quiet"]);
      assert.equal(r.code, 1);
      const summary = JSON.parse(r.out);
      assert.equal(summary.reason, "time-limit");
      assert.match(summary.detail, /no end within --max-time 500 ms/);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
