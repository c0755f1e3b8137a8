// A simulated vehicle: the IP side of modules/station (SDP discovery or a given address, the
// TCP connection, one EvccConnection; EvccService) on the simulated vehicle (battery, on-board
// charger) as its BMS — the simulator supplies only the vehicle model, the assembly is the
// firmware's.
//
// Serves the vehicle on a real interface (`xs15118 evcc`) and the tests; the virtual-time
// simulation (`xs15118 sim`) builds the whole vehicle, pilot and SLAC included, with
// modules/station's VehicleStation on the same model (stationVehicleHardware).
// Portable: sockets come in as ECMA-419-shaped classes.

import type { StreamSocketClass, UdpSocketClass } from "../../modules/common/io";
import type { EvccConnection } from "../../modules/statemachine/evcc/connection";
import { EvccService } from "../../modules/station/evcc-service";
import type { EvccServiceOptions, VehicleHardware } from "../../modules/station/evcc-service";
import { SimVehicle } from "../vehicle/index";
import type { BatteryOptions, BidirectionalVehicleOptions } from "../vehicle/index";
import { SimApproach } from "../acdp/pantograph";
import type { SimApproachOptions } from "../acdp/pantograph";
import { SimWptReceiver } from "../wpt/pad";
import type { SimWptReceiverOptions } from "../wpt/pad";
import { vehicleWithDevices } from "../session/direct-iso20";

export type { VehicleOutcome } from "../../modules/station/evcc-service";

/** EvccService's settings, on sockets given as a stack and a zone, with the simulated vehicle. */
export interface VehicleStationOptions extends Omit<EvccServiceOptions, "io" | "hardware"> {
  io: { Udp: UdpSocketClass; Tcp: StreamSocketClass };
  /** Interface (zone) for SDP and link-local addresses. */
  interface?: string;
  battery?: Partial<BatteryOptions>;
  targetSoc?: number;
  /** The vehicle closes or opens its pilot S2 switch ("C": ready for power). */
  onPilot?(state: "B" | "C"): void;
  /** DC: the vehicle's contactors closed or opened. */
  onContactors?(closed: boolean): void;
  /** Power at the inlet in AC: whether the charger's contactor is closed (default: always). */
  acPowerAvailable?: () => boolean;
  /** ISO 15118-20 BPT: the battery gives energy back too (minimum SoC, departure, discharge limits). */
  bidirectional?: BidirectionalVehicleOptions;
  /**
   * ISO 15118-20 beyond the cable, the vehicle's half only (the charger's is in another process):
   * a bus driving in under a pantograph (ACDP) or a car with a WPT receiver driving onto a pad.
   */
  device?: { kind: "acdp"; approach?: Partial<SimApproachOptions> } | { kind: "wpt"; receiver?: Partial<SimWptReceiverOptions> };
}

export const DEFAULT_BATTERY: Readonly<BatteryOptions> = Object.freeze({ capacityKWh: 40, soc: 30, maxCurrent: 125, maxPower: 50_000 });

/** The station's simulated vehicle (battery and a 3 × 16 A on-board charger); also what the
 *  simulation uses to foresee how long a charge takes. */
export function createStationVehicle(options: Pick<VehicleStationOptions, "clock" | "battery" | "targetSoc" | "acPowerAvailable" | "bidirectional">): SimVehicle {
  return new SimVehicle({
    clock: options.clock,
    battery: { ...DEFAULT_BATTERY, ...options.battery },
    targetSoc: options.targetSoc ?? 80,
    onBoardCharger: { phases: 3, maxCurrent: 16 },
    acPowerAvailable: options.acPowerAvailable,
    bidirectional: options.bidirectional,
  });
}

/** The simulated vehicle as the station's hardware: its BMS, and hooks that also tell the host. */
export function stationVehicleHardware(vehicle: SimVehicle, on: Pick<VehicleStationOptions, "onPilot" | "onContactors">): VehicleHardware {
  return {
    bms: vehicle,
    vehicle: {
      setPilotState: (state) => {
        vehicle.setPilotState(state);
        on.onPilot?.(state);
      },
      setContactors: (closed) => {
        vehicle.setContactors(closed);
        on.onContactors?.(closed);
      },
      onEvseValues: (values) => vehicle.onEvseValues(values),
    },
  };
}

/** A vehicle on an IP link it is given (no pilot, no SLAC): the vehicle model + EvccService. */
export class VehicleStation {
  readonly vehicle: SimVehicle;
  readonly service: EvccService;
  /** ACDP: the bus driving in; WPT: the car's receiver. */
  readonly approach: SimApproach | undefined;
  readonly receiver: SimWptReceiver | undefined;

  constructor(options: VehicleStationOptions) {
    this.vehicle = createStationVehicle(options);
    const device = options.device;
    this.approach = device?.kind === "acdp" ? new SimApproach({ clock: options.clock, ...device.approach }) : undefined;
    this.receiver = device?.kind === "wpt" ? new SimWptReceiver({ clock: options.clock, vehicle: this.vehicle, ...device.receiver }) : undefined;
    const hardware = stationVehicleHardware(this.vehicle, options);
    if (device !== undefined) hardware.bms = vehicleWithDevices(this.vehicle, { acdpVehicle: this.approach, wptReceiver: this.receiver });
    this.service = new EvccService({
      ...options,
      io: { Udp: options.io.Udp, Tcp: options.io.Tcp, interface: options.interface },
      hardware,
    });
  }

  get connection(): EvccConnection | undefined {
    return this.service.connection;
  }

  get ended(): boolean {
    return this.service.ended;
  }

  /** Discover the charger (unless given) and run one session. */
  start(): void {
    this.service.start();
  }

  /** The driver stops charging (orderly). */
  stop(): void {
    this.service.stop();
  }

  /** Abandon everything at once (unplug). Harmless twice. */
  close(): void {
    this.service.close();
  }
}
