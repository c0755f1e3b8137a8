// @node-only — `xs15118 pcap`: text and JSON listings of real captures.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../hosts/sim/cli";
import { bufferIo } from "../support/cli-io";
import { SHARED_DIR, sharedSkip } from "../support/shared";
import { PcapngWriter, SyntheticTcpSession, v2gtpMessage } from "../../simulation/pcap/write";

const CAP = `${SHARED_DIR}/captures`;

async function pcapJson(file: string, ...extra: string[]) {
  const io = bufferIo();
  const code = await main(["pcap", file, "--json", ...extra], io);
  return { code, io, lines: io.stdout.map((l) => JSON.parse(l) as Record<string, any>) };
}

describe("xs15118 pcap", { skip: sharedSkip() }, () => {
  test("a DIN session (dSPACE bench): SLAC, SDP, SAP selects din, one SessionSetupReq, every message decoded", async () => {
    const { code, lines, io } = await pcapJson(`${CAP}/dsV2Gshark/DIN_DC_DS5366_Josev.pcapng`);
    assert.equal(code, 0, io.stderr.join("\n"));
    const layers = new Set(lines.map((l) => l.layer));
    assert.deepEqual([...layers].sort(), ["sdp", "slac", "v2gtp"]);
    assert.ok(lines.some((l) => l.type === "CM_SLAC_PARM.REQ"));
    assert.ok(lines.some((l) => l.type === "CM_SLAC_MATCH.CNF"));
    const sdpRes = lines.find((l) => l.type === "SECCDiscoveryRes")!;
    assert.equal(typeof sdpRes.fields.port, "number");
    const sap = lines.find((l) => l.type === "supportedAppProtocolRes")!;
    assert.equal(sap.schema, "apphand");
    const v2g = lines.filter((l) => l.layer === "v2gtp");
    assert.equal(v2g.filter((l) => l.type === "SessionSetupReq").length, 1);
    assert.ok(v2g.filter((l) => l.type !== "supportedAppProtocolReq" && l.type !== "supportedAppProtocolRes").every((l) => l.schema === "din"));
    assert.ok(v2g.every((l) => l.error === undefined));
    const setup = v2g.find((l) => l.type === "SessionSetupReq")!;
    assert.equal(setup.dir, "EV→EVSE");
    assert.match(setup.fields.EVCCID, /^[0-9a-f]+$/); // binary as hex
    assert.match(setup.exi, /^80/);
    // frames ascend, times are seconds from the first frame
    for (let i = 1; i < lines.length; i++) assert.ok(lines[i].frame >= lines[i - 1].frame);
    assert.ok(lines[0].time >= 0 && lines[lines.length - 1].time > 10);
  });

  test("real cars: SAP picks iso2 or din as the charger answered", async () => {
    const cases: [string, string][] = [
      ["everest-logfiles/Mercedes-Benz/EQE/2023-04-18T15:20:45.345Z-3_config-ac-iso2/ethernet-traffic.dump", "iso2"],
      ["everest-logfiles/Tesla/Model_Y_11.1/din_spec_70121/2023-01-18-tesla_y_dinspec_infypower/teslay_dc_infy_0.dump", "din"],
      // folder says DIN, but the car offered both and the charger chose ISO-2 (SchemaID 0)
      ["everest-logfiles/VW/id.3/din_spec_70121/2023-04-14T12:43:41.612Z-1_config-dc-dinspec/ethernet-traffic.dump", "iso2"],
    ];
    for (const [file, schema] of cases) {
      const { code, lines } = await pcapJson(`${CAP}/${file}`, "--layer", "v2gtp", "--sessions");
      assert.equal(code, 0);
      const sessions = lines.filter((l) => l.session !== undefined && l.sap !== undefined);
      assert.equal(sessions.length, 1, file);
      assert.equal(sessions[0].sap.schema, schema, file);
      assert.equal(sessions[0].failed, 0, file);
      const messages = lines.filter((l) => l.layer === "v2gtp");
      assert.equal(messages.filter((l) => l.type === "SessionSetupReq").length, 1, file);
      assert.ok(messages.some((l) => l.type === "SessionStopReq" || l.type === "PowerDeliveryReq" || l.type === "ChargingStatusReq"), file);
    }
  });

  test("ISO-20 AC BPT: the payload types choose iso20-cm and iso20-ac", async () => {
    const { lines } = await pcapJson(`${CAP}/dsV2Gshark/ISO-20_BPT_AC_DS5366_Josev.pcapng`, "--layer", "v2gtp");
    const schemas = new Set(lines.map((l) => l.schema));
    assert.deepEqual([...schemas].sort(), ["apphand", "iso20-ac", "iso20-cm"]);
    assert.ok(lines.some((l) => l.type === "AC_ChargeLoopReq" && l.schema === "iso20-ac"));
    assert.equal(lines.filter((l) => l.type === "SessionSetupReq").length, 1);
  });

  test("a TLS 1.3 session (keys on UDP 52345) is decrypted; --no-decrypt lists only TLS records", async () => {
    const file = `${CAP}/dsV2Gshark/ISO-20_TLS13_DC_DS5366_Josev.pcapng`;
    const { lines } = await pcapJson(file, "--layer", "tls,v2gtp", "--sessions");
    assert.ok(lines.some((l) => l.type === "TLS record" && l.fields.handshake === "ClientHello"));
    assert.ok(lines.some((l) => l.type === "TLS key log"));
    const v2g = lines.filter((l) => l.layer === "v2gtp");
    assert.equal(v2g.filter((l) => l.type === "SessionSetupReq").length, 1);
    assert.ok(v2g.some((l) => l.type === "DC_ChargeLoopReq" && l.schema === "iso20-dc"));
    assert.ok(v2g.every((l) => l.error === undefined));
    const session = lines.find((l) => l.sap !== undefined)!;
    assert.deepEqual(session.decrypted, { version: "TLS 1.3", cipherSuite: "TLS_AES_256_GCM_SHA384" });
    assert.equal(session.sap.schema, "iso20-dc");
    assert.equal(session.failed, 0);

    const plain = await pcapJson(file, "--layer", "tls,v2gtp", "--no-decrypt");
    assert.ok(plain.lines.length > 50);
    assert.ok(plain.lines.every((l) => l.layer === "tls"));
  });

  test("a TLS 1.2 Plug & Charge session is decrypted: CertificateInstallation in clear", async () => {
    const { lines } = await pcapJson(`${CAP}/dsV2Gshark/ISO-2_DC_PnC_TLS_CertInstallation_DS5366_RiseV2G.pcapng`, "--layer", "v2gtp");
    const req = lines.find((l) => l.type === "CertificateInstallationReq")!;
    assert.equal(req.schema, "iso2");
    assert.match(req.fields.OEMProvisioningCert, /^3082/); // DER, as hex
    assert.ok(lines.some((l) => l.type === "CertificateInstallationRes"));
    assert.ok(lines.every((l) => l.error === undefined));
  });

  test("--keylog FILE: an SSLKEYLOGFILE beside the capture", async () => {
    const file = `${CAP}/tux-evse-binding/hello-tls-1.3.pcapng`;
    const without = await pcapJson(file, "--sessions");
    assert.match(without.lines.find((l) => l.tls !== undefined)!.tlsError, /no key-log entry/);
    const withKeys = await pcapJson(file, "--sessions", "--keylog", `${CAP}/tux-evse-binding/hello-tls-1.3.keylog`);
    assert.equal(withKeys.lines.find((l) => l.tls !== undefined)!.decrypted.version, "TLS 1.3");
  });

  test("text output: one readable line per message", async () => {
    const io = bufferIo();
    assert.equal(await main(["pcap", `${CAP}/dsV2Gshark/DIN_DC_DS5366_Josev.pcapng`, "--sessions"], io), 0);
    const text = io.stdout.join("\n");
    assert.match(text, /slac {2}[0-9a-f:]{17} → ff:ff:ff:ff:ff:ff {2}CM_SLAC_PARM\.REQ .*runId=/);
    assert.match(text, /sdp {3}\[fe80::[0-9a-f:]+\]:\d+ → \[ff02::1\]:15118 {2}SECCDiscoveryReq {2}security=none transport=tcp/);
    assert.match(text, /v2gtp EV→EVSE s0 din {2}SessionSetupReq {2}EVCCID=[0-9a-f]+/);
    assert.match(text, /v2gtp EVSE→EV s0 din {2}CableCheckRes {2}ResponseCode=OK/);
    assert.match(text, /session 0: EV .* ↔ EVSE .*SAP urn:din:70121:2012:MsgDef \(SchemaID \d\) → din; 200 V2G messages, 200 decoded, 0 failed/);
  });
});

