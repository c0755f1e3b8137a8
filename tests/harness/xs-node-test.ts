// The subset of node:test our tests use, for the XS engine: test/it, describe, skip and todo,
// with async cases. Cases register while the bundle evaluates; __xsRunTests() then runs them
// in order and reports each through issueCommand, so Node can fail a case by its name.

declare function issueCommand(message: ArrayBuffer): ArrayBuffer;

type TestFn = (t: TestContext) => unknown;
interface TestOptions {
  skip?: boolean | string;
  todo?: boolean | string;
  timeout?: number;
  concurrency?: number | boolean;
}

interface Case {
  name: string;
  fn: TestFn;
  skip?: string;
}

const cases: Case[] = [];
const prefixes: string[] = [];

class SkipSignal {
  constructor(readonly message: string) {}
}

export class TestContext {
  readonly name: string;
  readonly #subtests: Case[] = [];

  constructor(name: string) {
    this.name = name;
  }

  skip(message?: string): void {
    throw new SkipSignal(message ?? "skipped");
  }

  todo(message?: string): void {
    throw new SkipSignal(message ?? "todo");
  }

  diagnostic(_message: string): void {}

  /** Subtests run right after the parent case, as separate reported cases. */
  test(name: string, a?: TestOptions | TestFn, b?: TestFn): Promise<void> {
    const { fn, skip } = normalise(a, b);
    this.#subtests.push({ name: `${this.name} > ${name}`, fn, skip });
    return Promise.resolve();
  }

  get subtests(): Case[] {
    return this.#subtests;
  }
}

function normalise(a?: TestOptions | TestFn, b?: TestFn): { fn: TestFn; skip?: string } {
  const options = typeof a === "function" ? {} : (a ?? {});
  const fn = (typeof a === "function" ? a : b) ?? (() => {});
  const flag = options.skip ?? options.todo;
  const skip = flag === undefined || flag === false ? undefined : flag === true ? "skipped" : flag;
  return { fn, skip };
}

/** The test file being evaluated, set by the bundle before each file's module body runs. */
function currentFile(): string[] {
  const file = (globalThis as Record<string, unknown>).__xsCurrentFile;
  return typeof file === "string" ? [file] : [];
}

function fullName(name: string): string {
  return [...currentFile(), ...prefixes, name].join(" > ");
}

function register(name: string, a?: TestOptions | TestFn, b?: TestFn, forceSkip?: string): void {
  const { fn, skip } = normalise(a, b);
  cases.push({ name: fullName(name), fn, skip: forceSkip ?? skip });
}

export function test(name: string, a?: TestOptions | TestFn, b?: TestFn): Promise<void> {
  register(name, a, b);
  return Promise.resolve();
}
test.skip = (name: string, a?: TestOptions | TestFn, b?: TestFn) => register(name, a, b, "skipped");
test.todo = (name: string, a?: TestOptions | TestFn, b?: TestFn) => register(name, a, b, "todo");
test.only = test;

export const it = test;

export function describe(name: string, a?: TestOptions | (() => void), b?: () => void): void {
  const fn = (typeof a === "function" ? a : b) ?? (() => {});
  const options = typeof a === "function" ? {} : (a ?? {});
  if (options.skip) {
    cases.push({ name: fullName(name), fn: () => {}, skip: String(options.skip) });
    return;
  }
  prefixes.push(name);
  try {
    fn();
  } finally {
    prefixes.pop();
  }
}
describe.skip = (name: string) => cases.push({ name: fullName(name), fn: () => {}, skip: "skipped" });
export const suite = describe;

const hooks: { before: (() => unknown)[]; after: (() => unknown)[] } = { before: [], after: [] };
export function before(fn: () => unknown): void {
  hooks.before.push(fn);
}
export function after(fn: () => unknown): void {
  hooks.after.push(fn);
}

function send(report: Record<string, unknown>): void {
  const text = JSON.stringify(report);
  const bytes = new TextEncoder().encode(text);
  issueCommand(bytes.buffer as ArrayBuffer);
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}${error.stack ? `\n${error.stack}` : ""}`;
  return String(error);
}

/** Milliseconds, for each case's duration (xsnap has performance.now; Date.now elsewhere). */
function now(): number {
  const p = (globalThis as { performance?: { now(): number } }).performance;
  return p ? p.now() : Date.now();
}

async function runCase(c: Case): Promise<void> {
  if (c.skip !== undefined) {
    send({ op: "report", name: c.name, status: "skip", message: c.skip });
    return;
  }
  const context = new TestContext(c.name);
  const t0 = now();
  try {
    await c.fn(context);
    send({ op: "report", name: c.name, status: "pass", ms: now() - t0 });
  } catch (error) {
    if (error instanceof SkipSignal) send({ op: "report", name: c.name, status: "skip", message: error.message });
    else send({ op: "report", name: c.name, status: "fail", message: describeError(error), ms: now() - t0 });
  }
  for (const sub of context.subtests) await runCase(sub);
}

async function runAll(): Promise<void> {
  for (const fn of hooks.before) await fn();
  for (const c of cases) await runCase(c);
  for (const fn of hooks.after) await fn();
  send({ op: "report", status: "done", count: cases.length });
}

(globalThis as Record<string, unknown>).__xsRunTests = runAll;

export default test;
