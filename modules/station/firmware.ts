// One station (a charger or a vehicle) assembled from its configuration and its board: the
// firmware's main.ts on every host calls this, so the mapping from settings to parts is
// written once (the parts themselves are assembly.ts's, which the simulators use too).
//
// A board gives what it has: pilot and modem always; the IPv6 stack over the matched link, a
// TLS engine with the station's PKI, and the session's hardware (power stage, BMS) where it has
// them. A board without `ip` runs the pilot and SLAC, logs that the session cannot start, and
// keeps the pilot safe (no power); so does one asked for TLS (setting `tls`) that cannot have it.

//
// Each role's half is a file of its own (charger-firmware.ts, vehicle-firmware.ts, over
// station-board.ts): a single-role firmware image (hosts/esp32/charger, hosts/esp32/vehicle)
// imports only its own; startStation, for the image that carries both, picks by \`role\`.

import type { StationConfig } from "./config";
import { startChargerStation } from "./charger-firmware";
import { startVehicleStation } from "./vehicle-firmware";
import type { Station, StationBoard } from "./station-board";

export type { BoardTls, Station, StationBoard } from "./station-board";
export { seccConfigOf, startChargerStation } from "./charger-firmware";
export { startVehicleStation } from "./vehicle-firmware";

/** The station of the role the settings name, on the board's parts. */
export function startStation(config: StationConfig, board: StationBoard): Station {
  return config.role === "charger" ? startChargerStation(config, board) : startVehicleStation(config, board);
}
