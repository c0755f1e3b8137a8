// XSD → schema model (only what the ISO 15118 / DIN / xmldsig schemas use).

import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parseXml, resolveQName, type XNode } from "./xml";

export const XS = "http://www.w3.org/2001/XMLSchema";

export interface QN { ns: string; local: string }
export const qkey = (q: QN) => `${q.ns}|${q.local}`;

export interface Facets {
  min?: bigint; // inclusive
  max?: bigint; // inclusive
  enumeration?: string[];
  /** length/minLength/maxLength: code points of a string, octets of hexBinary/base64Binary (XSD 1.0 Part 2 §4.3.1–4.3.3). */
  minLength?: number;
  maxLength?: number;
}

/** Applies a restriction's facets to a copy of the base type's (a restriction only narrows them). */
function restrictFacets(base: Facets, restriction: XNode): Facets {
  const facets: Facets = { ...base };
  const enums: string[] = [];
  for (const f of restriction.children) {
    const v = f.attrs.get("value");
    if (v === undefined) continue;
    switch (f.local) {
      case "minInclusive": facets.min = BigInt(v); break;
      case "maxInclusive": facets.max = BigInt(v); break;
      case "minExclusive": facets.min = BigInt(v) + 1n; break;
      case "maxExclusive": facets.max = BigInt(v) - 1n; break;
      case "enumeration": enums.push(v); break;
      case "length": facets.minLength = facets.maxLength = Number(v); break;
      case "minLength": facets.minLength = Number(v); break;
      case "maxLength": facets.maxLength = Number(v); break;
      case "pattern": throw new Error("pattern facets are not supported (none in the ISO 15118 / DIN schemas)");
      default: break; // whiteSpace, totalDigits, fractionDigits: not used by these schemas' integer and string types
    }
  }
  facets.enumeration = enums.length ? enums : base.enumeration?.slice();
  if (!facets.enumeration) delete facets.enumeration;
  return facets;
}

export interface SimpleType {
  kind: "simple";
  name?: QN;
  builtin: string; // the XML Schema built-in primitive/derived ancestor local name (e.g. "unsignedShort")
  facets: Facets;
}

export interface AttrUse { qn: QN; type: SimpleType; required: boolean }

export type Particle =
  | { kind: "element"; decl: () => ElementDecl; min: number; max: number }
  | { kind: "any"; min: number; max: number; namespace: string }
  | { kind: "sequence" | "choice"; items: Particle[]; min: number; max: number };

export interface ComplexType {
  kind: "complex";
  name?: QN;
  anonName?: string;
  abstract: boolean;
  mixed: boolean;
  attrs: AttrUse[];
  content: Particle | null; // element content
  simple: SimpleType | null; // simple content
}

export type Type = SimpleType | ComplexType;

export interface ElementDecl {
  qn: QN;
  type: Type;
  abstract: boolean;
  global: boolean;
  substitutionGroup?: QN;
}

const UNBOUNDED = Number.POSITIVE_INFINITY;

const BUILTIN_BOUNDS: Record<string, [bigint | undefined, bigint | undefined]> = {
  integer: [undefined, undefined],
  nonNegativeInteger: [0n, undefined],
  positiveInteger: [1n, undefined],
  nonPositiveInteger: [undefined, 0n],
  negativeInteger: [undefined, -1n],
  long: [-(2n ** 63n), 2n ** 63n - 1n],
  int: [-(2n ** 31n), 2n ** 31n - 1n],
  short: [-32768n, 32767n],
  byte: [-128n, 127n],
  unsignedLong: [0n, 2n ** 64n - 1n],
  unsignedInt: [0n, 2n ** 32n - 1n],
  unsignedShort: [0n, 65535n],
  unsignedByte: [0n, 255n],
};
export const INTEGER_BUILTINS = new Set(Object.keys(BUILTIN_BOUNDS));
const STRING_BUILTINS = new Set(["string", "anyURI", "ID", "IDREF", "NCName", "token", "normalizedString", "Name", "language", "NMTOKEN"]);

