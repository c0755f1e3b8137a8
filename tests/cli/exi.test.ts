// @node-only — `xs15118 exi decode|encode|batch`: the EXI codec on the command line, and the JSON
// mapping of message objects (bytes as hex, bigint as decimal strings).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../hosts/sim/cli";
import { fromJson, toJson } from "../../hosts/sim/exi-json";
import { batchLine } from "../../hosts/sim/commands/exi";
import { parseXml } from "../../tools/exi-xml/xml";
import { toHex } from "../../modules/common/index";
import { bufferIo } from "../support/cli-io";
import { decodeAs, encodeAs, valuesEqual } from "../support/exi-check";
import { loadOracle, loadReal, type OracleVector } from "../support/exi-vectors";
import { describeDifferences, diffXml } from "../support/xml-infoset";
import { fromHex } from "../../modules/common/index";
import { hasShared, sharedSkip } from "../support/shared";
import { VECTORS as UNDECLARED } from "../support/exi-undeclared";

async function run(args: string[], stdin = ""): Promise<{ code: number; out: string; err: string }> {
  const io = bufferIo(stdin);
  const code = await main(args, io);
  return { code, out: io.stdout.join("\n"), err: io.stderr.join("\n") };
}

// DIN CurrentDemandReq (smoke vector) and the reference XML of a supportedAppProtocolRes.
const CDR = "809a020282c3034383c40450d1400dc0c0c19003050c20300c0c1f40c0e0640001810440700c082c02408142307c00";
const SAP_RES_HEX = "80440080";
const SAP_RES_XML =
  '<ns4:supportedAppProtocolRes xmlns:ns4="urn:iso:15118:2:2010:AppProtocol"><ResponseCode>OK_SuccessfulNegotiationWithMinorDeviation</ResponseCode><SchemaID>2</SchemaID></ns4:supportedAppProtocolRes>';

function smoke(): OracleVector[] {
  const out: OracleVector[] = [];
  for (const [, list] of loadOracle()) for (const v of list) if (v.file === "oracle/smoke.tsv") out.push(v);
  return out;
}

describe("xs15118 exi decode", () => {
  test("given a DIN CurrentDemandReq, then JSON with bytes as hex and numbers as numbers", async () => {
    const r = await run(["exi", "decode", "--schema", "din", CDR]);
    assert.equal(r.code, 0, r.err);
    const json = JSON.parse(r.out);
    assert.equal(json.V2G_Message.Header.SessionID, "0a0b0c0d0e0f1011");
    assert.equal(json.V2G_Message.Body.CurrentDemandReq.EVTargetVoltage.Value, 3980);
  });

  test("bigint values are decimal strings (ISO-20 TimeStamp)", async () => {
    const doc = { SessionSetupReq: { Header: { SessionID: new Uint8Array(8), TimeStamp: 18446744073709551615n }, EVCCID: "WMIV1234567890ABCDEX" } };
    const hex = toHex(encodeAs({ schema: "iso20-cm", fragment: false }, doc));
    const r = await run(["exi", "decode", "--schema", "iso20-cm", hex]);
    assert.equal(r.code, 0, r.err);
    assert.equal(JSON.parse(r.out).SessionSetupReq.Header.TimeStamp, "18446744073709551615");
  });

  test("--xml prints the standard's XML on one line; the infoset equals the reference", async () => {
    const r = await run(["exi", "decode", "--schema", "apphand", "--xml", SAP_RES_HEX]);
    assert.equal(r.code, 0, r.err);
    assert.ok(!r.out.includes("\n"));
    assert.deepEqual(diffXml(parseXml(SAP_RES_XML), parseXml(r.out)), []);
  });

  test("a +frag schema name or --fragment selects fragment mode; hex may come from stdin (-)", async () => {
    const doc = { SignedInfo: { CanonicalizationMethod: { Algorithm: "http://www.w3.org/TR/canonical-exi/" }, SignatureMethod: { Algorithm: "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256" }, Reference: [{ URI: "#id1", DigestMethod: { Algorithm: "http://www.w3.org/2001/04/xmlenc#sha256" }, DigestValue: new Uint8Array(32) }] } };
    const hex = toHex(encodeAs({ schema: "iso2", fragment: true }, doc));
    const a = await run(["exi", "decode", "--schema", "iso2+frag", hex]);
    const b = await run(["exi", "decode", "--schema", "iso2", "--fragment", "-"], `${hex}\n`);
    assert.equal(a.code, 0, a.err);
    assert.equal(a.out, b.out);
    assert.equal(JSON.parse(a.out).SignedInfo.Reference[0].URI, "#id1");
  });

  test("bad input exits 1 with the ExiError reason; bad usage exits 2", async () => {
    const truncated = await run(["exi", "decode", "--schema", "din", CDR.slice(0, 20)]);
    assert.equal(truncated.code, 1);
    assert.match(truncated.err, /exi-eof/);
    const badHex = await run(["exi", "decode", "--schema", "din", "80x"]);
    assert.equal(badHex.code, 1);
    assert.match(badHex.err, /bad-hex: 'x' at position 3 is not a hex digit/);
    // even length, one bad digit: said so, not "not an even number of hex digits"
    const evenBad = await run(["exi", "decode", "--schema", "din", "809g"]);
    assert.equal(evenBad.code, 1);
    assert.equal(evenBad.err, "xs15118 exi decode: bad-hex: 'g' at position 4 is not a hex digit");
    const odd = await run(["exi", "decode", "--schema", "din", "809"]);
    assert.equal(odd.err, "xs15118 exi decode: bad-hex: 3 hex digits: an odd count (each byte takes two)");
    const missing = await run(["exi", "encode", "--schema", "din", "/nonexistent/message.json"]);
    assert.equal(missing.code, 3, "a file that cannot be read is the environment's error");
    assert.match(missing.err, /cannot read \/nonexistent\/message\.json/);
    assert.equal((await run(["exi", "decode", CDR])).code, 2);
    assert.equal((await run(["exi", "decode", "--schema", "iso3", CDR])).code, 2);
    assert.equal((await run(["exi", "frob"])).code, 2);
  });

  test("a message decoded with the wrong schema whose root wildcard yields a name with U+001E: exit 1, exi-name, one line, no output", async () => {
    // an ISO-20 message read as WPT: SE(*) of the document grammar reads a local name "\u001e?|"
    const hex = "809a020f1fbe067f77fd9d90e00040800001028611081018000000040a1209c010308f07018385610000";
    for (const extra of [[], ["--xml"]]) {
      const r = await run(["exi", "decode", "--schema", "iso20-wpt", ...extra, hex]);
      assert.equal(r.code, 1);
      assert.equal(r.out, "");
      assert.match(r.err, /exi-name: .* is not an XML name/);
      assert.doesNotMatch(r.err, /[\u0000-\u001f]/);
    }
    assert.match(batchLine(`decode iso20-wpt ${hex}`) ?? "", /^ERR exi-name: [^\n]*$/);
  });

  test("undeclared events (xsi:type, xsi:nil, $attrs, $content, simple elements as objects): decode → JSON text → fromJson → encode gives the same bytes", () => {
    for (const v of UNDECLARED) {
      const bytes = v.bits.bytes();
      const json = JSON.parse(JSON.stringify(toJson(decodeAs({ schema: "xmldsig", fragment: false }, bytes))));
      assert.equal(toHex(encodeAs({ schema: "xmldsig", fragment: false }, fromJson("xmldsig", json, false))), toHex(bytes), v.name);
    }
  });
});

