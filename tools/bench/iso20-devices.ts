// ISO 15118-20 beyond the cable on the charger: one WPT_ChargeLoop cycle (wireless pad) and one
// DC_ChargeLoop cycle of an ACDP session (pantograph in contact), each decoded, handled by the
// SeccSession and its response encoded, as SeccConnection runs it.
import { ManualClock } from "../../modules/common/index";
import { createExiCodec, type ExiCodec, type SchemaId } from "../../modules/exi/index";
import { SeccSession } from "../../modules/statemachine/index";
import type { SeccConfig, SeccRequestDoc } from "../../modules/statemachine/index";
import type { Workload } from "./workload";

const UNIX = 1761474994n;
const r = (Value: number, Exponent = 0) => ({ Exponent, Value });

const WPT: SeccConfig = { evseId: "DE*XS1*E0003", energyModes: ["AC_three_phase_core"], protocols: ["iso20"], schedulePower: 11_000, meterId: "SIM-METER-3", iso20: { services: ["wpt"] } };
const ACDP: SeccConfig = {
  evseId: "DE*XS1*E0004",
  energyModes: ["DC_extended"],
  protocols: ["iso20"],
  dc: { maxVoltage: 900, maxCurrent: 600, maxPower: 450_000, minVoltage: 150, minCurrent: 0, peakCurrentRipple: 5 },
  meterId: "SIM-METER-4",
  iso20: { services: ["dc_acdp"] },
};

/**
 * A WPT or ACDP session after SessionSetup (positioning comes next, -20 §8.6.4.5.3.4/5);
 * `select()` runs authorization and service selection; `send` gives each request its header.
 */
function begin(config: SeccConfig, serviceId: number): { session: SeccSession; send(name: string, content?: object): void; select(): void; doc(name: string, content: object): SeccRequestDoc } {
  const session = new SeccSession({ config, clock: new ManualClock(), protocol: "iso20", unixTime: () => UNIX });
  let id: Uint8Array = new Uint8Array(8);
  const doc = (name: string, content: object) => ({ [name]: { Header: { SessionID: id, TimeStamp: UNIX }, ...content } }) as SeccRequestDoc;
  const send = (name: string, content: object = {}) => {
    session.request(doc(name, content));
  };
  send("SessionSetupReq", { EVCCID: "WMIV1234567890ABCDEX" });
  id = session.context!.sessionId;
  const select = (): void => {
    send("AuthorizationSetupReq");
    session.control({ kind: "authorized", accepted: true });
    send("AuthorizationReq", { SelectedAuthorizationService: "EIM", EIM_AReqAuthorizationMode: {} });
    send("ServiceDiscoveryReq");
    send("ServiceSelectionReq", { SelectedEnergyTransferService: { ServiceID: serviceId, ParameterSetID: 1 } });
  };
  return { session, send, select, doc };
}

const PROFILE = { TimeAnchor: 0n, Scheduled_EVPPTControlMode: { SelectedScheduleTupleID: 1 }, EVPowerProfileEntries: { EVPowerProfileEntry: [{ Duration: 3600, Power: r(11, 3) }] } };

function wptCharging(): { session: SeccSession; request: SeccRequestDoc } {
  const { session, send, select, doc } = begin(WPT, 3);
  session.control({ kind: "wpt-pad", state: { offsetX: 2, offsetY: 1, idCode: 0xc0de, alignment: "ok", vendorData: [Uint8Array.of(1, 2, 3, 4)] } });
  send("WPT_FinePositioningSetupReq", {
    EVProcessing: "Finished",
    EVDeviceFinePositioningMethodList: { WPT_FinePositioningMethod: ["LF_TxPrimaryDevice"] },
    EVDevicePairingMethodList: { WPT_PairingMethod: ["LF_TxPrimaryDevice"] },
    EVDeviceAlignmentCheckMethodList: { WPT_AlignmentCheckMethod: ["PowerCheck"] },
    NaturalOffset: 0,
  });
  send("WPT_FinePositioningReq", { EVProcessing: "Finished", EVResultCode: "EVResultSuccess" });
  send("WPT_PairingReq", { EVProcessing: "Finished", ObservedIDCode: 0xc0de, EVResultCode: "EVResultSuccess" });
  select();
  send("WPT_ChargeParameterDiscoveryReq", { EVPCMaxReceivablePower: r(11, 3), SDMaxGroundClearence: 180, SDMinGroundClearence: 120, EVPCNaturalFrequency: r(85, 3), EVPCDeviceLocalControl: false });
  send("ScheduleExchangeReq", { MaximumSupportingPoints: 24, Scheduled_SEReqControlMode: {} });
  send("WPT_AlignmentCheckReq", { EVProcessing: "Finished", EVResultCode: "EVResultSuccess" });
  send("WPT_AlignmentCheckReq", { EVProcessing: "Finished", EVResultCode: "EVResultSuccess" });
  send("PowerDeliveryReq", { EVProcessing: "Finished", ChargeProgress: "Start", EVPowerProfile: PROFILE });
  if (session.state !== "ChargeLoop") throw new Error(`WPT bench setup ended in ${session.state}`);
  const request = doc("WPT_ChargeLoopReq", {
    DisplayParameters: { PresentSOC: 50 },
    MeterInfoRequested: false,
    EVPCPowerRequest: r(11, 3),
    EVPCPowerOutput: r(10_200),
    EVPCChargeDiagnostics: "EVPCNoIssue",
    ManufacturerSpecificDataContainer: [Uint8Array.of(9, 8, 7)],
  });
  return { session, request };
}

