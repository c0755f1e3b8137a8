// ISO 15118-20 SECC workloads: the DC_ChargeLoop and AC_ChargeLoop cycle on the charger (decode
// the request, the session's step, encode the response) through SeccSession and one ExiCodec,
// as SeccConnection runs it; and the step alone.
import { ManualClock } from "../../modules/common/index";
import { createExiCodec, type ExiCodec, type SchemaId } from "../../modules/exi/index";
import { SeccSession } from "../../modules/statemachine/index";
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

export const iso20Workloads = [handleOnly(true), handleOnly(false), fullPath(true), fullPath(false)];
