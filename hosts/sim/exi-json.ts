// JSON ⇄ EXI message objects for the command line (`xs15118 exi`).
//
// JSON cannot carry bytes or bigints, so: Uint8Array ⇄ lower-case hex string, bigint ⇄ decimal
// string (the same as `xs15118 pcap --json`). Going back needs the schema's types (is this
// string hex bytes or text? is this integer a bigint?), so fromJson walks the JSON alongside the
// generated grammar tables, read-only. Integers are accepted as JSON numbers or decimal strings
// wherever an integer is expected; bigint-typed ones become bigint, the others number.

import { ExiError, type SchemaId } from "../../modules/exi/index";
import { grammarOf } from "../../modules/exi/schemas";
import {
  DT_B64,
  DT_BOOL,
  DT_ENUM,
  DT_HEX,
  DT_INT,
  DT_NBIT,
  DT_STRING,
  DT_UINT,
  FRAG_RELAXED,
  NO_GRAMMAR,
  P_ARRAY,
  P_AT,
  P_KIND,
  P_SE,
  T_SIMPLE_ONLY,
  type Grammar,
} from "../../modules/exi/tables";
import { fromHex, hexProblem, toHex } from "../../modules/common/index";

type Obj = Record<string, unknown>;

/** A JSON-safe copy of a message object: Uint8Array → hex string, bigint → decimal string. */
export function toJson(value: unknown): unknown {
  if (value instanceof Uint8Array) return toHex(value);
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === "object" && value !== null) {
    const out: Obj = {};
    for (const k of Object.keys(value)) out[k] = toJson((value as Obj)[k]);
    return out;
  }
  return value;
}

interface TypeInfo {
  attrs: Map<string, number>; // local name → datatype
  elems: Map<string, { child: number; array: boolean }>; // local name → child (type or -1 - datatype)
}

/** Attributes and child elements of a complex type, by local name (from its grammar states). */
function typeInfo(g: Grammar, ti: number, cache: Map<number, TypeInfo>): TypeInfo {
  const known = cache.get(ti);
  if (known) return known;
  const first = g.tStart[ti];
  let end = g.stStart.length - 1;
  for (let t = 0; t < g.tStart.length; t++) if (g.tStart[t] > first && g.tStart[t] < end) end = g.tStart[t];
  const info: TypeInfo = { attrs: new Map(), elems: new Map() };
  for (let s = first; s < end; s++) {
    for (let p = g.stStart[s]; p < g.stStart[s + 1]; p++) {
      const kind = g.pKind[p] & P_KIND;
      const name = g.qLocal[g.pQ[p]];
      if (kind === P_AT) info.attrs.set(name, g.pChild[p]);
      else if (kind === P_SE && !info.elems.has(name)) info.elems.set(name, { child: g.pChild[p], array: (g.pKind[p] & P_ARRAY) !== 0 });
    }
  }
  cache.set(ti, info);
  return info;
}

function fail(path: string, message: string): never {
  throw new ExiError("exi-encode", `${path}: ${message}`);
}

function integer(v: unknown, path: string): bigint {
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  if (typeof v === "string" && /^\s*[+-]?[0-9]+\s*$/.test(v)) return BigInt(v.trim());
  if (typeof v === "bigint") return v;
  return fail(path, `expected an integer, got ${JSON.stringify(v)}`);
}

function simple(g: Grammar, dt: number, v: unknown, path: string): unknown {
  switch (g.dtKind[dt]) {
    case DT_HEX:
    case DT_B64: {
      const bytes = typeof v === "string" ? fromHex(v) : undefined;
      const why = typeof v === "string" ? `: ${hexProblem(v)}` : "";
      return bytes ?? fail(path, `expected bytes as a hex string, got ${JSON.stringify(v)}${why}`);
    }
    case DT_BOOL:
      if (typeof v === "boolean") return v;
      if (v === "true" || v === "false") return v === "true";
      return fail(path, `expected a boolean, got ${JSON.stringify(v)}`);
    case DT_NBIT:
      return Number(integer(v, path));
    case DT_UINT:
    case DT_INT: {
      const big = integer(v, path);
      if (g.dtA[dt] !== 0) return big; // an unbounded or 64-bit type: bigint in message objects
      if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < -BigInt(Number.MAX_SAFE_INTEGER)) return fail(path, `${big} is too large for this type`);
      return Number(big);
    }
    case DT_STRING:
    case DT_ENUM:
      if (typeof v === "string") return v;
      return fail(path, `expected a string, got ${JSON.stringify(v)}`);
  }
  return fail(path, "unknown datatype");
}

