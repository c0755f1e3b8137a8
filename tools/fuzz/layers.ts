// Every fuzzed layer, in the order the CLI and the test run them (portable).
import type { FuzzLayer } from "./runner";
import { SDP, SLAC_EV, SLAC_EVSE, SLAC_FRAME, V2GTP } from "./layers-link";
import { EVCC_DIN, EVCC_ISO2, EVCC_ISO20, EXI, SECC_DIN, SECC_ISO2, SECC_ISO20 } from "./layers-session";

export const LAYERS: readonly FuzzLayer<any>[] = Object.freeze([SLAC_FRAME, SLAC_EVSE, SLAC_EV, SDP, V2GTP, EXI, SECC_DIN, SECC_ISO2, SECC_ISO20, EVCC_DIN, EVCC_ISO2, EVCC_ISO20]);
