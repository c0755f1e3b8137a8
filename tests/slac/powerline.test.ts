import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock, Millis, MemoryLogger, toHex, bytesEqual } from "../../modules/common/index";
import { SlacEv, SlacEvse, deriveNid, type SlacEvMatchInfo, type SlacMatchInfo } from "../../modules/slac/index";
import { Powerline } from "../../simulation/powerline";
import { mac, seededRandom } from "./support/sim";

function ipv6Frame(dst: Uint8Array, src: Uint8Array, tag: number): Uint8Array {
  const f = new Uint8Array(60);
  f.set(dst, 0);
  f.set(src, 6);
  f[12] = 0x86;
  f[13] = 0xdd;
  f[14] = 0x60;
  f[59] = tag;
  return f;
}

function setup(evseCount: number, seed = 1) {
  const clock = new ManualClock();
  const line = new Powerline({ clock });
  const random = seededRandom(seed);
  const evses = [];
  for (let i = 0; i < evseCount; i++) {
    const modem = line.addModem({ hostMac: mac(0x10 + 2 * i, 0x0a), name: `evse${i}` });
    const events: { matched?: SlacMatchInfo; failed?: string; states: string[]; frames: Uint8Array[] } = { states: [], frames: [] };
    const slac = new SlacEvse({
      link: { io: modem.Link },
      clock,
      random,
      onState: (s) => events.states.push(s),
      onMatched: (m) => (events.matched = m),
      onFailed: (r) => (events.failed = r),
      onFrame: (f) => events.frames.push(f),
    });
    evses.push({ modem, slac, events });
  }
  return { clock, line, random, evses };
}

function addEv(env: ReturnType<typeof setup>, n: number, logger?: MemoryLogger) {
  const modem = env.line.addModem({ hostMac: mac(0x50 + 2 * n, 0x0e), name: `ev${n}` });
  const events: { matched?: SlacEvMatchInfo; failed?: string; states: string[]; frames: Uint8Array[] } = { states: [], frames: [] };
  const slac = new SlacEv({
    link: { io: modem.Link },
    clock: env.clock,
    random: env.random,
    logger,
    onState: (s) => events.states.push(s),
    onMatched: (m) => (events.matched = m),
    onFailed: (r) => (events.failed = r),
    onFrame: (f) => events.frames.push(f),
  });
  return { modem, slac, events };
}

