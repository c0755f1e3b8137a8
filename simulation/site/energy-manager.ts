// A simulated site energy manager (home or building EMS) behind the charger's EnergyManager
// interface: the ChargerBinding asks it before every request what it wants of the EVSE now
// (modules/statemachine/charger-interfaces.ts SiteRequest), and the ISO 15118-20 Dynamic loop
// turns that into the EVSE's target. Its world is the site profiles over the time of day.
//
//   charge  charge within the grid connection's import limit (the price is only reported)
//   v2g     grid-following: charge while the price is below `exportPrice`, export at the
//           export limit while it is at or above it (a price peak)
//   v2h     grid-forming, the grid is down: the car is the home's only source and sink, so the
//           target is PV − house load (negative: the car feeds the home; positive: surplus PV
//           goes into the car)
//   v2l     grid-forming, a load on the car alone: the target is −load

import type { Clock } from "../../modules/common/index";
import type { ControlSink, EnergyManager, EvNeeds, SiteRequest } from "../../modules/statemachine/index";
import type { Profile } from "./profiles";
import { houseLoad, priceSignal, pvProfile } from "./profiles";

export type SiteUse = "charge" | "v2g" | "v2h" | "v2l";

export interface SimSiteOptions {
  clock: Clock;
  use: SiteUse;
  /** Time of day (s since midnight) at the clock's 0. */
  startOfDay: number;
  /** Grid connection limits for this EVSE (W, magnitudes). Default 11 kW each. */
  importLimit?: number;
  exportLimit?: number;
  /** V2G: export from this price on (per kWh). Default 0.40. */
  exportPrice?: number;
  /** V2L: the fixed load on the car (W). Default 3000. */
  fixedLoad?: number;
  /** Profiles (default: houseLoad(), pvProfile(), priceSignal() with `seed`). */
  houseLoad?: Profile;
  pv?: Profile;
  price?: Profile;
  seed?: number;
}

export class SimSiteEnergyManager implements EnergyManager {
  onEvent?: ControlSink;
  readonly use: SiteUse;
  /** The EV's needs as ScheduleExchange reported them. */
  readonly needs: EvNeeds[] = [];
  /** Requests answered (one per SECC request). */
  requests = 0;
  readonly #o: SimSiteOptions;
  readonly #load: Profile;
  readonly #pv: Profile;
  readonly #price: Profile;
  readonly #import: number;
  readonly #export: number;

  constructor(options: SimSiteOptions) {
    this.#o = options;
    this.use = options.use;
    const seed = options.seed ?? 15118;
    this.#load = options.houseLoad ?? houseLoad({ seed });
    this.#pv = options.pv ?? pvProfile({ seed: seed + 1 });
    this.#price = options.price ?? priceSignal({ seed: seed + 2 });
    this.#import = options.importLimit ?? 11_000;
    this.#export = options.exportLimit ?? 11_000;
  }

  /** Time of day now, s since midnight. */
  timeOfDay(): number {
    return this.#o.startOfDay + this.#o.clock.now() / 1000;
  }

  houseLoadW(): number {
    return this.#load(this.timeOfDay());
  }
  pvW(): number {
    return this.#pv(this.timeOfDay());
  }
  price(): number {
    return this.#price(this.timeOfDay());
  }
  /** V2G: whether the price now is a peak the site exports into. */
  peak(): boolean {
    return this.price() >= (this.#o.exportPrice ?? 0.4);
  }

  /**
   * What the car must deliver (negative) or may take (positive) for the site to balance, W:
   * V2H PV − house load, V2L −load; undefined where the grid balances (charge, V2G).
   */
  islandBalance(): number | undefined {
    if (this.use === "v2h") return this.pvW() - this.houseLoadW();
    if (this.use === "v2l") return -(this.#o.fixedLoad ?? 3000);
    return undefined;
  }

  request(): Readonly<SiteRequest> {
    this.requests++;
    const price = this.price();
    switch (this.use) {
      case "charge":
        return { importLimit: this.#import, exportLimit: this.#export, price, use: "charge" };
      case "v2g":
        return this.peak()
          ? { setpoint: -this.#export, importLimit: this.#import, exportLimit: this.#export, price, use: "v2g" }
          : { setpoint: this.#import, importLimit: this.#import, exportLimit: this.#export, price, use: "charge" };
      case "v2h":
      case "v2l":
        // Grid down / no grid: no import or export limit applies, the island's balance does.
        return { setpoint: this.islandBalance(), price, use: this.use };
    }
  }

  evNeeds(needs: EvNeeds): void {
    this.needs.push(needs);
  }
}