describe("xs15118 exi encode", () => {
  test("JSON from decode encodes back to the same bytes (file and stdin)", async (t) => {
    const json = (await run(["exi", "decode", "--schema", "din", CDR])).out;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-exi-"));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, "cdr.json");
    fs.writeFileSync(file, json);
    assert.deepEqual(await run(["exi", "encode", "--schema", "din", file]), { code: 0, out: CDR, err: "" });
    assert.deepEqual(await run(["exi", "encode", "--schema", "din", "-"], json), { code: 0, out: CDR, err: "" });
  });

  test("--xml encodes the reference XML to the reference bytes", async () => {
    assert.deepEqual(await run(["exi", "encode", "--schema", "apphand", "--xml", "-"], SAP_RES_XML), { code: 0, out: SAP_RES_HEX, err: "" });
  });

  test("integers may be JSON numbers or decimal strings; a wrong shape is refused with exit 1", async () => {
    const json = JSON.stringify({ SessionSetupReq: { Header: { SessionID: "0000000000000000", TimeStamp: 1700000000 }, EVCCID: "X" } });
    const r = await run(["exi", "encode", "--schema", "iso20-cm", "-"], json);
    assert.equal(r.code, 0, r.err);
    const s = await run(["exi", "encode", "--schema", "iso20-cm", "-"], json.replace("1700000000", '"1700000000"'));
    assert.equal(s.out, r.out);
    const bad = await run(["exi", "encode", "--schema", "iso20-cm", "-"], json.replace('"0000000000000000"', '"zz"'));
    assert.equal(bad.code, 1);
    assert.match(bad.err, /SessionID: expected bytes as a hex string, got "zz": 'z' at position 1 is not a hex digit/);
    const notJson = await run(["exi", "encode", "--schema", "iso20-cm", "-"], "{");
    assert.equal(notJson.code, 1);
  });
});

describe("the JSON mapping", { skip: sharedSkip() }, () => {
  test("every oracle vector: decode → JSON text → fromJson → encode gives the same bytes", () => {
    const failures: string[] = [];
    let count = 0;
    for (const [family, list] of hasShared() ? loadOracle() : new Map<string, OracleVector[]>()) {
      for (const v of list) {
        count++;
        try {
          const doc = decodeAs(v, fromHex(v.hex)!);
          const back = fromJson(v.schema, JSON.parse(JSON.stringify(toJson(doc))), v.fragment);
          if (!valuesEqual(back, doc)) failures.push(`${family} ${v.name}: the revived object differs`);
          else if (toHex(encodeAs(v, back)) !== v.hex) failures.push(`${family} ${v.name}: re-encoded differently`);
        } catch (error) {
          failures.push(`${family} ${v.name} (${v.file}:${v.row}): ${String(error)}`);
        }
      }
    }
    assert.ok(count > 1000);
    assert.deepEqual(failures.slice(0, 5), [], `${failures.length} of ${count}`);
  });
});

