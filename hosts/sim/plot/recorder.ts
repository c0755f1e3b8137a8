// Collects what `xs15118 sim --plot` draws from the simulation's trace: the 10-second power status
// (voltage, current, SoC) and the moments of the session's key requests.

import type { SimulationOptions, TraceEvent } from "../../../simulation/session/simulation";
import { DEFAULT_CHARGER } from "../../../simulation/station/charger-station";
import type { PlotSample, SessionPlot } from "./session-svg";

/** Requests marked on the time axis: where the schedule is negotiated and power starts or stops. */
const MARKED = ["SessionSetupReq", "ChargeParameterDiscoveryReq", "ScheduleExchangeReq", "PowerDeliveryReq"];

export class SessionPlotRecorder {
  readonly samples: PlotSample[] = [];
  readonly events: { t: number; label: string }[] = [];
  /** When the V2G session was set up (s): relative schedules start here. */
  sessionStart: number | undefined;

  onTrace(e: TraceEvent): void {
    const t = e.time / 1000;
    if (e.source === "power" && e.values?.voltage !== undefined && e.values.current !== undefined && e.values.soc !== undefined) {
      this.samples.push({ t, voltage: e.values.voltage, current: e.values.current, soc: e.values.soc });
      return;
    }
    if (e.source !== "secc") return;
    for (const name of MARKED) {
      if (e.text.indexOf(name) < 0) continue;
      if (name === "SessionSetupReq") this.sessionStart ??= t;
      const progress = /ChargeProgress=(\w+)/.exec(e.text);
      this.events.push({ t, label: name.replace(/Req$/, "") + (progress ? ` ${progress[1]}` : "") });
    }
  }

  /** The plot; `schedule` (PMax steps in s from the session's start, W) draws the limit. */
  plot(title: string, schedule?: readonly { start: number; power: number }[]): SessionPlot {
    const origin = this.sessionStart ?? 0;
    return {
      title,
      samples: this.samples,
      events: this.events,
      ...(schedule ? { powerLimit: schedule.map((s) => ({ t: origin + s.start, watts: s.power })) } : {}),
    };
  }
}

/** The plots' title (and the session view's): protocol, transfer, outcome. */
export function sessionTitle(summary: { protocol?: string; transfer: string; outcome: string }, operatorSchedule: boolean): string {
  return `${(summary.protocol ?? "").toUpperCase()} ${summary.transfer.toUpperCase()} session: ${summary.outcome}${operatorSchedule ? ", schedule from the OCPP test CSMS" : ""}`;
}

/** The limit the simulated charger offers without an operator: its power, flat (DC: --max-power; AC: the outlet's). */
export function defaultSchedule(options: SimulationOptions): { start: number; power: number }[] {
  const ac = DEFAULT_CHARGER.ac!;
  const power = (options.transfer ?? "dc") === "dc" ? (options.maxPower ?? DEFAULT_CHARGER.dc!.maxPower) : ac.nominalVoltage * ac.maxCurrent * ac.phases;
  return [{ start: 0, power }];
}
