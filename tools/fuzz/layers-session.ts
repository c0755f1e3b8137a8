// Fuzzed layers from EXI up (portable): the EXI codec of every family, and the session state
// machines of both roles driven by well-formed but hostile message sequences. The sequences start
// from real sessions (../shared/vectors/real, one capture = one session): messages dropped,
// repeated, sent out of order, values pushed out of range, SessionIDs wrong — and every message
// passes EXI encode → decode first, so the state machine sees only what a decoder can produce.

import { ManualClock, Millis } from "../../modules/common/index";
import { ExiError, SCHEMA_IDS, createExiCodec, decode, decodeFragment, encode, encodeFragment, type SchemaId } from "../../modules/exi/index";
import { fromHex } from "../../modules/common/index";
import { SeccSession } from "../../modules/statemachine/index";
import type { ChargerFeedback, ControlEvent, SapProtocolId, SeccConfig, SeccRequestDoc } from "../../modules/statemachine/index";
import { EvccSession } from "../../modules/statemachine/evcc/index";
import type { EvccDoc, EvccSchema, EvccOutcome } from "../../modules/statemachine/evcc/index";
import { SimVehicle } from "../../simulation/vehicle/index";
import { every, loadOracle, loadReal } from "../../tests/support/exi-vectors";
import { hasShared } from "../../tests/support/shared";
import { DC_CONFIG, AC_CONFIG } from "../../tests/statemachine/secc/support";
import { DC20, AC20 } from "../../tests/statemachine/iso20/support";
import { mutateBytes, mutateValues, BYTE_MUTATORS } from "./mutators";
import { byteSource, int, pick, randomBytes, type Rnd } from "./random";
import type { Count, FuzzLayer } from "./runner";

const NO_SHARED = "needs ../shared (the EXI vectors and real messages)";

// ---- EXI ------------------------------------------------------------------------------------

interface ExiSeed {
  schema: SchemaId;
  fragment: boolean;
  bytes: Uint8Array;
}

/** The material of tests/exi/fuzz.test.ts: oracle vectors and real messages of every family. */
export function exiSeeds(small: boolean): ExiSeed[] {
  const out: ExiSeed[] = [];
  for (const [, list] of loadOracle()) for (const v of every(list, small ? 6 : 40)) out.push({ schema: v.schema, fragment: v.fragment, bytes: fromHex(v.hex)! });
  for (const [schema, rows] of loadReal()) for (const r of every(rows, small ? 6 : 60)) out.push({ schema, fragment: false, bytes: fromHex(r.hex)! });
  return out.filter((s) => s.bytes.length <= 6000);
}

export const EXI: FuzzLayer<ExiSeed[]> = {
  name: "exi",
  about: `EXI streams of every family (${BYTE_MUTATORS.map(([n]) => n).join(", ")}; 1 in 16 to a wrong schema or mode) into decode, a decoded result re-encoded`,
  prepare: (small) => (hasShared() ? exiSeeds(small) : NO_SHARED),
  run(seeds, rnd, count: Count) {
    const seed = pick(rnd, seeds);
    const bytes = mutateBytes(seed.bytes, rnd, pick(rnd, seeds).bytes);
    const wrong = int(rnd, 16) === 0;
    const schema = wrong ? pick(rnd, SCHEMA_IDS) : seed.schema;
    const fragment = wrong ? int(rnd, 2) === 0 : seed.fragment;
    let doc: object;
    try {
      doc = fragment ? decodeFragment(schema, bytes) : decode(schema, bytes);
    } catch (error) {
      if (!(error instanceof ExiError)) throw error;
      count(`ExiError ${error.reason}`);
      return bytes;
    }
    try {
      if (fragment) encodeFragment(schema, doc);
      else encode(schema, doc);
      count("decoded, re-encoded");
    } catch (error) {
      if (!(error instanceof ExiError)) throw error;
      count(`decoded, re-encode ExiError ${error.reason}`);
    }
    return bytes;
  },
};

// ---- message corpus -------------------------------------------------------------------------

interface Msg {
  schema: SchemaId;
  name: string;
  doc: Record<string, any>;
}

/** Decoded corpora, kept for the next layer that asks (decoding ~11,000 messages takes a while). */
const decodedCorpora = new Map<string, Msg[][]>();

