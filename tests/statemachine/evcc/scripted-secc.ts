// Test support: a scripted charger that answers EVCC requests at object level (no codec, no
// sockets), with simple DC/AC physics linked to a SimVehicle-like battery view, and overrides
// per request for the cases under test (Ongoing, FAILED codes, silence, notifications).

import type { Clock, Millis } from "../../../modules/common/index";
import type { EvccSchema, PhysicalValue, V2gMessageDoc } from "../../../modules/statemachine/evcc/index";
import { bodyElement, fromPhysical, physical } from "../../../modules/statemachine/evcc/index";

export const SECC_SESSION_ID = Uint8Array.of(0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11);

/** What a response override may return: a body content, "silence" (no answer), or default. */
export type Override = (req: any, count: number, secc: ScriptedSecc) => object | "silence" | undefined;

export interface ScriptedSeccOptions {
  protocol: EvccSchema;
  dc: boolean;
  clock: Clock;
  /** Deliver a response to the EVCC. */
  deliver(doc: V2gMessageDoc): void;
  /** Battery terminal voltage now (physics link), V. */
  batteryVoltage(): number;
  /** Response delay, ms. Default 20. */
  latency?: number;
  evseMaxCurrent?: number;
  evseMaxPower?: number;
  acMaxCurrent?: number;
  overrides?: Record<string, Override>;
  sessionId?: Uint8Array;
}

export class ScriptedSecc {
  readonly o: ScriptedSeccOptions;
  readonly received: string[] = [];
  readonly counts: Record<string, number> = {};
  presentVoltage = 0;
  presentCurrent = 0;
  sessionId: Uint8Array;
  /** Energy delivered at the DC output, Wh (DC only). */
  deliveredWh = 0;
  #lastAt = 0;
  #charging = false;

  constructor(options: ScriptedSeccOptions) {
    this.o = options;
    this.sessionId = options.sessionId ?? SECC_SESSION_ID;
  }

  /** Feed an EVCC request; the response arrives after the latency on the same clock. */
  onRequest(doc: V2gMessageDoc): void {
    const element = bodyElement(doc)!;
    const name = element.name;
    this.received.push(name);
    const count = (this.counts[name] = (this.counts[name] ?? 0) + 1);
    const override = this.o.overrides?.[name]?.(element.content, count, this);
    if (override === "silence") return;
    const body = override ?? this.#default(name, element.content as any);
    const response = name.replace(/Req$/, "Res");
    const reply: V2gMessageDoc = { V2G_Message: { Header: { SessionID: this.sessionId }, Body: { [response]: body } } };
    this.o.clock.set(() => this.o.deliver(reply), (this.o.latency ?? 20) as Millis);
  }

  pv(value: number, unit: string): PhysicalValue {
    return physical(value, unit);
  }

  dcStatus(code = "EVSE_Ready", notification = "None", isolation = "Valid"): object {
    return { EVSEIsolationStatus: isolation, EVSEStatusCode: code, NotificationMaxDelay: 0, EVSENotification: notification };
  }

