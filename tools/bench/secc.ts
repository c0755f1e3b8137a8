// SECC workloads: the CurrentDemand hot path (the answer is due within 25 ms on the charger),
// through SeccSession alone and with EXI decode/encode around it.
import { ManualClock } from "../../modules/common/index";
import { createExiCodec, type ExiCodec } from "../../modules/exi/index";
import { SeccSession } from "../../modules/statemachine/index";
import type { SeccConfig, V2gDocument } from "../../modules/statemachine/index";
import type { Workload } from "./workload";

const CONFIG: SeccConfig = {
  evseId: "DE*XS1*E0001",
  energyModes: ["DC_extended"],
  dc: { maxVoltage: 500, maxCurrent: 200, maxPower: 100000, minVoltage: 150, minCurrent: 0, peakCurrentRipple: 5 },
  meterId: "SIM-METER-1",
};
const pv = (Value: number, Unit: string) => ({ Multiplier: 0, Unit, Value });
const evStatus = { EVReady: true, EVErrorCode: "NO_ERROR", EVRESSSOC: 50 };

function msg(id: Uint8Array, name: string, content: object): V2gDocument {
  return { V2G_Message: { Header: { SessionID: id }, Body: { [name]: content } } };
}

/** A session driven to its CurrentDemand loop. */
function charging(protocol: "din" | "iso2"): { session: SeccSession; request: V2gDocument } {
  const session = new SeccSession({ config: CONFIG, clock: new ManualClock(), protocol });
  session.request(msg(new Uint8Array(1), "SessionSetupReq", { EVCCID: new Uint8Array(6) }));
  const id = session.context!.sessionId;
  const select = { SelectedPaymentOption: "ExternalPayment", SelectedServiceList: { SelectedService: [{ ServiceID: 1 }] } };
  session.request(msg(id, "ServiceDiscoveryReq", {}));
  session.request(msg(id, protocol === "din" ? "ServicePaymentSelectionReq" : "PaymentServiceSelectionReq", select));
  session.control({ kind: "authorized", accepted: true });
  session.request(msg(id, protocol === "din" ? "ContractAuthenticationReq" : "AuthorizationReq", {}));
  const param = { DC_EVStatus: evStatus, EVMaximumCurrentLimit: pv(150, "A"), EVMaximumVoltageLimit: pv(450, "V") };
  session.request(
    msg(id, "ChargeParameterDiscoveryReq", protocol === "din" ? { EVRequestedEnergyTransferType: "DC_extended", DC_EVChargeParameter: param } : { RequestedEnergyTransferMode: "DC_extended", DC_EVChargeParameter: param }),
  );
  session.request(msg(id, "CableCheckReq", { DC_EVStatus: evStatus }));
  session.control({ kind: "cable-check-finished", isolation: "Valid" });
  session.request(msg(id, "CableCheckReq", { DC_EVStatus: evStatus }));
  session.request(msg(id, "PreChargeReq", { DC_EVStatus: evStatus, EVTargetVoltage: pv(400, "V"), EVTargetCurrent: pv(2, "A") }));
  session.request(msg(id, "PowerDeliveryReq", protocol === "din" ? { ReadyToChargeState: true } : { ChargeProgress: "Start", SAScheduleTupleID: 1 }));
  session.control({ kind: "present-values", voltage: 398.7, current: 99.5 });
  const request = msg(id, "CurrentDemandReq", { DC_EVStatus: evStatus, EVTargetCurrent: pv(100, "A"), ChargingComplete: false, EVTargetVoltage: pv(400, "V") });
  if (session.state !== "CurrentDemand") throw new Error(`bench setup ended in ${session.state}`);
  return { session, request };
}

function handleOnly(protocol: "din" | "iso2"): Workload<{ session: SeccSession; request: V2gDocument }> {
  return {
    name: `secc.${protocol}.CurrentDemand.handle`,
    group: "secc",
    setup: () => charging(protocol),
    run: (s) => s.session.request(s.request),
  };
}

/** With the connection's codec (one ExiCodec per connection, as SeccConnection keeps): its steady state. */
function fullPath(protocol: "din" | "iso2"): Workload<{ session: SeccSession; codec: ExiCodec; bytes: Uint8Array }> {
  return {
    name: `secc.${protocol}.CurrentDemand.decode+handle+encode`,
    group: "secc",
    setup: () => {
      const { session, request } = charging(protocol);
      const codec = createExiCodec();
      const bytes = codec.encode(protocol, request);
      codec.encode(protocol, session.request(codec.decode(protocol, bytes) as V2gDocument).response!);
      return { session, codec, bytes };
    },
    run: (s) => s.codec.encode(protocol, s.session.request(s.codec.decode(protocol, s.bytes) as V2gDocument).response!),
  };
}

const AC_CONFIG: SeccConfig = {
  evseId: "DE*XS1*E0002",
  energyModes: ["AC_three_phase_core"],
  ac: { nominalVoltage: 230, maxCurrent: 32, phases: 3 },
  meterId: "SIM-METER-2",
};

/** An ISO-2 AC session driven to its ChargingStatus loop (the AC counterpart of CurrentDemand). */
function chargingAc(): { session: SeccSession; request: V2gDocument } {
  const session = new SeccSession({ config: AC_CONFIG, clock: new ManualClock(), protocol: "iso2" });
  session.request(msg(new Uint8Array(1), "SessionSetupReq", { EVCCID: new Uint8Array(6) }));
  const id = session.context!.sessionId;
  session.request(msg(id, "ServiceDiscoveryReq", {}));
  session.request(msg(id, "PaymentServiceSelectionReq", { SelectedPaymentOption: "ExternalPayment", SelectedServiceList: { SelectedService: [{ ServiceID: 1 }] } }));
  session.control({ kind: "authorized", accepted: true });
  session.request(msg(id, "AuthorizationReq", {}));
  const param = { EAmount: { Multiplier: 3, Unit: "Wh", Value: 20 }, EVMaxVoltage: pv(400, "V"), EVMaxCurrent: pv(16, "A"), EVMinCurrent: pv(6, "A") };
  session.request(msg(id, "ChargeParameterDiscoveryReq", { RequestedEnergyTransferMode: "AC_three_phase_core", AC_EVChargeParameter: param }));
  session.request(msg(id, "PowerDeliveryReq", { ChargeProgress: "Start", SAScheduleTupleID: 1 }));
  if (session.state !== "ChargingStatus") throw new Error(`bench setup ended in ${session.state}`);
  return { session, request: msg(id, "ChargingStatusReq", {}) };
}

/** ISO-2 AC: decode the ChargingStatusReq, the session's step, encode the ChargingStatusRes. */
const chargingStatusCycle: Workload<{ session: SeccSession; codec: ExiCodec; bytes: Uint8Array }> = {
  name: "secc.iso2.ChargingStatus.decode+handle+encode",
  group: "secc",
  setup: () => {
    const { session, request } = chargingAc();
    const codec = createExiCodec();
    const bytes = codec.encode("iso2", request);
    codec.encode("iso2", session.request(codec.decode("iso2", bytes) as V2gDocument).response!);
    return { session, codec, bytes };
  },
  run: (s) => s.codec.encode("iso2", s.session.request(s.codec.decode("iso2", s.bytes) as V2gDocument).response!),
};

export const seccWorkloads = [handleOnly("din"), handleOnly("iso2"), fullPath("din"), fullPath("iso2"), chargingStatusCycle];
