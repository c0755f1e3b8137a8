// @node-only — main.ts, the ESP32 firmware, runs on stand-ins for its Moddable imports
// (embedded:io/*, timer, time, mc/config, preference; bundled with esbuild, see
// support/esp32-board-mocks.ts): the station the configuration asks for is built on the
// configured pins, a plugged-in vehicle gets 5 % PWM and SLAC starts on the QCA7000's SPI bus.
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import * as fs from "node:fs";
import * as os from "node:os";
import { MemoryPkiStorage } from "../../modules/pki-store/storage";
import { ManualClock } from "../../modules/common/index";
import { chargerPersistence } from "../../modules/station/persistence";
import { NodeCrypto } from "../../hosts/sim/crypto/node-crypto";
import { createTestPki } from "../../hosts/sim/pki/test-pki";
import { writeTestPki } from "../../hosts/sim/pki/files";
import { stationPkiFromMemory } from "../../hosts/sim/crypto/station-tls";
import { TlsActivity, tlsOverStreams } from "../../hosts/sim/crypto/tls";
import { main } from "../../hosts/sim/cli";
import { bufferIo } from "../support/cli-io";
import { nvsToolsSkip, readNvsImage } from "../support/esp-idf";
import { bundleOnStandIns, type StandInBundles } from "./support/esp32-bundles";

const SESSION = "tests/station/support/esp32-board-session.ts";

type Any = any; // loaded at run time; the sources are checked by tsc -p hosts/esp32
let bundles: StandInBundles | undefined;
let mocks: Any;
let session: Any;
const traced: string[] = [];

// Every boot imports main.ts's bundle afresh: the bundles stay until the file's tests are done.
after(() => bundles?.remove());

before(async () => {
  // main.ts (re-evaluated per boot), and the board with a BMS and a charger peer on the same
  // stand-ins (a whole session).
  bundles = await bundleOnStandIns(["main.ts", SESSION]);
  mocks = bundles.mocks;
  session = await import(bundles.urls.get(SESSION)!);
  (globalThis as Any).trace = (text: string) => traced.push(text.trimEnd());
});

beforeEach(() => {
  bundles!.reset();
  traced.length = 0;
});

/** Boots main.ts once more (a fresh module instance: a board reset), on the bench's time. */
const boot = (): Promise<void> => bundles!.boot("main.ts");
const onBenchTime = <T>(make: () => T): T => bundles!.onBenchTime(make);
const made = (kind: string): Any[] => bundles!.made(kind);

