// Sign conventions of bidirectional power transfer (BPT) in ISO 15118-20, in one place.
//
// The XSD types every power and current as a signed RationalNumber and leaves the sign to the
// text. As this stack reads the -20 message descriptions (§8.3.5 DC, §8.3.4 AC messages):
//  - the discharge limits (EV/EVSEMaximumDischargePower, …MinimumDischargePower,
//    …MaximumDischargeCurrent, …MinimumDischargeCurrent) in ChargeParameterDiscovery and in
//    the BPT charge-loop control modes are magnitudes (positive numbers);
//  - targets and present values are signed from the EV's point of view: positive = energy into
//    the EV (charging), negative = out of it (EVTargetCurrent of BPT_Scheduled_DC_CL,
//    EVSETargetActivePower of the AC BPT modes, EVPresentActivePower, PowerSchedule entries of
//    a DischargingSchedule, EVPowerProfile entries).
// Fielded stacks disagree on the first point (the dSPACE/Josev charger in
// ../shared/captures/dsV2Gshark/ISO-20_BPT_AC_DS5366_Josev.pcapng sends
// EVSEMaximumDischargePower = −2990 W; EVerest has a negative_bidirectional_limits option),
// so received discharge limits are read as magnitudes whatever their sign (noting which sign
// the peer used), and config.iso20.negativeDischargeLimits sends them negative.

import type { Rational } from "./rational";
import { fromRational, rational } from "./rational";

/** Where a peer's sign convention is noted. */
export interface SignNote {
  peerNegativeDischarge?: boolean;
}

/** A discharge limit from the peer as a magnitude; notes the convention (a 0 says nothing). */
export function dischargeIn(note: SignNote, r: Rational | undefined): number {
  const value = fromRational(r);
  if (value < 0) note.peerNegativeDischarge = true;
  else if (value > 0 && note.peerNegativeDischarge === undefined) note.peerNegativeDischarge = false;
  return value < 0 ? -value : value;
}

/** A discharge limit (a magnitude) as we send it: positive, or negative when configured. */
export function dischargeOut(magnitude: number, negative: boolean | undefined): Rational {
  const m = magnitude < 0 ? -magnitude : magnitude;
  return rational(negative === true && m !== 0 ? -m : m);
}
