// @node-only — the preload rule: no module-level mutable state in modules/.
//
// Every modules/* folder is in manifest.json `preload`: Moddable evaluates those modules at
// build time and freezes what they created into flash. At run time their top-level bindings
// are read-only and every object they built is frozen, so a module-level `let`, a lazily
// filled cache or a reused singleton works on Node and throws on the device.
//
// The rule, checked on the syntax of every .ts under modules/ (generated files included):
//  - no top-level `let` / `var` (`export let` included);
//  - a top-level `const` (and a class's `static` field) holds an immutable value: a primitive
//    expression, a function or class, an alias of another binding or import (`T.DT_B64`),
//    or `Object.freeze(…)` whose object/array literals are themselves frozen, all the way
//    down. Object/array literals, `new …`, regular expressions and calls (other than
//    Object.freeze and primitive built-ins such as String(), Math.max()) are refused;
//  - unless the line before the declaration reads `// preload: built at load, read-only afterwards`:
//    a value built once while the module evaluates (typed arrays, Maps) and never written
//    after. The comment is a promise the reviewer checks; the test only makes it explicit.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";

const ROOT = process.cwd();
const MODULES = path.join(ROOT, "modules");
export const PRELOAD_COMMENT = "// preload: built at load, read-only afterwards";

/** Globals whose call returns a primitive (or a frozen value). */
const PRIMITIVE_CALLS = new Set(["String", "Number", "Boolean", "BigInt", "Symbol", "parseInt", "parseFloat", "isNaN", "isFinite"]);
const PRIMITIVE_NAMESPACES = new Set(["Math", "Number", "String"]);

function unwrap(e: ts.Expression): ts.Expression {
  for (;;) {
    if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isNonNullExpression(e) || ts.isTypeAssertionExpression(e)) e = e.expression;
    else return e;
  }
}

function isObjectFreeze(e: ts.Expression): boolean {
  return ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && ts.isIdentifier(e.expression.expression) && e.expression.expression.text === "Object" && e.expression.name.text === "freeze";
}

const PRIMITIVE_FLAGS = ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike | ts.TypeFlags.BigIntLike | ts.TypeFlags.BooleanLike | ts.TypeFlags.EnumLike | ts.TypeFlags.ESSymbolLike | ts.TypeFlags.Null | ts.TypeFlags.Undefined | ts.TypeFlags.Void | ts.TypeFlags.Never;

/** A primitive, a branded primitive (`number & { __unit }`) or a plain function type. */
function immutableType(t: ts.Type): boolean {
  if (t.isUnion()) return t.types.every(immutableType);
  if (t.isIntersection()) return t.types.some(immutableType);
  if (t.flags & PRIMITIVE_FLAGS) return true;
  return t.getCallSignatures().length > 0 && t.getProperties().length === 0;
}

/** The return expressions of a function body (not of the functions nested in it). */
function returnsOf(body: ts.Node): ts.Expression[] | undefined {
  const out: (ts.Expression | undefined)[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isReturnStatement(n)) out.push(n.expression);
    else if (!ts.isFunctionLike(n) && !ts.isClassLike(n)) ts.forEachChild(n, visit);
  };
  ts.forEachChild(body, visit);
  return out.every((x): x is ts.Expression => x !== undefined) ? out : undefined;
}

