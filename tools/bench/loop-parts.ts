// The charging-loop cycles split into their parts, for profiling (issue 15): per cycle, the XS
// meter of decoding the request, the session's step, encoding the response, and the whole
// cycle, each run on its own on the workload's steady state (tools/bench/secc.ts, iso20.ts).
// Portable: bundled into XS by tools/bench/loop-profile.ts, run on Node as well.
import type { ExiCodec, SchemaId } from "../../modules/exi/index";
import type { SeccSession } from "../../modules/statemachine/index";
import { seccWorkloads } from "./secc";
import { iso20Workloads } from "./iso20";

/** The five loop cycles of issue 15: their decode+handle+encode workload names. */
export const LOOP_CYCLES: readonly { name: string; workload: string; schema: SchemaId }[] = [
  { name: "DIN CurrentDemand", workload: "secc.din.CurrentDemand.decode+handle+encode", schema: "din" },
  { name: "ISO-2 CurrentDemand", workload: "secc.iso2.CurrentDemand.decode+handle+encode", schema: "iso2" },
  { name: "ISO-2 ChargingStatus (AC)", workload: "secc.iso2.ChargingStatus.decode+handle+encode", schema: "iso2" },
  { name: "-20 DC_ChargeLoop", workload: "secc.iso20.DC_ChargeLoop.decode+handle+encode", schema: "iso20-dc" },
  { name: "-20 AC_ChargeLoop", workload: "secc.iso20.AC_ChargeLoop.decode+handle+encode", schema: "iso20-ac" },
];

export type LoopPart = "decode" | "step" | "encode" | "cycle";
export const LOOP_PARTS: readonly LoopPart[] = ["decode", "step", "encode", "cycle"];

interface CycleState {
  session: SeccSession;
  codec: ExiCodec;
  bytes: Uint8Array;
  request: object;
  response: object;
}

/** The part `part` of cycle `index`, ready to run repeatedly (its setup done, one warm-up run). */
export function loopPart(index: number, part: LoopPart): () => unknown {
  const c = LOOP_CYCLES[index];
  const w = [...seccWorkloads, ...iso20Workloads].find((x) => x.name === c.workload)!;
  const s = w.setup() as Omit<CycleState, "request" | "response">;
  const request = s.codec.decode(c.schema, s.bytes);
  const response = (s.session.request(request as never) as { response: object }).response;
  const st: CycleState = { ...s, request, response };
  const schema = c.schema;
  switch (part) {
    case "decode":
      return () => st.codec.decode(schema, st.bytes);
    case "step":
      return () => st.session.request(st.request as never);
    case "encode":
      return () => st.codec.encode(schema, st.response);
    case "cycle":
      return () => w.run(s);
  }
}
