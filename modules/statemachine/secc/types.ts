// Type names of the SECC side of the framework.

import type { ControlEvent, SeccFacts } from "../charger-interfaces";
import { defineState } from "../framework";
import type { Handler, ProtocolTables, StateRecord, TimerId } from "../framework";
import type { SeccContext } from "./context";

export type SeccHandler<Req = any> = Handler<SeccContext, SeccFacts, Req>;
export type SeccState = StateRecord<SeccContext, SeccFacts, ControlEvent>;
export type SeccProtocol = ProtocolTables<SeccContext, SeccFacts, ControlEvent> & {
  readonly id: "din" | "iso2" | "iso20";
  /** The EXI schema id of the protocol's messages (-20: CommonMessages; its DC_/AC_ messages use iso20-dc/-ac). */
  readonly schema: "din" | "iso2" | "iso20-cm";
};

/** A frozen SECC state: `on`'s first key is the state's own request. */
export function seccState(spec: {
  id: string;
  on: Readonly<Record<string, SeccHandler>>;
  timeout?: TimerId;
  onControl?: (event: ControlEvent, session: SeccContext, facts: SeccFacts) => string | undefined;
}): SeccState {
  return defineState<SeccContext, SeccFacts, ControlEvent>(spec);
}
