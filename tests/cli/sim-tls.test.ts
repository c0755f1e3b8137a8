// @node-only — `xs15118 sim --tls`: the whole simulated session with node:tls over the simulated
// TCP (hosts/sim/crypto/sim-tls.ts), -2 over TLS 1.2 and -20 over TLS 1.3 with mutual
// authentication; the pcapng carries the TLS secrets and decrypts to every V2G message of the
// session (what Wireshark and `xs15118 pcap` show); --keylog writes the same secrets.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../hosts/sim/cli";
import { readCapture } from "../../simulation/pcap/read";
import { dissectCapture } from "../../hosts/sim/pcap/dissect";
import { tlsDecryptor } from "../../hosts/sim/pcap/tls";
import { bufferIo } from "../support/cli-io";

async function sim(args: string[]): Promise<{ code: number; summary: Record<string, unknown>; err: string }> {
  const io = bufferIo();
  const code = await main(["sim", "--quiet", "--json", "--capacity", "1", "--start-soc", "50", "--target-soc", "52", ...args], io);
  return { code, summary: JSON.parse(io.stdout.join("\n")) as Record<string, unknown>, err: io.stderr.join("\n") };
}

describe("xs15118 sim --tls", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-sim-tls-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const [protocol, version, suite] of [
    ["iso2", "TLS 1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"],
    ["iso20", "TLS 1.3", "TLS_AES_256_GCM_SHA384"],
  ] as const) {
    test(`${protocol} over ${version}: the session completes, and its pcapng decrypts to every message with the secrets it carries`, async () => {
      const pcap = path.join(dir, `${protocol}.pcapng`);
      const keylog = path.join(dir, `${protocol}.keys`);
      const r = await sim(["--tls", "--protocol", protocol, "--pcap", pcap, "--keylog", keylog]);
      assert.equal(r.code, 0, `${JSON.stringify(r.summary)}\n${r.err}`);
      assert.equal(r.summary.ok, true);
      assert.equal(r.summary.protocol, protocol);
      assert.deepEqual(r.summary.errors, []);
      const capture = readCapture(new Uint8Array(fs.readFileSync(pcap)));
      assert.ok(capture.tlsKeyLog, "a Decryption Secrets Block");
      assert.equal(capture.tlsKeyLog, fs.readFileSync(keylog, "utf8"), "--keylog holds the same secrets");
      const sessions = dissectCapture(capture, { tls: tlsDecryptor() }).sessions;
      assert.equal(sessions.length, 1);
      assert.equal(sessions[0].tls, true, "the V2G stream is TLS on the wire");
      assert.deepEqual(sessions[0].decrypted, { version, cipherSuite: suite }, sessions[0].tlsError);
      assert.equal(sessions[0].messages.length, r.summary.messages, "every message of the session decrypted and decoded");
      // Without the secrets nothing of the session is readable.
      const blind = dissectCapture({ ...capture, tlsKeyLog: undefined }, { tls: tlsDecryptor() }).sessions;
      assert.equal(blind[0].messages.length, 0);
    });
  }

  test("ISO 15118-20 Plug & Charge over TLS 1.3: the vehicle's signed AuthorizationReq(PnC) with its contract chain, in the decrypted capture", async () => {
    const pcap = path.join(dir, "pnc20.pcapng");
    const r = await sim(["--tls", "--protocol", "iso20", "--payment", "contract", "--contract", "--pcap", pcap]);
    assert.equal(r.code, 0, `${JSON.stringify(r.summary)}\n${r.err}`);
    assert.equal(r.summary.ok, true);
    const session = dissectCapture(readCapture(new Uint8Array(fs.readFileSync(pcap))), { tls: tlsDecryptor() }).sessions[0];
    const names = session.messages.map((m) => m.type);
    const setup = session.messages[names.indexOf("AuthorizationSetupRes")];
    const auth = session.messages[names.indexOf("AuthorizationReq")];
    assert.match(JSON.stringify(setup.doc, (_k, v) => (typeof v === "bigint" ? String(v) : v)), /"AuthorizationServices":\["EIM","PnC"\]/);
    const req = (auth.doc as { AuthorizationReq: { Header: { Signature?: unknown }; SelectedAuthorizationService: string; PnC_AReqAuthorizationMode?: unknown } }).AuthorizationReq;
    assert.equal(req.SelectedAuthorizationService, "PnC");
    assert.ok(req.Header.Signature !== undefined, "signed by the contract key");
    assert.ok(req.PnC_AReqAuthorizationMode !== undefined);
  });

  test("with --ocpp: the session over TLS reports to the test CSMS (its exchange valid, the transaction told)", async () => {
    const r = await sim(["--tls", "--ocpp"]);
    assert.equal(r.code, 0, `${JSON.stringify(r.summary)}\n${r.err}`);
    assert.equal(r.summary.ok, true);
    const ocpp = r.summary.ocpp as { received: Record<string, number>; invalid: string[] };
    assert.deepEqual(ocpp.invalid, []);
    assert.ok(ocpp.received.TransactionEvent >= 2, JSON.stringify(ocpp));
  });

  test("usage: --pki/--keylog need --tls; DIN 70121 has no TLS; the direct-link services run without", async () => {
    for (const [args, message] of [
      [["--keylog", "x"], /--keylog needs --tls/],
      [["--tls", "--protocol", "din"], /DIN 70121 defines no TLS/],
      [["--tls", "--transfer", "mcs"], /--tls does not cover --transfer mcs yet/],
    ] as const) {
      const io = bufferIo();
      assert.equal(await main(["sim", ...args], io), 2);
      assert.match(io.stderr.join("\n"), message);
    }
  });
});
