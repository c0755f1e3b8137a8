// What an ISO 15118-20 SECC offers, beside the DIN/-2 settings of SeccConfig (config.iso20).

import type { BptSettings, Iso20ControlMode, Iso20ParameterSet, Iso20Transfer } from "./services";
import { isDc, parameterSets, SERVICE_ID } from "./services";

/** Discharge limits of a bidirectional charger, as magnitudes (W, A; DC also V range via config.dc). */
export interface DischargeLimits {
  maxPower: number;
  minPower?: number;
  /** DC only. */
  maxCurrent?: number;
  minCurrent?: number;
}

/**
 * The charger's tariff: energy fee per kWh from `start` s on (the last step runs to the
 * schedule's end), sent as an AbsolutePriceSchedule or, with `kind` "levels", as a
 * PriceLevelSchedule of the fees' ranks (./prices.ts).
 */
export interface PriceSchedule {
  /** "absolute" (default; Pricing parameter 1) or "levels" (Pricing 2). */
  kind?: "absolute" | "levels";
  /** PriceLevelSchedule NumberOfPriceLevels (default: the number of distinct fees). */
  numberOfLevels?: number;
  /** ISO 4217 code, 3 letters ("EUR"). */
  currency: string;
  /** ISO 639-2 language of texts, 3 letters. Default "ENG". */
  language?: string;
  steps: readonly { readonly start: number; readonly energyFee: number }[];
}

export interface Iso20SeccConfig {
  /** Prices sent with the schedule (Scheduled: in the ChargingSchedule; Dynamic: in the control mode); Pricing = 1 (absolute) or 2 (levels) in the parameter sets. */
  prices?: PriceSchedule;
  /** Energy transfer services offered. Default: DC (and DC_BPT with discharge limits) when config.dc is set, AC (and AC_BPT) when config.ac is. */
  services?: readonly Iso20Transfer[];
  /** Control modes offered in every service's parameter sets, in this order. Default ["scheduled", "dynamic"]. */
  controlModes?: readonly Iso20ControlMode[];
  bpt?: BptSettings;
  /**
   * The Connector parameter of every parameter set. Default: 2 (DC extended / AC three phase);
   * MCS services 1 (MCS; 4 rMCS, 5 xMCS: services.ts MCS_CONNECTOR).
   */
  connector?: number;
  /** The charger's discharge capability; a BPT service is offered by default only with it. */
  discharge?: DischargeLimits;
  /**
   * Send discharge limits as negative numbers. Default false: magnitudes, as the -20 text
   * describes the discharge parameters of BPT_*_CPDRes and the BPT loop messages (EVerest's
   * negative_bidirectional_limits option exists for the cars that expect the opposite).
   */
  negativeDischargeLimits?: boolean;
  /** ServiceDiscoveryRes ServiceRenegotiationSupported. Default true. */
  serviceRenegotiation?: boolean;
  /** ScheduleTupleID of the offered schedule (1..255, default config.saScheduleTupleId or 1). */
  scheduleTupleId?: number;
  /** PowerDelivery(Standby) is allowed (default true). */
  standbyAllowed?: boolean;
  /** SessionStop(Pause) is allowed (default true). */
  pauseAllowed?: boolean;
  /** Tolerance (W) for the EV power profile against the schedule's power (default 0). */
  powerTolerance?: number;
  /**
   * Offer -20 over a connection without TLS 1.3 anyway. -20 requires TLS 1.3 ([V2G20-2356] as
   * cited in modules/v2gtp/sap.ts); this exists for test benches until TLS lands. Only matters
   * when SeccConfig.transport says what the connection is.
   */
  insecureWithoutTls?: boolean;
}

/** The services and parameter sets a SECC offers, computed once per session from its config. */
export interface Iso20Offer {
  readonly services: readonly Iso20Transfer[];
  /** Parameter sets by service ID. */
  readonly sets: Readonly<Record<number, readonly Iso20ParameterSet[]>>;
}

export function iso20Offer(config: { dc?: object; ac?: { nominalVoltage: number }; iso20?: Iso20SeccConfig }): Iso20Offer {
  const c = config.iso20 ?? {};
  let services = c.services;
  if (services === undefined) {
    // Both namespaces' services when the charger has both outlets (ServiceDiscovery lists only
    // the negotiated namespace's).
    const list: Iso20Transfer[] = [];
    if (config.dc !== undefined) {
      list.push("dc");
      if (c.discharge !== undefined) list.push("dc_bpt");
    }
    if (config.ac !== undefined) {
      list.push("ac");
      if (c.discharge !== undefined) list.push("ac_bpt");
    }
    services = list;
  }
  const modes = c.controlModes ?? ["scheduled", "dynamic"];
  const sets: Record<number, Iso20ParameterSet[]> = {};
  for (const transfer of services) {
    sets[SERVICE_ID[transfer]] = parameterSets(transfer, {
      controlModes: modes,
      nominalVoltage: isDc(transfer) ? undefined : config.ac?.nominalVoltage,
      bpt: c.bpt,
      connector: c.connector,
      pricing: c.prices === undefined ? 0 : c.prices.kind === "levels" ? 2 : 1,
    });
  }
  return { services, sets };
}
