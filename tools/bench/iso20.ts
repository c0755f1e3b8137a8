// ISO 15118-20 SECC workloads: the DC_ChargeLoop and AC_ChargeLoop cycle on the charger (decode
// the request, the session's step, encode the response) through SeccSession and one ExiCodec,
// as SeccConnection runs it; and the step alone.
import { ManualClock, Millis } from "../../modules/common/index";
import { createExiCodec, type ExiCodec, type SchemaId } from "../../modules/exi/index";
import { messageName, SeccSession } from "../../modules/statemachine/index";
import { EvccSession } from "../../modules/statemachine/evcc/index";
import type { EvccDoc } from "../../modules/statemachine/evcc/index";
import { iso20SchemaOfMessage } from "../../modules/statemachine/iso20/envelope";
import type { SeccConfig, SeccRequestDoc } from "../../modules/statemachine/index";
import type { Workload } from "./workload";

const DC: SeccConfig = {
  evseId: "DE*XS1*E0001",
  energyModes: ["DC_extended"],
  protocols: ["iso20"],
  dc: { maxVoltage: 900, maxCurrent: 200, maxPower: 100000, minVoltage: 150, minCurrent: 0, peakCurrentRipple: 5 },
  meterId: "SIM-METER-1",
  iso20: { discharge: { maxPower: 11000, maxCurrent: 30 } },
};
const AC: SeccConfig = {
  evseId: "DE*XS1*E0002",
  energyModes: ["AC_three_phase_core"],
  protocols: ["iso20"],
  ac: { nominalVoltage: 230, maxCurrent: 16, phases: 3 },
  meterId: "SIM-METER-2",
  iso20: { discharge: { maxPower: 7000 } },
};
const r = (Value: number, Exponent = 0) => ({ Exponent, Value });

/** A -20 session driven into its charge loop (DC_BPT or AC_BPT, Scheduled), and the loop request. */
function charging(dc: boolean): { session: SeccSession; request: SeccRequestDoc; name: string } {
  const session = new SeccSession({ config: dc ? DC : AC, clock: new ManualClock(), protocol: "iso20", unixTime: () => 1761474994n });
  let id: Uint8Array = new Uint8Array(8);
  const send = (name: string, content: object = {}) => session.request({ [name]: { Header: { SessionID: id, TimeStamp: 1761474994n }, ...content } });
  send("SessionSetupReq", { EVCCID: "WMIV1234567890ABCDEX" });
  id = session.context!.sessionId;
  send("AuthorizationSetupReq");
  session.control({ kind: "authorized", accepted: true });
  send("AuthorizationReq", { SelectedAuthorizationService: "EIM", EIM_AReqAuthorizationMode: {} });
  send("ServiceDiscoveryReq");
  send("ServiceSelectionReq", { SelectedEnergyTransferService: { ServiceID: dc ? 6 : 5, ParameterSetID: 1 } });
  if (dc) {
    send("DC_ChargeParameterDiscoveryReq", {
      BPT_DC_CPDReqEnergyTransferMode: {
        EVMaximumChargePower: r(150, 3),
        EVMinimumChargePower: r(0),
        EVMaximumChargeCurrent: r(300),
        EVMinimumChargeCurrent: r(0),
        EVMaximumVoltage: r(800),
        EVMinimumVoltage: r(200),
        EVMaximumDischargePower: r(10, 3),
        EVMinimumDischargePower: r(0),
        EVMaximumDischargeCurrent: r(25),
        EVMinimumDischargeCurrent: r(0),
      },
    });
  } else {
    send("AC_ChargeParameterDiscoveryReq", {
      BPT_AC_CPDReqEnergyTransferMode: { EVMaximumChargePower: r(11, 3), EVMinimumChargePower: r(0), EVMaximumDischargePower: r(7, 3), EVMinimumDischargePower: r(0) },
    });
  }
  send("ScheduleExchangeReq", { MaximumSupportingPoints: 24, Scheduled_SEReqControlMode: {} });
  if (dc) {
    send("DC_CableCheckReq");
    session.control({ kind: "cable-check-finished", isolation: "Valid" });
    send("DC_CableCheckReq");
    send("DC_PreChargeReq", { EVProcessing: "Finished", EVPresentVoltage: r(400), EVTargetVoltage: r(400) });
  }
  const profile = { TimeAnchor: 0n, Scheduled_EVPPTControlMode: { SelectedScheduleTupleID: 1 }, EVPowerProfileEntries: { EVPowerProfileEntry: [{ Duration: 3600, Power: r(7, 3) }] } };
  send("PowerDeliveryReq", { EVProcessing: "Finished", ChargeProgress: "Start", EVPowerProfile: profile, BPT_ChannelSelection: "Charge" });
  session.control({ kind: "present-values", voltage: 398.7, current: 99.5 });
  if (session.state !== "ChargeLoop") throw new Error(`bench setup ended in ${session.state}`);
  const name = dc ? "DC_ChargeLoopReq" : "AC_ChargeLoopReq";
  const loop = dc
    ? { DisplayParameters: { PresentSOC: 50 }, MeterInfoRequested: false, EVPresentVoltage: r(400), BPT_Scheduled_DC_CLReqControlMode: { EVTargetCurrent: r(100), EVTargetVoltage: r(410) } }
    : { DisplayParameters: { PresentSOC: 50 }, MeterInfoRequested: false, BPT_Scheduled_AC_CLReqControlMode: { EVPresentActivePower: r(7, 3) } };
  return { session, request: { [name]: { Header: { SessionID: id, TimeStamp: 1761474994n }, ...loop } }, name };
}

