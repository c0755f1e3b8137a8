// The simulated session the bench measures as a whole (peak XS heap, CPU per simulated minute):
// the DIN DC session of `xs15118 sim` with a small battery, so XS finishes in seconds.
import type { SimulationOptions } from "../../simulation/session/simulation";

export const SESSION_SCENARIO: Readonly<SimulationOptions> = Object.freeze({
  protocol: "din",
  transfer: "dc",
  capacityKWh: 5,
  startSoc: 70,
  targetSoc: 75,
});
