// Schema-driven conversion between message objects and the neutral XML element tree
// (XML Schema canonical lexical forms: hexBinary upper case, base64 without line breaks,
// booleans true/false, decimal integers). Portable (it runs in the XS tests too), but only the
// CLI, the tools and the tests use it, so it lives here and not in modules/exi: the firmware
// does not carry it (issue 15 item 4, ~11.8 KB minified).

import { ExiError } from "../../modules/exi/error";
import { grammarOf, type SchemaId } from "../../modules/exi/schemas";
import { contentState, isPlainObject, nextState, prodOf, type WildcardItem } from "../../modules/exi/codec";
import { DT_B64, DT_BOOL, DT_ENUM, DT_HEX, DT_INT, DT_NBIT, DT_STRING, DT_UINT, FRAG_RELAXED, type Grammar, NO_GRAMMAR, P_AT, P_ARRAY, P_CH, P_CHMIXED, P_EE, P_KIND, P_SE, P_SEANY, T_ANY, T_MIXED, T_SIMPLE_ONLY } from "../../modules/exi/tables";
import type { XmlElement } from "../../modules/exi/xml-tree";

type Obj = Record<string, unknown>;

interface TypeInfo {
  attrs: Map<number, number>; // qname → datatype
  elems: Map<number, { child: number; array: boolean }>; // qname → child
}

/**
 * Type index → its attributes and child elements, filled as a conversion meets the types: one
 * cache per toTree/fromTree call (a module-level cache would be read-only once preloaded).
 */
type InfoCache = Map<number, TypeInfo>;

function typeInfo(g: Grammar, cache: InfoCache, ti: number): TypeInfo {
  let info = cache.get(ti);
  if (info) return info;
  const starts = g.tStartSorted;
  const first = g.tStart[ti];
  let end = g.stStart.length - 1;
  for (let i = 0; i < starts.length; i++) if (starts[i] > first) { end = starts[i]; break; }
  info = { attrs: new Map(), elems: new Map() };
  for (let s = first; s < end; s++) for (let p = g.stStart[s]; p < g.stStart[s + 1]; p++) {
    const k = g.pKind[p] & P_KIND;
    if (k === P_AT) info.attrs.set(g.pQ[p], g.pChild[p]);
    else if (k === P_SE) info.elems.set(g.pQ[p], { child: g.pChild[p], array: (g.pKind[p] & P_ARRAY) !== 0 });
  }
  cache.set(ti, info);
  return info;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function toBase64(b: Uint8Array): string {
  let out = "";
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i] << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    out += B64[n >> 18] + B64[(n >> 12) & 63] + (i + 1 < b.length ? B64[(n >> 6) & 63] : "=") + (i + 2 < b.length ? B64[n & 63] : "=");
  }
  return out;
}

