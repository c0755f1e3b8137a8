// Timers of ISO 15118-20, SECC and EVCC, as data. Each value names the table or requirement of
// ISO 15118-20:2022 it comes from (clause 8.5.4: Table 215 CommonMessages, Table 216 AC,
// Table 217 DC) and, where the public sources are thin or disagree, says so. Sources checked:
// ../shared/docs/standards-notes.md (timers table), the published excerpts of 8.5.4 (Tables 216
// and 217 in full, [V2G20-441]…[V2G20-445], [V2G20-1499]…[V2G20-1502], [V2G20-1633]), and the
// -20 timer transcriptions of two open stacks (Josev's iso15118_20/timeouts.py, EVerest
// libiso15118's d20/timeout.hpp) for the Table 215 values not quoted in full.

import { Millis, Seconds } from "../../common/index";
import type { TimerId } from "../framework";
import {
  V2G_SECC_CABLE_CHECK_TIMEOUT,
  V2G_SECC_COMMUNICATION_SETUP_TIMEOUT,
  V2G_SECC_CP_STATE_DETECTION_TIMEOUT,
  V2G_SECC_SEQUENCE_TIMEOUT,
} from "../secc-timeouts";

// ---- SECC ---------------------------------------------------------------------------------

/**
 * V2G_SECC_Sequence_Timeout after a DC_ChargeLoopRes or AC_ChargeLoopRes: 0.5 s (Table 216 AC,
 * Table 217 DC, required by [V2G20-1500] / [V2G20-1502]); after every other response the
 * Table 215 value, 60 s ([V2G20-441]). When it runs out the SECC stops the communication
 * session ([V2G20-443]). The EV's own budget for the same gap is 0.25 s
 * (V2G_EVCC_Sequence_Performance_Time of the charge loop, below). Several fielded chargers keep
 * 60 s in the loop (EVerest libiso15118, Josev); a charger that must serve EVs pacing slower
 * than the table can set config.timeouts["loop-sequence"].
 */
export const V2G_SECC_SEQUENCE_TIMEOUT_CHARGE_LOOP: Millis = Millis(500);

/**
 * EIM: how long AuthorizationRes may say Ongoing while the customer identifies: 180 s
 * (standards-notes "-20 EIM ongoing 180"; EVerest libiso15118 TIMEOUT_EIM_ONGOING = 3 min).
 * Unsure: no public excerpt of ISO 15118-20 quotes this value with a requirement ID, and the
 * -2 value (V2G_SECC_Ongoing_Timeout) is 55 s. When it runs out the next AuthorizationReq is
 * answered FAILED and the session stops.
 */
export const V2G_SECC_EIM_ONGOING_TIMEOUT: Millis = Seconds(180);

/**
 * After SessionStopRes the SECC waits at least 5 s before it closes the TCP connection
 * ([V2G20-1633]; some stacks cite it as [V2G20-1643]): the EV closes first; the SECC closes
 * only if the EV has not after this long. A timeout or a FAILED answer closes at once.
 */
export const ISO20_SECC_CLOSE_DELAY: Millis = Seconds(5);

/**
 * The SECC's pre-charge limit. Not a -20 table value: no public source gives the SECC one. The
 * -2 figure (5 s, standards-notes) is shorter than the 10 s a -20 EV may spend pre-charging
 * (V2G_EVCC_PreCharge_Timeout below), so the -20 SECC allows the EV's 10 s. It is the charger's
 * guard and fails a DC_PreChargeReq only while the output is still away from the EV's target.
 */
export const ISO20_SECC_PRE_CHARGE_LIMIT: Millis = Seconds(10);

/**
 * V2G_SECC_Msg_Performance_Time: the SECC answers a DC_ChargeLoopReq / AC_ChargeLoopReq within
 * 0.25 s (Tables 216, 217), DC_CableCheckReq, DC_PreChargeReq and DC_WeldingDetectionReq within
 * 1.5 s (Table 217), the CommonMessages within 1.5 s (Table 215, e.g. AuthorizationReq
 * [V2G20-2230]). Checked by SeccConnection, which logs a late answer.
 */
export const V2G_SECC_MSG_PERFORMANCE_TIME_CHARGE_LOOP: Millis = Millis(250);