describe("SLAC over the simulated powerline", () => {
  test("one EV, three EVSEs in a row: the EV matches the EVSE it is plugged into (lowest attenuation), not a neighbour", () => {
    const env = setup(3);
    const ev = addEv(env, 0);
    const [a, b, c] = env.evses;
    // Plugged into b; a and c are neighbours whose cables run alongside (crosstalk).
    env.line.setAttenuation(ev.modem, b.modem, 22);
    env.line.setAttenuation(ev.modem, a.modem, 47);
    env.line.setAttenuation(ev.modem, c.modem, 52);
    env.line.setAttenuation(a.modem, b.modem, 40);
    env.line.setAttenuation(b.modem, c.modem, 40);
    for (const e of env.evses) e.slac.start();
    env.clock.advance(50);
    ev.slac.start();
    env.clock.advance(5000);

    assert.equal(ev.slac.state, "matched", `EV states ${ev.events.states.join(",")}`);
    assert.equal(b.slac.state, "matched");
    assert.equal(toHex(ev.events.matched!.evseMac), toHex(b.modem.hostMac));
    assert.equal(toHex(b.events.matched!.evMac), toHex(ev.modem.hostMac));
    assert.equal(ev.slac.candidates.length, 3, "all three EVSEs reported attenuation");
    assert.ok(Math.abs(ev.events.matched!.attenuation - 22) < 0.5);
    // Same NMK on both modems, NID derived from it, and the EV's modem joined b's AVLN only.
    assert.deepEqual(ev.modem.nmk, b.modem.nmk);
    assert.deepEqual(b.events.matched!.nid, deriveNid(b.events.matched!.nmk));
    assert.deepEqual(ev.modem.peers(), [b.modem]);
    // Neighbours keep waiting for their own EV (their sessions with this EV have lapsed).
    assert.equal(a.slac.state, "waiting");
    assert.equal(c.slac.state, "waiting");
    env.clock.advance(10000); // TT_EVSE_match_session
    assert.deepEqual(a.slac.sessions, {});
    assert.deepEqual(c.slac.sessions, {});

    // After matching, IPv6 frames cross between the EV and b only.
    ev.slac.sendFrame(ipv6Frame(new Uint8Array([0x33, 0x33, 0, 0, 0, 1]), ev.modem.hostMac, 7));
    b.slac.sendFrame(ipv6Frame(ev.modem.hostMac, b.modem.hostMac, 8));
    env.clock.advance(10);
    assert.equal(b.events.frames.length, 1);
    assert.equal(b.events.frames[0][59], 7);
    assert.equal(a.events.frames.length + c.events.frames.length, 0, "no frame leaks to another AVLN");
    assert.equal(ev.events.frames.length, 1);
    assert.equal(ev.events.frames[0][59], 8);
  });

  test("two EVs plugged into neighbouring EVSEs at the same time each match their own EVSE", () => {
    const env = setup(2, 7);
    const ev1 = addEv(env, 1);
    const ev2 = addEv(env, 2);
    const [e1, e2] = env.evses;
    env.line.setAttenuation(ev1.modem, e1.modem, 18);
    env.line.setAttenuation(ev1.modem, e2.modem, 41);
    env.line.setAttenuation(ev2.modem, e2.modem, 25);
    env.line.setAttenuation(ev2.modem, e1.modem, 39);
    env.line.setAttenuation(ev1.modem, ev2.modem, 45);
    env.line.setAttenuation(e1.modem, e2.modem, 35);
    e1.slac.start();
    e2.slac.start();
    env.clock.advance(30);
    ev1.slac.start();
    env.clock.advance(3);
    ev2.slac.start();
    env.clock.advance(6000);
    assert.equal(ev1.slac.state, "matched");
    assert.equal(ev2.slac.state, "matched");
    assert.equal(toHex(ev1.events.matched!.evseMac), toHex(e1.modem.hostMac));
    assert.equal(toHex(ev2.events.matched!.evseMac), toHex(e2.modem.hostMac));
    assert.equal(toHex(e1.events.matched!.evMac), toHex(ev1.modem.hostMac));
    assert.equal(toHex(e2.events.matched!.evMac), toHex(ev2.modem.hostMac));
    assert.ok(!bytesEqual(e1.events.matched!.nmk, e2.events.matched!.nmk), "a random NMK per EVSE session");
    assert.deepEqual(ev1.modem.peers(), [e1.modem]);
    assert.deepEqual(ev2.modem.peers(), [e2.modem]);
  });

  test("an EV restarting SLAC after matching is matched again (reset, not failure)", () => {
    const env = setup(1, 3);
    const ev = addEv(env, 0);
    const [e] = env.evses;
    env.line.setAttenuation(ev.modem, e.modem, 20);
    e.slac.start();
    ev.slac.start();
    env.clock.advance(3000);
    assert.equal(e.slac.state, "matched");
    const first = e.events.matched!;
    ev.slac.start(); // the car's SLAC restarts (new RunID, new random NMK on its modem)
    env.clock.advance(3000);
    assert.equal(ev.slac.state, "matched");
    assert.equal(e.slac.state, "matched");
    assert.equal(e.events.failed, undefined);
    assert.ok(!bytesEqual(e.events.matched!.runId, first.runId));
    assert.deepEqual(e.events.matched!.nmk, first.nmk, "the EVSE keeps its session NMK");
    assert.ok(e.events.states.indexOf("waiting") < e.events.states.lastIndexOf("matched"));
  });

  test("no EV modem: fast fallback fires early, TT_EVSE_SLAC_init fails later", () => {
    const clock = new ManualClock();
    const line = new Powerline({ clock });
    const modem = line.addModem({ hostMac: mac(0x20) });
    let fallbackAt = -1;
    let failedAt = -1;
    let reason = "";
    const slac = new SlacEvse({
      link: { io: modem.Link },
      clock,
      random: seededRandom(5),
      fallbackTimeout: Millis(3000),
      slacInitTimeout: Millis(20000),
      onFallback: () => (fallbackAt = clock.now()),
      onFailed: (r) => {
        failedAt = clock.now();
        reason = r;
      },
    });
    slac.start();
    clock.advance(25000);
    assert.equal(fallbackAt, 3000);
    assert.equal(failedAt, 20000);
    assert.equal(reason, "slac-init-timeout");
    assert.equal(slac.state, "failed");
  });

  test("modem reset on start: VS_RS_DEV, wait for the firmware, then SLAC", () => {
    const env = setup(1, 11);
    const ev = addEv(env, 0);
    const [e] = env.evses;
    env.line.setAttenuation(ev.modem, e.modem, 20);
    const slac = new SlacEvse({ link: { io: e.modem.Link }, clock: env.clock, random: env.random, resetModemOnStart: true });
    e.slac.close();
    slac.start();
    assert.equal(slac.state, "modem-reset");
    env.clock.advance(1000);
    assert.equal(slac.state, "waiting");
    assert.equal(e.modem.stats.resets, 1);
    assert.match(slac.modemVersion ?? "", /QCA7000/);
    ev.slac.start();
    env.clock.advance(3000);
    assert.equal(slac.state, "matched");
  });

  test("the EV's modem never joins: join-timeout after TT_match_join, the EV retries C_conn_max_match times", () => {
    const env = setup(1, 13);
    const logger = new MemoryLogger();
    const ev = addEv(env, 0, logger);
    const [e] = env.evses;
    env.line.setAttenuation(ev.modem, e.modem, 20);
    e.slac.start();
    ev.slac.start();
    // The EV modem ignores keys: it will never be in the EVSE's AVLN.
    env.clock.advance(900);
    const keep = ev.modem.nmk;
    Object.defineProperty(ev.modem, "nmk", { get: () => keep, set: () => {} });
    env.clock.advance(60000);
    assert.equal(ev.slac.state, "failed");
    assert.equal(ev.events.failed, "join-timeout");
    assert.equal(logger.find("attempt").length, 3);
    assert.equal(e.events.failed, "join-timeout", "the EVSE gives up after C_conn_max_match matches without a link");
  });

  test("after matching, a second link on the same modem (IPv6 only) carries IP while SLAC keeps its own", () => {
    const env = setup(1, 21);
    const ev = addEv(env, 0);
    const [e] = env.evses;
    env.line.setAttenuation(ev.modem, e.modem, 20);
    e.slac.start();
    ev.slac.start();
    env.clock.advance(3000);
    assert.equal(ev.slac.state, "matched");
    const got: Uint8Array[] = [];
    const ip = new e.modem.Link({
      ethertype: 0x86dd,
      onReadable: () => {
        for (let f = ip.read(); f; f = ip.read()) got.push(f);
      },
    });
    const evIp = new ev.modem.Link({ ethertype: 0x86dd });
    evIp.write(ipv6Frame(e.modem.hostMac, ev.modem.hostMac, 5));
    env.clock.advance(5);
    assert.equal(got.length, 1);
    assert.equal(got[0][59], 5);
    assert.equal(e.events.frames.length, 1, "the SLAC link (no filter) sees it too");
    ip.close();
    ip.close();
    evIp.write(ipv6Frame(e.modem.hostMac, ev.modem.hostMac, 6));
    env.clock.advance(5);
    assert.equal(got.length, 1, "a closed link receives nothing");
  });

  test("link supervision after matching: a short outage is bridged, one longer than T_conn_resume (6 s) restarts SLAC", () => {
    const env = setup(1, 31);
    const ev = addEv(env, 0);
    const [e] = env.evses;
    env.line.setAttenuation(ev.modem, e.modem, 20);
    const seen: string[] = [];
    const evse = new SlacEvse({
      link: { io: e.modem.Link },
      clock: env.clock,
      random: env.random,
      onLinkDown: () => seen.push("down"),
      onLinkUp: () => seen.push("up"),
      onLinkLost: () => seen.push("lost"),
    });
    e.slac.close();
    evse.start();
    ev.slac.start();
    env.clock.advance(3000);
    assert.equal(evse.state, "matched");
    // The EV's modem drops off for 4.5 s (a cable moved, a modem watchdog).
    ev.modem.silent = true;
    env.clock.advance(1500);
    assert.equal(evse.state, "link-down", "the EVSE's modem reports no peer");
    assert.equal(ev.slac.state, "matched");
    env.clock.advance(3000);
    assert.equal(ev.slac.state, "link-down", "the EV's own modem does not answer: more than three polls missed");
    ev.modem.silent = false;
    env.clock.advance(1500);
    assert.equal(evse.state, "matched");
    assert.equal(ev.slac.state, "matched");
    assert.deepEqual(seen, ["down", "up"]);
    // Now for longer than T_conn_resume: both sides give the session up; the EV starts SLAC again and matches.
    ev.modem.silent = true;
    env.clock.advance(9000);
    assert.deepEqual(seen, ["down", "up", "down", "lost"]);
    assert.equal(evse.state, "waiting");
    ev.modem.silent = false;
    env.clock.advance(20000);
    assert.equal(ev.slac.state, "matched");
    assert.equal(evse.state, "matched");
  });

  test("link check through VS_NW_INFO (MMV 1 layout) on both sides", () => {
    const clock = new ManualClock();
    const line = new Powerline({ clock });
    const em = line.addModem({ hostMac: mac(0x10, 0x0a) });
    const vm = line.addModem({ hostMac: mac(0x50, 0x0e) });
    line.setAttenuation(em, vm, 30);
    const random = seededRandom(41);
    const evse = new SlacEvse({ link: { io: em.Link }, clock, random, linkCheck: "nw-info" });
    const ev = new SlacEv({ link: { io: vm.Link }, clock, random, linkCheck: "nw-info" });
    evse.start();
    ev.start();
    clock.advance(4000);
    assert.equal(evse.state, "matched");
    assert.equal(ev.state, "matched");
  });

  test("a car with a fixed RunID (Tesla: \"TESLA EV\") restarting SLAC after matching is matched again", () => {
    const env = setup(1, 51);
    const [e] = env.evses;
    const modem = env.line.addModem({ hostMac: mac(0x70, 0x0e), name: "tesla" });
    env.line.setAttenuation(modem, e.modem, 20);
    const fixed = new Uint8Array([0x54, 0x45, 0x53, 0x4c, 0x41, 0x20, 0x45, 0x56]);
    const random = (n: number): Uint8Array => (n === 8 ? fixed.slice() : env.random(n));
    const ev = new SlacEv({ link: { io: modem.Link }, clock: env.clock, random });
    e.slac.start();
    ev.start();
    env.clock.advance(3000);
    assert.equal(e.slac.state, "matched");
    ev.start();
    env.clock.advance(3000);
    assert.equal(ev.state, "matched");
    assert.equal(e.slac.state, "matched");
    assert.ok(e.events.states.lastIndexOf("waiting") > e.events.states.indexOf("matched"), "the EVSE went through a new session");
  });
});