/** The real messages of `schemas`, decoded, one list per capture in capture order. */
function realSessions(schemas: readonly SchemaId[], small: boolean): Msg[][] {
  const key = `${schemas.join()}${small ? " small" : ""}`;
  const cached = decodedCorpora.get(key);
  if (cached) return cached;
  const byCapture = new Map<string, Msg[]>();
  const real = loadReal();
  // Small (inside XS): whole sessions still, but of about a dozen captures, each cut at 40 messages.
  let kept: string[] | undefined;
  if (small) {
    const names: string[] = [];
    for (const schema of schemas) for (const r of real.get(schema) ?? []) if (names.indexOf(r.capture) < 0) names.push(r.capture);
    kept = every(names, 12);
  }
  for (const schema of schemas) {
    const rows = real.get(schema) ?? [];
    for (const r of rows) {
      if (kept !== undefined && (kept.indexOf(r.capture) < 0 || (byCapture.get(r.capture)?.length ?? 0) >= 40)) continue;
      let doc: Record<string, any>;
      try {
        doc = decode(schema, fromHex(r.hex)!) as Record<string, any>;
      } catch {
        continue; // the few real messages the schema refuses (see tests/exi/vectors.test.ts)
      }
      const list = byCapture.get(r.capture) ?? [];
      if (list.length === 0) byCapture.set(r.capture, list);
      list.push({ schema, name: messageName(doc), doc });
    }
  }
  const sessions = [...byCapture.values()];
  decodedCorpora.set(key, sessions);
  return sessions;
}

function messageName(doc: Record<string, any>): string {
  const root = Object.keys(doc)[0];
  return root === "V2G_Message" ? Object.keys(doc.V2G_Message.Body)[0] ?? "(empty Body)" : root;
}

function headerOf(doc: Record<string, any>): Record<string, any> | undefined {
  const root = Object.keys(doc)[0];
  return root === "V2G_Message" ? doc.V2G_Message.Header : doc[root]?.Header;
}

function withSessionId(doc: Record<string, any>, id: Uint8Array): Record<string, any> {
  const header = headerOf(doc);
  if (!header) return doc;
  const copy = { ...doc };
  const root = Object.keys(doc)[0];
  if (root === "V2G_Message") copy.V2G_Message = { ...doc.V2G_Message, Header: { ...header, SessionID: id } };
  else copy[root] = { ...doc[root], Header: { ...header, SessionID: id } };
  return copy;
}

function responseCode(doc: object | undefined): string {
  if (doc === undefined) return "no response";
  const d = doc as Record<string, any>;
  const root = Object.keys(d)[0];
  const content = root === "V2G_Message" ? d.V2G_Message.Body[Object.keys(d.V2G_Message.Body)[0]] : d[root];
  return `${messageName(d)} ${content?.ResponseCode ?? "?"}`;
}

function processing(doc: object): string | undefined {
  const d = doc as Record<string, any>;
  const root = Object.keys(d)[0];
  const content = root === "V2G_Message" ? d.V2G_Message.Body[Object.keys(d.V2G_Message.Body)[0]] : d[root];
  return content?.EVSEProcessing;
}

/**
 * The SessionID to put in the next message: mostly the one the session gave, else zero, random
 * bytes or the captured one. `label` says which, for the input's description.
 */
function chooseSessionId(rnd: Rnd, current: Uint8Array, captured: Uint8Array | undefined): { id: Uint8Array; label: string } {
  const roll = int(rnd, 100);
  if (roll < 96 || captured === undefined) return { id: current, label: "" };
  if (roll < 97) return { id: new Uint8Array(current.length), label: "[sid zero]" };
  if (roll < 99) return { id: randomBytes(rnd, current.length), label: "[sid other]" };
  return { id: captured, label: "[sid captured]" };
}

type Codec = ReturnType<typeof createExiCodec>;

/** Through EXI: the mutated message when it still fits the schema, else the original as decoded. */
function wellFormed(codec: Codec, msg: Msg, doc: Record<string, any>, original: Record<string, any>, count: Count): Record<string, any> {
  try {
    return codec.decode(msg.schema, codec.encode(msg.schema, doc)) as Record<string, any>;
  } catch (error) {
    if (!(error instanceof ExiError)) throw error;
    // The unmutated message came from the decoder (which lets a facet violation of a real
    // message through, see modules/exi/README.md): it goes in as decoded.
    count("(mutation refused by the schema)");
    return original;
  }
}

