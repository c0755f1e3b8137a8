// Typed errors for the whole stack: every failure carries a machine-readable reason.
//
// Whose fault it was decides the class (style.md, after matter.js):
//  - DecodeError: the peer sent bytes we cannot accept (bad EXI, bad V2GTP header, bad frame);
//  - ProtocolError: a protocol rule was broken and the standard defines a response code for it;
//  - ImplementationError: our own bug or a caller's misuse of an API.
// Each module declares its own string-literal union of reasons and passes it as `R`.

export class Xs15118Error<R extends string = string> extends Error {
  readonly reason: R;

  constructor(reason: R, message?: string) {
    super(message ? `${reason}: ${message}` : reason);
    this.reason = reason;
    this.name = "Xs15118Error";
  }

  /** True when `error` is one of ours and, if reasons are given, has one of them. */
  static is<R extends string>(error: unknown, ...reasons: R[]): error is Xs15118Error<R> {
    if (!(error instanceof Xs15118Error)) return false;
    return reasons.length === 0 || reasons.indexOf(error.reason as R) >= 0;
  }
}

/** Bad data from the peer. `position` locates it (bit or byte offset, as the subclass says). */
export class DecodeError<R extends string = string> extends Xs15118Error<R> {
  readonly position: number;

  constructor(reason: R, message?: string, position = -1) {
    super(reason, position >= 0 ? `${message ?? ""} (at ${position})` : message);
    this.position = position;
    this.name = "DecodeError";
  }
}

/** A protocol rule was broken; `code` is the response code the standard prescribes. */
export class ProtocolError<R extends string = string, C extends string = string> extends Xs15118Error<R> {
  readonly code: C;

  constructor(reason: R, code: C, message?: string) {
    super(reason, message);
    this.code = code;
    this.name = "ProtocolError";
  }

  static isCode<C extends string>(error: unknown, ...codes: C[]): error is ProtocolError<string, C> {
    return error instanceof ProtocolError && (codes.length === 0 || codes.indexOf(error.code as C) >= 0);
  }
}

/** Our own bug, or an API used against its contract. Never caused by peer data. */
export class ImplementationError extends Xs15118Error<"implementation"> {
  constructor(message: string) {
    super("implementation", message);
    this.name = "ImplementationError";
  }
}
