// EVCC timers of DIN 70121 and ISO 15118-2 (values from ../shared/docs/standards-notes.md).

import { Millis, Seconds } from "../../common/index";

/** V2G_EVCC_Msg_Timeout: the default wait for a response (DIN 70121, ISO 15118-2). */
export const V2G_EVCC_MSG_TIMEOUT: Millis = Seconds(2);
/** V2G_EVCC_Msg_Timeout for ServiceDetail, PaymentDetails, PowerDelivery, Certificate*. */
export const V2G_EVCC_MSG_TIMEOUT_LONG: Millis = Seconds(5);
/** V2G_EVCC_Msg_Timeout for CurrentDemand. */
export const V2G_EVCC_MSG_TIMEOUT_CURRENT_DEMAND: Millis = Millis(250);
/** V2G_EVCC_Ongoing_Timer: Authorization / ChargeParameterDiscovery answered Ongoing. */
export const V2G_EVCC_ONGOING_TIMER: Millis = Seconds(60);
/** V2G_EVCC_CableCheck_Timer: CableCheck answered Ongoing / EVSE not ready. */
export const V2G_EVCC_CABLE_CHECK_TIMER: Millis = Seconds(40);
/** V2G_EVCC_PreCharge_Timer: present voltage must reach the target within this time. */
export const V2G_EVCC_PRE_CHARGE_TIMER: Millis = Seconds(7);
/** V2G_EVCC_CommunicationSetup_Timer: from the first SAP request to SessionSetupRes. */
export const V2G_EVCC_COMMUNICATION_SETUP_TIMER: Millis = Seconds(20);
/**
 * EVCC_Sequence_Performance_Time: the EVCC sends its next request at the latest this long
 * after the previous response (below the SECC's 60 s V2G_SECC_Sequence_Timeout).
 */
export const EVCC_SEQUENCE_PERFORMANCE_TIME: Millis = Seconds(40);
/** How long WeldingDetection may repeat before the EV goes on to SessionStop anyway (not a standard timer). */
export const EVCC_WELDING_DETECTION_LIMIT: Millis = Seconds(20);

/** The overall timers that span repeated requests of one step. */
export type EvccPhaseTimer = "ongoing" | "cable-check" | "pre-charge" | "welding-detection";

export const PHASE_TIMER_LIMITS: Readonly<Record<EvccPhaseTimer, Millis>> = Object.freeze({
  ongoing: V2G_EVCC_ONGOING_TIMER,
  "cable-check": V2G_EVCC_CABLE_CHECK_TIMER,
  "pre-charge": V2G_EVCC_PRE_CHARGE_TIMER,
  "welding-detection": EVCC_WELDING_DETECTION_LIMIT,
});
