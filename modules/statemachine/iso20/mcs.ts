// ISO 15118-20 megawatt charging (MCS 8, MCS_BPT 9; service IDs and connector values in
// ./services.ts): DC-style charging through the DC messages at up to 3,000 A and 1,250 V. No
// SLAC and no PWM pilot: MCS runs over its own 10BASE-T1S Ethernet with its own pilot
// signalling, which the simulator models as a plain IP link.
//
// What MCS adds on the SECC: at megawatt ratings an overvoltage cannot wait for the EV to
// notice. When the EV reports a present voltage above what the charger or the EV itself may
// see, the output stops and DC_ChargeLoopRes says FAILED: the session ends (the EV opens its
// contactors on the FAILED code, -20 error handling), the power module is stopped first.
// A target current above the charger's limit is not a fault: the output holds at the limit and
// EVSECurrentLimitAchieved says so (./secc-dc.ts).
//
// RationalNumber (Value xs:short × 10^Exponent) carries the ratings without overflow:
// 3000 A and 1250 V fit the Value with exponent 0, 3.75 MW is 3750 × 10^3 (./rational.ts).

import type { SeccFacts } from "../charger-interfaces";
import type { SeccContext } from "../secc/context";
import type { SeccHandler } from "../secc/types";
import { guardChargeLoop } from "./loop-guard";
import { isMcs } from "./services";

/** Voltage above the lower of the charger's and the EV's maximum that counts as an overvoltage (V): the measurement tolerance. */
export const MCS_OVERVOLTAGE_MARGIN = 10;

/** An MCS session whose EV reports a present voltage above what the charger or the EV may see: stop now. */
function mcsOvervoltage(ctx: SeccContext, facts: SeccFacts): boolean {
  const t = ctx.iso20?.transfer;
  if (t === undefined || !isMcs(t)) return false;
  const present = ctx.iso20?.ev.presentVoltage ?? 0;
  const evMax = ctx.ev.maxVoltage > 0 ? ctx.ev.maxVoltage : Infinity;
  const limit = Math.min(facts.evse.dc.maxVoltage, evMax);
  return present > limit + MCS_OVERVOLTAGE_MARGIN;
}

/** Wraps DC_ChargeLoopReq: an MCS session's overvoltage → DC_ChargeLoopRes FAILED, output stopped, session ends. */
export function mcsChargeLoop(handler: SeccHandler): SeccHandler {
  return guardChargeLoop(handler, mcsOvervoltage);
}