function fromBase64(s: string): Uint8Array | undefined {
  const clean = s.replace(/[\s=]/g, "");
  const out = new Uint8Array(Math.floor((clean.length * 6) / 8));
  let acc = 0, bits = 0, k = 0;
  for (let i = 0; i < clean.length; i++) {
    const v = B64.indexOf(clean[i]);
    if (v < 0) return undefined;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[k++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

function toHexUpper(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += (b[i] < 16 ? "0" : "") + b[i].toString(16);
  return s.toUpperCase();
}

function fromHexText(s: string): Uint8Array | undefined {
  const t = s.trim();
  if (t.length % 2 || /[^0-9a-fA-F]/.test(t)) return undefined;
  const out = new Uint8Array(t.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(t.substr(i * 2, 2), 16);
  return out;
}

function lexical(g: Grammar, dt: number, v: unknown): string {
  switch (g.dtKind[dt]) {
    case DT_HEX:
      if (v instanceof Uint8Array) return toHexUpper(v);
      break;
    case DT_B64:
      if (v instanceof Uint8Array) return toBase64(v);
      break;
    case DT_BOOL:
      if (typeof v === "boolean") return v ? "true" : "false";
      break;
    case DT_NBIT:
    case DT_UINT:
    case DT_INT:
      if (typeof v === "number" || typeof v === "bigint") return String(v);
      break;
    default:
      if (typeof v === "string") return v;
  }
  throw new ExiError("exi-encode", `value ${String(v)} does not fit its type`);
}

function parseLexical(g: Grammar, dt: number, text: string): unknown {
  const bad = (): never => {
    throw new ExiError("exi-encode", `"${text}" is not a valid value`);
  };
  switch (g.dtKind[dt]) {
    case DT_STRING:
      return text;
    case DT_ENUM: {
      const a = g.dtA[dt], n = g.dtB[dt];
      for (let i = a; i < a + n; i++) if (g.enums[i] === text) return text;
      const t = text.trim();
      for (let i = a; i < a + n; i++) if (g.enums[i] === t) return t;
      return bad();
    }
    case DT_BOOL: {
      const t = text.trim();
      return t === "true" || t === "1" ? true : t === "false" || t === "0" ? false : bad();
    }
    case DT_HEX:
      return fromHexText(text) ?? bad();
    case DT_B64:
      return fromBase64(text) ?? bad();
    default: {
      const t = text.trim();
      if (!/^[+-]?[0-9]+$/.test(t)) return bad();
      const big = BigInt(t);
      const isBig = (g.dtKind[dt] === DT_UINT || g.dtKind[dt] === DT_INT) && g.dtA[dt] !== 0;
      return isBig ? big : Number(big);
    }
  }
}

// ---------------------------------------------------------------------------------------
// object → tree

function elementTree(g: Grammar, cache: InfoCache, child: number, v: unknown, q: number): XmlElement {
  const el: XmlElement = { ns: g.uris[g.qUri[q]], name: g.qLocal[q], attrs: [], children: [] };
  if (child < 0 && child !== FRAG_RELAXED && !isPlainObject(v)) {
    const text = lexical(g, -1 - child, v);
    if (text.length) el.children.push(text);
    return el;
  }
  if (child === FRAG_RELAXED) {
    if (typeof v === "string") {
      if (v.length) el.children.push(v);
      return el;
    }
    const obj = v as Obj;
    for (let i = 0; i < g.fragAttrQ.length; i++) {
      const aq = g.fragAttrQ[i], x = obj[g.qLocal[aq]];
      if (x === undefined || el.attrs.some((a) => a.name === g.qLocal[aq])) continue;
      const same = [];
      for (let j = 0; j < g.fragAttrQ.length; j++) if (g.qLocal[g.fragAttrQ[j]] === g.qLocal[aq]) same.push(j);
      const pick = same.find((j) => g.fragAttrPreferred[j]) ?? same[0];
      const pq = g.fragAttrQ[pick];
      el.attrs.push({ ns: g.uris[g.qUri[pq]], name: g.qLocal[pq], value: g.fragAttrDt[pick] >= 0 ? lexical(g, g.fragAttrDt[pick], x) : String(x) });
    }
    if (typeof obj.$value === "string" && obj.$value.length) el.children.push(obj.$value);
    if (Array.isArray(obj.$content)) contentTree(g, cache, el, obj.$content, (name) => {
      const i = g.fragByName.get(name);
      return i === undefined ? undefined : { q: g.fragQ[i], child: g.fragChild[i] };
    }, -1);
    return el;
  }
  let ti = child;
  if (isPlainObject(v)) {
    // undeclared productions (README "Undeclared events"): xsi:type, xsi:nil, `$attrs`
    const type = v.$type as { ns: string; name: string } | undefined;
    if (type !== undefined) {
      el.attrs.push({ ns: XSI, name: "type", value: `{${type.ns}}${type.name}` });
      const tq = g.qByName.get(`${type.ns} ${type.name}`);
      const tc = tq === undefined ? undefined : g.typeByQ.get(tq);
      if (tc !== undefined && tc !== NO_GRAMMAR) ti = tc;
    }
    if (v.$nil !== undefined) el.attrs.push({ ns: XSI, name: "nil", value: v.$nil ? "true" : "false" });
    if (Array.isArray(v.$attrs)) {
      const info = ti >= 0 ? typeInfo(g, cache, ti) : undefined;
      for (const a of v.$attrs as { ns: string; name: string; value: unknown; untyped?: boolean }[]) {
        const dt = a.untyped ? undefined : info?.attrs.get(g.qByName.get(`${a.ns} ${a.name}`) ?? -1);
        el.attrs.push({ ns: a.ns, name: a.name, value: dt === undefined ? String(a.value) : lexical(g, dt, a.value) });
      }
    }
    if (ti < 0 || g.tFlags[ti] & T_SIMPLE_ONLY) {
      const dt = ti < 0 ? -1 - ti : g.tSimple[ti] - 1;
      if (Array.isArray(v.$content)) contentTree(g, cache, el, v.$content, () => undefined, dt);
      else if (v.$value !== undefined) {
        const text = lexical(g, dt, v.$value);
        if (text.length) el.children.push(text);
      }
      return el;
    }
  } else if (ti < 0) {
    const text = lexical(g, -1 - ti, v);
    if (text.length) el.children.push(text);
    return el;
  }
  const flags = g.tFlags[ti];
  if (flags & T_SIMPLE_ONLY) {
    const text = lexical(g, g.tSimple[ti] - 1, v);
    if (text.length) el.children.push(text);
    return el;
  }
  if (typeof v !== "object" || v === null) throw new ExiError("exi-encode", `${g.qLocal[q]}: expected an object`);
  const obj = v as Obj;
  const info = typeInfo(g, cache, ti);
  const start = g.tOrderStart[ti], end = start + g.tOrderCount[ti];
  const content = obj.$content as unknown[] | undefined;
  for (let i = start; i < end; i++) {
    const e = g.order[i], cq = e >> 2, x = obj[g.qLocal[cq]];
    if (x === undefined) continue;
    if (e & 2) el.attrs.push({ ns: g.uris[g.qUri[cq]], name: g.qLocal[cq], value: lexical(g, info.attrs.get(cq)!, x) });
    else if (!content) {
      const c = info.elems.get(cq)!.child;
      if (e & 1 && Array.isArray(x)) for (const item of x) el.children.push(elementTree(g, cache, c, item, cq));
      else el.children.push(elementTree(g, cache, c, x, cq));
    }
  }
  if (content) contentTree(g, cache, el, content, (name) => {
    for (const [cq, c] of info.elems) if (g.qLocal[cq] === name) return { q: cq, child: c.child };
    return undefined;
  }, g.tSimple[ti] - 1);
  else if (g.tSimple[ti] && obj.$nil !== true) {
    const text = lexical(g, g.tSimple[ti] - 1, obj.$value);
    if (text.length) el.children.push(text);
  }
  return el;
}

/** `$content` items as children; `dt` types `{ $value }` items (the typed text of simple content), -1 when there is none. */
function contentTree(g: Grammar, cache: InfoCache, el: XmlElement, items: unknown[], lookup: (name: string) => { q: number; child: number } | undefined, dt: number): void {
  for (const item of items) {
    if (typeof item === "string") el.children.push(item);
    else if (dt >= 0 && typeof item === "object" && item !== null && "$value" in item) el.children.push(lexical(g, dt, (item as Obj).$value));
    else if (typeof item === "object" && item !== null && "$wildcard" in item) {
      const wc = (item as WildcardItem).$wildcard;
      const q = g.qByName.get(`${wc.ns} ${wc.name}`);
      const c = q === undefined ? undefined : g.globalChild.get(q);
      el.children.push(c !== undefined ? elementTree(g, cache, c, wc.value, q!) : (wc.value as XmlElement));
    } else if (typeof item === "object" && item !== null) {
      const name = Object.keys(item)[0];
      const t = lookup(name);
      if (!t) throw new ExiError("exi-encode", `${name} not allowed in ${el.name}`);
      el.children.push(elementTree(g, cache, t.child, (item as Obj)[name], t.q));
    }
  }
}

function toTree(g: Grammar, doc: object): XmlElement {
  const cache: InfoCache = new Map();
  const ns = (doc as Obj).$ns;
  const keys = Object.keys(doc).filter((k) => k !== "$ns");
  if (keys.length !== 1) throw new ExiError("exi-encode", "expected exactly one root element");
  const name = keys[0];
  let i = g.docByName.get(name);
  if (i !== undefined) return elementTree(g, cache, g.docChild[i], (doc as Obj)[name], g.docQ[i]);
  i = g.fragByName.get(name);
  if (i !== undefined && typeof ns === "string") while (i < g.fragQ.length - 1 && g.qLocal[g.fragQ[i]] === name && g.uris[g.qUri[g.fragQ[i]]] !== ns) i++;
  if (i !== undefined) return elementTree(g, cache, g.fragChild[i], (doc as Obj)[name], g.fragQ[i]);
  const v = (doc as Obj)[name] as XmlElement;
  if (typeof v === "object" && v !== null && typeof v.ns === "string" && Array.isArray(v.children)) return v; // undeclared root
  throw new ExiError("exi-encode", `${name} is not an element of this schema`);
}

// ---------------------------------------------------------------------------------------
// tree → object

function textOf(el: XmlElement): string {
  let s = "";
  for (const c of el.children) {
    if (typeof c === "string") s += c;
    else throw new ExiError("exi-encode", `${el.name}: element content where text was expected`);
  }
  return s;
}

const XSI = "http://www.w3.org/2001/XMLSchema-instance";
const XS_NS = "http://www.w3.org/2001/XMLSchema";

function elementValue(g: Grammar, cache: InfoCache, child: number, el: XmlElement): unknown {
  if (child === FRAG_RELAXED) {
    const hasElems = el.children.some((c) => typeof c !== "string");
    const attrs = el.attrs.filter((a) => a.ns !== XSI);
    if (!attrs.length && !hasElems) return textOf(el);
    const obj: Obj = {};
    for (const a of attrs) {
      const k = g.qByName.get(`${a.ns} ${a.name}`);
      let dt = -1;
      for (let i = 0; i < g.fragAttrQ.length; i++) if (g.fragAttrQ[i] === k) dt = g.fragAttrDt[i];
      obj[a.name] = dt >= 0 ? parseLexical(g, dt, a.value) : a.value;
    }
    if (!hasElems) {
      const t = textOf(el);
      if (t.length) obj.$value = t;
      return obj;
    }
    obj.$content = el.children.map((c) => {
      if (typeof c === "string") return c;
      const q = g.qByName.get(`${c.ns} ${c.name}`);
      const i = q === undefined ? undefined : g.fragByName.get(c.name);
      return i !== undefined ? { [c.name]: elementValue(g, cache, g.fragChild[i], c) } : wildcardValue(g, cache, c);
    });
    return obj;
  }
  let ti = child;
  const explicit: Obj = {};
  const attrs: typeof el.attrs = [];
  for (const a of el.attrs) {
    if (a.ns === XSI && a.name === "type") {
      // xsi:type (the tree keeps its value as {uri}local): the element follows the named type's grammar
      const close = a.value.indexOf("}");
      const t = { ns: a.value.slice(1, close), name: a.value.slice(close + 1) };
      explicit.$type = t;
      const tq = g.qByName.get(`${t.ns} ${t.name}`);
      const tc = tq === undefined ? undefined : g.typeByQ.get(tq);
      if (tc === NO_GRAMMAR || (tc === undefined && t.ns === XS_NS)) throw new ExiError("exi-encode", `xsi:type ${t.name}: no grammar for this type`);
      if (tc !== undefined) ti = tc;
    } else if (a.ns === XSI && a.name === "nil") {
      const t = a.value.trim();
      explicit.$nil = t === "true" || t === "1" ? true : t === "false" || t === "0" ? false : fail(`xsi:nil "${a.value}"`);
    } else attrs.push(a);
  }
  const nil = explicit.$nil === true;
  if (ti < 0 || g.tFlags[ti] & T_SIMPLE_ONLY) {
    const dt = ti < 0 ? -1 - ti : g.tSimple[ti] - 1;
    const hasElems = el.children.some((c) => typeof c !== "string");
    const text = hasElems ? "" : textOf(el);
    const value = hasElems || (nil && !text) ? undefined : tryLexical(g, dt, text);
    if (value !== undefined && !attrs.length && explicit.$type === undefined && explicit.$nil === undefined) return value;
    // the explicit form: an object (README "Undeclared events")
    if (attrs.length) explicit.$attrs = sortAttrs(attrs).map((a) => ({ ns: a.ns, name: a.name, value: a.value })); // AT(*)
    if (value !== undefined) explicit.$value = value;
    else if (hasElems || text || !nil) explicit.$content = el.children.map((c) => (typeof c === "string" ? c : wildcardValue(g, cache, c)));
    return explicit;
  }
  const flags = g.tFlags[ti];
  const info = typeInfo(g, cache, ti);
  const obj: Obj = explicit;
  // attributes: properties, or (when one is undeclared or its value does not fit its type) all of them in EXI order in `$attrs`
  const typed = attrs.map((a) => {
    const dt = info.attrs.get(g.qByName.get(`${a.ns} ${a.name}`) ?? -1);
    return dt === undefined ? undefined : tryLexical(g, dt, a.value);
  });
  if (typed.every((v) => v !== undefined)) attrs.forEach((a, k) => (obj[a.name] = typed[k]));
  else obj.$attrs = sortAttrs(attrs).map((a) => {
    const v = typed[attrs.indexOf(a)];
    if (v !== undefined) return { ns: a.ns, name: a.name, value: v };
    return info.attrs.has(g.qByName.get(`${a.ns} ${a.name}`) ?? -1) ? { ns: a.ns, name: a.name, value: a.value, untyped: true } : { ns: a.ns, name: a.name, value: a.value };
  });
  // children: walk the grammar (EXI 1.0 §8.5.4) to see which events a conforming encoder writes;
  // whatever the first level does not offer goes through the second level (SE(*), CH[untyped],
  // EE), and then the element's content is kept in order in `$content`
  const sv = g.tSimple[ti];
  const content: unknown[] = [];
  let sc = contentState(g, ti), undeclared = false, irregular = false, lastOrder = -1, text = "", texts = 0, at = -1;
  for (const c of el.children) {
    const s = sc & 0xfffff;
    if (typeof c === "string") {
      if (sv && !nil) {
        text += c;
        texts++;
        at = content.length;
        content.push(c);
      } else if (!nil && prodOf(g, s, P_CHMIXED) >= 0) {
        content.push(c);
        irregular = true;
        sc = nextState(g, prodOf(g, s, P_CHMIXED), sc, -1);
      } else if (c.trim().length) {
        content.push(c);
        undeclared = true;
      }
      continue;
    }
    const q = g.qByName.get(`${c.ns} ${c.name}`);
    let p = -1;
    if (q !== undefined && !nil) for (let k = g.stStart[s]; k < g.stStart[s + 1]; k++) if ((g.pKind[k] & P_KIND) === P_SE && g.pQ[k] === q) p = k;
    if (p < 0) {
      const wildcard = nil ? -1 : prodOf(g, s, P_SEANY);
      content.push(wildcardValue(g, cache, c));
      if (wildcard >= 0) {
        sc = nextState(g, wildcard, sc, -1);
        irregular = true;
      } else undeclared = true;
      continue;
    }
    const v = elementValue(g, cache, g.pChild[p], c);
    sc = nextState(g, p, sc, -1);
    if (g.pKind[p] & P_ARRAY) {
      const a = obj[c.name] as unknown[] | undefined;
      if (a) a.push(v);
      else obj[c.name] = [v];
    } else obj[c.name] = v;
    content.push({ [c.name]: v });
    let o = g.tOrderStart[ti] + g.tOrderCount[ti];
    for (let i = g.tOrderStart[ti]; i < o; i++) if (g.order[i] >> 2 === q) { o = i; break; }
    if (o < lastOrder) irregular = true;
    lastOrder = o;
  }
  if (sv && !nil) {
    // the text is the typed value when it fits (one piece; no text next to undeclared elements means no CH at all)
    const value = texts <= 1 && (texts === 1 || !undeclared) ? tryLexical(g, sv - 1, text) : undefined;
    if (!undeclared && value !== undefined) obj.$value = value;
    else {
      if (value !== undefined && at >= 0) content[at] = { $value: value };
      undeclared = true;
    }
  } else if (!nil && prodOf(g, sc & 0xfffff, P_EE) < 0) undeclared = true; // ends early: EE through the second level
  if (undeclared || (irregular && flags & (T_MIXED | T_ANY))) {
    for (const item of content) if (typeof item === "object" && item !== null && !("$wildcard" in item)) delete obj[Object.keys(item)[0]];
    obj.$content = content;
  }
  return obj;
}

function fail(what: string): never {
  throw new ExiError("exi-encode", `${what} is not a valid value`);
}

/** The typed value of `text`, or undefined when it does not fit the datatype (then it is untyped text). */
function tryLexical(g: Grammar, dt: number, text: string): unknown {
  try {
    return parseLexical(g, dt, text);
  } catch (e) {
    if (e instanceof ExiError) return undefined;
    throw e;
  }
}

/** Attributes in EXI order (§8.5.4.3: local name, then uri), as a conforming encoder writes them. */
function sortAttrs(attrs: XmlElement["attrs"]): XmlElement["attrs"] {
  return attrs.slice().sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0));
}

function wildcardValue(g: Grammar, cache: InfoCache, el: XmlElement): WildcardItem {
  const q = g.qByName.get(`${el.ns} ${el.name}`);
  const c = q === undefined ? undefined : g.globalChild.get(q);
  return { $wildcard: { ns: el.ns, name: el.name, value: c !== undefined ? elementValue(g, cache, c, el) : el } };
}

function fromTree(g: Grammar, tree: XmlElement, fragment: boolean): object {
  const cache: InfoCache = new Map();
  const q = g.qByName.get(`${tree.ns} ${tree.name}`);
  if (q !== undefined) {
    if (fragment) {
      for (let i = 0; i < g.fragQ.length; i++) if (g.fragQ[i] === q) {
        const out: Obj = { [tree.name]: elementValue(g, cache, g.fragChild[i], tree) };
        if (g.fragByName.get(tree.name) !== i || (i + 1 < g.fragQ.length && g.qLocal[g.fragQ[i + 1]] === tree.name)) out.$ns = tree.ns;
        return out;
      }
    } else {
      for (let i = 0; i < g.docQ.length; i++) if (g.docQ[i] === q) return { [tree.name]: elementValue(g, cache, g.docChild[i], tree) };
    }
  }
  // an undeclared root element (SE(*) in the document or fragment grammar): kept as the tree
  return { [tree.name]: tree };
}

function grammar(schema: SchemaId) {
  const g = grammarOf(schema);
  if (!g) throw new ExiError("exi-encode", `unknown schema ${String(schema)}`);
  return g;
}

/** Message object → neutral XML tree (for printing the standard's XML; ./xml.ts for text). */
export function toXmlTree(schema: SchemaId, doc: object): XmlElement {
  return toTree(grammar(schema), doc);
}

/** Neutral XML tree (the standard's XML) → message object, using the schema's types. */
export function fromXmlTree(schema: SchemaId, tree: XmlElement, options?: { fragment?: boolean }): object {
  return fromTree(grammar(schema), tree, options?.fragment ?? false);
}
