// ChargingPoint: one EVSE's V2G server side — its one live session, and the TCP connections
// that arrive while it runs.
//
// One session per charging point. Each accepted connection gets its own SeccConnection, so a
// newcomer is answered (on a new TCP connection supportedAppProtocolReq comes first) without
// touching the live session, and is held as a candidate until its SessionSetupReq decides:
//   - no session live: it proceeds as normal and its session becomes the live one;
//   - the live session's SessionID, with the same EVCCID and protocol: the EV lost its link and
//     came back while the old socket may still look open (half-open: no FIN or RST ever
//     arrived). The session is handed over: the old SeccSession stops as "handed-over" and
//     stays in the SessionStore, the newcomer's SessionSetupReq joins it (OK_OldSessionJoined,
//     same SessionID), the old socket is closed, and the host sees one session, not two;
//   - SessionID zero or any other: a new session, which a busy EVSE cannot give: answered with
//     FAILED (SeccSessionOptions.admit), then only the newcomer is closed.
// Garbage (a bad V2GTP header, EXI that does not decode), a request out of sequence, or
// silence until V2G_SECC_CommunicationSetup_Timeout end only the newcomer, each with a log line.
//
// Why a handover replays the message sequence instead of carrying on in CurrentDemand: a new TCP
// connection starts with SAP, and after SessionSetupRes the SECC accepts only the next request
// of the sequence (ServiceDiscoveryReq); ISO 15118-2 makes a resumed session repeat the
// sequence with the same parameters ([V2G2-740], [V2G2-741]). DIN 70121 has the same
// OK_OldSessionJoined code. So the handover goes through the SessionStore, the path of an ISO-2
// pause: the SessionID, EVCCID, payment option and schedule survive, the output is ramped down
// (the EV is not controlling it while its link is gone) and the EV's new requests restart it.
//
// Charger feedback (power module, contactors, authorization) reaches the hardware only from the
// live session: a candidate whose session stops (refusal, timeout) must not switch off the
// output the live session drives, so each connection's feedback passes a gate.

import { allZero, bytesEqual, silentLogger, toHex } from "../../common/index";
import type { IoCallbacks, Logger, StreamSocket } from "../../common/index";
import { createExiCodec, logFacetViolations } from "../../exi/index";
import type { TlsSocket } from "../../pki-store/tls";
import type { V2gtpCloseReason } from "../../v2gtp/index";
import type { ChargerFeedback, SessionStore } from "../charger-interfaces";
import type { StopReason } from "../framework";
import type { ChargerBinding } from "./charger-binding";
import { SeccConnection } from "./connection";
import type { SeccCodec, SeccConnectionOptions } from "./connection";
import { MemorySessionStore } from "./session";
import type { SessionSetupClaim, SeccTraceEntry } from "./session";

/** A TLS socket's version as SAP's transport; undefined for a plain socket (the config's transport holds). */
function tlsTransportOf(socket: StreamSocket | undefined): "1.2" | "1.3" | undefined {
  const session = (socket as Partial<TlsSocket> | undefined)?.session;
  if (session === undefined) return undefined;
  return session.protocol === "TLSv1.3" ? "1.3" : "1.2";
}

/** Why a connection closed: its session's stop reason, its V2GTP close reason, or "crowded". */
export type ChargingPointCloseReason = StopReason | V2gtpCloseReason | "crowded";

/** How a connection ended, for the host's bookkeeping. */
export interface ConnectionEnd {
  /** The connection's number (1, 2, … in the order of acceptance). */
  readonly connection: number;
  readonly reason: ChargingPointCloseReason;
  /**
   * "session-end": the live session ended with it. "handed-over": its session continues on
   * connection `to`. "no-session": it closed before it had a session (a newcomer refused, or
   * one that sent garbage, nothing, or failed SAP).
   */
  readonly outcome: "session-end" | "handed-over" | "no-session";
  readonly to?: number;
}