/** A function whose every return is `Object.freeze(…)` or a call to another such function (defineState, seccState). */
function freezingFactory(checker: ts.TypeChecker, callee: ts.Expression, seen = new Set<ts.Node>()): boolean {
  let sym = checker.getSymbolAtLocation(callee);
  if (sym && sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
  const decl = sym?.declarations?.[0];
  if (!decl || !ts.isFunctionDeclaration(decl) || !decl.body || seen.has(decl)) return false;
  seen.add(decl);
  const returns = returnsOf(decl.body);
  if (!returns || returns.length === 0) return false;
  return returns.every((r) => {
    r = unwrap(r);
    return isObjectFreeze(r) || (ts.isCallExpression(r) && freezingFactory(checker, r.expression, seen));
  });
}

/** Why `e` may hold a mutable object, or undefined when it is immutable. `frozen`: directly inside Object.freeze(…). */
function mutability(e: ts.Expression, frozen: boolean, checker?: ts.TypeChecker): string | undefined {
  const mutabilityOf = (x: ts.Expression, f: boolean) => mutability(x, f, checker);
  e = unwrap(e);
  switch (e.kind) {
    case ts.SyntaxKind.StringLiteral: case ts.SyntaxKind.NumericLiteral: case ts.SyntaxKind.BigIntLiteral:
    case ts.SyntaxKind.NoSubstitutionTemplateLiteral: case ts.SyntaxKind.TrueKeyword: case ts.SyntaxKind.FalseKeyword:
    case ts.SyntaxKind.NullKeyword: case ts.SyntaxKind.Identifier: case ts.SyntaxKind.PropertyAccessExpression:
    case ts.SyntaxKind.ElementAccessExpression: case ts.SyntaxKind.ArrowFunction: case ts.SyntaxKind.FunctionExpression:
    case ts.SyntaxKind.ClassExpression: case ts.SyntaxKind.TypeOfExpression: case ts.SyntaxKind.VoidExpression:
    case ts.SyntaxKind.PrefixUnaryExpression:
      return undefined;
    case ts.SyntaxKind.TemplateExpression: {
      for (const span of (e as ts.TemplateExpression).templateSpans) {
        const why = mutabilityOf(span.expression, false);
        if (why) return why;
      }
      return undefined;
    }
    case ts.SyntaxKind.BinaryExpression: {
      const b = e as ts.BinaryExpression;
      const op = b.operatorToken.kind;
      if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.CommaToken) return mutabilityOf(b.left, frozen) ?? mutabilityOf(b.right, frozen);
      if (op >= ts.SyntaxKind.FirstAssignment && op <= ts.SyntaxKind.LastAssignment) return "assignment";
      return undefined; // arithmetic, comparison, string concatenation: a primitive
    }
    case ts.SyntaxKind.ConditionalExpression: {
      const c = e as ts.ConditionalExpression;
      return mutabilityOf(c.whenTrue, frozen) ?? mutabilityOf(c.whenFalse, frozen);
    }
    case ts.SyntaxKind.ObjectLiteralExpression: {
      if (!frozen) return "an object literal (wrap it in Object.freeze)";
      for (const p of (e as ts.ObjectLiteralExpression).properties) {
        if (ts.isPropertyAssignment(p)) {
          const why = mutabilityOf(p.initializer, false);
          if (why) return `${why} in property ${p.name.getText()}`;
        } else if (ts.isSpreadAssignment(p)) {
          const why = mutabilityOf(p.expression, false);
          if (why) return why;
        } else if (ts.isGetAccessor(p) || ts.isSetAccessor(p)) return "an accessor (state behind it)";
        // methods and shorthand properties (aliases) are fine
      }
      return undefined;
    }
    case ts.SyntaxKind.ArrayLiteralExpression: {
      if (!frozen) return "an array literal (wrap it in Object.freeze)";
      for (const el of (e as ts.ArrayLiteralExpression).elements) {
        const why = mutabilityOf(ts.isSpreadElement(el) ? el.expression : el, false);
        if (why) return why;
      }
      return undefined;
    }
    case ts.SyntaxKind.NewExpression:
      return `new ${(e as ts.NewExpression).expression.getText()}`;
    case ts.SyntaxKind.RegularExpressionLiteral: {
      // exec/test write lastIndex only on a global or sticky expression
      const flags = e.getText().slice(e.getText().lastIndexOf("/") + 1);
      return /[gy]/.test(flags) ? "a global or sticky regular expression (lastIndex is state)" : undefined;
    }
    case ts.SyntaxKind.CallExpression: {
      const call = e as ts.CallExpression;
      if (isObjectFreeze(call)) {
        const arg = call.arguments[0];
        return arg ? mutabilityOf(arg, true) : undefined;
      }
      if (frozen) return undefined; // Object.freeze(f(…)): the value returned is frozen here
      const callee = call.expression;
      if (checker && (immutableType(checker.getTypeAtLocation(call)) || freezingFactory(checker, callee))) return undefined;
      const primitive = (ts.isIdentifier(callee) && PRIMITIVE_CALLS.has(callee.text)) || (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && PRIMITIVE_NAMESPACES.has(callee.expression.text));
      if (primitive) return undefined;
      return `a call to ${callee.getText()} (may return a mutable object)`;
    }
    default:
      return `a ${ts.SyntaxKind[e.kind]}`;
  }
}

