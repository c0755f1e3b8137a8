// Binds the charger's hardware interfaces (power module, AC supply, meter, authorization) to a
// SeccSession: ChargerFeedback calls become interface calls, interface events become
// ControlEvents, and the present values are sampled into the facts before each request.
//
//   const charger = new ChargerBinding({ dc: powerModule, meter, auth });
//   const session = new SeccSession({ config, clock, ...charger.sessionOptions() });
//   charger.attach(session);      // events go to this session from now on
//
// One binding per EVSE; a new TCP connection (a new session) is attached in turn.

import type {
  AcInverter,
  AcSupply,
  Authorizer,
  ChargerFeedback,
  ControlEvent,
  DcPowerModule,
  EnergyManager,
  EnergyMeter,
  EvseFacts,
  SiteRequest,
} from "../charger-interfaces";
import type { DischargeLimits } from "../iso20/config";
import type { ConnectionDevice } from "../iso20/acdp-device";
import type { WirelessPad, WptLfPackages, WptLfSetup } from "../iso20/wpt-device";
import type { OperatorBackend } from "../operator-backend";

export interface ChargerParts {
  /** DC module; a BidirectionalDcModule (dischargeLimits, signed setTarget) for DC_BPT. */
  dc?: DcPowerModule;
  ac?: AcSupply;
  meter?: EnergyMeter;
  /** External identification; without one every EV is authorized at once (free vend). */
  auth?: Authorizer;
  /** ISO 15118-20 AC_BPT: the bidirectional inverter (takes the place of `ac`). */
  inverter?: AcInverter;
  /** ISO 15118-20 Dynamic control: the site energy manager's setpoints and notifications. */
  energyManager?: EnergyManager;
  /**
   * The charger's operator (OCPP CSMS): authorizes when there is no local `auth`, hears the
   * session's course and the EV's needs, and may push schedules (see ../operator-backend.ts).
   */
  backend?: OperatorBackend;
  /** ISO 15118-20 ACDP: the automated connection device (pantograph) and its positioning sensors. */
  acdp?: ConnectionDevice;
  /** ISO 15118-20 WPT: the primary device (ground pad and its supply power converter). */
  wpt?: WirelessPad;
}

/**
 * The site's setpoint within its grid limits (W, signed: negative = discharge): a charge setpoint
 * no higher than the import limit, a discharge no deeper than the export limit; without a
 * setpoint, the import limit caps charging (undefined when there is none either).
 */
export function setpointWithin(site: Readonly<SiteRequest>): number | undefined {
  const p = site.setpoint;
  if (p === undefined) return site.importLimit;
  if (p > 0 && site.importLimit !== undefined && p > site.importLimit) return site.importLimit;
  if (p < 0 && site.exportLimit !== undefined && -p > site.exportLimit) return -site.exportLimit;
  return p;
}

/** Copies the fields of a stage's `limits` that changed since `seen` (all of them when `all`) into `into`. */
function followLimits(limits: object, into: object, seen: Record<string, number | undefined>, all: boolean): void {
  const from = limits as Record<string, number | undefined>;
  const to = into as Record<string, number | undefined>;
  for (const key in from) {
    const value = from[key];
    if (all || seen[key] !== value) {
      if (value !== undefined) to[key] = value;
      seen[key] = value;
    }
  }
}

/** Whatever takes ControlEvents: a SeccSession, or a test recorder. */
export interface ControlTarget {
  control(event: ControlEvent): void;
}

export class ChargerBinding {
  readonly parts: Readonly<ChargerParts>;
  #target: ControlTarget | undefined;
  readonly #feedback: ChargerFeedback;
  readonly #sample: (evse: EvseFacts) => void;

  constructor(parts: ChargerParts) {
    this.parts = Object.freeze({ ...parts });
    const sink = (event: ControlEvent): void => this.#target?.control(event);
    if (parts.dc !== undefined) parts.dc.onEvent = sink;
    if (parts.ac !== undefined) parts.ac.onEvent = sink;
    if (parts.auth !== undefined) parts.auth.onEvent = sink;
    if (parts.energyManager !== undefined) parts.energyManager.onEvent = sink;
    if (parts.backend !== undefined) parts.backend.onEvent = sink;
    if (parts.acdp !== undefined) parts.acdp.onEvent = sink;
    if (parts.wpt !== undefined) parts.wpt.onEvent = sink;
    const { dc, meter, inverter, energyManager } = parts;
    const ac: AcSupply | undefined = parts.inverter ?? parts.ac;
    if (parts.inverter !== undefined) parts.inverter.onEvent = sink;
    this.#feedback = new HardwareFeedback(parts, ac, sink);
    // A bidirectional stage (ISO 15118-20 BPT) reports its discharge capability as it is now.
    const stage = (dc ?? inverter) as { dischargeLimits?(): Readonly<DischargeLimits> } | undefined;
    const bidirectional = stage !== undefined && typeof stage.dischargeLimits === "function" ? stage : undefined;
    // Present values straight from the hardware before each request: no events, no allocation
    // beyond what the parts return. The energy manager is asked here too, so that every -20
    // Dynamic loop response carries the site's current wish (ISO 15118-20 Dynamic control:
    // the EVSE sets the targets, the EV follows them).
    // The stage's charge limits are read before each request too, like its discharge limits: a
    // derated module (temperature, a shared power cabinet) shows in the next response's limits
    // (-20 DC_ChargeLoopRes EVSEMaximumChargePower / EVSEMaximumChargeCurrent, DIN/-2
    // CurrentDemandRes EVSEMaximumPowerLimit / EVSEMaximumCurrentLimit) without an event. A field is copied when the stage's value changed since the last request
    // (or for a new session's facts), so a "dc-limits"/"ac-limits" event still holds until the
    // stage itself reports something else.
    const dcSeen: Record<string, number | undefined> = {};
    const acSeen: Record<string, number | undefined> = {};
    let sampled: EvseFacts | undefined;
    this.#sample = (evse) => {
      const fresh = sampled !== evse;
      sampled = evse;
      if (dc !== undefined) followLimits(dc.limits(), evse.dc, dcSeen, fresh);
      if (ac !== undefined) followLimits(ac.limits(), evse.ac, acSeen, fresh);
      if (dc !== undefined) {
        evse.presentVoltage = dc.presentVoltage;
        evse.presentCurrent = dc.presentCurrent;
      } else if (ac !== undefined) {
        evse.presentCurrent = ac.presentCurrent;
      }
      if (meter !== undefined) evse.meterWh = meter.energyWh;
      if (bidirectional !== undefined) evse.discharge = bidirectional.dischargeLimits!();
      if (energyManager?.request !== undefined) {
        const site = energyManager.request();
        evse.site = site;
        evse.powerSetpoint = setpointWithin(site);
      }
    };
  }

  /** Sends the parts' events to `target` (the current session); undefined detaches. */
  attach(target: ControlTarget | undefined): void {
    this.#target = target;
  }

  get feedback(): ChargerFeedback {
    return this.#feedback;
  }

  /** The SeccSession options this binding provides: `{ feedback, sample }`. */
  sessionOptions(): { feedback: ChargerFeedback; sample: (evse: EvseFacts) => void } {
    return { feedback: this.#feedback, sample: this.#sample };
  }
}

