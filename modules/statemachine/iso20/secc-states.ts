// ISO 15118-20 SECC (EIM; DC, DC_BPT, AC, AC_BPT; Scheduled and Dynamic): the state table.
//
// Flow: SessionSetup → AuthorizationSetup → Authorization (Ongoing…) → ServiceDiscovery →
// [ServiceDetail…] ServiceSelection → DC/AC_ChargeParameterDiscovery → ScheduleExchange →
//   DC: DC_CableCheck… → DC_PreCharge… (…Finished) → PowerDelivery(Start) → DC_ChargeLoop… →
//       PowerDelivery(Stop) → DC_WeldingDetection… → SessionStop
//   AC: PowerDelivery(Start) → AC_ChargeLoop… → PowerDelivery(Stop) → SessionStop
// In the loop: PowerDelivery(Standby) (stays), PowerDelivery(ScheduleRenegotiation) →
// ScheduleExchange → PowerDelivery(Start). SessionStop(ServiceRenegotiation) → ServiceDiscovery;
// SessionStop(Pause) ends the session so that SessionSetupReq can resume it by SessionID.
// SessionStopReq is accepted in every state after SessionSetup.
// WPT and ACDP (-20 §8.6.4.5.3.4/5): SessionSetup → positioning (and WPT pairing) → AuthorizationSetup …,
// the alignment check (WPT) or ACDP_Connect after ScheduleExchange (./wpt-secc.ts, ./acdp-secc.ts).

import type { SeccProtocol, SeccState } from "../secc/types";
import { seccState } from "../secc/types";
import { iso20FailedResponse } from "./failed-responses";
import { ISO20_SECC_SEQUENCE_AFTER, ISO20_SECC_TIMEOUTS } from "./timeouts";
import {
  authorization,
  authorizationSetup,
  powerDelivery,
  scheduleExchange,
  serviceDetail,
  serviceDiscovery,
  serviceSelection,
  sessionSetup,
  sessionStop,
} from "./secc-common";
import { dcCableCheck, dcChargeLoop, dcChargeParameterDiscovery, dcPreCharge, dcWeldingDetection } from "./secc-dc";
import { acChargeLoop, acChargeParameterDiscovery } from "./secc-ac";
import { acdpChargeLoop, acdpConnect, acdpDisconnect, acdpRoute, acdpSystemStatus, positioningRoute, vehicleCheckIn, vehicleCheckOut, vehiclePositioning } from "./acdp-secc";
import { mcsChargeLoop } from "./mcs";
import { certificateInstallation } from "./pnc-certificate";
import { meteringConfirmation, withMeteringConfirmation } from "./pnc-metering";
import { wptAfterFailed, wptAlignmentCheck, wptChargeLoop, wptChargeParameterDiscovery, wptFinePositioning, wptFinePositioningSetup, wptPairing, wptRoute } from "./wpt-secc";