export interface Finding { line: number; text: string; why: string }

function hasPreloadComment(sf: ts.SourceFile, node: ts.Node): boolean {
  const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
  if (line === 0) return false;
  const lines = sf.text.split("\n");
  return lines[line - 1].trim() === PRELOAD_COMMENT;
}

/** Module-level mutable state in one source text. */
export function checkSource(sf: ts.SourceFile, checker?: ts.TypeChecker): Finding[] {
  const found: Finding[] = [];
  const report = (node: ts.Node, why: string) => {
    if (hasPreloadComment(sf, node)) return;
    found.push({ line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, text: node.getText(sf).split("\n")[0].slice(0, 100), why });
  };
  for (const st of sf.statements) {
    if (ts.isVariableStatement(st)) {
      if (st.modifiers?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)) continue;
      const flags = st.declarationList.flags;
      if (!(flags & ts.NodeFlags.Const)) {
        report(st, `top-level ${flags & ts.NodeFlags.Let ? "let" : "var"}: the binding is read-only once preloaded`);
        continue;
      }
      for (const d of st.declarationList.declarations) {
        if (!d.initializer) continue;
        if (!ts.isIdentifier(d.name)) continue; // destructuring: aliases of existing values
        const why = mutability(d.initializer, false, checker);
        if (why) report(st, `const ${d.name.text} holds ${why}`);
      }
    } else if (ts.isClassDeclaration(st)) {
      for (const m of st.members) {
        const isStatic = ts.canHaveModifiers(m) && ts.getModifiers(m)?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword);
        if (ts.isClassStaticBlockDeclaration(m)) continue; // runs at load, like top-level code
        if (!isStatic || !ts.isPropertyDeclaration(m)) continue;
        const readonly = ts.getModifiers(m)?.some((x) => x.kind === ts.SyntaxKind.ReadonlyKeyword);
        if (!readonly) report(m, `static field ${m.name.getText(sf)} is not readonly (class state)`);
        else if (m.initializer) {
          const why = mutability(m.initializer, false, checker);
          if (why) report(m, `static ${m.name.getText(sf)} holds ${why}`);
        }
      }
    }
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(full);
  }
  return out.sort();
}

