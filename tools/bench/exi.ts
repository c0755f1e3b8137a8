// EXI workloads: decode and encode of every message in ../shared/vectors/bench_set.tsv (the same
// messages as docs/reference-figures.md, so the figures compare side by side), and the charger's
// CurrentDemand codec work (decode the request + encode the response) for DIN and ISO-2.
// The per-message figures use one reusable ExiCodec (what a connection keeps: its steady state);
// the `one-shot` rows use the top-level decode()/encode(), which build a decoder/encoder per call.
import { createExiCodec, decode, encode, type ExiCodec, type SchemaId } from "../../modules/exi/index";
import { fromHex } from "../../modules/common/index";
import { hasShared, readSharedTsv } from "../../tests/support/shared";
import type { SizeFigure, Workload } from "./workload";

const SKIP = "needs ../shared/vectors/bench_set.tsv";

function benchMessage(name: string): { schema: SchemaId; bytes: Uint8Array } | undefined {
  if (!hasShared()) return undefined;
  const row = readSharedTsv("vectors/bench_set.tsv").find((r) => r[0] === name);
  return row ? { schema: row[1] as SchemaId, bytes: fromHex(row[2])! } : undefined;
}

/** The bench set's message names, in the file's order (fixed here so that the table is stable without ../shared). */
const BENCH_SET = [
  "apphand_supportedAppProtocolReq",
  "din_CurrentDemandReq",
  "din_CurrentDemandRes",
  "iso2_CurrentDemandReq",
  "iso2_CurrentDemandRes",
  "iso2_ChargeParameterDiscoveryRes_DC",
  "iso2_ChargeParameterDiscoveryRes_SalesTariff",
  "iso2_PaymentDetailsReq_certchain",
  "iso2_CertificateInstallationRes",
  "iso20_DC_ChargeLoopReq",
  "iso20_DC_ChargeLoopRes",
  "iso20_ScheduleExchangeRes",
];

function decodeWorkload(name: string): Workload<{ codec: ExiCodec; schema: SchemaId; bytes: Uint8Array }> {
  return {
    name: `exi.${name}.decode`,
    group: "exi",
    setup: () => {
      const m = benchMessage(name);
      if (!m) return undefined;
      const codec = createExiCodec();
      codec.decode(m.schema, m.bytes); // the codec's frames exist before the timing, as on a connection
      return { codec, ...m };
    },
    run: (s) => s.codec.decode(s.schema, s.bytes),
    skipReason: SKIP,
  };
}

function encodeWorkload(name: string): Workload<{ codec: ExiCodec; schema: SchemaId; doc: object }> {
  return {
    name: `exi.${name}.encode`,
    group: "exi",
    setup: () => {
      const m = benchMessage(name);
      if (!m) return undefined;
      const codec = createExiCodec();
      const doc = codec.decode(m.schema, m.bytes);
      codec.encode(m.schema, doc);
      return { codec, schema: m.schema, doc };
    },
    run: (s) => s.codec.encode(s.schema, s.doc),
    skipReason: SKIP,
  };
}

/** What the charger's codec does per CurrentDemand cycle: decode the Req, encode the Res. */
function currentDemandCycle(protocol: "din" | "iso2"): Workload<{ codec: ExiCodec; req: Uint8Array; res: object }> {
  return {
    name: `exi.${protocol}.CurrentDemandReq.decode+CurrentDemandRes.encode`,
    group: "exi",
    setup: () => {
      const req = benchMessage(`${protocol}_CurrentDemandReq`);
      const res = benchMessage(`${protocol}_CurrentDemandRes`);
      if (!req || !res) return undefined;
      const codec = createExiCodec();
      const doc = codec.decode(protocol, res.bytes);
      codec.encode(protocol, doc);
      return { codec, req: req.bytes, res: doc };
    },
    run: (s) => {
      s.codec.decode(protocol, s.req);
      return s.codec.encode(protocol, s.res);
    },
    skipReason: SKIP,
  };
}

/** The same cycle through the one-shot functions: the difference is the per-call decoder/encoder. */
function currentDemandCycleOneShot(protocol: "din" | "iso2"): Workload<{ req: Uint8Array; res: object }> {
  return {
    name: `exi.${protocol}.CurrentDemandReq.decode+CurrentDemandRes.encode.one-shot`,
    group: "exi",
    setup: () => {
      const req = benchMessage(`${protocol}_CurrentDemandReq`);
      const res = benchMessage(`${protocol}_CurrentDemandRes`);
      return req && res && { req: req.bytes, res: decode(protocol, res.bytes) };
    },
    run: (s) => {
      decode(protocol, s.req);
      return encode(protocol, s.res);
    },
    skipReason: SKIP,
  };
}

export const exiWorkloads: Workload<any>[] = [
  ...BENCH_SET.flatMap((name) => [decodeWorkload(name), encodeWorkload(name)]),
  currentDemandCycle("din"),
  currentDemandCycle("iso2"),
  currentDemandCycleOneShot("din"),
  currentDemandCycleOneShot("iso2"),
];

/** Families as generated (folder names under modules/exi/generated). */
const FAMILIES = ["apphand", "din", "iso2", "iso20_cm", "iso20_dc", "iso20_ac", "iso20_wpt", "iso20_acdp", "xmldsig"];

/**
 * Size figures: the generated grammar data per family, the codec code without any grammar,
 * the XML-tree mapping, the XML text parser/serializer, and the whole modules/exi entry.
 * `minified` is passed in (tools/xs/bundle.ts minifiedSize) so this file stays portable.
 */
export function exiSizeFigures(minified: (entry: string) => Promise<number>): (() => Promise<SizeFigure>)[] {
  return [
    // a family alone includes the shared strings it imports (generated/shared/strings.ts), so these rows add up to more than the next one
    ...FAMILIES.map((f) => async () => ({ name: `exi grammar data: ${f}`, bytes: await minified(`modules/exi/generated/${f}/grammar.ts`) })),
    async () => ({ name: "exi grammar data: all families + unpacker (schemas.ts)", bytes: await minified("modules/exi/schemas.ts") }),
    async () => ({ name: "exi codec code, no grammar (codec.ts)", bytes: await minified("modules/exi/codec.ts") }),
    // it imports the grammars (schemas.ts): the difference is the mapping and the codec helpers it uses
    async () => ({ name: "exi object⇄XML tree (tools/exi-xml/convert.ts, not in modules/exi)", bytes: (await minified("tools/exi-xml/convert.ts")) - (await minified("modules/exi/schemas.ts")) }),
    async () => ({ name: "exi XML text (tools/exi-xml/xml.ts, not in modules/exi)", bytes: await minified("tools/exi-xml/xml.ts") }),
    async () => ({ name: "modules/exi (all families)", bytes: await minified("modules/exi/index.ts") }),
  ];
}