export const ISO20_SECC_STATES: Readonly<Record<string, SeccState>> = Object.freeze({
  SessionSetup: seccState({ id: "SessionSetup", on: { SessionSetupReq: positioningRoute(sessionSetup) }, timeout: "communication-setup" }),
  AuthorizationSetup: seccState({ id: "AuthorizationSetup", on: { AuthorizationSetupReq: authorizationSetup, SessionStopReq: sessionStop } }),
  // Plug & Charge: a vehicle without a contract installs one first (./pnc-certificate.ts).
  Authorization: seccState({ id: "Authorization", on: { AuthorizationReq: authorization, CertificateInstallationReq: certificateInstallation, SessionStopReq: sessionStop }, timeout: "ongoing" }),
  ServiceDiscovery: seccState({ id: "ServiceDiscovery", on: { ServiceDiscoveryReq: serviceDiscovery, SessionStopReq: sessionStop } }),
  ServiceDetail: seccState({
    id: "ServiceDetail",
    on: { ServiceDetailReq: serviceDetail, ServiceSelectionReq: serviceSelection, SessionStopReq: sessionStop },
  }),
  ChargeParameterDiscovery: seccState({
    id: "ChargeParameterDiscovery",
    on: {
      DC_ChargeParameterDiscoveryReq: dcChargeParameterDiscovery,
      AC_ChargeParameterDiscoveryReq: acChargeParameterDiscovery,
      WPT_ChargeParameterDiscoveryReq: wptChargeParameterDiscovery,
      SessionStopReq: sessionStop,
    },
  }),
  ScheduleExchange: seccState({ id: "ScheduleExchange", on: { ScheduleExchangeReq: acdpRoute(wptRoute(scheduleExchange)), SessionStopReq: sessionStop } }),
  CableCheck: seccState({
    id: "CableCheck",
    on: { DC_CableCheckReq: dcCableCheck, ACDP_SystemStatusReq: acdpSystemStatus, ACDP_DisconnectReq: acdpDisconnect, SessionStopReq: sessionStop },
    timeout: "cable-check",
  }),
  PreCharge: seccState({ id: "PreCharge", on: { DC_PreChargeReq: dcPreCharge, ACDP_SystemStatusReq: acdpSystemStatus, SessionStopReq: sessionStop }, timeout: "pre-charge" }),
  PowerDelivery: seccState({ id: "PowerDelivery", on: { PowerDeliveryReq: powerDelivery, DC_PreChargeReq: dcPreCharge, ACDP_SystemStatusReq: acdpSystemStatus, SessionStopReq: sessionStop } }),
  ChargeLoop: seccState({
    id: "ChargeLoop",
    // Plug & Charge: the signed MeteringConfirmation the DC/AC loop asks for (./pnc-metering.ts).
    on: {
      DC_ChargeLoopReq: acdpChargeLoop(mcsChargeLoop(withMeteringConfirmation(dcChargeLoop))),
      AC_ChargeLoopReq: withMeteringConfirmation(acChargeLoop),
      WPT_ChargeLoopReq: wptChargeLoop,
      PowerDeliveryReq: powerDelivery,
      ACDP_SystemStatusReq: acdpSystemStatus,
      // [V2G20-4061]: ACDP_DisconnectReq after DC_ChargeLoopRes or PowerDeliveryRes (ends the loop in order, ./acdp-secc.ts).
      ACDP_DisconnectReq: acdpDisconnect,
      MeteringConfirmationReq: meteringConfirmation,
      SessionStopReq: sessionStop,
    },
  }),
  WeldingDetection: seccState({
    id: "WeldingDetection",
    on: { DC_WeldingDetectionReq: dcWeldingDetection, ACDP_DisconnectReq: acdpDisconnect, ACDP_SystemStatusReq: acdpSystemStatus, SessionStopReq: sessionStop },
  }),
  // ACDP services and VehicleCheckIn/Out (./acdp-secc.ts): a WPT or ACDP session enters here after SessionSetup.
  VehicleCheckIn: seccState({
    id: "VehicleCheckIn",
    on: { VehicleCheckInReq: vehicleCheckIn, ACDP_VehiclePositioningReq: vehiclePositioning, WPT_FinePositioningSetupReq: wptFinePositioningSetup, SessionStopReq: sessionStop },
  }),
  // WPT (./wpt-secc.ts): WPT_FinePositioningSetup is answered in VehicleCheckIn (check-in is optional)
  // and again during positioning ([V2G20-5024]).
  WptFinePositioning: seccState({
    id: "WptFinePositioning",
    on: { WPT_FinePositioningReq: wptFinePositioning, WPT_FinePositioningSetupReq: wptFinePositioningSetup, SessionStopReq: sessionStop },
  }),
  WptPairing: seccState({ id: "WptPairing", on: { WPT_PairingReq: wptPairing, SessionStopReq: sessionStop } }),
  // Also after WPT_ChargeLoopRes WARNING_WPT, where the EV may pair again instead ([V2G20-5058]).
  WptAlignmentCheck: seccState({ id: "WptAlignmentCheck", on: { WPT_AlignmentCheckReq: wptAlignmentCheck, WPT_PairingReq: wptPairing, SessionStopReq: sessionStop } }),
  VehiclePositioning: seccState({ id: "VehiclePositioning", on: { ACDP_VehiclePositioningReq: vehiclePositioning, SessionStopReq: sessionStop } }),
  // ACDP_DisconnectReq in the loop ([V2G20-4061]): Ongoing while the current goes to zero, then the device rises.
  AcdpDisconnect: seccState({ id: "AcdpDisconnect", on: { ACDP_DisconnectReq: acdpDisconnect, ACDP_SystemStatusReq: acdpSystemStatus, SessionStopReq: sessionStop } }),
  AcdpConnect: seccState({ id: "AcdpConnect", on: { ACDP_ConnectReq: acdpConnect, ACDP_SystemStatusReq: acdpSystemStatus, ACDP_DisconnectReq: acdpDisconnect, SessionStopReq: sessionStop } }),
  VehicleCheckOut: seccState({ id: "VehicleCheckOut", on: { VehicleCheckOutReq: vehicleCheckOut, SessionStopReq: sessionStop } }),
  // After a FAILED WPT answer the EV's SessionStopReq ends the session as that failure ([V2G20-5067]).
  SessionStop: seccState({ id: "SessionStop", on: { SessionStopReq: wptAfterFailed(sessionStop), VehicleCheckOutReq: vehicleCheckOut } }),
});

export const ISO20_SECC: SeccProtocol = Object.freeze({
  id: "iso20",
  schema: "iso20-cm",
  states: ISO20_SECC_STATES,
  initial: "SessionSetup",
  failedResponse: (name: string, code: string, session?: { dc: boolean; iso20?: { namespace: string } }) =>
    iso20FailedResponse(name, code, session?.iso20 !== undefined ? session.iso20.namespace === "ac" : session !== undefined && !session.dc),
  timeouts: ISO20_SECC_TIMEOUTS,
  sequenceAfter: ISO20_SECC_SEQUENCE_AFTER,
});
