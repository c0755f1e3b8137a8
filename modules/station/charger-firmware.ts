// A charger station from its settings and its board (station-board.ts): the charger's half of
// startStation (firmware.ts), on its own so that a charger-only image carries no vehicle code.

import type { StationConfig } from "./config";
import { ChargerAssembly } from "./charger-assembly";
import { chargerConfig } from "./secc-service";
import type { SeccConfig } from "../statemachine/index";
import { assemblyBasics, builtStation } from "./station-board";
import type { Station, StationBoard } from "./station-board";

/** The charger's session configuration from the station's settings. */
export function seccConfigOf(config: StationConfig): SeccConfig {
  return chargerConfig(config.transfer, config.protocols, {
    evseId: config.evseId,
    dc: { maxVoltage: config.maxVoltage, maxCurrent: config.maxCurrent, maxPower: config.maxPower, minVoltage: config.minVoltage, minCurrent: config.minCurrent, peakCurrentRipple: 5, currentRegulationTolerance: 1 },
    ac: { nominalVoltage: 230, maxCurrent: config.acCurrent, phases: config.acPhases === 1 ? 1 : 3 },
  });
}

/** The charger the settings describe on the board's parts (\`config.role\` is not looked at: the caller chose). */
export function startChargerStation(config: StationConfig, board: StationBoard): Station {
  const { common, tls } = assemblyBasics(config, board);
  const secc = seccConfigOf(config);
  const assembly = new ChargerAssembly({ ...common, pilot: board.chargerPilot(config), config: secc, hardware: board.chargerHardware?.(config, secc), storage: board.storage, service: { port: config.port, tls } });
  return builtStation(config, board, assembly, () => assembly.sessionActive);
}