export class SchemaSet {
  files: string[] = [];
  globalsElements = new Map<string, XNode>();
  globalTypes = new Map<string, XNode>();
  globalAttrs = new Map<string, XNode>();
  targetNs = new Map<XNode, string>(); // schema root → tns
  schemaOf = new Map<XNode, XNode>();
  elementFormQualified = new Map<XNode, boolean>();
  attrFormQualified = new Map<XNode, boolean>();
  private elemCache = new Map<string, ElementDecl>();
  private typeCache = new Map<string, Type>();
  allElements: ElementDecl[] = []; // every declaration (global and local) in discovery order
  complexTypes: ComplexType[] = [];
  namespaces = new Set<string>();
  localNames = new Map<string, Set<string>>(); // ns → local names of elements, attributes, types

  constructor(entry: string) {
    this.load(path.resolve(entry));
  }

  private load(file: string): void {
    if (this.files.indexOf(file) >= 0) return;
    this.files.push(file);
    const root = parseXml(readFileSync(file, "utf8"));
    const tns = root.attrs.get("targetNamespace") ?? "";
    this.namespaces.add(tns);
    this.targetNs.set(root, tns);
    this.elementFormQualified.set(root, root.attrs.get("elementFormDefault") === "qualified");
    this.attrFormQualified.set(root, root.attrs.get("attributeFormDefault") === "qualified");
    const mark = (n: XNode) => { this.schemaOf.set(n, root); n.children.forEach(mark); };
    mark(root);
    for (const c of root.children) {
      const name = c.attrs.get("name");
      if (c.local === "import") {
        const loc = c.attrs.get("schemaLocation");
        if (loc) this.load(path.resolve(path.dirname(file), loc));
      } else if (c.local === "element" && name) {
        this.globalsElements.set(`${tns}|${name}`, c);
        this.addName(tns, name);
      } else if ((c.local === "complexType" || c.local === "simpleType") && name) {
        this.globalTypes.set(`${tns}|${name}`, c);
        this.addName(tns, name);
      } else if (c.local === "attribute" && name) {
        this.globalAttrs.set(`${tns}|${name}`, c);
        this.addName(tns, name);
      }
    }
  }

  addName(ns: string, local: string): void {
    let s = this.localNames.get(ns);
    if (!s) this.localNames.set(ns, (s = new Set()));
    s.add(local);
  }

  tns(n: XNode): string { return this.targetNs.get(this.schemaOf.get(n)!)!; }

  /** Resolve all global elements (and everything reachable). */
  resolveAll(): ElementDecl[] {
    const out: ElementDecl[] = [];
    for (const k of this.globalsElements.keys()) out.push(this.globalElement(k));
    for (const k of this.globalTypes.keys()) this.typeByKey(k);
    // force the lazily resolved particles
    const seen = new Set<ComplexType>();
    const walk = (t: Type) => {
      if (t.kind !== "complex" || seen.has(t)) return;
      seen.add(t);
      const wp = (p: Particle | null) => {
        if (!p) return;
        if (p.kind === "element") walk(p.decl().type);
        else if (p.kind !== "any") p.items.forEach(wp);
      };
      wp(t.content);
    };
    for (const e of out) walk(e.type);
    for (const k of this.globalTypes.keys()) walk(this.typeByKey(k));
    return out;
  }

  globalElement(key: string): ElementDecl {
    const cached = this.elemCache.get(key);
    if (cached) return cached;
    const node = this.globalsElements.get(key);
    if (!node) throw new Error(`no global element ${key}`);
    const tns = this.tns(node);
    const decl: ElementDecl = { qn: { ns: tns, local: node.attrs.get("name")! }, type: undefined as unknown as Type, abstract: node.attrs.get("abstract") === "true", global: true };
    this.elemCache.set(key, decl);
    const sg = node.attrs.get("substitutionGroup");
    if (sg) decl.substitutionGroup = resolveQName(node, sg);
    decl.type = this.elementType(node, decl.qn.local);
    this.allElements.push(decl);
    return decl;
  }

