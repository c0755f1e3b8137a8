// SECC timers DIN SPEC 70121 and ISO 15118-2 share (values: ../shared/docs/standards-notes.md,
// timers table). Each protocol's timeouts.ts builds its table from these plus its own.

import { Millis, Seconds } from "../common/index";

/** V2G_SECC_Sequence_Timeout: the next request must arrive within this time after a response. */
export const V2G_SECC_SEQUENCE_TIMEOUT: Millis = Seconds(60);
/** V2G_SECC_CommunicationSetup_Timeout: from the TCP connection to SessionSetupReq. */
export const V2G_SECC_COMMUNICATION_SETUP_TIMEOUT: Millis = Seconds(18);
/** V2G_SECC_Ongoing_Timeout: Authorization (DIN: ContractAuthentication) / ChargeParameterDiscovery answered Ongoing at most this long. */
export const V2G_SECC_ONGOING_TIMEOUT: Millis = Seconds(55);
/** V2G_SECC_CableCheck_Timeout: the isolation check must finish within this time. */
export const V2G_SECC_CABLE_CHECK_TIMEOUT: Millis = Seconds(38);
/** V2G_SECC_PreCharge_Timeout: from the end of the cable check to PowerDeliveryReq. */
export const V2G_SECC_PRE_CHARGE_TIMEOUT: Millis = Seconds(5);
/**
 * V2G_SECC_CPState_Detection_Timeout (1.5 s; DIN per standards-notes, ISO-2 the same, check):
 * after PowerDeliveryRes(Start) the EV must switch the control pilot to state C or D. Applies
 * only when the host reports pilot states (ControlEvent cp-state).
 */
export const V2G_SECC_CP_STATE_DETECTION_TIMEOUT: Millis = Millis(1500);
/** V2G_SECC_Msg_Performance_Time: answer within 1.5 s (4.5 s for PowerDelivery with contactors). */
export const V2G_SECC_MSG_PERFORMANCE_TIME: Millis = Millis(1500);
/** CurrentDemandRes is due within 25 ms (field reports: cars give up on slower chargers). */
export const V2G_SECC_CURRENT_DEMAND_PERFORMANCE_TIME: Millis = Millis(25);
