// ISO 15118-20 end to end in memory: EvccConnection ⇄ SeccConnection over paired streams on a
// ManualClock (SAP, V2GTP with the -20 payload types, EXI with the CommonMessages/DC/AC
// schemas, both state machines), with the simulated vehicle and charger hardware.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../../modules/common/index";
import type { Millis } from "../../../modules/common/index";
import { EvccConnection } from "../../../modules/statemachine/evcc/index";
import type { EvccConnectionOutcome, EvccSchema, EvccTraceEntry } from "../../../modules/statemachine/evcc/index";
import { ChargerBinding, SeccConnection } from "../../../modules/statemachine/index";
import type { SeccConfig, StopReason } from "../../../modules/statemachine/index";
import type { Iso20ControlMode, Iso20Transfer } from "../../../modules/statemachine/iso20/services";
import { SimAcSupply, SimDcPowerModule, SimMeter } from "../../../hosts/sim/charger/index";
import { SimVehicle } from "../../../hosts/sim/vehicle/index";
import { streamPair } from "../evcc/memory-link";
import { AC20, DC20, UNIX } from "./support";

function stack(options: { transfer: Iso20Transfer; mode: Iso20ControlMode; secc?: Partial<SeccConfig>; evccProtocols?: EvccSchema[] }) {
  const clock = new ManualClock({ start: 1_000 });
  const link = streamPair(clock, 3);
  const dcMode = options.transfer.indexOf("dc") === 0;
  const config: SeccConfig = { ...(dcMode ? DC20 : AC20), ...options.secc };
  const dc = dcMode ? new SimDcPowerModule({ clock, limits: config.dc!, isolationCheckTime: 2000 as Millis }) : undefined;
  const ac = dcMode ? undefined : new SimAcSupply({ clock, limits: config.ac! });
  const vehicle = new SimVehicle({
    clock,
    battery: { capacityKWh: 10, soc: 40, maxCurrent: 125 },
    targetSoc: 43,
    onBoardCharger: { phases: 3, maxCurrent: 16 },
    acPowerAvailable: () => ac?.closed ?? false,
  });
  const meter = new SimMeter({ clock, power: () => (dc ? dc.presentVoltage * dc.presentCurrent : ac?.closed ? vehicle.acCurrent() * 230 * 3 : 0) });
  const binding = new ChargerBinding({ dc, ac, meter });
  let seccClosed: StopReason | string | undefined;
  const seccTrace: string[] = [];
  const secc = new SeccConnection({
    open: link.b,
    config,
    clock,
    unixTime: () => UNIX,
    ...binding.sessionOptions(),
    trace: (e) => seccTrace.push(`${e.direction} ${e.message}`),
    onClose: (r) => (seccClosed = r),
  });
  binding.attach(secc.session);
  const trace: EvccTraceEntry[] = [];
  let outcome: EvccConnectionOutcome | undefined;
  const evcc = new EvccConnection({
    open: link.a,
    protocols: options.evccProtocols,
    session: {
      energyTransferMode: dcMode ? "DC_extended" : "AC_three_phase_core",
      evccId: Uint8Array.of(2, 0, 0, 0, 0, 7),
      iso20: { transfer: options.transfer, controlMode: options.mode },
    },
    bms: vehicle,
    vehicle: vehicle.hooks({ dcOutput: dc, onEvseValues: () => ac?.setDraw(vehicle.acCurrent()) }),
    clock,
    unixTime: () => UNIX,
    onTrace: (e) => trace.push(e),
    onStop: (o) => (outcome = o),
  });
  return { clock, evcc, secc, vehicle, meter, trace, seccTrace, outcome: () => outcome, seccClosed: () => seccClosed };
}

function run(s: ReturnType<typeof stack>): EvccConnectionOutcome | undefined {
  for (let i = 0; i < 3600 && !s.outcome(); i++) s.clock.advance(1000);
  s.clock.advance(100);
  return s.outcome();
}

describe("ISO 15118-20: EvccConnection ⇄ SeccConnection in memory", () => {
  const cases: [Iso20Transfer, Iso20ControlMode][] = [
    ["dc", "scheduled"],
    ["dc", "dynamic"],
    ["ac", "scheduled"],
    ["ac", "dynamic"],
    ["dc_bpt", "scheduled"],
    ["ac_bpt", "dynamic"],
  ];
  for (const [transfer, mode] of cases) {
    test(`${transfer} ${mode}: SAP picks -20, the whole sequence, charging to the target SoC, both sides close`, () => {
      const s = stack({ transfer, mode });
      const soc0 = s.vehicle.battery.soc;
      const outcome = run(s);
      assert.equal(outcome?.reason, "charging-complete", `${outcome?.reason}: ${outcome?.detail} (${outcome?.step})`);
      assert.equal(outcome?.protocol, "iso20");
      assert.equal(outcome?.orderly, true);
      assert.equal(outcome?.sessionId.length, 8);
      assert.ok(s.seccClosed() !== undefined, "the SECC saw the connection end");
      assert.equal(s.secc.session.stopReason, "ev-terminate");
      assert.ok(s.vehicle.battery.soc >= 43 && s.vehicle.battery.soc > soc0, `SoC ${s.vehicle.battery.soc}`);
      assert.ok(s.meter.energyWh > 250, `${s.meter.energyWh} Wh`);
      const sent = s.trace.filter((e) => e.direction === "tx").map((e) => e.name);
      const dc = transfer.indexOf("dc") === 0;
      const order = dc
        ? ["SessionSetupReq", "AuthorizationSetupReq", "AuthorizationReq", "ServiceDiscoveryReq", "ServiceDetailReq", "ServiceSelectionReq", "DC_ChargeParameterDiscoveryReq", "ScheduleExchangeReq", "DC_CableCheckReq", "DC_PreChargeReq", "PowerDeliveryReq", "DC_ChargeLoopReq", "PowerDeliveryReq", "DC_WeldingDetectionReq", "SessionStopReq"]
        : ["SessionSetupReq", "AuthorizationSetupReq", "AuthorizationReq", "ServiceDiscoveryReq", "ServiceDetailReq", "ServiceSelectionReq", "AC_ChargeParameterDiscoveryReq", "ScheduleExchangeReq", "PowerDeliveryReq", "AC_ChargeLoopReq", "PowerDeliveryReq", "SessionStopReq"];
      const distinct = sent.filter((name, i) => i === 0 || name !== sent[i - 1]);
      assert.deepEqual(distinct.slice(1), order);
    });
  }

  test("one charger offering DIN, -2 and -20; a vehicle preferring -2 gets -2, one preferring -20 gets -20", () => {
    const iso2First = stack({ transfer: "dc", mode: "scheduled", evccProtocols: ["iso2", "iso20"] });
    assert.equal(run(iso2First)?.protocol, "iso2");
    const iso20First = stack({ transfer: "dc", mode: "scheduled", evccProtocols: ["iso20", "iso2"] });
    assert.equal(run(iso20First)?.protocol, "iso20");
    const iso2Only = stack({ transfer: "dc", mode: "scheduled", secc: { protocols: ["iso2", "din"] }, evccProtocols: ["iso20", "iso2"] });
    assert.equal(run(iso2Only)?.protocol, "iso2");
  });
});