  acStatus(notification = "None"): object {
    return this.o.protocol === "din"
      ? { PowerSwitchClosed: this.#charging, RCD: false, NotificationMaxDelay: 0, EVSENotification: notification }
      : { NotificationMaxDelay: 0, EVSENotification: notification, RCD: false };
  }

  #integrate(): void {
    const now = this.o.clock.now();
    if (this.#charging) this.deliveredWh += (this.presentVoltage * this.presentCurrent * (now - this.#lastAt)) / 3_600_000;
    this.#lastAt = now;
  }

  #default(name: string, req: any): object {
    const din = this.o.protocol === "din";
    const ok = { ResponseCode: "OK" };
    switch (name) {
      case "SessionSetupReq":
        return din ? { ResponseCode: "OK_NewSessionEstablished", EVSEID: Uint8Array.of(0x49, 0xa8, 0x9a, 0x63, 0x60), DateTimeNow: 1700000000n } : { ResponseCode: "OK_NewSessionEstablished", EVSEID: "DE*ABC*E123456", EVSETimeStamp: 1700000000n };
      case "ServiceDiscoveryReq":
        return din
          ? {
              ResponseCode: "OK",
              PaymentOptions: { PaymentOption: ["ExternalPayment"] },
              ChargeService: { ServiceTag: { ServiceID: 1, ServiceCategory: "EVCharging" }, FreeService: false, EnergyTransferType: "DC_extended" },
            }
          : {
              ResponseCode: "OK",
              PaymentOptionList: { PaymentOption: ["ExternalPayment"] },
              ChargeService: {
                ServiceID: 1,
                ServiceCategory: "EVCharging",
                FreeService: false,
                SupportedEnergyTransferMode: { EnergyTransferMode: this.o.dc ? ["DC_extended", "DC_core"] : ["AC_three_phase_core", "AC_single_phase_core"] },
              },
            };
      case "ServiceDetailReq":
        return { ResponseCode: "OK", ServiceID: req.ServiceID, ServiceParameterList: { ParameterSet: [{ ParameterSetID: 1, Parameter: [{ Name: "Protocol", intValue: 80 }] }] } };
      case "ServicePaymentSelectionReq":
      case "PaymentServiceSelectionReq":
      case "ContractAuthenticationReq":
        return name === "ContractAuthenticationReq" ? { ...ok, EVSEProcessing: "Finished" } : ok;
      case "AuthorizationReq":
        return { ...ok, EVSEProcessing: "Finished" };
      case "ChargeParameterDiscoveryReq": {
        const schedule = {
          SAScheduleTuple: [
            {
              SAScheduleTupleID: 1,
              PMaxSchedule: din
                ? { PMaxScheduleID: 1, PMaxScheduleEntry: [{ RelativeTimeInterval: { start: 0, duration: 86400 }, PMax: 32767 }] }
                : { PMaxScheduleEntry: [{ RelativeTimeInterval: { start: 0, duration: 86400 }, PMax: this.pv(this.o.evseMaxPower ?? 50000, "W") }] },
            },
          ],
        };
        if (this.o.dc) {
          return {
            ResponseCode: "OK",
            EVSEProcessing: "Finished",
            SAScheduleList: schedule,
            DC_EVSEChargeParameter: {
              DC_EVSEStatus: this.dcStatus("EVSE_Ready", "None", din ? "Invalid" : "Invalid"),
              EVSEMaximumCurrentLimit: this.pv(this.o.evseMaxCurrent ?? 125, "A"),
              EVSEMaximumPowerLimit: this.pv(this.o.evseMaxPower ?? 50000, "W"),
              EVSEMaximumVoltageLimit: this.pv(500, "V"),
              EVSEMinimumCurrentLimit: this.pv(0, "A"),
              EVSEMinimumVoltageLimit: this.pv(150, "V"),
              EVSECurrentRegulationTolerance: this.pv(1, "A"),
              EVSEPeakCurrentRipple: this.pv(2, "A"),
            },
          };
        }
        return {
          ResponseCode: "OK",
          EVSEProcessing: "Finished",
          SAScheduleList: schedule,
          AC_EVSEChargeParameter: { AC_EVSEStatus: this.acStatus(), EVSENominalVoltage: this.pv(230, "V"), EVSEMaxCurrent: this.pv(this.o.acMaxCurrent ?? 16, "A") },
        };
      }
      case "CableCheckReq":
        return { ...ok, DC_EVSEStatus: this.dcStatus(), EVSEProcessing: "Finished" };
      case "PreChargeReq": {
        // The charger's output ramps 100 V per request towards the target.
        const target = fromPhysical(req.EVTargetVoltage) ?? 0;
        this.presentVoltage = Math.abs(target - this.presentVoltage) <= 100 ? target : this.presentVoltage + Math.sign(target - this.presentVoltage) * 100;
        return { ...ok, DC_EVSEStatus: this.dcStatus(), EVSEPresentVoltage: this.pv(this.presentVoltage, "V") };
      }
      case "PowerDeliveryReq": {
        this.#integrate();
        const start = din ? req.ReadyToChargeState === true : req.ChargeProgress === "Start";
        this.#charging = start;
        if (!start) this.presentCurrent = 0;
        return this.o.dc ? { ...ok, DC_EVSEStatus: this.dcStatus() } : { ...ok, AC_EVSEStatus: this.acStatus() };
      }
      case "CurrentDemandReq": {
        this.#integrate();
        const target = fromPhysical(req.EVTargetCurrent) ?? 0;
        this.presentCurrent = Math.min(target, this.o.evseMaxCurrent ?? 125);
        this.presentVoltage = this.o.batteryVoltage();
        return {
          ResponseCode: "OK",
          DC_EVSEStatus: this.dcStatus(),
          EVSEPresentVoltage: this.pv(Math.round(this.presentVoltage * 10) / 10, "V"),
          EVSEPresentCurrent: this.pv(Math.round(this.presentCurrent * 10) / 10, "A"),
          EVSECurrentLimitAchieved: false,
          EVSEVoltageLimitAchieved: false,
          EVSEPowerLimitAchieved: false,
          EVSEMaximumVoltageLimit: this.pv(500, "V"),
          EVSEMaximumCurrentLimit: this.pv(this.o.evseMaxCurrent ?? 125, "A"),
          EVSEMaximumPowerLimit: this.pv(this.o.evseMaxPower ?? 50000, "W"),
          ...(din ? {} : { EVSEID: "DE*ABC*E123456", SAScheduleTupleID: 1 }),
        };
      }
      case "ChargingStatusReq":
        return { ResponseCode: "OK", EVSEID: "DE*ABC*E123456", SAScheduleTupleID: 1, EVSEMaxCurrent: this.pv(this.o.acMaxCurrent ?? 16, "A"), AC_EVSEStatus: this.acStatus() };
      case "WeldingDetectionReq":
        this.presentVoltage = Math.max(0, this.presentVoltage - 150);
        return { ...ok, DC_EVSEStatus: this.dcStatus(), EVSEPresentVoltage: this.pv(this.presentVoltage, "V") };
      case "SessionStopReq":
        return ok;
    }
    return { ResponseCode: "FAILED_SequenceError" };
  }
}
