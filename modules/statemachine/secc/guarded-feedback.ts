// The session's exception boundary toward the charger: each ChargerFeedback callback runs in
// try/catch, so a faulty power stage, meter or backend callback ends that one session in order
// (logged, FAILED to the EV, connection closed) instead of unwinding through the socket's
// callback into the host's event loop and taking every charging point of the process with it.

import type { ChargerFeedback } from "../charger-interfaces";

type Callback = (a?: unknown, b?: unknown, c?: unknown) => unknown;

/**
 * `feedback` with every callback caught: a throw is handed to `onThrow` with the callback's
 * name and the call returns. Wrapped once per session (no allocation per message).
 */
export function guardFeedback(feedback: ChargerFeedback, onThrow: (callback: string, error: unknown) => void): ChargerFeedback {
  const guarded: Record<string, Callback> = {};
  const source = feedback as Record<string, unknown>;
  // own callbacks, and a class's methods (ChargingPoint's per-connection gate is a class so that
  // its methods are not closures per connection)
  const names = Object.keys(source);
  for (let p = Object.getPrototypeOf(feedback) as object | null; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    for (const name of Object.getOwnPropertyNames(p)) if (name !== "constructor" && names.indexOf(name) < 0) names.push(name);
  }
  for (const name of names) {
    const callback = source[name];
    if (typeof callback !== "function") continue;
    // ChargerFeedback callbacks take at most two arguments.
    guarded[name] = (a, b, c) => {
      try {
        return (callback as Callback).call(feedback, a, b, c);
      } catch (error) {
        onThrow(name, error);
        return undefined;
      }
    };
  }
  return guarded as ChargerFeedback;
}
