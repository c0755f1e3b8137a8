import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { decodeHomePlugFrame, encodeHomePlugFrame, isType, MAC_BROADCAST, MAC_LOCAL_MODEM, SlacDecodeError, mmtypeName, mmtypeOf } from "../../modules/slac/index";
import { fromHex, toHex, Xs15118Error } from "../../modules/common/index";
import { engine, sharedSkip } from "../support/shared";
import { listCaptures, slacFrames } from "./support/captures";
import { readCapture } from "../../simulation/pcap/read";
import { readShared } from "../support/shared";

const EV = fromHex("00018705bbc9")!;
const EVSE = fromHex("6ad811983ffa")!;
const RUN_ID = fromHex("2485615a00000000")!;

describe("MMTYPE names", () => {
  test("standard and Qualcomm vendor types map both ways", () => {
    assert.equal(mmtypeName(0x6064), "CM_SLAC_PARM.REQ");
    assert.equal(mmtypeName(0x607d), "CM_SLAC_MATCH.CNF");
    assert.equal(mmtypeName(0x6086), "CM_ATTEN_PROFILE.IND");
    assert.equal(mmtypeName(0x606f), "CM_ATTEN_CHAR.RSP");
    assert.equal(mmtypeName(0xa0b9, new Uint8Array([0, 0xb0, 0x52])), "VS_PL_LNK_STATUS.CNF");
    assert.equal(mmtypeName(0xa0b9, new Uint8Array([0, 0x80, 0xe1])), undefined, "another vendor's 0xA0B9 is not Qualcomm's");
    assert.equal(mmtypeOf("CM_SET_KEY.CNF"), 0x6009);
    assert.equal(mmtypeOf("VS_SW_VER.REQ"), 0xa000);
    assert.equal(mmtypeOf("VS_RS_DEV.CNF"), 0xa01d);
    assert.equal(mmtypeOf("VS_NW_INFO.REQ"), 0xa038);
    assert.equal(mmtypeOf("CM_NOPE.REQ"), undefined);
  });
});

describe("decodeHomePlugFrame", () => {
  test("CM_SLAC_PARM.CNF from a lab charger (tux-evse capture) decodes field by field", () => {
    const f = decodeHomePlugFrame(fromHex("00018705bbc96ad811983ffa88e1016560000000018705bbc90a320100018705bbc900002485615a000000007f0000a09ba600000000006096a60000")!);
    assert.ok(isType(f, "CM_SLAC_PARM.CNF"));
    assert.equal(f.header.mmv, 1);
    assert.deepEqual(f.header.fmi, { nf: 0, fn: 0, fmsn: 0 });
    assert.equal(toHex(f.fields.forwardingSta), "00018705bbc9");
    assert.equal(f.fields.numSounds, 10);
    assert.equal(f.fields.timeOut, 50);
    assert.equal(f.fields.respType, 1);
    assert.equal(toHex(f.fields.runId), "2485615a00000000");
  });

  test("a VLAN-tagged CM_ATTEN_CHAR.IND (dsV2Gshark multi-EVSE) keeps the tag in the header", () => {
    const f = decodeHomePlugFrame(fromHex("a0cec8ca5fa2644d7001060e8100000288e1016e6000000000a0cec8ca5fa21923deb200c6bda0000000000000000000000000000000000000000000000000000000000000000000000a3a1717171917171b1616161414131413131314151516161717171718181818191a1a1a1b1b1b1b1b1b1a1b1c1b1a1b1b1c1d201e1e212223252833")!);
    assert.ok(isType(f, "CM_ATTEN_CHAR.IND"));
    assert.equal(f.header.vlan, 2);
    assert.equal(f.fields.numSounds, 10);
    assert.equal(f.fields.numGroups, 58);
    assert.equal(f.fields.aag.length, 58);
    assert.equal(f.fields.aag[0], 0x17);
  });

  test("a Qualcomm VS message (MMV 0, no FMI) reads the OUI", () => {
    const f = decodeHomePlugFrame(fromHex("00b0520000010001873149a988e10068a000b05245230100000000000000000000000000000000000000000000000000000000000000000000000000")!);
    assert.equal(f.type, "VS_OP_ATTRIBUTES.REQ");
    assert.equal(f.header.fmi, undefined);
    assert.equal(toHex(f.header.oui!), "00b052");
  });

  test("an unknown MMTYPE decodes as MME with its payload", () => {
    const f = decodeHomePlugFrame(fromHex("ffffffffffff644d700103bf88e10102800000644d7064")!);
    assert.equal(f.type, "MME");
    assert.equal(f.header.mmtype, 0x8002);
  });

  test("bad frames throw typed DecodeErrors, never anything else", () => {
    const parm = encodeHomePlugFrame({ type: "CM_SLAC_PARM.REQ", dst: MAC_BROADCAST, src: EV, fields: { applicationType: 0, securityType: 0, runId: RUN_ID } });
    assert.throws(() => decodeHomePlugFrame(parm.subarray(0, 25)), (e: unknown) => Xs15118Error.is(e, "truncated") && e instanceof SlacDecodeError);
    const ip = parm.slice();
    ip[12] = 0x86;
    ip[13] = 0xdd;
    assert.throws(() => decodeHomePlugFrame(ip), (e: unknown) => Xs15118Error.is(e, "not-homeplug"));
    const mmv = parm.slice();
    mmv[14] = 7;
    assert.throws(() => decodeHomePlugFrame(mmv), (e: unknown) => Xs15118Error.is(e, "mmv"));
    for (let n = 0; n < parm.length; n++) {
      try {
        decodeHomePlugFrame(parm.subarray(0, n));
      } catch (e) {
        assert.ok(e instanceof SlacDecodeError, `prefix ${n}: ${String(e)}`);
      }
    }
  });

  test("a fragment (FMI NF > 0) is returned as raw payload", () => {
    const frame = encodeHomePlugFrame({ type: "CM_SLAC_PARM.REQ", dst: MAC_BROADCAST, src: EV, fmi: { nf: 1, fn: 0, fmsn: 3 }, fields: { applicationType: 0, securityType: 0, runId: RUN_ID } });
    const f = decodeHomePlugFrame(frame);
    assert.equal(f.type, "CM_SLAC_PARM.REQ");
    assert.ok("payload" in f.fields);
    assert.deepEqual(f.header.fmi, { nf: 1, fn: 0, fmsn: 3 });
  });
});

