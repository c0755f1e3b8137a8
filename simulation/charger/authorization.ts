// Simulated external identification (EIM): an RFID swipe or app approval after a delay, with an
// optional allow-list of EVCCIDs (MAC addresses as hex).

import { Millis, toHex } from "../../modules/common/index";
import type { Clock, TimerHandle } from "../../modules/common/index";
import type { Authorizer, ControlSink } from "../../modules/statemachine/index";

/** The requests kept for inspection: the latest ones only (a charger serving for months asks thousands of times). */
const KEPT_REQUESTS = 16;

export interface SimAuthorizerOptions {
  clock: Clock;
  /** Time until the customer has identified; default 2 s. */
  delay?: Millis;
  /** EVCCIDs (lower-case hex) that are accepted; absent = everyone. */
  allow?: readonly string[];
  /** Never answer (a customer who walks away): the SECC's Ongoing limit applies. */
  never?: boolean;
  onEvent?: ControlSink;
}

export class SimAuthorizer implements Authorizer {
  onEvent?: ControlSink;
  readonly #clock: Clock;
  readonly #delay: Millis;
  readonly #allow: readonly string[] | undefined;
  readonly #never: boolean;
  #timer: TimerHandle | undefined;
  /** The EVCCIDs asked for, in order: the latest 16. */
  readonly requests: string[] = [];

  constructor(options: SimAuthorizerOptions) {
    this.#clock = options.clock;
    this.#delay = options.delay ?? Millis(2000);
    this.#allow = options.allow;
    this.#never = options.never === true;
    this.onEvent = options.onEvent;
  }

  authorize(evccId: Uint8Array): void {
    const id = toHex(evccId);
    this.requests.push(id);
    if (this.requests.length > KEPT_REQUESTS) this.requests.shift();
    if (this.#never) return;
    this.#clock.clear(this.#timer);
    this.#timer = this.#clock.set(() => {
      this.#timer = undefined;
      this.onEvent?.({ kind: "authorized", accepted: this.#allow === undefined || this.#allow.indexOf(id) >= 0 });
    }, this.#delay);
  }

  cancel(): void {
    this.#clock.clear(this.#timer);
    this.#timer = undefined;
  }
}