/** A perturbed copy of `session`: drops, repeats, inserts from `pool`, value changes. */
function perturbSequence(session: Msg[], pool: Msg[], rnd: Rnd, max: number): { msg: Msg; mutate: boolean }[] {
  const out: { msg: Msg; mutate: boolean }[] = [];
  const start = int(rnd, 5) === 0 ? int(rnd, session.length) : 0;
  for (let i = start; i < session.length && out.length < max; i++) {
    const roll = int(rnd, 20);
    if (roll === 0) continue;
    if (roll === 1) out.push({ msg: session[i], mutate: false });
    if (roll === 2) out.push({ msg: pick(rnd, pool), mutate: int(rnd, 2) === 0 });
    if (roll === 3) {
      const j = int(rnd, session.length); // out of order
      out.push({ msg: session[j], mutate: false });
    }
    out.push({ msg: session[i], mutate: roll >= 4 && roll < 8 });
  }
  return out;
}

// ---- SECC -----------------------------------------------------------------------------------

interface SeccMaterial {
  sessions: Msg[][];
  pool: Msg[];
  sap: Msg[];
  codec: Codec;
}

const UNIX = 1_761_474_994n;

/** Charger events at random moments (besides the cooperative answers), some of them extreme. */
const CONTROL_EVENTS: readonly ControlEvent[] = Object.freeze([
  { kind: "authorized", accepted: false },
  { kind: "cable-check-finished", isolation: "Fault" },
  { kind: "present-values", voltage: 1e6, current: -1 },
  { kind: "present-values", voltage: Number.NaN, current: 0 },
  { kind: "contactors-opened" },
  { kind: "meter", wh: -5 },
  { kind: "stop-charging" },
  { kind: "renegotiate" },
  { kind: "emergency-shutdown" },
  { kind: "cp-state", state: "A" },
  { kind: "cp-state", state: "B" },
  { kind: "cp-state", state: "C" },
  { kind: "cp-state", state: "F" },
  { kind: "dc-limits", limits: { maxCurrent: 0 } },
  { kind: "power-setpoint", watts: -1e9 },
  { kind: "evse-notification", notification: "Pause" },
]);

/**
 * A charger that does what the session asks a moment later (authorises, finishes the cable check
 * with a valid isolation, follows the pre-charge voltage, closes and opens its contactors), so
 * perturbed sessions get as deep as a real one; `rnd` now and then makes it refuse or forget.
 */
function cooperativeCharger(clock: ManualClock, rnd: Rnd, control: (event: ControlEvent) => void): ChargerFeedback {
  const later = (event: ControlEvent): void => {
    if (int(rnd, 20) > 0) clock.set(() => control(event), Millis(1 + int(rnd, 5)));
  };
  return {
    requestAuthorization: () => later({ kind: "authorized", accepted: true }),
    startCableCheck: () => later({ kind: "cable-check-finished", isolation: "Valid" }),
    preCharge: (voltage) => later({ kind: "present-values", voltage, current: 0 }),
    startCharging: () => later({ kind: "contactors-closed" }),
    stopCharging: () => later({ kind: "contactors-opened" }),
  };
}

