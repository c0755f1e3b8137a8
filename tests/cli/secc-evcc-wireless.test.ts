// @node-only @slow — `xs15118 secc --transfer wpt|acdp` ⇄ `xs15118 evcc --transfer wpt|acdp` as two
// processes over loopback (real time, real sockets, no SLAC), each process with its half of the
// device models: a car onto a wireless pad (the pad locates it by the LF data it sends) and a bus
// under a pantograph (its system status on the -20 side stream 0x8103). A recording TCP relay
// between them keeps every V2GTP message, and each round-trips through `xs15118 exi batch`.
// Options and their errors. The faults between the processes, and the sessions between two
// network namespaces with the wireless SDP, are in secc-evcc-wireless-slow.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { main } from "../../hosts/sim/cli";
import { parseSeccArgs } from "../../hosts/sim/commands/secc";
import { parseEvccArgs } from "../../hosts/sim/commands/evcc";
import { bufferIo } from "../support/cli-io";
import { PayloadType } from "../../modules/v2gtp/index";
import { createExiCodec } from "../../modules/exi/index";
import { roundTrip, session } from "./wireless-support";

test("options: --transfer wpt|acdp are ISO 15118-20 services given alone; --device-fault belongs to them", async () => {
  const a = parseSeccArgs(["--no-sdp", "--protocols", "iso20", "--transfer", "acdp", "--insecure-iso20-plain-tcp", "--device-fault", "no-contact"]);
  assert.equal(a.wireless, "acdp");
  assert.deepEqual(a.transfer, ["dc"], "the pantograph's DC outlet");
  assert.equal(a.deviceFault, "no-contact");
  assert.deepEqual(parseSeccArgs(["--no-sdp", "--protocols", "iso20", "--transfer", "wpt", "--insecure-iso20-plain-tcp"]).transfer, [], "a pad has no outlet");
  const v = parseEvccArgs(["--iface", "eth1", "--protocols", "iso20", "--transfer", "wpt", "--insecure-iso20-plain-tcp", "--device-fault", "other-pad"]);
  assert.equal(v.wireless, "wpt");
  assert.equal(v.transfer, "ac");
  for (const [args, why] of [
    [["secc", "--no-sdp", "--protocols", "iso2", "--transfer", "wpt"], /ISO 15118-20 service/],
    [["secc", "--no-sdp", "--protocols", "iso20", "--insecure-iso20-plain-tcp", "--transfer", "dc,acdp"], /charger of its own/],
    [["secc", "--no-sdp", "--protocols", "iso20", "--insecure-iso20-plain-tcp", "--transfer", "wpt", "--device-fault", "no-contact"], /one of weak-coupling, fod/],
    [["secc", "--no-sdp", "--device-fault", "fod"], /--transfer wpt\|acdp/],
    [["evcc", "--iface", "eth1", "--protocols", "iso2", "--transfer", "acdp"], /ISO 15118-20 service/],
  ] as const) {
    const io = bufferIo();
    assert.equal(await main([...args], io), 2, args.join(" "));
    assert.match(io.stderr.join("\n"), why);
  }
});

test("secc --transfer wpt|acdp ⇄ evcc over loopback: each charges in order; every message round-trips through xs15118 exi; LF data and the 0x8103 side stream on the wire", async () => {
  const [wpt, acdp] = await Promise.all([session("wpt"), session("acdp")]);
  for (const [name, r] of [["wpt", wpt], ["acdp", acdp]] as const) {
    assert.equal(r.code, 0, `${name} evcc: ${r.evErr.slice(-20).join("\n")}`);
    assert.equal(r.seccCode, 0, `${name} secc: ${r.seccErr.join("\n")}`);
    assert.equal(r.vehicle.reason, "charging-complete", name);
    assert.equal(r.vehicle.transfer, name, "the vehicle's summary names its transfer");
    assert.ok((r.vehicle.energyWh as number) > 15, `${name}: ${String(r.vehicle.energyWh)} Wh into the vehicle`);
    assert.equal(r.sessions.length, 1, JSON.stringify(r.sessions));
    assert.equal(r.sessions[0].reason, "ev-terminate", name);
    assert.equal(r.sessions[0].transfer, name, "so does the charger's");
    assert.equal(r.sessions[0].messages, r.vehicle.messages, `${name}: both sides count every message`);
    const all = [...r.ev, ...r.evse];
    assert.ok(all.length > 60, `${name}: ${all.length} messages`);
    assert.deepEqual(await roundTrip(all), [], `${name}: every message the same after decode and encode`);
  }
  const codec = createExiCodec();
  // WPT: the pad's LF layout went to the car, the car's RSSI packages to the pad, in 0x8006.
  const wptDocs = [...wpt.ev, ...wpt.evse].filter((m) => m.type === PayloadType.ISO20_WPT_MAINSTREAM).map((m) => codec.decode("iso20-wpt", m.payload) as Record<string, any>);
  assert.ok(wptDocs.some((d) => d.WPT_FinePositioningSetupRes?.LF_SystemSetupData?.LF_TransmitterSetupData?.NumberOfTransmitters === 4));
  assert.ok(wptDocs.filter((d) => d.WPT_FinePositioningReq?.WPT_LF_DataPackageList !== undefined).length >= 4);
  // ACDP: the status requests and answers on their side stream, as many each way.
  const status = (side: { type: number }[]) => side.filter((m) => m.type === PayloadType.ISO20_ACDP_SYSTEM_STATUS).length;
  assert.ok(status(acdp.ev) >= 2, `${status(acdp.ev)} ACDP_SystemStatusReq`);
  assert.equal(status(acdp.evse), status(acdp.ev));
});