export interface ChargingPointOptions
  extends Omit<SeccConnectionOptions, "open" | "onClose" | "admit" | "trace" | "feedback" | "sample" | "store"> {
  /** The charger's hardware: the live session drives it and receives its events. */
  binding?: ChargerBinding;
  /** Without a binding: the live session's feedback. */
  feedback?: ChargerFeedback;
  /** Sessions across connections (handover, ISO-2 pause); default: one in memory. */
  store?: SessionStore;
  /**
   * Connections that may wait for their SessionSetupReq at once (default 2); one more closes
   * the oldest waiting one (a link that drops again during a reconnect leaves a dead attempt
   * behind; the newest attempt is the one that can still talk).
   */
  maxCandidates?: number;
  /** Every message in and out, with the connection's number and whether it holds the live session. */
  trace?(entry: SeccTraceEntry, connection: number, live: boolean): void;
  /** A connection took the live session (a new one, or one handed over from `from`). */
  onSessionStart?(info: { connection: number; from?: number }): void;
  /** A connection closed (see ConnectionEnd.outcome). */
  onConnectionEnd?(end: ConnectionEnd): void;
}

type Role = "candidate" | "live" | "handed-over" | "closed";

interface Entry {
  readonly id: number;
  role: Role;
  /** Set once the SeccConnection constructor has returned. */
  connection: SeccConnection | undefined;
  /** Set at handover: the connection the session moved to. */
  successor: number | undefined;
}

const DEFAULT_MAX_CANDIDATES = 2;

export class ChargingPoint {
  readonly store: SessionStore;
  readonly #o: ChargingPointOptions;
  readonly #log: Logger;
  readonly #feedback: ChargerFeedback;
  readonly #codec: SeccCodec;
  readonly #entries: Entry[] = [];
  #live: Entry | undefined;
  #count = 0;

  constructor(options: ChargingPointOptions) {
    this.#o = options;
    this.#log = options.logger ?? silentLogger;
    this.store = options.store ?? new MemorySessionStore({ clock: options.clock });
    this.#feedback = options.binding?.feedback ?? options.feedback ?? {};
    // One codec for all connections: messages are handled one at a time, never nested, and on
    // a microcontroller a codec per waiting newcomer is memory the live session may need.
    this.#codec = options.codec ?? createExiCodec({ ...logFacetViolations(this.#log, "secc"), fast: options.exiFast });
  }

  /** The connection holding the live session, if any. */
  get live(): SeccConnection | undefined {
    return this.#live?.connection;
  }

  /** The live connection's number (0 when no session is live). */
  get liveNumber(): number {
    return this.#live?.id ?? 0;
  }

