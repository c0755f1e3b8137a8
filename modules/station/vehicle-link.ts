// The vehicle's way from plug-in to an IP link: SLAC (ISO 15118-3) as the EV once the control
// pilot (IEC 61851-1) shows 5 % duty, the AVLN up at the match, and the unplug noticed (PP, or
// 0 V held). A vehicle's image carries this and not charger-link.ts (data-link.ts has both, for
// the hosts that run both roles).

import type { Millis, TimerHandle } from "../common/clock";
import { Seconds } from "../common/clock";
import { silentLogger } from "../common/log";
import type { Logger } from "../common/log";
import { toHex } from "../common/bytes";
import { VehiclePilot } from "../cp-pwm/vehicle";
import type { VehiclePilotEvent } from "../cp-pwm/vehicle";
import type { IoSpec, PilotInput, PilotInputOptions, ProximityInput, ProximityInputOptions, S2Switch, S2SwitchOptions } from "../cp-pwm/io";
import { SlacEv } from "../slac/ev";
import type { SlacEvCandidate, SlacEvMatchInfo } from "../slac/ev";
import type { HostSpec, LinkOptions } from "./link-options";

/**
 * A vehicle without a proximity input counts 0 V on its pilot (state E: no +12 V from a charger)
 * held this long as unplugged. A charger passes through E (or F) for a while on purpose: ISO
 * 15118-3:2015 [V2G3-M06-05] (5 % → nominal duty: B2/C2 → E/F → B2) and [V2G3-M06-09] (E/F →
 * Bx to trigger a retry or wake the EV up, §7.6.2) hold it at least T_step_EF = 4 s (§8, the
 * timing table; a minimum, the standard sets no maximum). 10 s is T_step_EF with a 6 s margin
 * (2.5 ×): a charger's timer, relay and its own debounce add well under a second to the
 * minimum it aims for, so every wake-up fits with room to spare. The margin is not larger
 * because an unplug is noticed only this late (a plug-in within it reads like a wake-up), and a
 * charger still at 0 V after 10 s is off or restarting: taking that as unplugged costs a fresh
 * SLAC at its next 5 %, which a restarted charger needs in any case.
 */
export const UNPLUGGED_AFTER_E: Millis = Seconds(10);

export interface VehicleDataLinkOptions extends LinkOptions {
  /**
   * The pilot's ADC and S2 switch, and the inlet's proximity (PP) input where the vehicle has
   * one wired: with it a plug-out ends the link at once; without it, 0 V on the pilot for
   * `unpluggedAfterE` does.
   */
  pilot: { input: HostSpec<PilotInput>; s2: HostSpec<S2Switch>; proximity?: HostSpec<ProximityInput> };
  /** Without a PP input: how long 0 V (state E) on the pilot counts as unplugged (default UNPLUGGED_AFTER_E, 10 s). */
  unpluggedAfterE?: Millis;
  onLinkUp?(info: SlacEvMatchInfo): void;
  onPilotEvent?(event: VehiclePilotEvent): void;
  /** An EVSE answered the sounding (CM_ATTEN_CHAR.IND): its MAC and attenuation. */
  onSlacCandidate?(candidate: SlacEvCandidate): void;
}

/**
 * The vehicle's side: SLAC as the EV once the pilot shows 5 % (digital communication), and the
 * end of it all when the vehicle is unplugged — the PP contact opening, or without a PP input
 * 0 V on the pilot for longer than any wake-up of a charger (UNPLUGGED_AFTER_E).
 */
export class VehicleDataLink {
  readonly pilot: VehiclePilot;
  readonly slac: SlacEv;
  readonly #log: Logger;
  readonly #o: VehicleDataLinkOptions;
  readonly #unpluggedAfterE: Millis;
  #slacRunning = false;
  #up = false;
  #closed = false;
  /** Without PP: running while the pilot shows 0 V during a SLAC or a link. */
  #zeroVolts: TimerHandle | undefined;

