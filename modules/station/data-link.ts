// The way from plug-in to an IP link, for each role: the control pilot (IEC 61851-1) starts
// SLAC (ISO 15118-3) when digital communication is signalled, and a match brings the
// powerline's AVLN up, over which the IP side (SDP, V2GTP, the session) then runs.
//
// Portable: the pilot's and the modem's host classes come in as `{io, ...options}` specs
// (ECMA-419 shape), so the board (ESP32 adapters), the simulators and the tests (stand-in IO)
// all run this one assembly.

import type { Clock, Millis, TimerHandle } from "../common/clock";
import { Seconds } from "../common/clock";
import type { Logger } from "../common/log";
import { silentLogger } from "../common/log";
import { toHex } from "../common/bytes";
import { ChargerPilot, VehiclePilot } from "../cp-pwm/index";
import type { ChargerPilotEvent, IoSpec, PilotInput, PilotInputOptions, PilotOutput, PilotOutputOptions, ProximityInput, ProximityInputOptions, S2Switch, S2SwitchOptions, VehiclePilotEvent } from "../cp-pwm/index";
import { SlacEv, SlacEvse } from "../slac/index";
import type { LinkSpec, SlacEvCandidate, SlacEvMatchInfo, SlacMatchInfo } from "../slac/index";

/**
 * A host class and its options, checked where the board builds it (hosts/esp32/pilot.ts types
 * them exactly); here only the instance matters, so any constructor's options are accepted.
 */
export interface HostSpec<Instance> {
  io: new (options: never) => Instance;
  [option: string]: unknown;
}

interface CommonOptions {
  clock: Clock;
  random(count: number): Uint8Array;
  logger?: Logger;
  /** The host's link to its powerline modem (QCA7000 over SPI, a simulated modem). */
  modem: LinkSpec;
  /** A line of live trace: what happened, in words (the firmware logs it). */
  onTrace?(text: string): void;
  /** SLAC started (the pilot signalled digital communication). */
  onSlacStarted?(): void;
  /** SLAC gave up (the reason is SLAC's); onLinkDown follows where a link was up or SLAC ran. */
  onSlacFailed?(reason: string): void;
  /** The link went down: unplugged, or SLAC gave up. The IP side stops. */
  onLinkDown?(reason: string): void;
}

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

export interface ChargerDataLinkOptions extends CommonOptions {
  /** `{io: HostClass, ...its options}` for the pilot's ADC and generator. */
  pilot: { input: HostSpec<PilotInput>; output: HostSpec<PilotOutput> };
  /** The level of the pilot's wake-up pulse (ChargerPilot.wakeUp): "F" (default) or "E" (an output that can drive 0 V). */
  wakeUpLevel?: "E" | "F";
  /** AVLN up: the EV's MAC and the network; the IP side (SDP responder, V2G server) starts. */
  onLinkUp?(info: SlacMatchInfo): void;
  /** Every pilot event, before the link acts on it (a host traces or drives its own parts). */
  onPilotEvent?(event: ChargerPilotEvent): void;
}

export interface VehicleDataLinkOptions extends CommonOptions {
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

/** The charger's side: 5 % PWM once a vehicle is there (state B), SLAC as the EVSE. */
export class ChargerDataLink {
  readonly pilot: ChargerPilot;
  readonly slac: SlacEvse;
  readonly #log: Logger;
  readonly #o: ChargerDataLinkOptions;
  #slacRunning = false;
  #up = false;
  #closed = false;

  constructor(options: ChargerDataLinkOptions) {
    this.#o = options;
    this.#log = options.logger ?? silentLogger;
    this.slac = new SlacEvse({
      link: options.modem,
      clock: options.clock,
      random: options.random,
      logger: this.#log,
      onMatched: (info) => {
        this.#up = true;
        this.#trace(`SLAC matched EV ${toHex(info.evMac)} (NID ${toHex(info.nid)}); link up`);
        options.onLinkUp?.(info);
      },
      // ISO 15118-3 §7.5: the powerline link stayed down for T_conn_resume; SLAC waits for a
      // new matching, which brings a new link (and a new IP side) up.
      onLinkLost: () => this.#down("slac-link-lost"),
      onFailed: (reason) => {
        this.#slacRunning = false;
        this.#trace(`SLAC failed: ${reason}`);
        options.onSlacFailed?.(reason);
        // IEC 61851-1 A.2.3 / ISO 15118-3 [V2G3-A09-…]: without HLC the charger may fall back
        // to basic charging; that is the charger's policy, so it only hears about it here.
        this.#down(`slac-${reason}`);
      },
    });
    this.pilot = new ChargerPilot({
      clock: options.clock,
      input: options.pilot.input as unknown as IoSpec<PilotInputOptions, PilotInput>,
      output: options.pilot.output as unknown as IoSpec<PilotOutputOptions, PilotOutput>,
      mode: "hlc",
      ...(options.wakeUpLevel !== undefined ? { wakeUpLevel: options.wakeUpLevel } : {}),
      onEvent: (event) => this.#pilotEvent(event),
      onError: (error) => this.#log.log("error", "pilot", `pilot hardware failed: ${error.message}`),
    });
  }

  get linkUp(): boolean {
    return this.#up;
  }

  #pilotEvent(event: ChargerPilotEvent): void {
    this.#o.onPilotEvent?.(event);
    if (this.#closed) return; // the host closed the station on this event (unplugged at the end)
    if (event.type === "state") {
      this.#trace(`pilot ${event.state}${event.state === "B2" ? " (5 % PWM: digital communication)" : ""}`);
      // ISO 15118-3 §8.2: the EVSE starts SLAC (TT_EVSE_SLAC_init) when it signals 5 % in state B.
      if (event.state === "B2" && !this.#slacRunning) {
        this.#slacRunning = true;
        this.#trace("SLAC started: waiting for the EV's CM_SLAC_PARM.REQ");
        this.slac.start();
        this.#o.onSlacStarted?.();
      } else if (event.state === "A" && this.#slacRunning) {
        this.#slacRunning = false;
        this.slac.stop();
        this.#down("unplugged");
      }
    } else if (event.type === "error") this.#trace(`pilot error ${event.reason} ${event.active ? "raised" : "cleared"}`);
  }

  #down(reason: string): void {
    if (!this.#up && (reason === "unplugged" || reason === "slac-link-lost")) return;
    this.#up = false;
    this.#o.onLinkDown?.(reason);
  }

  #trace(text: string): void {
    this.#o.onTrace?.(text);
  }

  close(): void {
    this.#closed = true;
    this.slac.close();
    this.pilot.close();
  }
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