function acdpCharging(): { session: SeccSession; request: SeccRequestDoc } {
  const { session, send, select, doc } = begin(ACDP, 4);
  session.control({ kind: "acdp-device", state: { xDeviation: 3, yDeviation: 2 } });
  send("ACDP_VehiclePositioningReq", { EVMobilityStatus: false, EVPositioningSupport: true });
  select();
  send("DC_ChargeParameterDiscoveryReq", {
    DC_CPDReqEnergyTransferMode: { EVMaximumChargePower: r(450, 3), EVMinimumChargePower: r(0), EVMaximumChargeCurrent: r(600), EVMinimumChargeCurrent: r(0), EVMaximumVoltage: r(750), EVMinimumVoltage: r(600) },
  });
  send("ScheduleExchangeReq", { MaximumSupportingPoints: 24, Scheduled_SEReqControlMode: {} });
  send("ACDP_ConnectReq", { EVElectricalChargingDeviceStatus: "State_A" });
  session.control({ kind: "acdp-device", state: { mechanical: "EndPosition", electrical: "State_C" } });
  send("ACDP_ConnectReq", { EVElectricalChargingDeviceStatus: "State_C" });
  send("DC_CableCheckReq");
  session.control({ kind: "cable-check-finished", isolation: "Valid" });
  send("DC_CableCheckReq");
  send("DC_PreChargeReq", { EVProcessing: "Finished", EVPresentVoltage: r(680), EVTargetVoltage: r(680) });
  send("PowerDeliveryReq", { EVProcessing: "Finished", ChargeProgress: "Start", EVPowerProfile: PROFILE });
  session.control({ kind: "present-values", voltage: 679.5, current: 398.2 });
  if (session.state !== "ChargeLoop") throw new Error(`ACDP bench setup ended in ${session.state}`);
  const request = doc("DC_ChargeLoopReq", { DisplayParameters: { PresentSOC: 50 }, MeterInfoRequested: false, EVPresentVoltage: r(680), Scheduled_DC_CLReqControlMode: { EVTargetCurrent: r(400), EVTargetVoltage: r(720) } });
  return { session, request };
}

function loopCycle(name: string, schema: SchemaId, charging: () => { session: SeccSession; request: SeccRequestDoc }): Workload<{ session: SeccSession; codec: ExiCodec; bytes: Uint8Array }> {
  return {
    name: `secc.iso20.${name}.decode+handle+encode`,
    group: "secc",
    setup: () => {
      const { session, request } = charging();
      const codec = createExiCodec();
      const bytes = codec.encode(schema, request);
      codec.encode(schema, session.request(codec.decode(schema, bytes) as SeccRequestDoc).response!);
      return { session, codec, bytes };
    },
    run: (s) => s.codec.encode(schema, s.session.request(s.codec.decode(schema, s.bytes) as SeccRequestDoc).response!),
  };
}

export const iso20DeviceWorkloads: readonly Workload<any>[] = [loopCycle("WPT_ChargeLoop", "iso20-wpt", wptCharging), loopCycle("ACDP.DC_ChargeLoop", "iso20-dc", acdpCharging)];
