// ISO 15118-2 SECC: WeldingDetectionReq (repeated while the EV checks its contactors), then SessionStopReq.

import { weldingDetection } from "../secc/dc-handlers";
import { seccState } from "../secc/types";
import { handle as sessionStop } from "./secc-session-stop";

// The shared DC handler itself, not a wrapper: one call less per request in the loop.
export { weldingDetection as handle };

export const state = seccState({ id: "WeldingDetection", on: { WeldingDetectionReq: weldingDetection, SessionStopReq: sessionStop } });