describe("encodeHomePlugFrame", () => {
  test("round trip of every SLAC message type", () => {
    const id17 = new Uint8Array(17).fill(0x41);
    const aag = new Uint8Array(58).map((_, i) => 20 + (i % 7));
    const nid = fromHex("0394bbf59bb80b")!;
    const nmk = fromHex("ee7b8f0c57c2508f8ddc83fd9232e297")!;
    const cases: Parameters<typeof encodeHomePlugFrame>[0][] = [
      { type: "CM_SET_KEY.REQ", dst: MAC_LOCAL_MODEM, src: EVSE, fields: { keyType: 1, myNonce: 0xdeadbeef, yourNonce: 0, pid: 4, prn: 0, pmn: 0, ccoCapability: 0, nid, newEks: 1, newKey: nmk } },
      { type: "CM_SET_KEY.CNF", dst: EVSE, src: MAC_LOCAL_MODEM, fields: { result: 0, myNonce: 1, yourNonce: 0xdeadbeef, pid: 4, prn: 0, pmn: 0xff, ccoCapability: 0 } },
      { type: "CM_AMP_MAP.REQ", dst: EV, src: EVSE, fields: { amlen: 5, amdata: new Uint8Array([0x21, 0x43, 0x05]) } },
      { type: "CM_AMP_MAP.CNF", dst: EVSE, src: EV, fields: { resType: 0 } },
      { type: "CM_SLAC_PARM.REQ", dst: MAC_BROADCAST, src: EV, fields: { applicationType: 0, securityType: 0, runId: RUN_ID } },
      { type: "CM_SLAC_PARM.CNF", dst: EV, src: EVSE, fields: { msoundTarget: new Uint8Array(MAC_BROADCAST), numSounds: 10, timeOut: 6, respType: 1, forwardingSta: EV, applicationType: 0, securityType: 0, runId: RUN_ID } },
      { type: "CM_START_ATTEN_CHAR.IND", dst: MAC_BROADCAST, src: EV, fields: { applicationType: 0, securityType: 0, numSounds: 10, timeOut: 6, respType: 1, forwardingSta: EV, runId: RUN_ID } },
      { type: "CM_MNBC_SOUND.IND", dst: MAC_BROADCAST, src: EV, fields: { applicationType: 0, securityType: 0, senderId: new Uint8Array(17), cnt: 9, runId: RUN_ID, reserved: new Uint8Array(8), rnd: new Uint8Array(16).fill(7) } },
      { type: "CM_ATTEN_PROFILE.IND", dst: EVSE, src: MAC_LOCAL_MODEM, fields: { pevMac: EV, numGroups: 58, reserved: 0, aag } },
      { type: "CM_ATTEN_CHAR.IND", dst: EV, src: EVSE, fields: { applicationType: 0, securityType: 0, sourceAddress: EV, runId: RUN_ID, sourceId: new Uint8Array(17), respId: id17, numSounds: 10, numGroups: 58, aag } },
      { type: "CM_ATTEN_CHAR.RSP", dst: EVSE, src: EV, fields: { applicationType: 0, securityType: 0, sourceAddress: EV, runId: RUN_ID, sourceId: new Uint8Array(17), respId: id17, result: 0 } },
      { type: "CM_VALIDATE.REQ", dst: EVSE, src: EV, fields: { signalType: 0, timer: 0, result: 1 } },
      { type: "CM_VALIDATE.CNF", dst: EV, src: EVSE, fields: { signalType: 0, toggleNum: 3, result: 2 } },
      { type: "CM_SLAC_MATCH.REQ", dst: EVSE, src: EV, fields: { applicationType: 0, securityType: 0, mvfLength: 0x3e, pevId: id17, pevMac: EV, evseId: id17, evseMac: EVSE, runId: RUN_ID, reserved: new Uint8Array(8) } },
      { type: "CM_SLAC_MATCH.CNF", dst: EV, src: EVSE, fields: { applicationType: 0, securityType: 0, mvfLength: 0x56, pevId: id17, pevMac: EV, evseId: id17, evseMac: EVSE, runId: RUN_ID, reserved: new Uint8Array(8), nid, reserved2: 0, nmk } },
      { type: "VS_SW_VER.REQ", dst: MAC_LOCAL_MODEM, src: EVSE, fields: {} },
      { type: "VS_SW_VER.CNF", dst: EVSE, src: MAC_LOCAL_MODEM, fields: { status: 0, deviceId: 0x20, version: "MAC-QCA7000-1.2.5.3207-01-20180216-CS" } },
      { type: "VS_RS_DEV.REQ", dst: MAC_LOCAL_MODEM, src: EVSE, fields: {} },
      { type: "VS_RS_DEV.CNF", dst: EVSE, src: MAC_LOCAL_MODEM, fields: { status: 0 } },
      { type: "VS_PL_LNK_STATUS.REQ", dst: MAC_LOCAL_MODEM, src: EVSE, fields: {} },
      { type: "VS_PL_LNK_STATUS.CNF", dst: EVSE, src: MAC_LOCAL_MODEM, fields: { status: 0, linkStatus: 1 } },
      { type: "VS_NW_INFO.REQ", dst: MAC_LOCAL_MODEM, src: EVSE, fields: {} },
      { type: "VS_NW_INFO.CNF", dst: EVSE, src: MAC_LOCAL_MODEM, fields: { networks: [{ nid, snid: 3, tei: 1, role: 2, ccoMac: EVSE, ccoTei: 1, stations: [{ mac: EV, tei: 2, bda: EV, avgTx: 9, avgRx: 10 }] }] } },
    ];
    for (const c of cases) {
      const bytes = encodeHomePlugFrame(c);
      assert.ok(bytes.length >= 60, c.type);
      const back = decodeHomePlugFrame(bytes);
      assert.equal(back.type, c.type);
      assert.deepEqual(back.fields, c.fields, c.type);
      assert.equal(toHex(back.header.src), toHex(new Uint8Array(c.src)));
      assert.equal(back.header.mmv, c.type.startsWith("VS_") ? 0 : 1);
      assert.deepEqual(encodeHomePlugFrame({ ...c, fields: back.fields } as typeof c), bytes, `${c.type} re-encodes to the same bytes`);
    }
  });

  test("VS_NW_INFO.CNF in both layouts: MMV 0 (8-bit rates) and MMV 1 (QCA7000 generation, 16-bit rates)", () => {
    const fields = {
      networks: [
        { nid: fromHex("0394bbf59bb80b")!, snid: 5, tei: 1, role: 2, ccoMac: EVSE, ccoTei: 1, stations: [{ mac: EV, tei: 2, bda: EV, avgTx: 300, avgRx: 280 }, { mac: EVSE, tei: 3, bda: EVSE, avgTx: 9, avgRx: 10 }] },
        { nid: fromHex("b0f2e695666b03")!, snid: 6, tei: 4, role: 0, ccoMac: EV, ccoTei: 4, stations: [] },
      ],
    };
    const v1 = encodeHomePlugFrame({ type: "VS_NW_INFO.CNF", dst: EVSE, src: MAC_LOCAL_MODEM, mmv: 1, fields });
    const back = decodeHomePlugFrame(v1);
    assert.equal(back.header.mmv, 1);
    assert.deepEqual(back.fields, fields);
    assert.equal(v1.length, 14 + 3 + 2 + 3 + 4 + 2 + 2 * 32 + 2 * 24);
    const v0 = decodeHomePlugFrame(encodeHomePlugFrame({ type: "VS_NW_INFO.CNF", dst: EVSE, src: MAC_LOCAL_MODEM, fields }));
    assert.ok(isType(v0, "VS_NW_INFO.CNF"));
    assert.equal(v0.fields.networks[0].stations[0].avgTx, 300 & 0xff, "MMV 0 rates are one byte");
  });

  test("misuse (wrong MAC length, unknown type) throws ImplementationError", () => {
    assert.throws(() => encodeHomePlugFrame({ type: "CM_SLAC_PARM.REQ", dst: new Uint8Array(5), src: EV, fields: { applicationType: 0, securityType: 0, runId: RUN_ID } }), (e: unknown) => Xs15118Error.is(e, "implementation"));
    assert.throws(() => encodeHomePlugFrame({ type: "CM_BOGUS.REQ" as "CM_SLAC_PARM.REQ", dst: EV, src: EV, fields: { applicationType: 0, securityType: 0, runId: RUN_ID } }), (e: unknown) => Xs15118Error.is(e, "implementation"));
  });
});

