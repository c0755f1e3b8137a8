// SECC timers of ISO 15118-2:2014 (values: ../shared/docs/standards-notes.md, timers table).

import { Millis, Seconds } from "../../common/index";
import type { TimerId } from "../framework";

/** V2G_SECC_Sequence_Timeout: the next request must arrive within this time after a response. */
export const V2G_SECC_SEQUENCE_TIMEOUT: Millis = Seconds(60);
/** V2G_SECC_CommunicationSetup_Timeout: from the TCP connection to SessionSetupReq. */
export const V2G_SECC_COMMUNICATION_SETUP_TIMEOUT: Millis = Seconds(18);
/** V2G_SECC_Ongoing_Timeout: Authorization / ChargeParameterDiscovery answered Ongoing at most this long. */
export const V2G_SECC_ONGOING_TIMEOUT: Millis = Seconds(55);
/** V2G_SECC_CableCheck_Timeout. */
export const V2G_SECC_CABLE_CHECK_TIMEOUT: Millis = Seconds(38);
/** V2G_SECC_PreCharge_Timeout: from the end of the cable check to PowerDeliveryReq. */
export const V2G_SECC_PRE_CHARGE_TIMEOUT: Millis = Seconds(5);
/** V2G_SECC_Msg_Performance_Time: 1.5 s (4.5 s for PowerDelivery with contactors); CurrentDemandRes 25 ms. */
/**
 * V2G_SECC_CPState_Detection_Timeout (1.5 s; DIN per standards-notes, ISO-2 the same, check):
 * after PowerDeliveryRes(Start) the EV must switch the control pilot to state C or D. Applies
 * only when the host reports pilot states (ControlEvent cp-state).
 */
export const V2G_SECC_CP_STATE_DETECTION_TIMEOUT: Millis = Millis(1500);
export const V2G_SECC_MSG_PERFORMANCE_TIME: Millis = Millis(1500);
export const V2G_SECC_CURRENT_DEMAND_PERFORMANCE_TIME: Millis = Millis(25);

export const ISO2_SECC_TIMEOUTS: Readonly<Record<TimerId, Millis>> = Object.freeze({
  sequence: V2G_SECC_SEQUENCE_TIMEOUT,
  "communication-setup": V2G_SECC_COMMUNICATION_SETUP_TIMEOUT,
  ongoing: V2G_SECC_ONGOING_TIMEOUT,
  "cable-check": V2G_SECC_CABLE_CHECK_TIMEOUT,
  "pre-charge": V2G_SECC_PRE_CHARGE_TIMEOUT,
  "cp-state": V2G_SECC_CP_STATE_DETECTION_TIMEOUT,
  "ready-to-charge": Millis(0), // DIN only
});