  constructor(options: VehicleDataLinkOptions) {
    this.#o = options;
    this.#log = options.logger ?? silentLogger;
    this.slac = new SlacEv({
      link: options.modem,
      clock: options.clock,
      random: options.random,
      logger: this.#log,
      onCandidate: (candidate) => options.onSlacCandidate?.(candidate),
      onMatched: (info) => {
        this.#up = true;
        this.#trace(`SLAC matched EVSE ${toHex(info.evseMac)} at ${info.attenuation.toFixed(1)} dB; link up`);
        options.onLinkUp?.(info);
      },
      // ISO 15118-3 §7.5: the link stayed down for T_conn_resume and SLAC starts over: this link
      // (and its session) is over; a new matching brings a new one up.
      onLinkLost: () => {
        if (this.#closed || !this.#up) return;
        this.#up = false;
        this.#trace("the powerline link stayed down for T_conn_resume: link down, SLAC starts over");
        options.onLinkDown?.("slac-link-lost");
      },
      onFailed: (reason) => {
        this.#slacRunning = false;
        this.#trace(`SLAC failed: ${reason}`);
        options.onSlacFailed?.(reason);
        if (this.#closed) return;
        this.#up = false;
        options.onLinkDown?.(`slac-${reason}`);
      },
    });
    this.#unpluggedAfterE = options.unpluggedAfterE ?? UNPLUGGED_AFTER_E;
    const proximity = options.pilot.proximity as unknown as IoSpec<ProximityInputOptions, ProximityInput> | undefined;
    this.pilot = new VehiclePilot({
      input: options.pilot.input as unknown as IoSpec<PilotInputOptions, PilotInput>,
      s2: options.pilot.s2 as unknown as IoSpec<S2SwitchOptions, S2Switch>,
      ...(proximity !== undefined ? { proximity } : {}),
      onEvent: (event) => this.#pilotEvent(event),
      onError: (error) => this.#log.log("error", "pilot", `pilot hardware failed: ${error.message}`),
    });
  }

  get linkUp(): boolean {
    return this.#up;
  }

  /**
   * The cable's coded current (A) from the inlet's PP resistor (IEC 61851-1 Annex B: 13, 20, 32
   * or 63), undefined without a PP input or coding. An AC vehicle asks for no more per phase
   * (the assembly caps the BMS's EVMaxCurrent by it: cableLimitedBms).
   */
  get cableCurrent(): number | undefined {
    return this.pilot.cableCurrent;
  }

  #pilotEvent(event: VehiclePilotEvent): void {
    this.#o.onPilotEvent?.(event);
    if (this.#closed) return;
    if (event.type === "duty" && event.meaning.kind === "digital") this.#startSlac(`pilot ${event.duty.toFixed(1)} % duty: digital communication`);
    else if (event.type === "state") {
      if (event.state === "A") this.#unplugged("pilot state A");
      else if (event.state === "E") this.#armZeroVolts();
      else this.#disarmZeroVolts();
    } else if (event.type === "proximity") this.#proximity(event.plugged, event.cableCurrent, event.ohms);
  }

  /** ISO 15118-3 §8.2: the EV starts SLAC on 5 % duty — with a PP input, once it shows the plug in. */
  #startSlac(why: string): void {
    if (this.#slacRunning || this.pilot.plugged === false) return;
    this.#slacRunning = true;
    this.#trace(`${why}; SLAC started`);
    this.slac.start();
    this.#o.onSlacStarted?.();
  }

  #proximity(plugged: boolean, amps: number | undefined, ohms: number): void {
    if (!plugged) {
      this.#unplugged("proximity (PP) open: the plug was pulled out");
      return;
    }
    // IEC 61851-1 Annex B: the coding resistor; NaN is a host's plain "plug present" input.
    const reading = ohms === ohms ? `PP ${Math.round(ohms)} Ω` : "PP closed";
    if (amps !== undefined) this.#log.log("info", "pilot", `plug in (${reading}): the cable is coded for ${amps} A`);
    else if (ohms === ohms) this.#log.log("warn", "pilot", `plug in, but ${reading} is no valid cable coding (IEC 61851-1 Annex B): no cable current known`);
    else this.#log.log("info", "pilot", `plug in (${reading}, no cable coding read)`);
    // The charger's 5 % may have been read before the PP contact confirmed the plug.
    if (this.pilot.digital) this.#startSlac("plug in by PP, pilot at 5 %: digital communication");
  }

  /** Without PP, 0 V while SLAC runs or the link is up: unplugged unless B comes back in time. */
  #armZeroVolts(): void {
    if (this.pilot.hasProximity || !this.#slacRunning || this.#zeroVolts !== undefined) return;
    const after = this.#unpluggedAfterE;
    this.#zeroVolts = this.#o.clock.set(() => {
      this.#zeroVolts = undefined;
      this.#unplugged(`pilot at 0 V (state E) for ${after / 1000} s, longer than a charger's wake-up (T_step_EF 4 s), and no proximity input: taken as unplugged`);
    }, after);
  }

  #disarmZeroVolts(): void {
    if (this.#zeroVolts === undefined) return;
    this.#o.clock.clear(this.#zeroVolts);
    this.#zeroVolts = undefined;
  }

  /** The vehicle left the charger: SLAC stops, the link (and with it the session) ends. */
  #unplugged(why: string): void {
    this.#disarmZeroVolts();
    if (!this.#slacRunning) return;
    this.#slacRunning = false;
    const wasUp = this.#up;
    this.#up = false;
    this.#log.log("info", "pilot", `${why}; ${wasUp ? "the link and the session end" : "SLAC stops"}`);
    this.#trace(`unplugged (${why})`);
    this.slac.stop();
    if (wasUp) this.#o.onLinkDown?.("unplugged");
  }

  #trace(text: string): void {
    this.#o.onTrace?.(text);
  }

  close(): void {
    this.#closed = true;
    this.#disarmZeroVolts();
    this.slac.close();
    this.pilot.close();
  }
}
