// `xs15118 secc|evcc --transfer wpt|acdp`: ISO 15118-20 beyond the cable between two processes —
// a wireless pad or a pantograph on the charger's side, a car with its WPT receiver or a bus
// driving in on the vehicle's side, each process with its half of the device models
// (simulation/wpt/pad.ts, simulation/acdp/pantograph.ts: the pad places the car by the LF data
// the car sends; the bus's contact follows what the charger reports). No SLAC: the link is the
// WLAN (here any IP link), SDP asks and answers with the -20 wireless variant (0x9002/0x9003).
import type { Clock, Millis } from "../../../modules/common/index";
import type { Iso20Transfer, SeccConfig } from "../../../modules/statemachine/index";
import { CouplingType, P2psPpd } from "../../../modules/v2gtp/index";
import type { SdpWirelessOffer, SdpWirelessRequest } from "../../../modules/v2gtp/index";
import { SimApproach, SimPantograph } from "../../../simulation/acdp/pantograph";
import { SimWirelessPad } from "../../../simulation/wpt/pad";
import type { VehicleStationOptions } from "../../../simulation/station/vehicle-station";
import { UsageError } from "./options";
import type { OptionSpec } from "./options";

export type WirelessTransfer = "wpt" | "acdp";
export const WIRELESS_TRANSFERS: readonly WirelessTransfer[] = Object.freeze(["wpt", "acdp"] as WirelessTransfer[]);

/** Faults of the device models, one process's half each (the other side sees their effect on the wire). */
const SECC_FAULTS = Object.freeze({ acdp: ["no-contact", "contact-loss"], wpt: ["weak-coupling", "fod"] });
const EVCC_FAULTS = Object.freeze({ acdp: [] as string[], wpt: ["other-pad", "off-pad"] });

export const DEVICE_FAULT_OPTION: OptionSpec = { name: "--device-fault", value: "NAME" };

export const SECC_WIRELESS_HELP = `  --transfer wpt|acdp  ISO 15118-20 beyond the cable (needs --protocol iso20): wpt, an 11 kW
                      wireless pad that locates the car by the LF data it sends; acdp, a DC
                      outlet (450 kW) under a pantograph whose sensors see the bus drive in.
                      SDP also answers the -20 wireless request (0x9002)
  --device-fault NAME  with --transfer acdp: no-contact (the pantograph never makes contact),
                      contact-loss (lost 20 s into charging); wpt: weak-coupling (the alignment
                      check fails), fod (a foreign object 20 s into charging)`;

export const EVCC_WIRELESS_HELP = `  --transfer wpt|acdp  ISO 15118-20 beyond the cable (needs --protocol iso20): a car driving onto a
                      wireless pad (its receiver measures the pad's LF transmitters), or a bus
                      driving in under a pantograph; SDP asks with the -20 wireless request
  --device-fault NAME  with --transfer wpt: other-pad (the receiver observes another pad's code:
                      pairing fails), off-pad (it stops 25 cm to the side: never positioned)`;

/** --device-fault for the transfer given, checked; undefined without one. */
export function deviceFault(command: "secc" | "evcc", given: string | undefined, wireless: WirelessTransfer | undefined): string | undefined {
  if (given === undefined) return undefined;
  const known = wireless === undefined ? [] : (command === "secc" ? SECC_FAULTS : EVCC_FAULTS)[wireless];
  if (wireless === undefined) throw new UsageError(command, "--device-fault is a fault of the wpt or acdp device models: give --transfer wpt|acdp");
  if (known.indexOf(given) < 0) throw new UsageError(command, `--device-fault ${given}: with --transfer ${wireless} one of ${known.length > 0 ? known.join(", ") : "(none on this side)"}`);
  return given;
}

/** The charger's side: its configuration, its device (registered with the station's binding), the wireless SDP answer. */
export interface SeccWireless {
  /** Beyond the -20 services: what the charger's configuration changes (outlet, energy modes, schedule power). */
  config: Partial<SeccConfig>;
  services: Iso20Transfer[];
  devices: { wpt?: SimWirelessPad; acdp?: SimPantograph };
  sdpWireless: SdpWirelessOffer;
  /** Tells a new session where the device stands (device models report changes only). */
  report(): void;
}

/** An ACDP outlet: 900 V, 600 A, 450 kW (a depot pantograph). */
const ACDP_OUTLET = Object.freeze({ maxVoltage: 900, maxCurrent: 600, maxPower: 450_000, minVoltage: 150, minCurrent: 0, peakCurrentRipple: 5 });

export function seccWireless(kind: WirelessTransfer, clock: Clock, evseId: string, fault: string | undefined): SeccWireless {
  if (kind === "wpt") {
    const pad = new SimWirelessPad({ clock, weakCoupling: fault === "weak-coupling", fodAfter: fault === "fod" ? (20_000 as Millis) : undefined });
    return {
      // A pad and its supply power converter: no DC or AC outlet; the schedule's power is the pad's rating.
      config: { energyModes: ["AC_three_phase_core"], schedulePower: 11_000 },
      services: ["wpt"],
      devices: { wpt: pad },
      sdpWireless: { couplingType: CouplingType.WPT, evseId },
      report: () => pad.report(),
    };
  }
  // The charger's positioning sensors see the bus drive in from 6 m (the same approach the bus simulates).
  const pantograph = new SimPantograph({ clock, approach: new SimApproach({ clock }), noContact: fault === "no-contact", loseContactAfter: fault === "contact-loss" ? (20_000 as Millis) : undefined });
  return {
    config: { dc: ACDP_OUTLET },
    services: ["dc_acdp", "dc_acdp_bpt"],
    devices: { acdp: pantograph },
    sdpWireless: { couplingType: CouplingType.PANTOGRAPH_CROSS_RAIL, evseId },
    report: () => pantograph.report(),
  };
}

/** The vehicle's side: the -20 service, its energy transfer, its device model and its wireless SDP request. */
export function evccWireless(kind: WirelessTransfer, evccId: Uint8Array, fault: string | undefined): { iso20Transfer: Iso20Transfer; transfer: "dc" | "ac"; device: NonNullable<VehicleStationOptions["device"]>; sdpWireless: SdpWirelessRequest } {
  // EVID: the MAC in hex (-20 §7.10.1.10 NOTE 1: any identifier the PPD can match; random for privacy).
  let evid = "";
  for (const b of evccId) evid += (b < 16 ? "0" : "") + b.toString(16).toUpperCase();
  if (kind === "wpt") {
    const receiver = fault === "other-pad" ? { observesCode: 0xbeef } : fault === "off-pad" ? { lateralOffset: 25 } : {};
    return { iso20Transfer: "wpt", transfer: "ac", device: { kind: "wpt", receiver }, sdpWireless: { evid, couplingType: CouplingType.WPT, p2psPpd: P2psPpd.WPT_LF_ON_INFRASTRUCTURE } };
  }
  return { iso20Transfer: "dc_acdp", transfer: "dc", device: { kind: "acdp" }, sdpWireless: { evid, couplingType: CouplingType.PANTOGRAPH_CROSS_RAIL, p2psPpd: P2psPpd.PPD_ON_INFRASTRUCTURE } };
}