  private elementType(node: XNode, name: string): Type {
    const t = node.attrs.get("type");
    if (t) return this.typeRef(node, t);
    const inline = node.children.find((c) => c.local === "complexType" || c.local === "simpleType");
    if (inline) return inline.local === "complexType" ? this.complexType(inline, undefined, name) : this.simpleType(inline, undefined);
    throw new Error(`element ${name} without type (anyType is not supported)`);
  }

  typeRef(node: XNode, value: string): Type {
    const q = resolveQName(node, value);
    if (q.ns === XS) return this.builtin(q.local);
    return this.typeByKey(qkey(q));
  }

  builtin(local: string): SimpleType {
    const key = `${XS}|${local}`;
    const cached = this.typeCache.get(key);
    if (cached) return cached as SimpleType;
    const facets: Facets = {};
    const b = BUILTIN_BOUNDS[local];
    if (b) { if (b[0] !== undefined) facets.min = b[0]; if (b[1] !== undefined) facets.max = b[1]; }
    else if (!STRING_BUILTINS.has(local) && !["boolean", "hexBinary", "base64Binary"].includes(local)) throw new Error(`unsupported built-in type ${local}`);
    const t: SimpleType = { kind: "simple", name: { ns: XS, local }, builtin: local, facets };
    this.typeCache.set(key, t);
    return t;
  }

  typeByKey(key: string): Type {
    const cached = this.typeCache.get(key);
    if (cached) return cached;
    const node = this.globalTypes.get(key);
    if (!node) throw new Error(`no type ${key}`);
    const qn = { ns: this.tns(node), local: node.attrs.get("name")! };
    return node.local === "complexType" ? this.complexType(node, qn) : this.simpleType(node, qn);
  }

  simpleType(node: XNode, name: QN | undefined): SimpleType {
    const r = node.children.find((c) => c.local === "restriction");
    if (!r) throw new Error(`simpleType ${name?.local} without restriction (list/union unsupported)`);
    const base = this.typeRef(r, r.attrs.get("base")!);
    if (base.kind !== "simple") throw new Error("simple type from complex base");
    const facets = restrictFacets(base.facets, r);
    const t: SimpleType = { kind: "simple", builtin: base.builtin, facets };
    if (name) { t.name = name; this.typeCache.set(qkey(name), t); }
    return t;
  }

  complexType(node: XNode, name: QN | undefined, anonName?: string): ComplexType {
    const t: ComplexType = { kind: "complex", abstract: node.attrs.get("abstract") === "true", mixed: node.attrs.get("mixed") === "true", attrs: [], content: null, simple: null };
    if (name) { t.name = name; this.typeCache.set(qkey(name), t); }
    if (anonName) t.anonName = anonName;
    this.complexTypes.push(t);
    const cc = node.children.find((c) => c.local === "complexContent");
    const sc = node.children.find((c) => c.local === "simpleContent");
    if (cc) {
      if (cc.attrs.get("mixed") === "true") t.mixed = true;
      const ext = cc.children[0];
      const base = this.typeRef(ext, ext.attrs.get("base")!);
      if (base.kind !== "complex") throw new Error("complexContent of simple base");
      if (ext.local === "extension") {
        const own = this.particleOf(ext);
        t.attrs = base.attrs.concat(this.attrsOf(ext));
        if (base.content && own) t.content = { kind: "sequence", items: [base.content, own], min: 1, max: 1 };
        else t.content = base.content ?? own;
        if (base.mixed) t.mixed = true;
      } else {
        t.content = this.particleOf(ext);
        t.attrs = this.attrsOf(ext);
      }
    } else if (sc) {
      const ext = sc.children[0];
      const base = this.typeRef(ext, ext.attrs.get("base")!);
      if (base.kind === "simple") {
        t.simple = base;
        t.attrs = this.attrsOf(ext);
      } else {
        if (!base.simple) throw new Error("simpleContent from complex base without simple content");
        t.simple = base.simple;
        t.attrs = base.attrs.concat(this.attrsOf(ext));
        if (ext.local === "restriction") {
          const inner = this.simpleTypeFromFacets(ext, base.simple);
          t.simple = inner;
        }
      }
    } else {
      t.content = this.particleOf(node);
      t.attrs = this.attrsOf(node);
    }
    return t;
  }

