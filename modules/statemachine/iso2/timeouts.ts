// SECC timers of ISO 15118-2:2014: the ones shared with DIN SPEC 70121 (no ReadyToCharge).

import { Millis } from "../../common/index";
import type { TimerId } from "../framework";
import {
  V2G_SECC_CABLE_CHECK_TIMEOUT,
  V2G_SECC_COMMUNICATION_SETUP_TIMEOUT,
  V2G_SECC_CP_STATE_DETECTION_TIMEOUT,
  V2G_SECC_ONGOING_TIMEOUT,
  V2G_SECC_PRE_CHARGE_TIMEOUT,
  V2G_SECC_SEQUENCE_TIMEOUT,
} from "../secc-timeouts";

export * from "../secc-timeouts";

export const ISO2_SECC_TIMEOUTS: Readonly<Record<TimerId, Millis>> = Object.freeze({
  sequence: V2G_SECC_SEQUENCE_TIMEOUT,
  "loop-sequence": Millis(0), // -20 only: DIN and -2 keep the 60 s in the loop
  "communication-setup": V2G_SECC_COMMUNICATION_SETUP_TIMEOUT,
  ongoing: V2G_SECC_ONGOING_TIMEOUT,
  "cable-check": V2G_SECC_CABLE_CHECK_TIMEOUT,
  "pre-charge": V2G_SECC_PRE_CHARGE_TIMEOUT,
  "cp-state": V2G_SECC_CP_STATE_DETECTION_TIMEOUT,
  "ready-to-charge": Millis(0), // DIN only
});