describe("xs15118 exi batch", { skip: sharedSkip() }, () => {
  test("one answer line per request: OK <xml>, OK <hex>, OK SAME, OK DIFF <hex>, ERR <reason>", async () => {
    const odd = hasShared() ? [...loadReal().values()].flat().find((r) => r.roundtrip === "DIFF") : undefined;
    assert.ok(odd, "a real DIFF message");
    const requests = [
      `decode apphand ${SAP_RES_HEX}`,
      `encode apphand ${SAP_RES_XML}`,
      `roundtrip din ${CDR}`,
      `roundtrip din ${odd.hex}`,
      "",
      `decode din ${CDR.slice(0, 20)}`,
      "decode din 8",
      "encode din <unclosed>",
      "frob din 80",
      "decode nosuch 80",
      "decode",
    ];
    const r = await run(["exi", "batch"], requests.join("\n"));
    assert.equal(r.code, 0, r.err);
    const lines = r.out.split("\n");
    assert.equal(lines.length, requests.length - 1, "a blank line gets no answer");
    assert.match(lines[0], /^OK <app:supportedAppProtocolRes /);
    assert.deepEqual(diffXml(parseXml(SAP_RES_XML), parseXml(lines[0].slice(3))), []);
    assert.equal(lines[1], `OK ${SAP_RES_HEX}`);
    assert.equal(lines[2], "OK SAME");
    assert.match(lines[3], /^OK DIFF [0-9a-f]+$/);
    assert.match(lines[4], /^ERR exi-eof/);
    assert.match(lines[5], /^ERR bad-hex/);
    assert.match(lines[6], /^ERR xml-syntax/);
    assert.match(lines[7], /^ERR usage: unknown operation/);
    assert.match(lines[8], /^ERR usage: unknown schema/);
    assert.match(lines[9], /^ERR usage/);
  });

  test("through `node bin/xs15118.js exi batch`: every smoke vector both ways, answers in order", () => {
    const vectors = smoke();
    const requests: string[] = [];
    for (const v of vectors) requests.push(`decode ${v.family} ${v.hex}`, `encode ${v.family} ${v.xml}`, `roundtrip ${v.family} ${v.hex}`);
    const result = spawnSync(process.execPath, ["bin/xs15118.js", "exi", "batch"], { input: requests.join("\n") + "\n", encoding: "utf8", maxBuffer: 64 << 20 });
    assert.equal(result.status, 0, result.stderr);
    const lines = result.stdout.split("\n").filter((l) => l !== "");
    assert.equal(lines.length, requests.length);
    const failures: string[] = [];
    vectors.forEach((v, k) => {
      const [dec, enc, rt] = lines.slice(3 * k, 3 * k + 3);
      if (!dec.startsWith("OK ")) failures.push(`${v.name} decode: ${dec}`);
      else {
        const d = diffXml(parseXml(v.xml), parseXml(dec.slice(3)));
        // Lexical-only differences (e.g. "+5") are the vectors' spelling, not the codec's.
        if (d.some((x) => x.lexical === undefined)) failures.push(`${v.name} decode: ${describeDifferences(d)}`);
      }
      if (enc !== `OK ${v.hex}`) failures.push(`${v.name} encode: ${enc.slice(0, 120)}`);
      if (rt !== "OK SAME") failures.push(`${v.name} roundtrip: ${rt.slice(0, 120)}`);
    });
    assert.deepEqual(failures, []);
  });

  test("the process answers each line as it arrives (a driver may wait for every answer)", async () => {
    const child = spawn(process.execPath, ["bin/xs15118.js", "exi", "batch"], { stdio: ["pipe", "pipe", "inherit"] });
    const lines: string[] = [];
    let pending = "";
    let wake: (() => void) | undefined;
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf("\n")) >= 0) {
        lines.push(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
      wake?.();
    });
    const answer = (count: number): Promise<void> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer ${count} within 20 s`)), 20000);
        wake = () => {
          if (lines.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        };
        wake();
      });
    try {
      child.stdin.write(`roundtrip apphand ${SAP_RES_HEX}\n`);
      await answer(1); // stdin still open: the answer came before EOF
      child.stdin.end(`decode apphand zz\n`);
      await answer(2);
      assert.deepEqual(lines, ["OK SAME", "ERR bad-hex: 'z' at position 1 is not a hex digit"]);
    } finally {
      child.kill();
    }
  });

  test("batchLine never throws, whatever the line", () => {
    for (const line of ["", " ", "decode", "decode din", "decode din ", "encode din <a", "roundtrip xmldsig+frag 80", "decode iso2 80ff", "roundtrip din zz"]) {
      const answer = batchLine(line);
      assert.ok(answer === undefined || /^(OK|ERR) /.test(answer), `${line} → ${answer}`);
    }
  });
});
