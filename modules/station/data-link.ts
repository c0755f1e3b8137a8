// The way from plug-in to an IP link, for each role: the control pilot (IEC 61851-1) starts
// SLAC (ISO 15118-3) when digital communication is signalled, and a match brings the
// powerline's AVLN up, over which the IP side (SDP, V2GTP, the session) then runs.
//
// Portable: the pilot's and the modem's host classes come in as `{io, ...options}` specs
// (ECMA-419 shape), so the board (ESP32 adapters), the simulators and the tests (stand-in IO)
// all run this one assembly.

import type { Clock } from "../common/clock";
import type { Logger } from "../common/log";
import { silentLogger } from "../common/log";
import { toHex } from "../common/bytes";
import { ChargerPilot, VehiclePilot } from "../cp-pwm/index";
import type { ChargerPilotEvent, IoSpec, PilotInput, PilotInputOptions, PilotOutput, PilotOutputOptions, S2Switch, S2SwitchOptions, VehiclePilotEvent } from "../cp-pwm/index";
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

export interface ChargerDataLinkOptions extends CommonOptions {
  /** `{io: HostClass, ...its options}` for the pilot's ADC and generator. */
  pilot: { input: HostSpec<PilotInput>; output: HostSpec<PilotOutput> };
  /** AVLN up: the EV's MAC and the network; the IP side (SDP responder, V2G server) starts. */
  onLinkUp?(info: SlacMatchInfo): void;
  /** Every pilot event, before the link acts on it (a host traces or drives its own parts). */
  onPilotEvent?(event: ChargerPilotEvent): void;
}

export interface VehicleDataLinkOptions extends CommonOptions {
  pilot: { input: HostSpec<PilotInput>; s2: HostSpec<S2Switch> };
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
    if (!this.#up && reason === "unplugged") return;
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

/** The vehicle's side: SLAC as the EV once the pilot shows 5 % (digital communication). */
export class VehicleDataLink {
  readonly pilot: VehiclePilot;
  readonly slac: SlacEv;
  readonly #log: Logger;
  readonly #o: VehicleDataLinkOptions;
  #slacRunning = false;
  #up = false;
  #closed = false;

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
      onFailed: (reason) => {
        this.#slacRunning = false;
        this.#trace(`SLAC failed: ${reason}`);
        options.onSlacFailed?.(reason);
        if (this.#closed) return;
        this.#up = false;
        options.onLinkDown?.(`slac-${reason}`);
      },
    });
    this.pilot = new VehiclePilot({
      input: options.pilot.input as unknown as IoSpec<PilotInputOptions, PilotInput>,
      s2: options.pilot.s2 as unknown as IoSpec<S2SwitchOptions, S2Switch>,
      onEvent: (event) => this.#pilotEvent(event),
      onError: (error) => this.#log.log("error", "pilot", `pilot hardware failed: ${error.message}`),
    });
  }

  get linkUp(): boolean {
    return this.#up;
  }

  #pilotEvent(event: VehiclePilotEvent): void {
    this.#o.onPilotEvent?.(event);
    if (this.#closed) return;
    if (event.type === "duty" && event.meaning.kind === "digital" && !this.#slacRunning) {
      // ISO 15118-3 §8.2: the EV starts SLAC on 5 % duty.
      this.#slacRunning = true;
      this.#trace(`pilot ${event.duty.toFixed(1)} % duty: digital communication; SLAC started`);
      this.slac.start();
      this.#o.onSlacStarted?.();
    } else if (event.type === "state" && event.state === "A" && this.#slacRunning) {
      this.#slacRunning = false;
      this.slac.stop();
      const wasUp = this.#up;
      this.#up = false;
      if (wasUp) this.#o.onLinkDown?.("unplugged");
    }
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