class Reviver {
  readonly cache = new Map<number, TypeInfo>();
  constructor(readonly g: Grammar) {}

  value(child: number, v: unknown, path: string): unknown {
    const g = this.g;
    if (child === FRAG_RELAXED) return this.relaxed(v, path);
    const object = typeof v === "object" && v !== null && !Array.isArray(v);
    // undeclared events (modules/exi/README.md): a simple element as an object, xsi:type, xsi:nil, $attrs
    const marks: Obj = {};
    if (object) {
      const type = (v as Obj).$type as { ns?: unknown; name?: unknown } | undefined;
      if (type !== undefined) {
        if (typeof type !== "object" || type === null || typeof type.ns !== "string" || typeof type.name !== "string") fail(`${path}/$type`, "expected { ns, name }");
        marks.$type = { ns: type.ns, name: type.name };
        const q = g.qByName.get(`${type.ns} ${type.name}`);
        const c = q === undefined ? undefined : g.typeByQ.get(q);
        if (c !== undefined && c !== NO_GRAMMAR) child = c;
      }
      if ((v as Obj).$nil !== undefined) marks.$nil = (v as Obj).$nil;
    }
    const simpleDt = child < 0 ? -1 - child : g.tSimple[child] - 1;
    if (object && (v as Obj).$attrs !== undefined) {
      const attrs = child >= 0 ? typeInfo(g, child, this.cache).attrs : undefined;
      const list = (v as Obj).$attrs;
      if (!Array.isArray(list)) fail(`${path}/$attrs`, "expected an array");
      marks.$attrs = (list as Obj[]).map((a, i) => {
        const dt = a.untyped ? undefined : attrs?.get(a.name as string);
        return { ...a, value: dt === undefined ? a.value : simple(g, dt, a.value, `${path}/$attrs[${i}]`) };
      });
    }
    if (child < 0 || g.tFlags[child] & T_SIMPLE_ONLY) {
      if (!object) return simple(g, simpleDt, v, path);
      const out: Obj = marks;
      for (const key of Object.keys(v as Obj)) {
        const x = (v as Obj)[key];
        if (key === "$value") out.$value = simple(g, simpleDt, x, `${path}/$value`);
        else if (key === "$content") out.$content = this.content(x, `${path}/$content`, () => undefined, simpleDt);
        else if (!(key in marks)) fail(`${path}/${key}`, "not allowed in a simple element");
      }
      return out;
    }
    if (!object) return fail(path, "expected an object");
    const info = typeInfo(g, child, this.cache);
    const out: Obj = marks;
    for (const key of Object.keys(v as Obj)) {
      const x = (v as Obj)[key];
      const at = `${path}/${key}`;
      if (key in marks) continue;
      if (key === "$value") {
        if (!g.tSimple[child]) fail(at, "this element has no text content");
        out.$value = simple(g, g.tSimple[child] - 1, x, at);
      } else if (key === "$content") {
        out.$content = this.content(x, at, (name) => info.elems.get(name)?.child, simpleDt);
      } else if (info.attrs.has(key)) {
        out[key] = simple(g, info.attrs.get(key)!, x, at);
      } else if (info.elems.has(key)) {
        const e = info.elems.get(key)!;
        if (e.array) {
          if (!Array.isArray(x)) fail(at, "expected an array (maxOccurs > 1)");
          out[key] = (x as unknown[]).map((item, i) => this.value(e.child, item, `${at}[${i}]`));
        } else out[key] = this.value(e.child, x, at);
      } else fail(at, "not an attribute or child element of this type");
    }
    return out;
  }