describe("main.ts on the ESP32 stand-ins", () => {
  test("the manifest's charger: pilot generator, ADC and gate, and the QCA7000 on the configured pins", async () => {
    mocks.scope().config = { role: "charger", protocols: ["iso2", "din"] };
    await boot();
    assert.ok(traced.some((l) => /info main: xs15118 .* starting as charger/.test(l)), traced.join("\n"));
    // No trusted time on a fresh board: log lines carry the time since start, not a date.
    assert.ok(traced.every((l) => /^\+\d+\.\d{3} s (error|warn|info|debug|trace) /.test(l)), traced.join("\n"));
    assert.equal(mocks.bench.pins.get(25), 1, "state A: a constant +12 V on the generator pin");
    assert.equal(mocks.bench.pins.get(26), 1, "the ±12 V stage enabled");
    assert.deepEqual(made("Analog").map((o: Any) => o.pin), [34]);
    assert.ok(made("Digital").some((o: Any) => o.pin === 35 && o.mode === "input"), "the comparator gate");
    const spi = mocks.scope().spi;
    assert.equal(spi.length, 1);
    assert.deepEqual([spi[0].options.clock, spi[0].options.in, spi[0].options.out, spi[0].options.select, spi[0].options.mode, spi[0].options.hz], [18, 19, 23, 5, 3, 8_000_000]);
    assert.deepEqual(mocks.scope().interrupts.map((i: Any) => i.pin), [21]);
  });

  test("given a vehicle plugged in (state B, +9 V), then 5 % PWM, and SLAC starts", async () => {
    await boot();
    mocks.run(200);
    assert.ok(!traced.some((l) => /SLAC started/.test(l)), "SLAC waits for the vehicle");
    assert.ok(mocks.scope().spi[0].transfers > 0, "the QCA7000 driver checks the modem's signature from the start");
    mocks.bench.high = 9; // IEC 61851-1 state B: +9 V
    mocks.run(1000);
    assert.ok(traced.some((l) => /pilot B2 \(5 % PWM/.test(l)), traced.join("\n"));
    assert.deepEqual(made("PWM").map((o: Any) => [o.pin, o.hz]), [[25, 1000]]);
    assert.deepEqual(mocks.bench.pwmWrites.at(-1), [25, 51], "5 % of 1024");
    assert.ok(traced.some((l) => /SLAC started/.test(l)), traced.join("\n"));
  });

  test("a board's preferences override the manifest: the same image becomes a vehicle on other pins", async () => {
    mocks.scope().config = { role: "charger" };
    mocks.scope().preferences.set("xs15118/role", "vehicle");
    mocks.scope().preferences.set("xs15118/s2Pin", 4);
    mocks.scope().preferences.set("xs15118/qcaSelect", "15");
    await boot();
    assert.ok(traced.some((l) => /starting as vehicle/.test(l)));
    assert.deepEqual(made("PWM"), [], "a vehicle drives no pilot PWM");
    assert.ok(made("Digital").some((o: Any) => o.pin === 4 && o.mode === "output"), "S2 on pin 4");
    assert.equal(mocks.scope().spi[0].options.select, 15);
    mocks.bench.high = 9;
    mocks.bench.duty = 5; // the charger's 5 %: digital communication
    mocks.run(1500);
    assert.ok(traced.some((l) => /digital communication; SLAC started/.test(l)), traced.join("\n"));
  });

  test("updates: off without an update key in the image; with keys and a server but no HTTPS client, a new image is still confirmed or rolled back", async () => {
    await boot();
    assert.ok(traced.some((l) => /ota: no valid update key in the manifest's config/.test(l)), traced.join("\n"));
    traced.length = 0;
    mocks.scope().config = { updateKeys: ["04" + "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb67903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299"], updateServer: "https://updates.example.com", firmwareVersion: 3 };
    await boot();
    assert.ok(traced.some((l) => /warn ota: this build has no HTTPS client/.test(l)), traced.join("\n"));
    assert.ok(traced.some((l) => /info ota: firmware 3 \(installed 3\), mod 0, idle/.test(l)), traced.join("\n"));
  });

  test("a charger's paused sessions and energy ledger are kept in NVS (preference domain xs15118-state) and restored at boot", async () => {
    // What an earlier run of the firmware left: a paused ISO-2 session and 12.5 Wh in the ledger.
    const storage = new MemoryPkiStorage();
    const clock = new ManualClock();
    const kept = chargerPersistence({ storage, clock });
    kept.store.save({ protocol: "iso2", sessionId: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), evccId: Uint8Array.of(2, 0, 0, 0, 0, 1), paymentOption: "ExternalPayment", energyMode: "DC_extended", saScheduleTupleId: 1, pausedAt: clock.now() });
    kept.ledger.sessionStarted(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), 0);
    kept.ledger.sessionStopped(12.5);
    for (const name of storage.list("")) {
      assert.ok(name.length <= 15, `${name}: an NVS key has at most 15 characters`);
      mocks.scope().preferences.set(`xs15118-state/${name}`, storage.read(name)!.slice().buffer);
    }
    mocks.scope().config = { role: "charger" };
    await boot();
    assert.ok(traced.some((l) => /info station: 1 paused session\(s\) restored/.test(l)), traced.join("\n"));
    assert.ok(traced.some((l) => /info station: energy ledger restored: register 12\.50 Wh, last session 12\.50 Wh$/.test(l)), traced.join("\n"));
  });

  test("config.qcaDriver native (the ESP32 manifest's): the native driver on the configured pins and MAC, no SPI from JavaScript, SLAC's frames through it", async () => {
    mocks.scope().config = { role: "charger", qcaDriver: "native" };
    await boot();
    assert.ok(traced.some((l) => /info board: QCA7000: native driver/.test(l)), traced.join("\n"));
    const native = mocks.scope().native;
    assert.equal(native.length, 1);
    const o = native[0].options;
    assert.deepEqual([o.clock, o.in, o.out, o.select, o.interrupt, o.hz], [18, 19, 23, 5, 21, 8_000_000]);
    assert.equal(o.mac.length, 6);
    assert.equal(mocks.scope().spi.length, 0, "the native driver owns the SPI bus: no JavaScript SPI");
    assert.deepEqual(mocks.scope().interrupts, [], "nor the INT pin");
    mocks.bench.high = 9; // state B: SLAC starts and sets the modem's key first
    mocks.run(1000);
    assert.ok(traced.some((l) => /SLAC started/.test(l)), traced.join("\n"));
    const frames = native[0].written;
    assert.ok(frames.length > 0, "SLAC writes its management frames to the native driver");
    for (const f of frames) assert.equal((f[12] << 8) | f[13], 0x88e1, "HomePlug AV management frames only: IP never passes through JavaScript");
    // A frame the chip handed up is read by SLAC (a CM_SLAC_PARM.REQ from a vehicle, broadcast).
    const parm = new Uint8Array(60);
    parm.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 0x11, 0x88, 0xe1, 0x01, 0x64, 0x60, 0, 0, 0, 0]);
    native[0].deliver(parm);
    mocks.run(50);
    assert.equal(native[0].inbox.length, 0, "the frame was read");
  });

  test("native driver, no BMS wired (main.ts as it ships): SLAC matches on the QCA7000's modem, no IP side opens and lwIP's link stays down", async () => {
    const [boardWire, peerWire] = mocks.framePair((f: () => void) => mocks.Timer.set(f, 0));
    mocks.scope().slacWire = boardWire;
    mocks.scope().config = { role: "vehicle", qcaDriver: "native" };
    await boot();
    const charger = session.startPeer("charger", { protocol: "iso2", network: mocks.scope().network, peerWire, trace: (line: string) => traced.push(line) });
    mocks.bench.high = 9;
    mocks.bench.duty = 5;
    for (let ms = 0; ms < 60_000 && !traced.some((l) => /warn station: link up/.test(l)); ms += 100) mocks.run(100);
    assert.ok(traced.some((l) => /SLAC matched EVSE/.test(l)), traced.join("\n"));
    assert.ok(traced.some((l) => /warn station: link up, but no vehicle hardware was given: no V2G session/.test(l)), traced.join("\n"));
    assert.deepEqual(mocks.scope().native[0].linkUp, [], "no IP side, so lwIP's link stays down (no DAD, no MLD)");
    charger.close();
  });

  for (const protocol of ["din", "iso2"] as const) {
    test(`the board as a vehicle with a BMS runs a whole ${protocol} DC session past SLAC: lwIP's link up at the match, SDP to ff02::1%qc1, V2GTP over the socket classes, link down at the unplug`, () => {
      const [boardWire, peerWire] = mocks.framePair((f: () => void) => mocks.Timer.set(f, 0));
      const network = mocks.scope().network;
      mocks.scope().slacWire = boardWire;
      const run = onBenchTime(() => session.startBoardSession({ protocol, network, peerWire, trace: (line: string) => traced.push(line) }));
      const native = mocks.scope().native[0];
      // The charger's 5 % PWM; the vehicle closing S2 (pin 27) turns the pilot to state C (6 V).
      mocks.bench.high = 9;
      mocks.bench.duty = 5;
      const s2 = mocks.Timer.repeat(() => {
        mocks.bench.high = mocks.bench.pins.get(27) === 1 ? 6 : 9;
      }, 5);
      for (let ms = 0; ms < 120_000 && run.peerEnd === undefined; ms += 100) mocks.run(100);
      mocks.Timer.clear(s2);
      const log = traced.join("\n");
      assert.ok(run.peerEnd, `the session did not end:\n${log.slice(-6000)}`);
      assert.equal(run.peerEnd.ok, true, `${JSON.stringify(run.peerEnd)}\n${log.slice(-6000)}`);
      assert.equal(run.peerEnd.protocol, protocol);
      assert.ok(run.peerEnd.energyWh > 0, "energy was delivered");
      assert.ok(run.peerEnd.messages > 20, `${run.peerEnd.messages} messages`);
      // lwIP's link went up once, at the match, before the board sent any datagram (SDP).
      assert.deepEqual(native.linkUp, [true]);
      const sent = network.datagrams.filter(([from]: [string]) => from === "qc1");
      assert.ok(sent.length > 0 && sent.every(([, , , up]: [string, string, number, boolean]) => up), "no datagram before the link was up");
      assert.ok(sent.some(([, to, port]: [string, string, number]) => to === "ff02::1%qc1" && port === 15118), "SDP request to ff02::1 on the netif");
      assert.equal(network.dropped, 0);
      assert.ok(/info station: session over: /.test(log), log.slice(-3000));
      // Unplugged: state A ends the link, the IP side closes its sockets and lwIP's link goes down.
      mocks.bench.high = 12;
      mocks.bench.duty = 100;
      mocks.run(3000);
      assert.deepEqual(native.linkUp, [true, false], traced.slice(-20).join("\n"));
      assert.equal(network.open("qc1"), 0, "every socket of the board closed");
      run.close();
    });
  }

  test("the board as a charger with a power stage runs a whole ISO-2 DC session: SDP answered from its socket joined to ff02::1 on the netif, the vehicle accepted on its V2G listener; link down at the unplug", () => {
    const [boardWire, peerWire] = mocks.framePair((f: () => void) => mocks.Timer.set(f, 0));
    const network = mocks.scope().network;
    mocks.scope().slacWire = boardWire;
    const run = onBenchTime(() => session.startBoardCharger({ protocol: "iso2", network, peerWire, trace: (line: string) => traced.push(line) }));
    const native = mocks.scope().native[0];
    mocks.bench.high = 9; // a vehicle plugged in: state B, and the charger's 5 % PWM starts SLAC
    // The vehicle closes S2 once matched (its pilot is simulated in its own station): state C.
    const s2 = mocks.Timer.repeat(() => {
      if (native.linkUp.at(-1) === true) mocks.bench.high = 6;
    }, 5);
    for (let ms = 0; ms < 120_000 && run.peerEnd === undefined; ms += 100) mocks.run(100);
    mocks.Timer.clear(s2);
    const log = traced.join("\n");
    assert.deepEqual(native.linkUp, [true], log.slice(-4000));
    assert.ok(/info secc: V2G server on \[fe80::ff:fe00:1\]:\d+ \(TCP, no TLS\)/.test(log), log.slice(-4000));
    // The vehicle's SDP request reached the board's socket; its answer went back to the vehicle.
    const sent = network.datagrams.filter(([from]: [string]) => from === "qc1");
    assert.ok(sent.some(([, to]: [string, string]) => to.startsWith("fe80::2%qc1")), "the SDP answer, unicast to the vehicle on the netif");
    assert.ok(sent.every(([, , , up]: [string, string, number, boolean]) => up), "nothing sent before the link was up");
    assert.ok(run.peerEnd, `the session did not end:\n${log.slice(-6000)}`);
    assert.equal(run.peerEnd.ok, true, `${JSON.stringify(run.peerEnd)}\n${log.slice(-6000)}`);
    mocks.bench.high = 12; // unplugged
    mocks.run(3000);
    assert.deepEqual(native.linkUp, [true, false], traced.slice(-20).join("\n"));
    assert.equal(network.open("qc1"), 0, "every socket of the board closed");
    run.close();
  });

  test("a vehicle board with ppPin reads the inlet's PP: the cable's coding at plug-in, and a plug-out ends SLAC at once", async () => {
    mocks.scope().config = { role: "vehicle" };
    mocks.scope().preferences.set("xs15118/ppPin", 36);
    // The 1 kΩ pull-up divider on the 12-bit ADC: 680 Ω (a 20 A cable) reads 0.405 of full scale.
    mocks.scope().analog.set(36, Math.round((680 / 1680) * 4095));
    await boot();
    assert.ok(made("Analog").some((o: Any) => o.pin === 36), "an ADC on the PP pin");
    mocks.bench.high = 9;
    mocks.bench.duty = 5;
    mocks.run(600); // SLAC running: no modem answers here, so it would give up after its set-key timeout
    assert.ok(traced.some((l) => /info pilot: plug in \(PP 6\d\d Ω\): the cable is coded for 20 A/.test(l)), traced.join("\n"));
    assert.ok(traced.some((l) => /SLAC started/.test(l)), traced.join("\n"));
    traced.length = 0;
    mocks.scope().analog.set(36, 4095); // the plug pulled out: PP open, while the pilot still reads 9 V
    mocks.run(200);
    assert.ok(traced.some((l) => /info pilot: proximity \(PP\) open: the plug was pulled out; SLAC stops/.test(l)), traced.join("\n"));
    assert.ok(!traced.some((l) => /SLAC failed/.test(l)), traced.join("\n"));
  });

  /**
   * A test PKI as `xs15118 pki init DIR` writes it, provisioned into the board's NVS (namespace
   * xs15118-pki) under the keys the README gives; the peer's view of the same PKI.
   */
  /** The peer's PKI only: the board's NVS stays empty. */
  function provisionPkiPeerOnly(): Any {
    return stationPkiFromMemory(new Map([["iso2", createTestPki({ crypto: new NodeCrypto(), profile: "iso2", now: Math.floor(Date.now() / 1000) })]]));
  }

  function provisionPki(): { peerPki: Any; keys: string[] } {
    const entities = createTestPki({ crypto: new NodeCrypto(), profile: "iso2", now: Math.floor(Date.now() / 1000) });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-esp32-pki-"));
    const keys: string[] = [];
    try {
      for (const file of writeTestPki(dir, "iso2", entities)) {
        const key = session.pkiPreferenceKey(path.relative(dir, file).split(path.sep).join("/"));
        if (key === undefined) continue; // the .pem copies of certificates: the board keeps the DER
        assert.ok(key.length <= 15, key);
        keys.push(key);
        mocks.scope().preferences.set(`${session.PKI_DOMAIN}/${key}`, new Uint8Array(fs.readFileSync(file)).buffer);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    return { peerPki: stationPkiFromMemory(new Map([["iso2", entities]])), keys: keys.sort() };
  }

  /** Runs the bench until `done`, letting node:tls (the stand-in engine) work between steps. */
  async function runUntil(done: () => boolean, activity: TlsActivity, limitMs = 120_000): Promise<void> {
    for (let ms = 0; ms < limitMs && !done(); ms += 50) {
      mocks.run(50);
      await activity.settle();
    }
  }

  /** The board and its peer on a fresh stand-in link, V2G over TLS: node:tls standing in for the native engine. */
  function tlsBench(peerPki: Any): { activity: TlsActivity; network: Any; options: Any } {
    const activity = new TlsActivity();
    const [boardWire, peerWire] = mocks.framePair((f: () => void) => mocks.Timer.set(f, 0));
    const network = mocks.scope().network;
    mocks.scope().slacWire = boardWire;
    const tls = { over: (io: Any) => tlsOverStreams(io, activity), crypto: new NodeCrypto(), peerPki };
    return { activity, network, options: { protocol: "iso2", network, peerWire, trace: (line: string) => traced.push(line), tls } };
  }

  /**
   * The PKI as `xs15118 pki nvs --role charger --bin` puts it into an NVS image (ESP-IDF's
   * nvs_partition_gen.py), read back by ESP-IDF's nvs_tool.py into the board's stand-in NVS:
   * every entry of both namespaces, the station's settings too.
   */
  async function provisionNvsImage(): Promise<{ peerPki: Any; keys: string[] }> {
    const entities = createTestPki({ crypto: new NodeCrypto(), profile: "iso2", now: Math.floor(Date.now() / 1000) });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-esp32-nvs-"));
    try {
      writeTestPki(dir, "iso2", entities);
      const io = bufferIo();
      assert.equal(await main(["pki", "nvs", dir, "--role", "charger", "--csv", path.join(dir, "nvs.csv"), "--bin", path.join(dir, "nvs.bin")], io), 0, io.stderr.join("\n"));
      for (const [name, value] of readNvsImage(path.join(dir, "nvs.bin"))) mocks.scope().preferences.set(name, value);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const keys = [...mocks.scope().preferences.keys()].filter((k: string) => k.startsWith(`${session.PKI_DOMAIN}/`)).map((k: string) => k.slice(session.PKI_DOMAIN.length + 1));
    return { peerPki: stationPkiFromMemory(new Map([["iso2", entities]])), keys: keys.sort() };
  }

  for (const [how, provision] of [
    ["the PKI of `xs15118 pki init` in NVS", provisionPki],
    ["the NVS image of `xs15118 pki nvs --role charger` (read back by ESP-IDF's nvs_tool.py)", provisionNvsImage],
  ] as const) {
    test(`tls on, ${how}: the board as a charger runs a whole ISO-2 DC session over TLS (SDP Security 0x00, TLS 1.2)`, { skip: provision === provisionNvsImage ? nvsToolsSkip() : false }, async () => {
      const { peerPki, keys } = await provision();
      for (const needed of ["2/pki", "2/secc", "2/secc.c", "2/secc.k", "2/v2g-root", "2/oem-root"]) assert.ok(keys.includes(needed), `${needed} in ${keys.join(" ")}`);
      const { activity, options } = tlsBench(peerPki);
      const run = onBenchTime(() => session.startBoardCharger(options));
      const native = mocks.scope().native[0];
      mocks.bench.high = 9;
      const s2 = mocks.Timer.repeat(() => {
        if (native.linkUp.at(-1) === true) mocks.bench.high = 6;
      }, 5);
      await runUntil(() => run.peerEnd !== undefined, activity);
      mocks.Timer.clear(s2);
      const log = traced.join("\n");
      assert.ok(/info station: V2G over TLS \(profile iso2, PKI from NVS xs15118-pki\)/.test(log), log.slice(0, 3000));
      assert.ok(/info secc: V2G server on \[fe80::ff:fe00:1\]:\d+ \(TLS\)/.test(log), log.slice(-4000));
      assert.ok(/peer: SDP: charger at \[fe80::ff:fe00:1%peer0\]:\d+, security tls/.test(log), log.slice(-4000));
      assert.ok(run.peerEnd, `the session did not end:\n${log.slice(-6000)}`);
      assert.equal(run.peerEnd.ok, true, `${JSON.stringify(run.peerEnd)}\n${log.slice(-6000)}`);
      mocks.bench.high = 12;
      await runUntil(() => native.linkUp.length > 1, activity, 3000);
      assert.deepEqual(native.linkUp, [true, false]);
      run.close();
    });
  }

  test("tls on, the board as a vehicle: SDP asks for TLS and the whole ISO-2 DC session runs over it, the charger's chain checked against the V2G root from NVS", async () => {
    const { peerPki } = provisionPki();
    const { activity, options } = tlsBench(peerPki);
    const run = onBenchTime(() => session.startBoardSession(options));
    mocks.bench.high = 9;
    mocks.bench.duty = 5;
    const s2 = mocks.Timer.repeat(() => {
      mocks.bench.high = mocks.bench.pins.get(27) === 1 ? 6 : 9;
    }, 5);
    await runUntil(() => run.peerEnd !== undefined, activity);
    mocks.Timer.clear(s2);
    const log = traced.join("\n");
    assert.ok(/info station: V2G over TLS \(profile iso2, PKI from NVS xs15118-pki\)/.test(log), log.slice(0, 3000));
    assert.ok(run.peerEnd, `the session did not end:\n${log.slice(-6000)}`);
    assert.equal(run.peerEnd.ok, true, `${JSON.stringify(run.peerEnd)}\n${log.slice(-6000)}`);
    assert.ok(run.peerEnd.energyWh > 0);
    run.close();
  });

  test("tls on but no PKI in NVS: the log says what is missing and where, SLAC still matches, and no V2G session starts (no plain-TCP fallback)", async () => {
    const { activity, network, options } = tlsBench(provisionPkiPeerOnly());
    const run = onBenchTime(() => session.startBoardCharger(options));
    mocks.bench.high = 9;
    await runUntil(() => traced.some((l) => /link up, but/.test(l)), activity, 60_000);
    const log = traced.join("\n");
    assert.ok(/error station: tls on, but the station's PKI in NVS xs15118-pki is not complete: no PKI in it \(neither 2\/pki nor 20\/pki\): provision the files of `xs15118 pki init DIR`/.test(log), log.slice(0, 3000));
    assert.ok(/error station: link up, but TLS is not to be had \(.*\): no V2G session \(the charger keeps power off\)/.test(log), log.slice(-3000));
    assert.deepEqual(mocks.scope().native[0].linkUp, [], "no IP side: lwIP's link stays down");
    assert.equal(network.open("qc1"), 0, "no socket opened on the board");
    run.close();
  });

  test("tls on with a PKI missing the SECC's key: the NVS key is named", async () => {
    provisionPki();
    mocks.scope().preferences.delete("xs15118-pki/2/secc.k");
    mocks.scope().tlsBuild = "4.0.0";
    mocks.scope().config = { role: "charger", qcaDriver: "native", tls: "on" };
    await boot();
    assert.ok(traced.some((l) => /error station: tls on, but the station's PKI in NVS xs15118-pki is not complete: pki\/iso2\/secc\.key\.pem is missing \(NVS key 2\/secc\.k\)/.test(l)), traced.join("\n"));
  });

  test("tls on in a build without a TLS engine: refused with the reason at boot", async () => {
    mocks.scope().config = { role: "charger", qcaDriver: "native", tls: "on" };
    await boot();
    assert.ok(traced.some((l) => /error station: tls on, but this build has no TLS engine \(hosts\/native-tls was built without mbedTLS\): no V2G session will start/.test(l)), traced.join("\n"));
    traced.length = 0;
    mocks.scope().config = { role: "charger", qcaDriver: "native" };
    await boot();
    assert.ok(traced.some((l) => /info station: V2G over plain TCP \(setting tls off\)/.test(l)), traced.join("\n"));
  });

  test("a qcaDriver the board does not have is logged and the JavaScript driver runs", async () => {
    mocks.scope().config = { qcaDriver: "usb" };
    await boot();
    assert.ok(traced.some((l) => /warn board: qcaDriver: no "usb" QCA7000 driver on this board \(it has native, javascript\); using javascript/.test(l)), traced.join("\n"));
    assert.equal(mocks.scope().native.length, 0);
    assert.equal(mocks.scope().spi.length, 1);
    assert.ok(traced.some((l) => /warn board: the javascript QCA7000 driver carries no IP: the station runs the pilot and SLAC only/.test(l)), traced.join("\n"));
  });

  test("a bad preference is logged with its key, and the board boots on the previous value", async () => {
    mocks.scope().preferences.set("xs15118/maxCurrent", "lots");
    await boot();
    assert.ok(traced.some((l) => /warn config: preference: maxCurrent needs a number/.test(l)), traced.join("\n"));
    assert.ok(traced.some((l) => /starting as charger/.test(l)));
  });
});
