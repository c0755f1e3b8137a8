// What both roles' data links take from their host (charger-link.ts, vehicle-link.ts): types
// only, so that a role's image carries nothing of the other role's link.

import type { Clock } from "../common/clock";
import type { Logger } from "../common/log";
import type { LinkSpec } from "../slac/index";

/**
 * A host class and its options, checked where the board builds it (hosts/esp32/pilot.ts types
 * them exactly); here only the instance matters, so any constructor's options are accepted.
 */
export interface HostSpec<Instance> {
  io: new (options: never) => Instance;
  [option: string]: unknown;
}

export interface LinkOptions {
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