  /** Connections waiting for their SessionSetupReq. */
  get candidates(): number {
    let n = 0;
    for (let i = 0; i < this.#entries.length; i++) if (this.#entries[i].role === "candidate") n++;
    return n;
  }

  /**
   * Takes an accepted socket: `point.accept((callbacks) => listener.read(callbacks))`. Returns its
   * number. A TLS socket (modules/pki-store/tls.ts, handshake done) tells SAP its version: one
   * port serving -2 and -20 gets TLS 1.2 and TLS 1.3 connections.
   */
  accept(open: (callbacks: Required<IoCallbacks>) => StreamSocket | undefined): number {
    const entry: Entry = { id: ++this.#count, role: "candidate", connection: undefined, successor: undefined };
    this.#makeRoom();
    this.#entries.push(entry);
    const trace = this.#o.trace;
    let socket: StreamSocket | undefined;
    const seccConnection = new SeccConnection({
      ...this.#o,
      store: this.store,
      codec: this.#codec,
      sample: this.#o.binding?.sessionOptions().sample,
      open: (callbacks) => (socket = open(callbacks)),
      transport: () => tlsTransportOf(socket),
      feedback: this.#gatedFeedback(entry),
      admit: (claim) => this.#admit(entry, claim),
      trace: trace === undefined ? undefined : (e) => trace(e, entry.id, entry.role === "live"),
      onClose: (reason) => this.#closed(entry, reason),
    });
    if (entry.role !== "closed") entry.connection = seccConnection;
    if (entry.role === "live") this.#o.binding?.attach(seccConnection.session);
    if (this.#live === undefined || this.#live === entry) return entry.id;
    this.#log.log("info", "secc", `connection ${entry.id} accepted while connection ${this.#live.id} holds the session: it waits for its SessionSetupReq`);
    return entry.id;
  }

  /** Closes every connection (the live session sees a link-down). Harmless twice. */
  close(): void {
    const entries = this.#entries.slice();
    for (let i = 0; i < entries.length; i++) entries[i].connection?.close();
  }

  /** Too many newcomers waiting: the oldest one goes. */
  #makeRoom(): void {
    const max = this.#o.maxCandidates ?? DEFAULT_MAX_CANDIDATES;
    let waiting = this.candidates;
    const entries = this.#entries.slice(); // a close takes the entry out of #entries
    for (let i = 0; i < entries.length && waiting >= max; i++) {
      const entry = entries[i];
      if (entry.role !== "candidate" || entry.connection === undefined) continue;
      this.#log.log("warn", "secc", `connection ${entry.id} closed: more than ${max} connections waiting for a session; the newest is kept`);
      entry.role = "closed";
      this.#report(entry, "crowded", "no-session");
      entry.connection.close();
      waiting--;
    }
  }

  /** SeccSessionOptions.admit of connection `entry`: the one-session rule. */
  #admit(entry: Entry, claim: SessionSetupClaim): boolean {
    const live = this.#live;
    if (live === undefined || live.connection === undefined || live.connection.closed || live.connection.session.stopReason !== undefined) {
      this.#takeSession(entry, undefined);
      return true;
    }
    const session = live.connection.session;
    const ctx = session.context;
    const liveId = ctx?.sessionId ?? new Uint8Array(0);
    let why: string | undefined;
    if (liveId.length === 0 || !bytesEqual(claim.sessionId, liveId)) {
      why = allZero(claim.sessionId) ? "SessionID 0 asks for a new session" : `SessionID ${toHex(claim.sessionId)} is not the live session's`;
    } else if (ctx === undefined || !bytesEqual(claim.evccId, ctx.evccId)) {
      why = `the live session's SessionID with another EVCCID (${toHex(claim.evccId)})`;
    } else if (claim.protocol !== session.protocol) {
      why = `the live session's SessionID over ${claim.protocol}, the session runs ${session.protocol ?? "?"}`;
    }
    if (why !== undefined) {
      this.#log.log("warn", "secc", `connection ${entry.id} refused: ${why}; connection ${live.id} keeps its session`, { sessionId: toHex(claim.sessionId) });
      return false;
    }
    this.#handOver(live, entry);
    return true;
  }

  /**
   * The EV is back on connection `to` with the live session's SessionID: `to` takes the
   * session, the old session stops as "handed-over" (charging stops through its feedback gate,
   * still open; the session is stored for `to` to join), and the old socket closes without
   * ending the session.
   */
  #handOver(from: Entry, to: Entry): void {
    const old = from.connection!;
    this.#log.log("info", "secc", `connection ${to.id} resumes the session of connection ${from.id} (SessionID ${toHex(old.session.context!.sessionId)}); closing connection ${from.id}`);
    from.successor = to.id;
    from.role = "handed-over";
    this.#takeSession(to, from.id);
    old.session.handOver(); // closes the old connection too (SeccConnection closes on a stop)
    old.close();
  }

  #takeSession(entry: Entry, from: number | undefined): void {
    entry.role = "live";
    this.#live = entry;
    if (entry.connection !== undefined) this.#o.binding?.attach(entry.connection.session);
    this.#o.onSessionStart?.({ connection: entry.id, from });
  }

  #closed(entry: Entry, reason: StopReason | V2gtpCloseReason): void {
    const index = this.#entries.indexOf(entry);
    if (index >= 0) this.#entries.splice(index, 1);
    const role = entry.role;
    entry.role = "closed";
    if (role === "live") {
      this.#live = undefined;
      this.#o.binding?.attach(undefined);
      this.#report(entry, reason, "session-end");
    } else if (role === "handed-over") {
      this.#log.log("info", "secc", `connection ${entry.id} closed; its session continues on connection ${entry.successor}`);
      this.#report(entry, reason, "handed-over");
    } else if (role === "candidate") {
      const live = this.#live === undefined ? "" : `; connection ${this.#live.id} keeps its session`;
      this.#log.log(this.#live === undefined ? "info" : "warn", "secc", `connection ${entry.id} closed before it had a session: ${reason}${live}`);
      this.#report(entry, reason, "no-session");
    }
  }

  #report(entry: Entry, reason: ChargingPointCloseReason, outcome: ConnectionEnd["outcome"]): void {
    // The host's own bookkeeping (a session summary reading a meter that fails) stays inside
    // this connection's boundary: logged, and the charging point goes on serving.
    try {
      this.#o.onConnectionEnd?.({ connection: entry.id, reason, outcome, to: entry.successor });
    } catch (error) {
      this.#log.log("error", "secc", `connection ${entry.id}: the host's end-of-connection handler failed: ${(error as Error)?.message ?? String(error)}`);
    }
  }

  /**
   * The charger feedback of one connection: passed on while it holds the session, and while it
   * hands it over (the old session's stop ramps the output down before the EV restarts it).
   */
  #gatedFeedback(entry: Entry): ChargerFeedback {
    return new GatedFeedback(entry, this.#feedback);
  }
}

