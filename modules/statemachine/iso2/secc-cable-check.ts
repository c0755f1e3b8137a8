// ISO 15118-2 SECC: CableCheckReq → Ongoing until the isolation check has finished.

import { cableCheck } from "../secc/dc-handlers";
import { seccState } from "../secc/types";
import { handle as sessionStop } from "./secc-session-stop";

// The shared DC handler itself, not a wrapper: one call less per request in the loop.
export { cableCheck as handle };

export const state = seccState({ id: "CableCheck", on: { CableCheckReq: cableCheck, SessionStopReq: sessionStop }, timeout: "cable-check" });