/** One snippet as a program of its own (no lib: the checker needs only primitives and the snippet's own functions). */
function checkSnippet(text: string): Finding[] {
  const name = "/snippet.ts";
  const options: ts.CompilerOptions = { noLib: true, noEmit: true, target: ts.ScriptTarget.ES2022 };
  const host = ts.createCompilerHost(options);
  const sf = ts.createSourceFile(name, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  host.getSourceFile = (f) => (f === name ? sf : undefined);
  host.fileExists = (f) => f === name;
  const program = ts.createProgram([name], options, host);
  return checkSource(program.getSourceFile(name)!, program.getTypeChecker());
}

test("the checker: what it refuses", () => {
  const flagged = (src: string) => checkSnippet(src).map((f) => f.why);
  assert.equal(flagged("let a = 1;").length, 1);
  assert.equal(flagged("var a = 1;").length, 1);
  assert.equal(flagged("export let a: number | undefined;").length, 1);
  assert.equal(flagged("const cache = {};").length, 1);
  assert.equal(flagged("const list: string[] = [];").length, 1);
  assert.equal(flagged("const ids = ['a', 'b'] as const;").length, 1);
  assert.equal(flagged("const m = new Map<string, number>();").length, 1);
  assert.equal(flagged("const w = new WeakMap();").length, 1);
  assert.equal(flagged("class D {} const d = new D();").length, 1);
  assert.equal(flagged("const f = Object.freeze(new Map());").length, 1, "freezing a Map does not stop set()");
  assert.equal(flagged("const t = Object.freeze({ a: [1, 2] });").length, 1, "nested literals must be frozen too");
  assert.equal(flagged("const t = Object.freeze({ a: { b: 1 } });").length, 1);
  assert.equal(flagged("const g = load(PACKED);").length, 1);
  assert.equal(flagged("const r = /x/g;").length, 1);
  assert.equal(flagged("function make() { return { n: 0 }; } const s = make();").length, 1);
  assert.equal(flagged("function make(): number[] { return []; } const s = make();").length, 1);
  assert.equal(flagged("const x = flag ? {} : null;").length, 1);
  assert.equal(flagged("class C { static cache = new Map(); }").length, 1);
  assert.equal(flagged("class C { static count = 0; }").length, 1);
  assert.equal(flagged("// preload: built at load\nconst m = new Map();").length, 1, "the comment must be the exact text");
});

test("the checker: what it allows", () => {
  const allowed = (src: string) => assert.deepEqual(checkSnippet(src), [], src);
  allowed("const a = 1, b = 'x', c = 2n, d = true, e = null, f = `t`;");
  allowed("const MASK = 0xfffff, N = A + B * 2, S = `${A}-${B}`, NEG = -1;");
  allowed("import * as T from './t'; const DT = T.DT_STRING, X = L.MAX;");
  allowed("const t = Object.freeze({ a: 1, b: Object.freeze([1, 2]), f() { return 1; } });");
  allowed("const ids = Object.freeze(['a', 'b'] as const);");
  allowed("const fn = (x: number) => x + 1; function g() { let s = 0; const m = new Map(); return s + m.size; }");
  allowed("class C { static readonly MAX = 3; m() { let x = []; return x; } } const K = class {};");
  allowed("const n = Math.max(1, 2), s = String(3), big = BigInt(4);");
  allowed("const { a, b } = Object.freeze({ a: 1, b: 2 });");
  allowed(`${PRELOAD_COMMENT}\nconst DIGITS = new Int8Array(128);`);
  allowed(`${PRELOAD_COMMENT}\nexport const G = Object.freeze(build(P));`);
  allowed("declare let g: number;");
  allowed("const r = /[&<>]/, s = /^a$/i;");
  allowed("type Ms = number & { readonly __unit: 'ms' }; function Millis(n: number): Ms { return n as Ms; } const T = Millis(25);");
  allowed("function def(o: object) { const r = { o }; return Object.freeze(r); } function state(o: object) { return def(o); } const S = state({ a: 1 });");
  allowed("export type T = { a: number }; export interface I { b: string }");
});

test("modules/ keeps no module-level mutable state (every folder is preloaded)", () => {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(MODULES, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
  const files = sourceFiles(MODULES);
  const program = ts.createProgram(files, { ...config.options, noEmit: true });
  const checker = program.getTypeChecker();
  const problems: string[] = [];
  for (const file of files) {
    for (const f of checkSource(program.getSourceFile(file)!, checker)) problems.push(`${path.relative(ROOT, file)}:${f.line}: ${f.why}\n    ${f.text}`);
  }
  assert.deepEqual(problems, [], `module-level mutable state (see the header of ${path.relative(ROOT, import.meta.filename ?? "tests/project/preload-safety.test.ts")}):\n${problems.join("\n")}`);
});
