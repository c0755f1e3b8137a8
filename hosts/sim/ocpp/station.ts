// An OcppBridge for a simulated ChargerStation (`xs15118 secc --ocpp`, `xs15118 sim --ocpp`):
// meter values and present output read from the station's simulated hardware.

import type { Clock, Logger } from "../../../modules/common/index";
import type { ChargerStation } from "../../../simulation/station/charger-station";
import { OcppBridge } from "./bridge";
import type { OcppBridgeOptions } from "./bridge";

/** `station` is asked lazily: the bridge is built first, since the station takes it as its backend. */
export function ocppBridge(url: string, clock: Clock, logger: Logger | undefined, station: () => ChargerStation, more?: Partial<OcppBridgeOptions>): OcppBridge {
  return new OcppBridge({
    ...more,
    url,
    clock,
    logger,
    meter: {
      get meterId() {
        return station().meter.meterId;
      },
      get energyWh() {
        return station().meter.energyWh;
      },
    },
    present: () => {
      const s = station();
      if (s.dc !== undefined && s.dc.presentCurrent !== 0) return { voltage: s.dc.presentVoltage, current: s.dc.presentCurrent };
      const ac = s.config.ac;
      return ac !== undefined && s.ac?.closed ? { voltage: ac.nominalVoltage, current: s.ac.presentCurrent * ac.phases } : { voltage: 0, current: 0 };
    },
    // Profiles in A: DC at the output voltage (the charger's maximum before there is one), AC per phase at the nominal voltage.
    wattsPerAmp: () => {
      const s = station();
      if (s.dc !== undefined) return s.dc.presentVoltage > 0 ? s.dc.presentVoltage : s.config.dc?.maxVoltage ?? 400;
      const ac = s.config.ac;
      return ac !== undefined ? ac.nominalVoltage * ac.phases : 230 * 3;
    },
  });
}
