// ISO 15118-2 SECC: SessionSetupReq → SessionSetupRes (new session, or a paused one resumed).

import { reply } from "../framework";
import type { HandlerResult } from "../framework";
import type { SessionSetupReq } from "../msg-types";
import type { SeccFacts } from "../charger-interfaces";
import type { SeccContext } from "../secc/context";
import { setupSession } from "../secc/session-setup";
import { seccState } from "../secc/types";

export function handle(req: SessionSetupReq, ctx: SeccContext, facts: SeccFacts): HandlerResult {
  const code = setupSession(req, ctx, facts);
  const res: Record<string, unknown> = { ResponseCode: code, EVSEID: facts.config.evseId };
  if (facts.unixTime !== undefined) res.EVSETimeStamp = facts.unixTime;
  return reply({ SessionSetupRes: res }, "ServiceDiscovery");
}

export const state = seccState({ id: "SessionSetup", on: { SessionSetupReq: handle }, timeout: "communication-setup" });
