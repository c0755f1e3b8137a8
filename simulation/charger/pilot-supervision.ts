// The charger host's duty to its control pilot (IEC 61851-1 Annex A): when the pilot no longer
// allows the supply, the output goes off at once, and the SECC hears why. ChargerPilot says
// *whether* power is allowed (its `power` events); this is what a charger does about it.
//
//   A (unplugged), E (CP shorted to PE), F    output off; cp-state to the session, which ends
//                                             it (cp-unplugged) and closes the connection
//   C/D → B while charging (S2 opened)        output off; StopCharging for the EV (it stops in
//                                             order: PowerDelivery Stop, SessionStop)
//   a pilot error while charging (diode)      output off; EVSE_Malfunction for the EV
//
// Other states are passed on as cp-state as well, so the SECC can check for C/D after
// PowerDelivery Start (V2G_SECC_CPState_Detection_Timeout).

import type { ChargerPilotEvent } from "../../modules/cp-pwm/index";
import type { Logger } from "../../modules/common/log";
import type { ChargerStation } from "../station/charger-station";

/** The charger pilot's event handler for the station `charger()` returns (undefined before SLAC). */
export function superviseChargerPilot(charger: () => ChargerStation | undefined, logger: Logger): (event: ChargerPilotEvent) => void {
  // The interlock: while the pilot forbids the supply, the power module's enable is off, so a
  // target the session still passes on (one more CurrentDemandReq before the EV reacts) moves nothing.
  let interlocked: ChargerStation | undefined;
  let allowed = true;
  const interlock = (station: ChargerStation): void => {
    const dc = station.dc;
    if (dc === undefined || interlocked === station) return;
    interlocked = station;
    const setTarget = dc.setTarget.bind(dc);
    dc.setTarget = (voltage, current) => setTarget(voltage, allowed ? current : 0);
  };
  return (event) => {
    if (event.type === "power") allowed = event.allowed;
    const station = charger();
    if (station === undefined) return;
    interlock(station);
    const session = station.connection?.session;
    const charging = session?.context?.charging === true && session.stopReason === undefined;
    if (event.type === "state") {
      const letter = event.state.charAt(0) as "A" | "B" | "C" | "D" | "E" | "F";
      if ((letter === "A" || letter === "E" || letter === "F") && session !== undefined && session.stopReason === undefined) {
        logger.log("warn", "pilot", `pilot state ${event.state} during the session: output off, the session ends`);
        outputOff(station);
      }
      session?.control({ kind: "cp-state", state: letter });
    } else if (event.type === "power" && !event.allowed && charging) {
      logger.log("warn", "pilot", `the pilot no longer allows power while charging (${event.reason}): output off`);
      outputOff(station);
      if (event.reason === "vehicle-stopped") session!.control({ kind: "stop-charging" });
      else if (event.reason === "pilot-error" || event.reason === "fault") session!.control({ kind: "malfunction" });
    }
  };
}

function outputOff(station: ChargerStation): void {
  station.dc?.stop();
  if (station.ac?.closed) station.ac.open();
}
