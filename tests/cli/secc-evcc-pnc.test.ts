// @node-only @slow — Plug & Charge between `xs15118 secc` and `xs15118 evcc` (--payment contract): the
// option rules (exit 2 with a reason), and over loopback in two processes on one test PKI: an
// ISO 15118-2 vehicle without a contract installs one, authorizes with it and verifies the MO's
// signed SalesTariff; an ISO 15118-20 vehicle installs its contract (-20 CertificateInstallation,
// P-521 key transport) and authorizes with PnC.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../../hosts/sim/cli";
import { parseEvccArgs } from "../../hosts/sim/commands/evcc";
import { parseSeccArgs } from "../../hosts/sim/commands/secc";
import { bufferIo } from "../support/cli-io";

const BIN = fileURLToPath(new URL("../../bin/xs15118.js", import.meta.url));

async function exit(args: string[]): Promise<{ code: number; err: string }> {
  const io = bufferIo();
  const code = await main(args, io);
  return { code, err: io.stderr.join("\n") };
}

describe("--payment options", () => {
  test("contract needs --tls, a PnC protocol, and one protocol in the vehicle; --contract needs --payment contract", async () => {
    const cases: [string[], RegExp][] = [
      [["secc", "--no-sdp", "--payment", "contract"], /runs only over TLS/],
      [["evcc", "--secc", "[::1]:1", "--payment", "contract"], /runs only over TLS/],
      [["evcc", "--secc", "[::1]:1", "--tls", "--pki", "x", "--payment", "contract", "--protocols", "iso20,iso2"], /one contract/],
      [["evcc", "--secc", "[::1]:1", "--tls", "--pki", "x", "--contract"], /--contract needs --payment contract/],
      [["secc", "--no-sdp", "--tls", "--pki", "x", "--payment", "card"], /payment/],
    ];
    for (const [args, reason] of cases) {
      const r = await exit(args);
      assert.equal(r.code, 2, args.join(" "));
      assert.match(r.err, reason, args.join(" "));
    }
  });

  test("parsed: external by default; contract and --contract", () => {
    assert.equal(parseSeccArgs(["--no-sdp"]).payment, "external");
    assert.equal(parseSeccArgs(["--no-sdp", "--tls", "--pki", "x", "--payment", "contract"]).payment, "contract");
    const ev = parseEvccArgs(["--secc", "[::1]:1", "--tls", "--pki", "x", "--protocols", "iso20", "--payment", "contract", "--contract"]);
    assert.equal(ev.payment, "contract");
    assert.equal(ev.contractInstalled, true);
  });

  test("a PKI directory without the profile's test PKI: exit 3, says which", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-pnc-empty-"));
    try {
      const r = await exit(["evcc", "--secc", "[::1]:1", "--tls", "--pki", dir, "--protocols", "iso2", "--payment", "contract"]);
      assert.equal(r.code, 3, r.err);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("xs15118 secc --payment contract ⇄ xs15118 evcc --payment contract over loopback (two processes, TLS)", () => {
  function proc(args: string[]): { out: string[]; err: string[]; exit: Promise<number | null>; kill(signal: NodeJS.Signals): void } {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    const out: string[] = [];
    const err: string[] = [];
    child.stdout.setEncoding("utf8").on("data", (c: string) => out.push(...c.split("\n").filter((l) => l !== "")));
    child.stderr.setEncoding("utf8").on("data", (c: string) => err.push(...c.split("\n").filter((l) => l !== "")));
    const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
    return { out, err, exit: exited, kill: (signal) => child.kill(signal) };
  }
  const jsonLines = (lines: string[]) => lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);

  test("-2 and -20, each with a certificate installation: PnC authorization, the signed SalesTariff (-2), signed metering (both)", async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-pnc-loop-"));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    assert.equal(await main(["pki", "init", dir, "--profile", "iso2,iso20"], bufferIo()), 0);
    const secc = proc(["secc", "--no-sdp", "--port", "0", "--protocols", "iso2,iso20", "--tls", "--pki", dir, "--payment", "contract", "--fast", "--json", "--quiet"]);
    try {
      let ready: Record<string, unknown> | undefined;
      const deadline = Date.now() + 30_000;
      while ((ready = jsonLines(secc.out).find((j) => j.event === "ready")) === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.ok(ready, `secc ready: ${secc.err.join("\n")}`);
      const common = ["--secc", `[::1]:${String(ready.port)}`, "--tls", "--pki", dir, "--payment", "contract", "--capacity", "1", "--start-soc", "50", "--target-soc", "51", "--max-time", "30", "--json", "--verbose"];
      const iso2 = proc(["evcc", ...common, "--protocols", "iso2"]);
      assert.equal(await iso2.exit, 0, iso2.err.slice(-20).join("\n"));
      assert.equal(jsonLines(iso2.out)[0].protocol, "iso2");
      for (const line of [/tx CertificateInstallationReq/, /tx PaymentDetailsReq +eMAID=DEXS1C12345678/, /tx AuthorizationReq +signed=true/, /SalesTariff signature verified/, /tx MeteringReceiptReq/]) {
        assert.ok(iso2.err.some((l) => line.test(l)), `${line}\n${iso2.err.slice(0, 30).join("\n")}`);
      }
      const iso20 = proc(["evcc", ...common, "--protocols", "iso20"]);
      assert.equal(await iso20.exit, 0, iso20.err.slice(-20).join("\n"));
      assert.equal(jsonLines(iso20.out)[0].protocol, "iso20");
      for (const line of [/tx CertificateInstallationReq/, /tx AuthorizationReq +service=PnC/, /tx MeteringConfirmationReq/]) {
        assert.ok(iso20.err.some((l) => line.test(l)), `${line}\n${iso20.err.slice(0, 30).join("\n")}`);
      }
      secc.kill("SIGTERM");
      assert.equal(await secc.exit, 0, secc.err.join("\n"));
      const sessions = jsonLines(secc.out).filter((j) => j.event === "session");
      assert.deepEqual(sessions.map((s) => [s.protocol, s.reason]), [["iso2", "ev-terminate"], ["iso20", "ev-terminate"]]);
    } finally {
      secc.kill("SIGKILL");
    }
  });
});
