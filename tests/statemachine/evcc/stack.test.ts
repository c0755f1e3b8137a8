import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../../modules/common/index";
import type { Millis } from "../../../modules/common/index";
import { EvccConnection } from "../../../modules/statemachine/evcc/index";
import type { EnergyTransferMode, EvccConnectionOutcome, EvccTraceEntry } from "../../../modules/statemachine/evcc/index";
import { ChargerBinding, SeccConnection } from "../../../modules/statemachine/index";
import type { SeccConfig, StopReason } from "../../../modules/statemachine/index";
import { SimAcSupply, SimDcPowerModule, SimMeter } from "../../../simulation/charger/index";
import { SimVehicle } from "../../../simulation/vehicle/index";
import { streamPair } from "./memory-link";
import { SECC_AC, SECC_DC } from "./with-secc";

/** EvccConnection ⇄ SeccConnection over an in-memory stream: SAP, EXI, V2GTP, both state machines. */
function stack(mode: EnergyTransferMode, seccProtocols: ("din" | "iso2")[]) {
  const clock = new ManualClock({ start: 1_000 });
  const link = streamPair(clock, 3);
  const dcMode = mode.indexOf("DC") === 0;
  const config: SeccConfig = { ...(dcMode ? SECC_DC : SECC_AC), protocols: seccProtocols };
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
  const secc = new SeccConnection({ open: link.b, config, clock, ...binding.sessionOptions(), onClose: (r) => (seccClosed = r) });
  binding.attach(secc.session);
  const trace: EvccTraceEntry[] = [];
  let outcome: EvccConnectionOutcome | undefined;
  const evcc = new EvccConnection({
    open: link.a,
    session: { energyTransferMode: mode, evccId: Uint8Array.of(2, 0, 0, 0, 0, 7) },
    bms: vehicle,
    vehicle: vehicle.hooks({ dcOutput: dc, onEvseValues: () => ac?.setDraw(vehicle.acCurrent()) }),
    clock,
    onTrace: (e) => trace.push(e),
    onStop: (o) => (outcome = o),
  });
  return { clock, evcc, secc, vehicle, meter, trace, outcome: () => outcome, seccClosed: () => seccClosed };
}

describe("EvccConnection ⇄ SeccConnection: the whole stack in memory (SAP, V2GTP, EXI)", () => {
  const cases: [string, EnergyTransferMode, ("din" | "iso2")[], "din" | "iso2"][] = [
    ["DIN 70121 DC", "DC_extended", ["din"], "din"],
    ["ISO 15118-2 DC", "DC_extended", ["iso2", "din"], "iso2"],
    ["ISO 15118-2 AC", "AC_three_phase_core", ["iso2"], "iso2"],
  ];
  for (const [title, mode, offer, expected] of cases) {
    test(`${title}: SAP picks ${expected}; charging to the target SoC; both sides close`, () => {
      const s = stack(mode, offer);
      const soc0 = s.vehicle.battery.soc;
      for (let i = 0; i < 3600 && !s.outcome(); i++) s.clock.advance(1000);
      const outcome = s.outcome();
      assert.equal(outcome?.reason, "charging-complete", outcome?.detail);
      assert.equal(outcome?.protocol, expected);
      assert.equal(outcome?.orderly, true);
      s.clock.advance(100);
      assert.ok(s.seccClosed() !== undefined, "the SECC saw the connection end");
      assert.ok(s.vehicle.battery.soc >= 43 && s.vehicle.battery.soc > soc0);
      const delivered = s.meter.energyWh;
      assert.ok(delivered > 250, `${delivered} Wh`);
      assert.ok(Math.abs(s.vehicle.inletWh - delivered) / delivered < 0.06, `inlet ${s.vehicle.inletWh} vs meter ${delivered}`);
      assert.equal(s.trace[0].name, "supportedAppProtocolReq");
    });
  }
});
