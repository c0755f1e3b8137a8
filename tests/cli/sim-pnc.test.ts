// @node-only — `xs15118 sim --tls --payment contract`: ISO 15118-2 Plug & Charge end to end in
// the simulator over TLS 1.2 (node:tls on the simulated TCP): the vehicle installs a contract
// from the simulated backend, authorizes with the signed challenge and signs its metering
// receipts; the capture decrypts with its own key log. The same on ISO 15118-20 over TLS 1.3
// (CertificateInstallation, signed AuthorizationReq and MeteringConfirmation). Usage errors: PnC
// without TLS, --contract alone.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../hosts/sim/cli";
import { bufferIo } from "../support/cli-io";

test("sim --tls --payment contract: certificate installation, signed authorization and receipts, over TLS 1.2", async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "pnc.pcapng");
  const io = bufferIo();
  const code = await main(["sim", "--tls", "--payment", "contract", "--protocol", "iso2", "--transfer", "ac", "--capacity", "5", "--start-soc", "70", "--target-soc", "71", "--json", "--pcap", file], io);
  assert.equal(code, 0, io.stderr.join("\n"));
  const summary = JSON.parse(io.stdout.join("\n"));
  assert.equal(summary.ok, true, summary.detail);
  const sent = io.stderr.filter((l) => l.includes("evcc   →")).map((l) => l.replace(/^.*→ (\S+).*$/, "$1"));
  assert.deepEqual(sent.slice(1, 7), ["SessionSetupReq", "ServiceDiscoveryReq", "PaymentServiceSelectionReq", "CertificateInstallationReq", "PaymentDetailsReq", "AuthorizationReq"]);
  assert.ok(sent.includes("MeteringReceiptReq"));
  assert.ok(io.stderr.some((l) => l.includes("payment=Contract")));
  // The V2G messages in the capture decrypt with the TLS secrets it carries.
  const shown = bufferIo();
  assert.equal(await main(["pcap", file], shown), 0, shown.stderr.join("\n"));
  assert.ok(shown.stdout.some((l) => l.includes("CertificateInstallationRes") && l.includes("ResponseCode=OK")), "the decrypted CertificateInstallationRes");
});

test("sim --payment contract: a vehicle that already holds a contract goes straight to PaymentDetails", async () => {
  const io = bufferIo();
  const code = await main(["sim", "--tls", "--payment", "contract", "--contract", "--protocol", "iso2", "--transfer", "dc", "--capacity", "5", "--start-soc", "70", "--target-soc", "71", "--json"], io);
  assert.equal(code, 0, io.stderr.join("\n"));
  assert.equal(JSON.parse(io.stdout.join("\n")).ok, true);
  assert.ok(!io.stderr.some((l) => l.includes("→ CertificateInstallationReq")));
  assert.ok(io.stderr.some((l) => l.includes("→ PaymentDetailsReq")));
});

test("sim --pki DIR --payment contract: Plug & Charge on the PKI that `pki init` wrote (the same as TLS)", async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-pki-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const made = bufferIo();
  assert.equal(await main(["pki", "init", dir, "--profile", "iso2"], made), 0, made.stderr.join("\n"));
  const io = bufferIo();
  const code = await main(["sim", "--tls", "--pki", dir, "--payment", "contract", "--contract", "--protocol", "iso2", "--transfer", "ac", "--capacity", "5", "--start-soc", "70", "--target-soc", "70.5", "--json"], io);
  assert.equal(code, 0, io.stderr.join("\n"));
  assert.equal(JSON.parse(io.stdout.join("\n")).ok, true);
  assert.ok(io.stderr.some((l) => l.includes("→ PaymentDetailsReq") && l.includes("eMAID=DEXS1C12345678")));
});

test("sim --tls --payment contract --protocol iso20: CertificateInstallation, AuthorizationReq(PnC), the signed MeteringConfirmation, over TLS 1.3; the capture decrypts with the key log", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-"));
  try {
    const file = path.join(dir, "pnc20.pcapng");
    const keylog = path.join(dir, "keys.log");
    const io = bufferIo();
    const code = await main(["sim", "--tls", "--payment", "contract", "--protocol", "iso20", "--transfer", "dc", "--capacity", "5", "--start-soc", "70", "--target-soc", "71", "--json", "--pcap", file, "--keylog", keylog], io);
    assert.equal(code, 0, io.stderr.join("\n"));
    const summary = JSON.parse(io.stdout.join("\n"));
    assert.equal(summary.ok, true, summary.detail);
    const sent = io.stderr.filter((l) => l.includes("evcc   →")).map((l) => l.replace(/^.*→ (\S+).*$/, "$1"));
    assert.deepEqual(sent.slice(1, 5), ["SessionSetupReq", "AuthorizationSetupReq", "CertificateInstallationReq", "AuthorizationReq"]);
    assert.ok(sent.includes("MeteringConfirmationReq"));
    assert.ok(io.stderr.some((l) => l.includes("→ AuthorizationReq") && l.includes("service=PnC")));
    // Decrypted with the NSS key log the simulator wrote (the capture carries the same secrets in its Decryption Secrets Block).
    const shown = bufferIo();
    assert.equal(await main(["pcap", file, "--keylog", keylog], shown), 0, shown.stderr.join("\n"));
    assert.ok(shown.stdout.some((l) => l.includes("CertificateInstallationRes") && l.includes("ResponseCode=OK") && l.includes("CPSCertificateChain")), "the decrypted CertificateInstallationRes");
    assert.ok(shown.stdout.some((l) => l.includes("DC_ChargeLoopRes") && l.includes("EVSENotification=MeteringConfirmation")));
    assert.ok(shown.stdout.some((l) => l.includes("MeteringConfirmationRes") && l.includes("ResponseCode=OK")));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("sim --payment contract: refused without --tls, and --contract alone", async () => {
  for (const args of [["--payment", "contract"], ["--contract"]]) {
    const io = bufferIo();
    assert.equal(await main(["sim", ...args], io), 2, args.join(" "));
    assert.ok(io.stderr.join("\n").length > 0);
  }
});