function seccLayer(protocol: SapProtocolId, schemas: readonly SchemaId[], configs: readonly SeccConfig[]): FuzzLayer<SeccMaterial> {
  return {
    name: `secc-${protocol}`,
    about: `a fresh SeccSession (${protocol}, ManualClock, a charger that answers its requests) fed perturbed real ${protocol} request sequences: dropped, repeated, out of order, foreign requests, out-of-range values, wrong SessionIDs; charger events at random moments; timers run out`,
    prepare(small) {
      if (!hasShared()) return NO_SHARED;
      const isRequest = (m: Msg): boolean => m.name.endsWith("Req");
      const sessions = realSessions(schemas, small)
        .map((s) => s.filter(isRequest))
        .filter((s) => s.length > 0);
      const sap = (realSessions(["apphand"], small)[0] ?? []).filter(isRequest);
      const pool: Msg[] = [];
      for (const s of sessions) for (const m of s) pool.push(m);
      return { sessions, pool, sap, codec: createExiCodec() };
    },
    run(m, rnd, count: Count) {
      const clock = new ManualClock({ start: 1000 });
      let stopped: string | undefined;
      const viaSap = int(rnd, 4) === 0 && m.sap.length > 0;
      const session: SeccSession = new SeccSession({
        config: pick(rnd, configs),
        clock,
        feedback: cooperativeCharger(clock, rnd, (event) => session.control(event)),
        protocol: viaSap ? undefined : protocol,
        randomBytes: byteSource(rnd),
        unixTime: () => UNIX,
        onStop: (reason) => (stopped = reason),
      });
      const names: string[] = [];
      const sequence = perturbSequence(pick(rnd, m.sessions), m.pool, rnd, 30);
      if (viaSap) sequence.unshift({ msg: pick(rnd, m.sap), mutate: int(rnd, 3) === 0 });
      let current: Uint8Array = new Uint8Array(protocol === "din" ? 1 : 8);
      for (let k = 0; k < sequence.length && k < 60; k++) {
        const step = sequence[k];
        if (stopped !== undefined) break;
        const captured = headerOf(step.msg.doc)?.SessionID as Uint8Array | undefined;
        const sid = chooseSessionId(rnd, current, captured);
        const original = withSessionId(step.msg.doc, sid.id);
        const doc = wellFormed(m.codec, step.msg, step.mutate ? mutateValues(original, rnd) : original, original, count);
        names.push(`${step.msg.name}${step.mutate ? "*" : ""}${sid.label}`);
        const out = session.request(doc as SeccRequestDoc);
        count(responseCode(out.response));
        if (out.response !== undefined) {
          // What the SECC answers must itself be schema-valid (the connection encodes it).
          const schema = session.schemaOf(out.response);
          m.codec.encode(schema, out.response);
          const header = headerOf(out.response as Record<string, any>);
          if (header?.SessionID instanceof Uint8Array && step.msg.name === "SessionSetupReq") current = header.SessionID;
          // The real sessions are stored without their repeats: ask again while the charger
          // says Ongoing, as the EV did (the next request would be a sequence error).
          if (processing(out.response) === "Ongoing" && int(rnd, 10) > 0) sequence.splice(k + 1, 0, { msg: step.msg, mutate: false });
        }
        if (out.close) break;
        if (int(rnd, 30) === 0) session.control(pick(rnd, CONTROL_EVENTS));
        clock.advance(int(rnd, 30) === 0 ? int(rnd, 70000) : int(rnd, 100));
      }
      if (stopped === undefined && int(rnd, 4) === 0) clock.advance(70000);
      count(stopped === undefined ? `session running in ${session.state}` : `session stopped: ${stopped}`);
      session.dispose();
      return names.join(" ");
    },
  };
}

export const SECC_DIN = seccLayer("din", ["din"], [DC_CONFIG]);
export const SECC_ISO2 = seccLayer("iso2", ["iso2"], [DC_CONFIG, AC_CONFIG]);
/** -20 is offered in SAP only over TLS unless the configuration allows it plainly (the fuzzer has no TLS). */
const plain20 = (config: SeccConfig): SeccConfig => ({ ...config, iso20: { ...config.iso20, insecureWithoutTls: true } });
export const SECC_ISO20 = seccLayer("iso20", ["iso20-cm", "iso20-dc", "iso20-ac"], [plain20(DC20), plain20(AC20)]);

// ---- EVCC -----------------------------------------------------------------------------------

interface EvccMaterial {
  /** The responses of each real session (capture), and whether that charger was DC. */
  sessions: { responses: Msg[]; dc: boolean }[];
  responses: Map<string, Msg[]>;
  all: Msg[];
  codec: Codec;
}

const EVCC_SCHEMAS: Readonly<Record<"din" | "iso2" | "iso20", readonly SchemaId[]>> = Object.freeze({ din: ["din"], iso2: ["iso2"], iso20: ["iso20-cm", "iso20-dc", "iso20-ac"] });

