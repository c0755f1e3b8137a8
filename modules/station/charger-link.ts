// The charger's way from plug-in to an IP link: the control pilot (IEC 61851-1) signals
// digital communication with 5 % PWM, SLAC (ISO 15118-3) runs as the EVSE, and a match brings
// the powerline's AVLN up, over which the IP side then runs. A charger's image carries this and
// not vehicle-link.ts (data-link.ts has both, for the hosts that run both roles).

import { silentLogger } from "../common/log";
import type { Logger } from "../common/log";
import { toHex } from "../common/bytes";
import { ChargerPilot } from "../cp-pwm/charger";
import type { ChargerPilotEvent } from "../cp-pwm/charger";
import type { IoSpec, PilotInput, PilotInputOptions, PilotOutput, PilotOutputOptions } from "../cp-pwm/io";
import { SlacEvse } from "../slac/evse";
import type { SlacMatchInfo } from "../slac/evse";
import type { HostSpec, LinkOptions } from "./link-options";

export interface ChargerDataLinkOptions extends LinkOptions {
  /** `{io: HostClass, ...its options}` for the pilot's ADC and generator. */
  pilot: { input: HostSpec<PilotInput>; output: HostSpec<PilotOutput> };
  /** The level of the pilot's wake-up pulse (ChargerPilot.wakeUp): "F" (default) or "E" (an output that can drive 0 V). */
  wakeUpLevel?: "E" | "F";
  /** AVLN up: the EV's MAC and the network; the IP side (SDP responder, V2G server) starts. */
  onLinkUp?(info: SlacMatchInfo): void;
  /** Every pilot event, before the link acts on it (a host traces or drives its own parts). */
  onPilotEvent?(event: ChargerPilotEvent): void;
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