describe("xs15118 pcap: errors", () => {
  test("usage errors exit 2, files that cannot be read 3, files that are no capture 1", async () => {
    let io = bufferIo();
    assert.equal(await main(["pcap"], io), 2);
    io = bufferIo();
    assert.equal(await main(["pcap", "x.pcap", "--layer", "foo"], io), 2);
    assert.match(io.stderr.join(""), /unknown layer 'foo'/);
    io = bufferIo();
    assert.equal(await main(["pcap", "/nonexistent/x.pcap"], io), 3);
    assert.match(io.stderr.join(""), /cannot read \/nonexistent\/x\.pcap/);
    const tmp = path.join(os.tmpdir(), `xs15118-not-a-capture-${process.pid}.txt`);
    fs.writeFileSync(tmp, "hello world, not a capture");
    try {
      io = bufferIo();
      assert.equal(await main(["pcap", tmp], io), 1);
      assert.match(io.stderr.join(""), /not a pcap\/pcapng file/);
    } finally {
      fs.unlinkSync(tmp);
    }
  });

  test("undecodable EXI is listed with its error and the listing continues", async () => {
    const w = new PcapngWriter();
    const ev = { mac: new Uint8Array([2, 0, 0, 0, 0, 1]), ip: new Uint8Array(16).fill(1), port: 50000 };
    const evse = { mac: new Uint8Array([2, 0, 0, 0, 0, 2]), ip: new Uint8Array(16).fill(2), port: 61341 };
    const tcp = new SyntheticTcpSession(w, ev, evse);
    tcp.open(0);
    tcp.send(true, v2gtpMessage(0x8001, new Uint8Array([0x80, 0xff, 0xff])), 10);
    tcp.send(false, v2gtpMessage(0x8002, new Uint8Array([0x80, 0xee])), 20);
    tcp.close(true, 30);
    const tmp = path.join(os.tmpdir(), `xs15118-bad-exi-${process.pid}.pcapng`);
    fs.writeFileSync(tmp, w.toBytes());
    try {
      const { code, lines } = await pcapJson(tmp);
      assert.equal(code, 0);
      assert.equal(lines.length, 2);
      assert.ok(lines.every((l) => typeof l.error === "string" && l.error.length > 0));
      assert.equal(lines[1].schema, "iso20-cm");
      const io = bufferIo();
      assert.equal(await main(["pcap", tmp], io), 0);
      assert.equal(io.stdout.length, 2);
      assert.ok(io.stdout.every((l) => / !! /.test(l)));
    } finally {
      fs.unlinkSync(tmp);
    }
  });
});
