// The subset of node:assert/strict our tests use, for the XS engine.

export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AssertionError";
  }
}

function show(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  if (value instanceof Uint8Array) {
    let hex = "";
    for (let i = 0; i < Math.min(value.length, 64); i++) hex += (value[i] < 16 ? "0" : "") + value[i].toString(16);
    return `Uint8Array(${value.length}) ${hex}${value.length > 64 ? "…" : ""}`;
  }
  try {
    const text = JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? `${v}n` : v instanceof Uint8Array ? show(v) : v));
    return text === undefined ? String(value) : text.length > 400 ? `${text.slice(0, 400)}…` : text;
  } catch {
    return String(value);
  }
}

function fail(message: string | Error | undefined, fallback: string): never {
  if (message instanceof Error) throw message;
  throw new AssertionError(message ?? fallback);
}

export function isDeepStrictEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  const pa = Object.getPrototypeOf(a);
  if (pa !== Object.getPrototypeOf(b)) return false;
  if (ArrayBuffer.isView(a)) {
    const x = a as unknown as ArrayLike<unknown>;
    const y = b as unknown as ArrayLike<unknown>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  if (a instanceof Date) return a.getTime() === (b as Date).getTime();
  if (a instanceof Map) {
    const m = b as Map<unknown, unknown>;
    if (a.size !== m.size) return false;
    for (const [k, v] of a) if (!m.has(k) || !isDeepStrictEqual(v, m.get(k))) return false;
    return true;
  }
  if (a instanceof Set) {
    const s = b as Set<unknown>;
    if (a.size !== s.size) return false;
    for (const v of a) if (!s.has(v)) return false;
    return true;
  }
  if (Array.isArray(a) && a.length !== (b as unknown[]).length) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!isDeepStrictEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

type Expected = RegExp | (new (...args: never[]) => unknown) | ((error: unknown) => boolean) | Record<string, unknown>;

function matches(error: unknown, expected: Expected | undefined): boolean {
  if (expected === undefined) return true;
  if (expected instanceof RegExp) return expected.test(error instanceof Error ? `${error.name}: ${error.message}` : String(error)) || expected.test(String((error as Error)?.message));
  if (typeof expected === "function") {
    if (expected.prototype !== undefined && error instanceof (expected as new () => unknown)) return true;
    if (expected.prototype !== undefined && (expected as unknown) !== Error && Object.prototype.isPrototypeOf.call(Error.prototype, expected.prototype)) return false;
    return (expected as (e: unknown) => boolean)(error) === true;
  }
  for (const key of Object.keys(expected)) {
    const want = expected[key];
    const got = (error as Record<string, unknown>)?.[key];
    if (want instanceof RegExp ? !(typeof got === "string" && want.test(got)) : !isDeepStrictEqual(got, want)) return false;
  }
  return true;
}

function assert(value: unknown, message?: string | Error): asserts value {
  if (!value) fail(message, `expected a truthy value, got ${show(value)}`);
}

namespace assert {
  export const ok = (value: unknown, message?: string | Error): void => assert(value, message);
  export function equal(actual: unknown, expected: unknown, message?: string | Error): void {
    if (!Object.is(actual, expected)) fail(message, `expected ${show(expected)}, got ${show(actual)}`);
  }
  export const strictEqual = equal;
  export function notEqual(actual: unknown, expected: unknown, message?: string | Error): void {
    if (Object.is(actual, expected)) fail(message, `expected a value other than ${show(expected)}`);
  }
  export const notStrictEqual = notEqual;
  export function deepEqual(actual: unknown, expected: unknown, message?: string | Error): void {
    if (!isDeepStrictEqual(actual, expected)) fail(message, `expected ${show(expected)},\n     got ${show(actual)}`);
  }
  export const deepStrictEqual = deepEqual;
  export function notDeepEqual(actual: unknown, expected: unknown, message?: string | Error): void {
    if (isDeepStrictEqual(actual, expected)) fail(message, `expected a value other than ${show(expected)}`);
  }
  export const notDeepStrictEqual = notDeepEqual;
  export function match(text: string, pattern: RegExp, message?: string | Error): void {
    if (!pattern.test(text)) fail(message, `expected ${show(text)} to match ${pattern}`);
  }
  export function doesNotMatch(text: string, pattern: RegExp, message?: string | Error): void {
    if (pattern.test(text)) fail(message, `expected ${show(text)} not to match ${pattern}`);
  }
  export function throws(fn: () => unknown, expected?: Expected | string, message?: string | Error): void {
    try {
      fn();
    } catch (error) {
      if (typeof expected === "string") return;
      if (!matches(error, expected)) fail(message, `the error thrown did not match: ${show(error instanceof Error ? `${error.name}: ${error.message}` : error)}`);
      return;
    }
    fail(typeof expected === "string" ? expected : message, "expected the function to throw");
  }
  export function doesNotThrow(fn: () => unknown, message?: string | Error): void {
    try {
      fn();
    } catch (error) {
      fail(message, `expected no error, got ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  export async function rejects(promise: Promise<unknown> | (() => Promise<unknown>), expected?: Expected, message?: string | Error): Promise<void> {
    try {
      await (typeof promise === "function" ? promise() : promise);
    } catch (error) {
      if (!matches(error, expected)) fail(message, `the rejection did not match: ${show(error)}`);
      return;
    }
    fail(message, "expected a rejection");
  }
  export async function doesNotReject(promise: Promise<unknown> | (() => Promise<unknown>), message?: string | Error): Promise<void> {
    try {
      await (typeof promise === "function" ? promise() : promise);
    } catch (error) {
      fail(message, `expected no rejection, got ${String(error)}`);
    }
  }
  export function fail_(message?: string): never {
    return fail(message, "failed");
  }
  export const strict = assert;
}

(assert as unknown as Record<string, unknown>).fail = (message?: string) => fail(message, "failed");
(assert as unknown as Record<string, unknown>).AssertionError = AssertionError;

export default assert;
