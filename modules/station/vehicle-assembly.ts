// A vehicle assembled from its parts (assembly.ts says how, for both roles): the vehicle's data
// link, then at SLAC's match the host's IPv6 stack and the EVCC service on it. A vehicle's image
// carries this and not charger-assembly.ts.

import type { VehiclePilotEvent } from "../cp-pwm/vehicle";
import type { SlacEvCandidate, SlacEvMatchInfo } from "../slac/ev";
import { VehicleDataLink } from "./vehicle-link";
import type { VehicleDataLinkOptions } from "./vehicle-link";
import { EvccService } from "./evcc-service";
import type { EvccServiceOptions, VehicleHardware } from "./evcc-service";
import type { EvBms } from "../statemachine/evcc/index";
import { IpSide } from "./ip-side";
import type { AssemblyCommon, HostIpStack } from "./ip-side";

export interface VehicleAssemblyOptions extends AssemblyCommon {
  /** The pilot's ADC and S2 switch, and the inlet's proximity (PP) input if wired (VehicleDataLinkOptions.pilot). */
  pilot: VehicleDataLinkOptions["pilot"];
  /** Without a PP input: 0 V on the pilot this long counts as unplugged (default UNPLUGGED_AFTER_E). */
  unpluggedAfterE?: VehicleDataLinkOptions["unpluggedAfterE"];
  /** The BMS and the vehicle's hooks; absent (and no createService): no session can start. The
   *  S2 switch is the pilot's: setPilotState also drives it. */
  hardware?: VehicleHardware;
  /** EVCC service settings and hooks (EVCCID, protocols, transfer, traces, the end). */
  service?: Omit<EvccServiceOptions, "clock" | "wall" | "io" | "hardware" | "logger">;
  /**
   * Builds the EVCC service on the link's IP stack instead of the default; `pilotReady` is the
   * S2 switch (IEC 61851-1 A.2.2: closed = ready for power) for its setPilotState hook. The
   * assembly starts it.
   */
  createService?(ip: HostIpStack, pilotReady: (ready: boolean) => void): EvccService;
  onPilotEvent?(event: VehiclePilotEvent): void;
  onSlacCandidate?(candidate: SlacEvCandidate): void;
  onLinkUp?(info: SlacEvMatchInfo): void;
  /** The IP side runs (SDP discovery or the connection starts next). */
  onServing?(info: { service: EvccService }): void;
}

/** A vehicle: pilot and SLAC as the EV, then SDP discovery, the V2G connection and session. */
export class VehicleAssembly {
  readonly link: VehicleDataLink;
  readonly #o: VehicleAssemblyOptions;
  readonly #side: IpSide<EvccService>;

  constructor(options: VehicleAssemblyOptions) {
    this.#o = options;
    this.#side = new IpSide(options, "vehicle");
    this.link = new VehicleDataLink({
      ...this.#side.linkOptions(),
      pilot: options.pilot,
      unpluggedAfterE: options.unpluggedAfterE,
      onPilotEvent: options.onPilotEvent,
      onSlacCandidate: options.onSlacCandidate,
      onLinkUp: (info) => this.#linkUp(info),
    });
  }

  /** The EVCC service while the link is up. */
  get service(): EvccService | undefined {
    return this.#side.service;
  }

  #linkUp(info: SlacEvMatchInfo): void {
    const o = this.#o;
    o.onLinkUp?.(info);
    const hardware = o.hardware;
    const ip = this.#side.open(o.createService ?? (o.service && hardware));
    if (!ip) return;
    const pilot = this.link.pilot;
    // IEC 61851-1 A.2.2: the vehicle signals "ready for power" (state C) by closing S2.
    const pilotReady = (ready: boolean): void => pilot.setReady(ready);
    let service: EvccService;
    if (o.createService) service = o.createService(ip, pilotReady);
    else {
      const hooks = hardware!.vehicle;
      const link = this.link;
      service = new EvccService({
        ...o.service!,
        clock: o.clock,
        wall: o.wall,
        io: { Udp: ip.Udp, Tcp: ip.Tcp, interface: ip.interface },
        hardware: {
          // With a PP input the cable's coded current caps the EV's AC maximum current.
          bms: link.pilot.hasProximity ? cableLimitedBms(hardware!.bms, () => link.cableCurrent) : hardware!.bms,
          vehicle: {
            ...hooks,
            setPilotState: (state) => {
              hooks.setPilotState?.(state);
              pilotReady(state === "C");
            },
          },
        },
        logger: o.logger,
      });
    }
    this.#side.service = service;
    o.onServing?.({ service });
    service.start();
  }

  close(): void {
    this.#side.stop();
    this.link.close();
  }
}

/**
 * The BMS as the session sees it, with the cable's coded current as a ceiling on its AC maximum
 * current: IEC 61851-1 Annex B — the cable assembly's rating (coded by the PP resistor) limits
 * what the vehicle draws — so ISO 15118-2 AC_EVChargeParameter EVMaxCurrent (and the -20 AC
 * limits) never ask for more. Every other member is the BMS's own, optional ones included (the
 * session asks for some by their presence), so the wrapper is otherwise transparent.
 * `cableCurrent` undefined: no cap.
 */
export function cableLimitedBms<B extends EvBms>(bms: B, cableCurrent: () => number | undefined): B {
  const bound = new Map<PropertyKey, unknown>();
  const acLimits = (): ReturnType<EvBms["acLimits"]> => {
    const limits = bms.acLimits();
    const cap = cableCurrent();
    if (cap === undefined || limits.maxCurrent <= cap) return limits;
    return { maxVoltage: limits.maxVoltage, maxCurrent: cap, minCurrent: Math.min(limits.minCurrent, cap) };
  };
  return new Proxy(bms, {
    get(target, key) {
      if (key === "acLimits") return acLimits;
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== "function") return value;
      // Methods run on the BMS itself (a class's private fields need the real `this`), bound once.
      let method = bound.get(key);
      if (method === undefined) bound.set(key, (method = (value as (...args: unknown[]) => unknown).bind(target)));
      return method;
    },
  });
}