  /** `$content` items; `dt` types `{ $value }` items (the typed text of simple content), -1 when there is none. */
  content(items: unknown, path: string, lookup: (name: string) => number | undefined, dt: number): unknown[] {
    if (!Array.isArray(items)) return fail(path, "expected an array");
    return items.map((item, i) => {
      const at = `${path}[${i}]`;
      if (typeof item === "string") return item;
      if (typeof item !== "object" || item === null) return fail(at, "expected text or an element");
      if (dt >= 0 && "$value" in item) return { $value: simple(this.g, dt, (item as Obj).$value, `${at}/$value`) };
      if ("$wildcard" in item) {
        const wc = (item as { $wildcard: { ns?: unknown; name?: unknown; value?: unknown } }).$wildcard;
        if (typeof wc?.ns !== "string" || typeof wc.name !== "string") return fail(at, "a wildcard item needs ns and name");
        const q = this.g.qByName.get(`${wc.ns} ${wc.name}`);
        const c = q === undefined ? undefined : this.g.globalChild.get(q);
        // A declared global element is typed; an undeclared one stays an XmlElement tree.
        return { $wildcard: { ns: wc.ns, name: wc.name, value: c !== undefined ? this.value(c, wc.value, `${at}/${wc.name}`) : wc.value } };
      }
      const keys = Object.keys(item);
      if (keys.length !== 1) return fail(at, "an element item has exactly one property");
      const child = lookup(keys[0]);
      if (child === undefined) return fail(`${at}/${keys[0]}`, "not an element allowed here");
      return { [keys[0]]: this.value(child, (item as Obj)[keys[0]], `${at}/${keys[0]}`) };
    });
  }

  /** The relaxed element-fragment grammar (a qname with several declarations). */
  relaxed(v: unknown, path: string): unknown {
    const g = this.g;
    if (typeof v === "string") return v;
    if (typeof v !== "object" || v === null) return fail(path, "expected text or an object");
    const out: Obj = {};
    for (const key of Object.keys(v)) {
      const x = (v as Obj)[key];
      if (key === "$value") out.$value = x;
      else if (key === "$content") {
        out.$content = this.content(x, `${path}/$content`, (name) => {
          const i = g.fragByName.get(name);
          return i === undefined ? undefined : g.fragChild[i];
        }, -1);
      } else {
        let dt = -1;
        for (let j = 0; j < g.fragAttrQ.length; j++) if (g.qLocal[g.fragAttrQ[j]] === key && (dt < 0 || g.fragAttrPreferred[j])) dt = g.fragAttrDt[j];
        out[key] = dt >= 0 ? simple(g, dt, x, `${path}/${key}`) : x;
      }
    }
    return out;
  }
}

/** A message object from its JSON form (as `toJson` writes it), typed by the schema. */
export function fromJson(schema: SchemaId, json: unknown, fragment: boolean): object {
  const g = grammarOf(schema);
  if (!g) return fail("/", `unknown schema ${schema}`);
  if (typeof json !== "object" || json === null || Array.isArray(json)) return fail("/", "expected an object { <rootElement>: … }");
  const ns = (json as Obj).$ns;
  const names = Object.keys(json).filter((k) => k !== "$ns");
  if (names.length !== 1) return fail("/", "expected exactly one root element");
  const name = names[0];
  const reviver = new Reviver(g);
  let child: number | undefined;
  if (!fragment) {
    const i = g.docByName.get(name);
    if (i !== undefined) child = g.docChild[i];
  } else {
    let i = g.fragByName.get(name);
    if (i !== undefined && typeof ns === "string") {
      while (i < g.fragQ.length - 1 && g.qLocal[g.fragQ[i]] === name && g.uris[g.qUri[g.fragQ[i]]] !== ns) i++;
    }
    if (i !== undefined) child = g.fragChild[i];
  }
  if (child === undefined) return fail(`/${name}`, `not a ${fragment ? "fragment" : "document"} root of ${schema}`);
  const out: Obj = { [name]: reviver.value(child, (json as Obj)[name], `/${name}`) };
  if (typeof ns === "string") out.$ns = ns;
  return out;
}