function evccLayer(protocol: "din" | "iso2" | "iso20"): FuzzLayer<EvccMaterial> {
  return {
    name: `evcc-${protocol}`,
    about: `a fresh EvccSession (${protocol}, simulated vehicle, ManualClock) answered by one real ${protocol} charger's session (its responses in order), now and then another charger's or any response; out-of-range values, wrong SessionIDs, lost responses`,
    prepare(small) {
      if (!hasShared()) return NO_SHARED;
      const responses = new Map<string, Msg[]>();
      const all: Msg[] = [];
      const sessions: EvccMaterial["sessions"] = [];
      for (const s of realSessions(EVCC_SCHEMAS[protocol], small)) {
        const own = s.filter((msg) => msg.name.endsWith("Res"));
        if (own.length === 0) continue;
        sessions.push({ responses: own, dc: own.some((msg) => msg.name === "CurrentDemandRes" || msg.name === "CableCheckRes" || msg.name.indexOf("DC_") === 0) });
        for (const msg of own) {
          const list = responses.get(msg.name) ?? [];
          if (list.length === 0) responses.set(msg.name, list);
          list.push(msg);
          all.push(msg);
        }
      }
      if (protocol === "din") for (const s of sessions) s.dc = true; // DIN 70121 is DC only
      return { sessions, responses, all, codec: createExiCodec() };
    },
    run(m, rnd, count: Count) {
      const clock = new ManualClock({ start: 1000 });
      // One real charger's session answers (its responses in order, by name); now and then a
      // response of another charger, or any response at all.
      const script = pick(rnd, m.sessions);
      const dc = script.dc;
      const used = new Map<string, number>();
      const scripted = (name: string): Msg | undefined => {
        const own = script.responses.filter((msg) => msg.name === name);
        if (own.length === 0) return undefined;
        const k = used.get(name) ?? 0;
        used.set(name, k + 1);
        return own[Math.min(k, own.length - 1)];
      };
      const vehicle = new SimVehicle({ clock, battery: { capacityKWh: 10, soc: 70, maxCurrent: 125 }, targetSoc: 75, onBoardCharger: { phases: 3, maxCurrent: 16 } });
      let outcome: EvccOutcome | undefined;
      let current: Uint8Array | undefined;
      const names: string[] = [];
      let answers = 0;
      let session!: EvccSession;
      const answer = (request: EvccDoc): void => {
        if (answers++ >= 40 || int(rnd, 40) === 0) return; // a lost response: the EVCC's timers
        const name = messageName(request as Record<string, any>).replace(/Req$/, "Res");
        const roll = int(rnd, 20);
        const others = m.responses.get(name);
        const msg = (roll < 17 ? scripted(name) : undefined) ?? (roll < 19 && others ? pick(rnd, others) : pick(rnd, m.all));
        const captured = headerOf(msg.doc)?.SessionID as Uint8Array | undefined;
        const sid = current === undefined ? { id: captured ?? new Uint8Array(0), label: "" } : chooseSessionId(rnd, current, captured);
        const original = captured === undefined ? msg.doc : withSessionId(msg.doc, sid.id);
        const mutate = int(rnd, 8) === 0;
        const doc = wellFormed(m.codec, msg, mutate ? mutateValues(original, rnd) : original, original, count);
        if (msg.name === "SessionSetupRes" && current === undefined) current = headerOf(doc)?.SessionID;
        names.push(`${msg.name}${mutate ? "*" : ""}${sid.label}`);
        clock.set(() => session.handle({ type: "response", message: doc as EvccDoc }), Millis(int(rnd, 20) === 0 ? int(rnd, 70000) : 1 + int(rnd, 50)));
      };
      session = new EvccSession({
        config: {
          protocol: protocol as EvccSchema,
          energyTransferMode: dc ? "DC_extended" : "AC_three_phase_core",
          evccId: Uint8Array.of(0, 0x7d, 0xfa, 7, 0x5e, 0x4a),
          iso20: protocol === "iso20" ? { transfer: dc ? "dc" : "ac" } : undefined,
        },
        bms: vehicle,
        clock,
        unixTime: () => UNIX,
        callbacks: {
          send: answer,
          onStop: (o) => (outcome = o),
          setPilotState: (s) => vehicle.setPilotState(s),
          setContactors: (c) => vehicle.setContactors(c),
          onEvseValues: (v) => vehicle.onEvseValues(v),
        },
      });
      session.start();
      for (let k = 0; k < 200 && outcome === undefined; k++) clock.advance(int(rnd, 4) === 0 ? 5000 : 100);
      if (outcome === undefined) {
        session.stop();
        clock.advance(70000);
      }
      count(outcome === undefined ? "EVCC still running" : `EVCC stopped: ${outcome.reason}`);
      return names.join(" ");
    },
  };
}

export const EVCC_DIN = evccLayer("din");
export const EVCC_ISO2 = evccLayer("iso2");
export const EVCC_ISO20 = evccLayer("iso20");