/**
 * One connection's gate on the charger feedback: a class, so that its methods live once on the
 * prototype — as 17 arrow functions it cost every connection ~3.5 KB of XS heap (17 closures)
 * on a microcontroller (issue 15: one station's session ≤ 64 KB).
 */
class GatedFeedback implements ChargerFeedback {
  readonly #entry: Entry;
  readonly #fb: ChargerFeedback;

  constructor(entry: Entry, fb: ChargerFeedback) {
    this.#entry = entry;
    this.#fb = fb;
  }

  #open(): boolean {
    const role = this.#entry.role;
    return role === "live" || role === "handed-over";
  }

  sessionStarted(info: Parameters<NonNullable<ChargerFeedback["sessionStarted"]>>[0]): void {
    if (this.#open()) this.#fb.sessionStarted?.(info);
  }
  requestAuthorization(evccId: Uint8Array, contract?: Parameters<NonNullable<ChargerFeedback["requestAuthorization"]>>[1]): void {
    if (this.#open()) this.#fb.requestAuthorization?.(evccId, contract);
  }
  startCableCheck(voltage: number): void {
    if (this.#open()) this.#fb.startCableCheck?.(voltage);
  }
  preCharge(voltage: number, current: number): void {
    if (this.#open()) this.#fb.preCharge?.(voltage, current);
  }
  dcTarget(voltage: number, current: number): void {
    if (this.#open()) this.#fb.dcTarget?.(voltage, current);
  }
  startCharging(mode: "ac" | "dc"): void {
    if (this.#open()) this.#fb.startCharging?.(mode);
  }
  stopCharging(mode: "ac" | "dc"): void {
    if (this.#open()) this.#fb.stopCharging?.(mode);
  }
  weldingDetection(): void {
    if (this.#open()) this.#fb.weldingDetection?.();
  }
  evStatus(soc: number, ready: boolean): void {
    if (this.#open()) this.#fb.evStatus?.(soc, ready);
  }
  evNeeds(needs: Parameters<NonNullable<ChargerFeedback["evNeeds"]>>[0]): void {
    if (this.#open()) this.#fb.evNeeds?.(needs);
  }
  evChargingProfile(entries: readonly { readonly start: number; readonly power: number }[]): void {
    if (this.#open()) this.#fb.evChargingProfile?.(entries);
  }
  acTarget(watts: number): void {
    if (this.#open()) this.#fb.acTarget?.(watts);
  }
  // ISO 15118-20 devices (ACDP pantograph, WPT pad): only the live session moves them.
  acdpDevice(command: "lower" | "raise"): void {
    if (this.#open()) this.#fb.acdpDevice?.(command);
  }
  wptPad(command: "alignment" | "power", watts: number): void {
    if (this.#open()) this.#fb.wptPad?.(command, watts);
  }
  wptVendorData(message: string, containers: readonly Uint8Array[]): void {
    if (this.#open()) this.#fb.wptVendorData?.(message, containers);
  }
  wptLfData(message: string, data: object): void {
    if (this.#open()) this.#fb.wptLfData?.(message, data);
  }
  sessionStopped(reason: string): void {
    if (this.#open()) this.#fb.sessionStopped?.(reason);
  }
}