function handleOnly(dc: boolean): Workload<{ session: SeccSession; request: SeccRequestDoc }> {
  return {
    name: `secc.iso20.${dc ? "DC" : "AC"}_ChargeLoop.handle`,
    group: "secc",
    setup: () => charging(dc),
    run: (s) => s.session.request(s.request),
  };
}

function fullPath(dc: boolean): Workload<{ session: SeccSession; codec: ExiCodec; bytes: Uint8Array; schema: SchemaId }> {
  const schema: SchemaId = dc ? "iso20-dc" : "iso20-ac";
  return {
    name: `secc.iso20.${dc ? "DC" : "AC"}_ChargeLoop.decode+handle+encode`,
    group: "secc",
    setup: () => {
      const { session, request } = charging(dc);
      const codec = createExiCodec();
      const bytes = codec.encode(schema, request);
      codec.encode(schema, session.request(codec.decode(schema, bytes) as SeccRequestDoc).response!);
      return { session, codec, bytes, schema };
    },
    run: (s) => s.codec.encode(s.schema, s.session.request(s.codec.decode(s.schema, s.bytes) as SeccRequestDoc).response!),
  };
}

export const iso20Workloads: readonly Workload<any>[] = [handleOnly(true), handleOnly(false), fullPath(true), fullPath(false), wholeSession()];

/** A battery that takes what the charger gives: SoC from the present current, complete at the target. */
class BenchBattery {
  percent = 60;
  readonly target = 61;
  soc(): number {
    return this.percent;
  }
  capacityWh(): number {
    return 10_000;
  }
  ready(): boolean {
    return true;
  }
  errorCode(): "NO_ERROR" {
    return "NO_ERROR";
  }
  energyRequestWh(): number {
    return ((this.target - this.percent) / 100) * 10_000;
  }
  bulkSoc(): number | undefined {
    return undefined;
  }
  fullSoc(): number | undefined {
    return undefined;
  }
  dcLimits() {
    return { maxVoltage: 450, maxCurrent: 125, maxPower: 50_000 };
  }
  voltage(): number {
    return 400;
  }
  dcTarget() {
    return { voltage: 410, current: 100 };
  }
  acLimits() {
    return { maxVoltage: 230, maxCurrent: 16, minCurrent: 0 };
  }
  chargingComplete(): boolean {
    return this.percent >= this.target;
  }
  bulkChargingComplete(): boolean {
    return this.chargingComplete();
  }
  remainingTimeToFullSoc(): number | undefined {
    return undefined;
  }
  remainingTimeToBulkSoc(): number | undefined {
    return undefined;
  }
  dischargeLimits() {
    return { maxPower: 10_000, maxCurrent: 25 };
  }
}

/**
 * A whole DC_BPT Scheduled session, EVCC and SECC at object level through one codec each (every
 * message encoded and decoded), on a manual clock: SessionSetup … SessionStop, about 90 messages.
 * The charger's output follows the EV's target at once; the battery gains 1 % every 10 loops.
 */
function wholeSession(): Workload<{ n: number }> {
  return {
    name: "session.iso20.DC_BPT.scheduled.whole",
    group: "secc",
    setup: () => ({ n: 0 }),
    run: (state) => {
      const clock = new ManualClock();
      const evCodec = createExiCodec();
      const seCodec = createExiCodec();
      const battery = new BenchBattery();
      const secc = new SeccSession({ config: DC, clock, protocol: "iso20", unixTime: () => 1761474994n });
      secc.control({ kind: "authorized", accepted: true });
      let loops = 0;
      const evcc = new EvccSession({
        config: { protocol: "iso20", energyTransferMode: "DC_extended", evccId: Uint8Array.of(2, 0, 0, 0, 0, 1), iso20: { transfer: "dc_bpt", controlMode: "scheduled" } },
        bms: battery,
        clock,
        unixTime: () => 1761474994n,
        callbacks: {
          send(doc: EvccDoc) {
            const name = messageName(doc)!;
            const schema = iso20SchemaOfMessage(name);
            if (name === "DC_CableCheckReq") secc.control({ kind: "cable-check-finished", isolation: "Valid" });
            if (name === "DC_PreChargeReq") secc.control({ kind: "present-values", voltage: 400, current: 0 });
            if (name === "DC_ChargeLoopReq" && ++loops % 10 === 0) battery.percent += 1;
            const out = secc.request(seCodec.decode(schema, evCodec.encode(schema, doc)) as SeccRequestDoc);
            if (out.response === undefined) return;
            const resSchema = secc.schemaOf(out.response);
            const response = evCodec.decode(resSchema, seCodec.encode(resSchema, out.response)) as EvccDoc;
            clock.set(() => evcc.handle({ type: "response", message: response }), Millis(5));
          },
        },
      });
      evcc.start();
      while (!evcc.ended) clock.advance(Millis(50));
      state.n += evcc.requestCount;
      return evcc.outcome;
    },
  };
}
