// @node-only — `xs15118 cp duty|amps`: the IEC 61851-1 Table A.7/A.8 conversions on the command line.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { main } from "../../hosts/sim/cli";
import { bufferIo } from "../support/cli-io";

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = bufferIo();
  const code = await main(args, io);
  return { code, out: io.stdout.join("\n"), err: io.stderr.join("\n") };
}

describe("xs15118 cp duty AMPS", () => {
  for (const [amps, duty] of [
    ["6", "10"],
    ["32", "53.3"],
    ["51", "85"],
    ["80", "96"],
    ["100", "96"],
    ["16", "26.6"],
  ] as const) {
    test(`given ${amps} A, then it prints ${duty}`, async () => {
      assert.deepEqual(await run("cp", "duty", amps), { code: 0, out: duty, err: "" });
    });
  }

  test("given 5 A (below what PWM can say), then exit 2 with a reason", async () => {
    const r = await run("cp", "duty", "5");
    assert.equal(r.code, 2);
    assert.match(r.err, /cannot be advertised/);
  });
});

describe("xs15118 cp amps DUTY", () => {
  for (const [duty, out] of [
    ["53.3", "31.98"],
    ["5", "digital"],
    ["5%", "digital"],
    ["2", "error"],
    ["7.5", "error"],
    ["9", "6"],
    ["90", "65"],
    ["96.5", "80"],
    ["98", "error"],
    ["100", "no-pwm"],
    ["0", "no-pwm"],
  ] as const) {
    test(`given ${duty} %, then it prints ${out}`, async () => {
      assert.deepEqual(await run("cp", "amps", duty), { code: 0, out, err: "" });
    });
  }

  test("given 120 %, then exit 2", async () => {
    const r = await run("cp", "amps", "120");
    assert.equal(r.code, 2);
    assert.match(r.err, /not a duty cycle/);
  });
});

describe("xs15118 cp usage", () => {
  test("a missing or unknown subcommand exits 2 saying what is wrong and where the help is", async () => {
    const cases: [string[], RegExp][] = [
      [["cp"], /expected duty AMPS or amps DUTY/],
      [["cp", "volts", "3"], /unknown conversion 'volts'/],
      [["cp", "duty"], /expected a value: cp duty AMPS/],
      [["cp", "duty", "x"], /'x' is not a number/],
      [["cp", "duty", "6", "7"], /too many arguments: '7'/],
      [["cp", "duty", "--amps", "6"], /unknown option --amps/],
    ];
    for (const [args, message] of cases) {
      const r = await run(...args);
      assert.equal(r.code, 2, args.join(" "));
      assert.match(r.err, message, args.join(" "));
      assert.match(r.err, /\(xs15118 cp --help for the options\)/);
    }
  });

  test("--help prints the usage and the help lists cp", async () => {
    assert.match((await run("cp", "--help")).out, /cp amps DUTY/);
    assert.match((await run("--help")).out, /cp\s+control pilot/);
  });
});