/**
 * The -20 SECC timer table. sequence 60 s (Table 215) and loop-sequence 0.5 s (Tables 216, 217)
 * are -20's own; CommunicationSetup (18 s), CableCheck (38 s) and the CP-state detection (1.5 s)
 * keep the DIN/-2 values: the public -20 excerpts give these phases EVCC timers only
 * (V2G_EVCC_CommunicationSetup_Timeout 20 s, V2G_EVCC_CableCheck_Timeout 40 s), and the charger
 * giving up a little before the EV is what the -2 values do. ready-to-charge is DIN only.
 */
export const ISO20_SECC_TIMEOUTS: Readonly<Record<TimerId, Millis>> = Object.freeze({
  sequence: V2G_SECC_SEQUENCE_TIMEOUT,
  "loop-sequence": V2G_SECC_SEQUENCE_TIMEOUT_CHARGE_LOOP,
  "communication-setup": V2G_SECC_COMMUNICATION_SETUP_TIMEOUT,
  ongoing: V2G_SECC_EIM_ONGOING_TIMEOUT,
  "cable-check": V2G_SECC_CABLE_CHECK_TIMEOUT,
  "pre-charge": ISO20_SECC_PRE_CHARGE_LIMIT,
  "cp-state": V2G_SECC_CP_STATE_DETECTION_TIMEOUT,
  "ready-to-charge": Millis(0),
});

/** The responses after which V2G_SECC_Sequence_Timeout is the charge loop's (Tables 216, 217). */
export const ISO20_SECC_SEQUENCE_AFTER: Readonly<Record<string, TimerId>> = Object.freeze({
  DC_ChargeLoopRes: "loop-sequence",
  AC_ChargeLoopRes: "loop-sequence",
});

// ---- EVCC ---------------------------------------------------------------------------------

/**
 * V2G_EVCC_Msg_Timeout of DC_ChargeLoopReq and AC_ChargeLoopReq: 0.5 s (Table 216, Table 217;
 * [V2G20-1499], [V2G20-1501]). Every other -20 request waits 2 s (Table 215, and Table 217 for
 * DC_CableCheck, DC_PreCharge and DC_WeldingDetection) — PowerDeliveryReq included, unlike -2
 * where it waits 5 s — except ServiceDetailReq and CertificateInstallationReq: 5 s (Table 215
 * as Josev transcribes it; standards-notes agrees).
 */
export const V2G_EVCC_CHARGE_LOOP_MSG_TIMEOUT_20: Millis = Millis(500);
/** V2G_EVCC_Msg_Timeout of ServiceDetailReq and CertificateInstallationReq: 5 s (Table 215). */
export const V2G_EVCC_MSG_TIMEOUT_LONG_20: Millis = Seconds(5);
/** V2G_EVCC_Msg_Timeout of every other -20 request: 2 s (Tables 215, 217). */
export const V2G_EVCC_MSG_TIMEOUT_20: Millis = Seconds(2);

/**
 * V2G_EVCC_Sequence_Performance_Time of the charge loop: the EV sends its next
 * DC_ChargeLoopReq / AC_ChargeLoopReq at most 0.25 s after the previous response (Tables 216,
 * 217; [V2G20-1499], [V2G20-1501]). A performance criterion, not a timeout: the EVCC paces its
 * loop within it (its configured loop intervals are capped to it), since a charger ends the
 * session 0.5 s after its ChargeLoopRes. Outside the loop the Table 215 value is 40 s
 * (EVCC_SEQUENCE_PERFORMANCE_TIME in ../evcc/timeouts.ts, the same as -2).
 */
export const V2G_EVCC_SEQUENCE_PERFORMANCE_TIME_CHARGE_LOOP: Millis = Millis(250);

/**
 * V2G_EVCC_PreCharge_Timeout: 10 s in -20 (Table 215 as Josev transcribes it; standards-notes
 * "-20: 10"), against -2's 7 s.
 */
export const V2G_EVCC_PRE_CHARGE_TIMEOUT_20: Millis = Seconds(10);

/**
 * How long the EV keeps asking while AuthorizationRes says Ongoing under EIM: the charger's
 * 180 s (V2G_SECC_EIM_ONGOING_TIMEOUT), so that the EV never gives up on a customer the charger
 * still waits for. Sources disagree: Josev's -20 transcription has one V2G_EVCC_Ongoing_Timeout
 * of 60 s (Table 215) for every Ongoing loop, which would end EIM sessions after 60 s that the
 * charger would still have authorized; ScheduleExchange keeps that 60 s (../evcc/timeouts.ts).
 */
export const V2G_EVCC_EIM_ONGOING_TIMEOUT_20: Millis = V2G_SECC_EIM_ONGOING_TIMEOUT;
