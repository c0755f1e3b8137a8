// SECC timers of ISO 15118-20 (values: ../shared/docs/standards-notes.md, timers table).

import { Millis, Seconds } from "../../common/index";
import type { TimerId } from "../framework";
import {
  V2G_SECC_CABLE_CHECK_TIMEOUT,
  V2G_SECC_COMMUNICATION_SETUP_TIMEOUT,
  V2G_SECC_CP_STATE_DETECTION_TIMEOUT,
  V2G_SECC_PRE_CHARGE_TIMEOUT,
  V2G_SECC_SEQUENCE_TIMEOUT,
} from "../secc-timeouts";

/**
 * -20 EIM: AuthorizationRes may say Ongoing for up to 180 s while the customer identifies
 * (standards-notes: "-20 EIM ongoing 180"), three times the -2 value.
 */
export const V2G_SECC_EIM_ONGOING_TIMEOUT: Millis = Seconds(180);
/**
 * -20 teardown: the EV closes the TCP connection after SessionStopRes; the SECC closes it
 * itself when the EV has not after about 5 s (standards-notes: "-20 teardown").
 */
export const ISO20_SECC_CLOSE_DELAY: Millis = Seconds(5);
/** -20: the EVCC waits 0.5 s for DC_ChargeLoopRes / AC_ChargeLoopRes (standards-notes, EVCC message timeouts). */
export const V2G_EVCC_CHARGE_LOOP_MSG_TIMEOUT_20: Millis = Millis(500);

/**
 * The -20 table. V2G_SECC_Sequence_Timeout is 60 s as in DIN and -2; CommunicationSetup,
 * CableCheck, PreCharge and the CP-state detection keep the -2 values until the -20 tables
 * are confirmed (open point in the issue: "confirm each").
 */
export const ISO20_SECC_TIMEOUTS: Readonly<Record<TimerId, Millis>> = Object.freeze({
  sequence: V2G_SECC_SEQUENCE_TIMEOUT,
  "communication-setup": V2G_SECC_COMMUNICATION_SETUP_TIMEOUT,
  ongoing: V2G_SECC_EIM_ONGOING_TIMEOUT,
  "cable-check": V2G_SECC_CABLE_CHECK_TIMEOUT,
  "pre-charge": V2G_SECC_PRE_CHARGE_TIMEOUT,
  "cp-state": V2G_SECC_CP_STATE_DETECTION_TIMEOUT,
  "ready-to-charge": Millis(0), // DIN only
} as Record<TimerId, Millis>);