describe("captures", { skip: sharedSkip() }, () => {
  test("every HomePlug frame in ../shared/captures decodes, and SLAC frames re-encode to their bytes", () => {
    let files = listCaptures();
    assert.ok(files.length > 50, `found ${files.length} captures`);
    if (engine === "xs") files = files.filter((f) => f.indexOf("tux-evse") >= 0 || f.indexOf("multi_EVSE") >= 0 || f.indexOf("Zoe") >= 0);
    const counts: Record<string, number> = {};
    let total = 0;
    let reencoded = 0;
    for (const file of files) {
      for (const frame of slacFrames(file)) {
        let decoded;
        try {
          decoded = decodeHomePlugFrame(frame.data);
        } catch (e) {
          assert.fail(`${file} frame ${frame.number}: ${String(e)}`);
        }
        total++;
        counts[decoded.type] = (counts[decoded.type] ?? 0) + 1;
        if (!("payload" in decoded.fields) && decoded.header.vlan === undefined && !decoded.type.startsWith("VS_")) {
          const again = encodeHomePlugFrame({ type: decoded.type, fields: decoded.fields, dst: decoded.header.dst, src: decoded.header.src, mmv: decoded.header.mmv, fmi: decoded.header.fmi } as Parameters<typeof encodeHomePlugFrame>[0]);
          // The encoder pads with zeros; captured padding may hold junk, so compare what we wrote.
          const n = Math.min(again.length, frame.data.length);
          let end = n;
          while (end > 0 && again[end - 1] === 0) end--;
          assert.equal(toHex(again.subarray(0, end)), toHex(frame.data.subarray(0, end)), `${file} frame ${frame.number} ${decoded.type}`);
          reencoded++;
        }
      }
    }
    assert.ok(total > (engine === "xs" ? 100 : 5000), `${total} frames`);
    for (const t of ["CM_SLAC_PARM.REQ", "CM_SLAC_PARM.CNF", "CM_START_ATTEN_CHAR.IND", "CM_MNBC_SOUND.IND", "CM_ATTEN_PROFILE.IND", "CM_ATTEN_CHAR.IND", "CM_ATTEN_CHAR.RSP", "CM_SLAC_MATCH.REQ", "CM_SLAC_MATCH.CNF", "CM_SET_KEY.REQ", "CM_SET_KEY.CNF"]) {
      assert.ok((counts[t] ?? 0) > 0, `no ${t} seen`);
    }
    assert.ok(reencoded > 100);
  });

  test("a HomePlug frame cut short by the capture (snap length / end of file) fails as truncated, typed", () => {
    const file = "everest-logfiles/Opel/Mokka-E/iso_15118-2_AC_not_supported/2023-04-14T14:21:01.727Z-3_config-ac-iso2/ethernet-traffic.dump";
    const bytes = readShared(`captures/${file}`);
    assert.ok(bytes);
    const cut = readCapture(bytes).frames.filter((f) => f.data.length < f.originalLength && f.data.length > 14 && f.data[12] === 0x88 && f.data[13] === 0xe1);
    assert.equal(cut.length, 1);
    assert.throws(() => decodeHomePlugFrame(cut[0].data), (e: unknown) => Xs15118Error.is(e, "truncated"));
  });
});
