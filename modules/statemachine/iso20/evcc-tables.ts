// The EVCC step table of an ISO 15118-20 session by its service: ACDP (./acdp-evcc.ts), WPT
// (./wpt-evcc.ts), else the DC or AC table of ./evcc-steps.ts (DC also serves MCS).

import type { EvccStep } from "../evcc/step";
import type { EvccStepId } from "../evcc/types";
import { ISO20_ACDP_EVCC_STEPS } from "./acdp-evcc";
import { iso20EvccSteps } from "./evcc-steps";
import type { Iso20EvccConfig } from "./evcc-types";
import { isAcdp } from "./services";
import { ISO20_WPT_EVCC_STEPS } from "./wpt-evcc";

export function iso20EvccStepTable(config: Iso20EvccConfig): Readonly<Partial<Record<EvccStepId, EvccStep>>> {
  if (isAcdp(config.transfer)) return ISO20_ACDP_EVCC_STEPS;
  if (config.transfer === "wpt") return ISO20_WPT_EVCC_STEPS;
  return iso20EvccSteps(config);
}
