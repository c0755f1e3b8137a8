// Energy bookkeeping of a simulated bidirectional power stage: the power at the EV side
// (battery terminals for DC, the inlet's conversion for AC) against the power at the grid side,
// with the conversion losses counted separately.
//
//   charging     grid = ev / η    (the stage draws more than the EV gets)
//   discharging  grid = ev × η    (the site gets less than the EV gives)
//
// so over a session: energy at the EV side = charged × η − discharged / η, charged and
// discharged measured at the grid side (what the site's meter sees), losses = the difference.

/** The simulated bidirectional stages' conversion efficiency: DC module (grid ⇄ DC output) and AC path (inlet ⇄ battery). */
export const BIDIRECTIONAL_EFFICIENCY = Object.freeze({ dc: 0.96, ac: 0.94 });

export class EnergyAccount {
  /** Conversion efficiency, 0 < η ≤ 1 (the same both ways). */
  readonly efficiency: number;
  /** Energy drawn from the grid side to charge the EV, Wh. */
  chargedWh = 0;
  /** Energy fed to the grid side from the EV, Wh. */
  dischargedWh = 0;
  /** Conversion losses, Wh (counted in neither direction's energy at the EV side). */
  lossesWh = 0;
  /** Net energy at the EV side (into the EV positive), Wh. */
  evSideWh = 0;

  constructor(efficiency = 1) {
    if (!(efficiency > 0 && efficiency <= 1)) throw new RangeError(`efficiency ${efficiency}: expected 0 < η ≤ 1`);
    this.efficiency = efficiency;
  }

  /** The grid-side power (W, signed like `evPower`) for a power at the EV side. */
  gridPower(evPower: number): number {
    return evPower > 0 ? evPower / this.efficiency : evPower * this.efficiency;
  }

  /** Books `evPower` W at the EV side (signed: positive into the EV) flowing for `ms`. */
  add(evPower: number, ms: number): void {
    if (evPower === 0 || ms <= 0) return;
    const hours = ms / 3_600_000;
    const grid = this.gridPower(evPower);
    this.evSideWh += evPower * hours;
    if (grid > 0) this.chargedWh += grid * hours;
    else this.dischargedWh -= grid * hours;
    this.lossesWh += Math.abs(grid - evPower) * hours;
  }
}
