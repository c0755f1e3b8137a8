// Errors of the control-pilot module: only API misuse throws (peer/pilot faults become events).

import { Xs15118Error } from "../common/index";

export type CpPwmReason =
  /** A current limit the pilot cannot advertise (below 6 A, not finite). */
  | "current-out-of-range"
  /** A duty cycle outside 0..100 %. */
  | "duty-out-of-range"
  /** The pilot output cannot drive 0 V (state E); use state F. */
  | "no-zero-output"
  /** A method called after close(). */
  | "closed";

export class CpPwmError extends Xs15118Error<CpPwmReason> {
  constructor(reason: CpPwmReason, message?: string) {
    super(reason, message);
    this.name = "CpPwmError";
  }
}
