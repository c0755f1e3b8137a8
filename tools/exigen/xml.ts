// A small XML parser for the XSD files (generator input only): elements, attributes,
// namespace declarations, comments, processing instructions and an internal DOCTYPE subset
// (skipped). Text content is ignored. Not a general XML parser.

export interface XNode {
  prefix: string;
  local: string;
  ns: string; // resolved namespace URI of the element
  attrs: Map<string, string>; // raw attribute names → values (entity references expanded)
  children: XNode[];
  scope: Map<string, string>; // in-scope prefixes ("" = default namespace)
}

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function unescape(value: string): string {
  return value.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (m, e: string) => {
    if (e[0] === "#") return String.fromCodePoint(e[1] === "x" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    const v = ENTITIES[e];
    if (v === undefined) throw new Error(`unknown entity ${m}`);
    return v;
  });
}

export function parseXml(text: string): XNode {
  let i = 0;
  const stack: XNode[] = [];
  let root: XNode | undefined;
  const n = text.length;
  while (i < n) {
    const lt = text.indexOf("<", i);
    if (lt < 0) break;
    i = lt;
    if (text.startsWith("<!--", i)) {
      const end = text.indexOf("-->", i + 4);
      if (end < 0) throw new Error("unterminated comment");
      i = end + 3;
    } else if (text.startsWith("<?", i)) {
      i = text.indexOf("?>", i) + 2;
    } else if (text.startsWith("<!DOCTYPE", i)) {
      const bracket = text.indexOf("[", i);
      const close = text.indexOf(">", i);
      if (bracket >= 0 && bracket < close) i = text.indexOf("]>", bracket) + 2;
      else i = close + 1;
    } else if (text.startsWith("<![CDATA[", i)) {
      i = text.indexOf("]]>", i) + 3;
    } else if (text[i + 1] === "/") {
      const end = text.indexOf(">", i);
      stack.pop();
      i = end + 1;
    } else {
      const m = /^<([A-Za-z_][\w.:-]*)/.exec(text.slice(i, i + 200));
      if (!m) throw new Error(`bad tag at ${i}`);
      i += m[0].length;
      const attrs = new Map<string, string>();
      const attrRe = /\s*([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/y;
      for (;;) {
        attrRe.lastIndex = i;
        const a = attrRe.exec(text);
        if (!a) break;
        attrs.set(a[1], unescape(a[3] ?? a[4] ?? ""));
        i = attrRe.lastIndex;
      }
      while (/\s/.test(text[i])) i++;
      let selfClose = false;
      if (text[i] === "/") { selfClose = true; i++; }
      if (text[i] !== ">") throw new Error(`bad tag end at ${i}`);
      i++;
      const parent = stack[stack.length - 1];
      const scope = new Map(parent ? parent.scope : []);
      for (const [k, v] of attrs) {
        if (k === "xmlns") scope.set("", v);
        else if (k.startsWith("xmlns:")) scope.set(k.slice(6), v);
      }
      const qn = m[1];
      const c = qn.indexOf(":");
      const prefix = c < 0 ? "" : qn.slice(0, c);
      const local = c < 0 ? qn : qn.slice(c + 1);
      const node: XNode = { prefix, local, ns: scope.get(prefix) ?? "", attrs, children: [], scope };
      if (parent) parent.children.push(node);
      else root = node;
      if (!selfClose) stack.push(node);
    }
  }
  if (!root) throw new Error("no root element");
  return root;
}

/** Resolves a QName-valued attribute ("xs:string", "ds:KeyInfoType", "string") in a node's scope. */
export function resolveQName(node: XNode, value: string): { ns: string; local: string } {
  const c = value.indexOf(":");
  const prefix = c < 0 ? "" : value.slice(0, c);
  const local = c < 0 ? value : value.slice(c + 1);
  const ns = node.scope.get(prefix);
  if (ns === undefined && prefix !== "") throw new Error(`unknown prefix ${prefix}`);
  return { ns: ns ?? "", local };
}
