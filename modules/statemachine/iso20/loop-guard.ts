// A fault check around the -20 DC charge loop handler: when `fault` holds after the request was
// handled (its values noted), the answer becomes DC_ChargeLoopRes FAILED, the output is told to
// stop, and the session ends (-20 error handling: the EV opens its contactors on a FAILED code).
// Used by the ACDP (contact lost, ./acdp-secc.ts) and MCS (overvoltage, ./mcs.ts) sessions.

import type { SeccFacts } from "../charger-interfaces";
import { stop } from "../framework";
import type { HandlerResult } from "../framework";
import type { SeccContext } from "../secc/context";
import type { SeccHandler } from "../secc/types";

export function guardChargeLoop(handler: SeccHandler, fault: (ctx: SeccContext, facts: SeccFacts) => boolean): SeccHandler {
  // Const bindings for the closure (Moddable's preload wants what a frozen table's functions capture to be const).
  const inner = handler;
  const check = fault;
  return (req: any, ctx: SeccContext, facts: SeccFacts): HandlerResult => {
    const out = inner(req, ctx, facts);
    if (!check(ctx, facts)) return out;
    const body = out.body.DC_ChargeLoopRes as Record<string, unknown> | undefined;
    if (body !== undefined) body.ResponseCode = "FAILED";
    // Power stops with this answer (the signal); the session's end need not stop it again.
    ctx.charging = false;
    return stop(out.body, "failed-response", "stop-charging");
  };
}
