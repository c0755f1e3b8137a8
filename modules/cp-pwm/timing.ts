// Control-pilot timing requirements (IEC 61851-1 Annex A sequence table; ISO 15118-3).
// Values as in ../shared/docs/standards-notes.md ("Control pilot", "SLAC" timers).

import { Millis, Seconds } from "../common/index";

/** C → B: the EVSE switches the supply off within 100 ms (IEC 61851-1 Annex A). */
export const T_POWER_OFF_AFTER_C_TO_B: Millis = Millis(100);

/**
 * PWM stopped (x2 → x1) while the vehicle stays in C (or D): the EVSE switches the supply off
 * after 6 s even if the vehicle never opens S2 (IEC 61851-1 Annex A).
 */
export const T_FORCED_POWER_OFF: Millis = Seconds(6);

/**
 * ISO 15118-3 T_step_EF: the EVSE holds state E or F at least this long to make the vehicle
 * restart (wake-up; a new matching follows), then returns to state B with 5 %.
 */
export const T_STEP_EF: Millis = Seconds(4);
