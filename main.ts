// Firmware entry point (Moddable manifest): wires the ESP32 host to the portable core.
//
// The charger role (SECC) is the default; a vehicle build sets config.role = "evcc" in the
// manifest. Later issues attach the pilot, SLAC over the QCA7000 and the session layer here.

import { TimerClock } from "./hosts/esp32/clock";
import { TraceLogger } from "./hosts/esp32/logger";
import { VERSION } from "./modules/common/version";

const clock = new TimerClock();
const log = new TraceLogger({ level: "info" });

log.log("info", "main", `xs15118 ${VERSION} starting at ${clock.now()} ms`);
