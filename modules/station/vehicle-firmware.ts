// A vehicle station from its settings and its board (station-board.ts): the vehicle's half of
// startStation (firmware.ts), on its own so that a vehicle-only image carries no charger code.

import type { StationConfig } from "./config";
import { VehicleAssembly } from "./vehicle-assembly";
import { assemblyBasics, builtStation } from "./station-board";
import type { Station, StationBoard } from "./station-board";

/** The vehicle the settings describe on the board's parts (\`config.role\` is not looked at: the caller chose). */
export function startVehicleStation(config: StationConfig, board: StationBoard): Station {
  const log = board.logger;
  const { common, tls } = assemblyBasics(config, board);
  const assembly = new VehicleAssembly({
    ...common,
    pilot: board.vehiclePilot(config),
    hardware: board.vehicleHardware?.(config),
    service: {
      evccId: config.mac,
      protocols: config.protocols,
      transfer: config.transfer[0],
      tls,
      onEnd: (outcome) => log.log(outcome.ok ? "info" : "warn", "station", `session over: ${outcome.reason}${outcome.detail ? ` (${outcome.detail})` : ""}`),
    },
  });
  return builtStation(config, board, assembly, () => assembly.link.linkUp || assembly.service !== undefined);
}