/**
 * ChargerFeedback calls as calls of the parts. A class, so that its methods live once on the
 * prototype: as arrow functions they cost each binding (one per plug-in) ~3.4 KB of XS heap on a
 * microcontroller (issue 15: one station's session ≤ 64 KB). Only the callbacks a binding
 * serves are here (no evStatus, no weldingDetection).
 */
class HardwareFeedback implements ChargerFeedback {
  readonly #parts: ChargerParts;
  readonly #ac: AcSupply | undefined;
  readonly #sink: (event: ControlEvent) => void;

  constructor(parts: ChargerParts, ac: AcSupply | undefined, sink: (event: ControlEvent) => void) {
    this.#parts = parts;
    this.#ac = ac;
    this.#sink = sink;
  }

  requestAuthorization(evccId: Uint8Array, contract?: Parameters<NonNullable<ChargerFeedback["requestAuthorization"]>>[1]): void {
    const { auth, backend } = this.#parts;
    if (auth !== undefined) auth.authorize(evccId);
    // Plug & Charge: the operator authorizes the eMAID with the chain's OCSP data (OCPP Authorize).
    else if (backend !== undefined) backend.authorize(contract !== undefined ? { kind: "pnc", emaid: contract.emaid, chain: contract.chain } : { kind: "eim", evccId });
    else this.#sink({ kind: "authorized", accepted: true });
  }
  startCableCheck(voltage: number): void {
    this.#parts.dc?.startIsolationCheck(voltage);
  }
  acdpDevice(command: "lower" | "raise"): void {
    const device = this.#parts.acdp;
    if (command === "lower") device?.lower();
    else device?.raise();
  }
  wptPad(command: "alignment" | "power", watts: number): void {
    const pad = this.#parts.wpt;
    if (command === "alignment") pad?.startAlignmentCheck();
    else pad?.setPower(watts);
  }
  wptVendorData(message: string, containers: readonly Uint8Array[]): void {
    this.#parts.wpt?.onVendorData?.(message, containers);
  }
  wptLfData(message: string, data: object): void {
    this.#parts.wpt?.onLfData?.(message, data as WptLfSetup | WptLfPackages);
  }
  preCharge(voltage: number, current: number): void {
    this.#parts.dc?.setTarget(voltage, current);
  }
  dcTarget(voltage: number, current: number): void {
    this.#parts.dc?.setTarget(voltage, current);
  }
  acTarget(watts: number): void {
    this.#parts.inverter?.setActivePower(watts);
  }
  evNeeds(needs: Parameters<NonNullable<ChargerFeedback["evNeeds"]>>[0]): void {
    this.#parts.energyManager?.evNeeds?.(needs);
    this.#parts.backend?.evNeeds?.(needs);
  }
  evChargingProfile(entries: readonly { readonly start: number; readonly power: number }[]): void {
    this.#parts.backend?.evChargingSchedule?.(entries);
  }
  sessionStarted(info: Parameters<NonNullable<ChargerFeedback["sessionStarted"]>>[0]): void {
    this.#parts.backend?.sessionStarted?.({ protocol: info.protocol, evccId: info.evccId, resumed: info.resumed });
  }
  startCharging(mode: "ac" | "dc"): void {
    if (mode === "ac") this.#ac?.close();
    this.#parts.backend?.chargingStarted?.();
  }
  stopCharging(mode: "ac" | "dc"): void {
    if (mode === "ac") this.#ac?.open();
    else this.#parts.dc?.stop();
    this.#parts.wpt?.setPower(0);
    this.#parts.backend?.chargingStopped?.();
  }
  sessionStopped(reason: string): void {
    const { backend, dc, wpt, auth, energyManager } = this.#parts;
    backend?.sessionStopped?.(reason);
    dc?.stop();
    wpt?.setPower(0);
    if (this.#ac?.closed) this.#ac.open();
    auth?.cancel();
    energyManager?.sessionStopped?.();
  }
}