  private simpleTypeFromFacets(node: XNode, base: SimpleType): SimpleType {
    return { kind: "simple", builtin: base.builtin, facets: restrictFacets(base.facets, node) };
  }

  private attrsOf(node: XNode): AttrUse[] {
    const out: AttrUse[] = [];
    for (const a of node.children) {
      if (a.local !== "attribute") continue;
      if (a.attrs.get("use") === "prohibited") continue;
      const ref = a.attrs.get("ref");
      let qn: QN, type: Type;
      if (ref) {
        qn = resolveQName(a, ref);
        const g = this.globalAttrs.get(qkey(qn));
        if (!g) throw new Error(`no attribute ${ref}`);
        type = g.attrs.get("type") ? this.typeRef(g, g.attrs.get("type")!) : this.simpleType(g.children.find((c) => c.local === "simpleType")!, undefined);
      } else {
        const name = a.attrs.get("name")!;
        const form = a.attrs.get("form");
        const qualified = form ? form === "qualified" : this.attrFormQualified.get(this.schemaOf.get(a)!)!;
        qn = { ns: qualified ? this.tns(a) : "", local: name };
        this.addName(qn.ns, name);
        const tref = a.attrs.get("type");
        type = tref ? this.typeRef(a, tref) : this.simpleType(a.children.find((c) => c.local === "simpleType")!, undefined);
      }
      if (type.kind !== "simple") throw new Error("complex attribute type");
      out.push({ qn, type, required: a.attrs.get("use") === "required" });
    }
    return out;
  }

  private particleOf(node: XNode): Particle | null {
    const p = node.children.find((c) => c.local === "sequence" || c.local === "choice" || c.local === "all" || c.local === "group");
    if (!p) return null;
    return this.particle(p);
  }

  private occurs(n: XNode): { min: number; max: number } {
    const min = Number(n.attrs.get("minOccurs") ?? "1");
    const mx = n.attrs.get("maxOccurs") ?? "1";
    return { min, max: mx === "unbounded" ? UNBOUNDED : Number(mx) };
  }

  private particle(n: XNode): Particle {
    const o = this.occurs(n);
    switch (n.local) {
      case "sequence":
      case "choice": {
        const items: Particle[] = [];
        for (const c of n.children) {
          if (c.local === "element" || c.local === "sequence" || c.local === "choice" || c.local === "any") items.push(this.particle(c));
          else if (c.local !== "annotation") throw new Error(`unsupported particle ${c.local}`);
        }
        return { kind: n.local, items, ...o };
      }
      case "any":
        return { kind: "any", namespace: n.attrs.get("namespace") ?? "##any", ...o };
      case "element": {
        const ref = n.attrs.get("ref");
        if (ref) {
          const key = qkey(resolveQName(n, ref));
          return { kind: "element", decl: () => this.globalElement(key), ...o };
        }
        const name = n.attrs.get("name")!;
        const form = n.attrs.get("form");
        const qualified = form ? form === "qualified" : this.elementFormQualified.get(this.schemaOf.get(n)!)!;
        const qn = { ns: qualified ? this.tns(n) : "", local: name };
        this.addName(qn.ns, name);
        let decl: ElementDecl | undefined;
        return {
          kind: "element",
          decl: () => {
            if (!decl) {
              decl = { qn, type: undefined as unknown as Type, abstract: false, global: false };
              decl.type = this.elementType(n, name);
              this.allElements.push(decl);
            }
            return decl;
          },
          ...o,
        };
      }
      default:
        throw new Error(`unsupported particle ${n.local}`);
    }
  }

  /** Members of the substitution group headed by `head` (transitively), including head itself. */
  substitutes(head: ElementDecl): ElementDecl[] {
    const out: ElementDecl[] = [head];
    for (let i = 0; i < out.length; i++) {
      const h = out[i];
      for (const k of this.globalsElements.keys()) {
        const e = this.globalElement(k);
        if (e.substitutionGroup && qkey(e.substitutionGroup) === qkey(h.qn) && out.indexOf(e) < 0) out.push(e);
      }
    }
    return out;
  }
}
