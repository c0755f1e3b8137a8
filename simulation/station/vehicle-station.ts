// A simulated vehicle's communication controller, assembled: SDP discovery (or a given
// address), the TCP connection, one EvccConnection (SAP, then DIN or ISO-2), and the simulated
// vehicle (battery, on-board charger) as its BMS.
//
// Shared by the virtual-time simulation (`xs15118 sim`) and the vehicle on a real interface
// (`xs15118 evcc`). Portable: sockets come in as ECMA-419-shaped classes.

import type { Clock } from "../../modules/common/clock";
import type { StreamSocketClass, UdpSocketClass } from "../../modules/common/io";
import type { Logger } from "../../modules/common/log";
import { silentLogger } from "../../modules/common/log";
import { EvccConnection } from "../../modules/statemachine/evcc/connection";
import type { EvccConnectionOutcome } from "../../modules/statemachine/evcc/connection";
import type { EnergyTransferMode, EvccConfig, EvccProtocol, EvccTraceEntry } from "../../modules/statemachine/evcc/index";
import { SdpClient } from "../../modules/v2gtp/index";
import type { SdpResult } from "../../modules/v2gtp/index";
import { SimVehicle } from "../vehicle/index";
import type { BatteryOptions } from "../vehicle/index";
import type { SessionProtocol, Transfer } from "./charger-station";

export interface VehicleStationOptions {
  clock: Clock;
  io: { Udp: UdpSocketClass; Tcp: StreamSocketClass };
  /** Interface (zone) for SDP and link-local addresses. */
  interface?: string;
  /** The charger's address and port; absent: found with SDP. */
  secc?: { address: string; port: number };
  /** Where SDP asks (default ff02::1 port 15118 on the interface). */
  sdpDestination?: { address: string; port: number };
  /** Protocols offered in supportedAppProtocolReq, most preferred first. */
  protocols?: readonly SessionProtocol[];
  transfer?: Transfer;
  /** EVCCID: the vehicle's MAC address. */
  evccId: Uint8Array;
  battery?: Partial<BatteryOptions>;
  targetSoc?: number;
  /**
   * ISO 15118-20 travels over plain TCP here (SDP asks for no security): offered only with this
   * explicitly insecure permission until TLS comes (-20 requires TLS 1.3).
   */
  insecureIso20WithoutTls?: boolean;
  /** Session settings beyond the defaults (session.iso20: the -20 service and control mode). */
  session?: Partial<Omit<EvccConfig, "protocol" | "communicationSetupDeadline">>;
  logger?: Logger;
  onTrace?(entry: EvccTraceEntry): void;
  onDiscovered?(result: SdpResult): void;
  /** The vehicle closes or opens its pilot S2 switch ("C": ready for power). */
  onPilot?(state: "B" | "C"): void;
  /** DC: the vehicle's contactors closed or opened. */
  onContactors?(closed: boolean): void;
  /** The session is over (or discovery / SAP failed). */
  onEnd(outcome: VehicleOutcome): void;
  /** Power at the inlet in AC: whether the charger's contactor is closed (default: always). */
  acPowerAvailable?: () => boolean;
}

export interface VehicleOutcome extends Partial<Omit<EvccConnectionOutcome, "reason">> {
  reason: EvccConnectionOutcome["reason"] | "sdp-failed";
  /** The end was normal: the vehicle stopped the session in order (SessionStop). */
  ok: boolean;
}

export const DEFAULT_BATTERY: Readonly<BatteryOptions> = Object.freeze({ capacityKWh: 40, soc: 30, maxCurrent: 125, maxPower: 50_000 });

/** The station's simulated vehicle (battery and a 3 × 16 A on-board charger); also what the
 *  simulation uses to foresee how long a charge takes. */
export function createStationVehicle(options: Pick<VehicleStationOptions, "clock" | "battery" | "targetSoc" | "acPowerAvailable">): SimVehicle {
  return new SimVehicle({
    clock: options.clock,
    battery: { ...DEFAULT_BATTERY, ...options.battery },
    targetSoc: options.targetSoc ?? 80,
    onBoardCharger: { phases: 3, maxCurrent: 16 },
    acPowerAvailable: options.acPowerAvailable,
  });
}

export class VehicleStation {
  readonly vehicle: SimVehicle;
  readonly #o: VehicleStationOptions;
  readonly #log: Logger;
  #sdp: SdpClient | undefined;
  #connection: EvccConnection | undefined;
  #ended = false;

  constructor(options: VehicleStationOptions) {
    this.#o = options;
    this.#log = options.logger ?? silentLogger;
    this.vehicle = createStationVehicle(options);
  }

  get connection(): EvccConnection | undefined {
    return this.#connection;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Discover the charger (unless given) and run one session. */
  start(): void {
    const o = this.#o;
    if (o.secc) {
      this.#connect(o.secc.address, o.secc.port);
      return;
    }
    this.#sdp = new SdpClient({
      udp: o.io.Udp,
      clock: o.clock,
      interface: o.interface,
      security: "none", // TLS comes with the Plug & Charge issue; EIM runs over plain TCP
      destination: o.sdpDestination,
      logger: this.#log,
      onDiscovered: (result) => {
        this.#sdp = undefined;
        o.onDiscovered?.(result);
        this.#connect(result.connectAddress, result.port);
      },
      onFailed: (error) => {
        this.#sdp = undefined;
        this.#end({ reason: "sdp-failed", detail: error.message, ok: false });
      },
    });
    this.#sdp.start();
  }

  #connect(address: string, port: number): void {
    const o = this.#o;
    const transfer = o.transfer ?? "dc";
    const mode: EnergyTransferMode = transfer === "dc" ? "DC_extended" : "AC_three_phase_core";
    const vehicle = this.vehicle;
    this.#log.log("info", "evcc", `connecting to [${address}]:${port}`);
    this.#connection = new EvccConnection({
      open: (callbacks) => new o.io.Tcp({ address, port, ...callbacks }),
      protocols: o.protocols as readonly EvccProtocol[] | undefined,
      transport: "none",
      insecureIso20WithoutTls: o.insecureIso20WithoutTls,
      session: { energyTransferMode: mode, evccId: o.evccId, ...o.session },
      bms: vehicle,
      vehicle: {
        setPilotState: (state) => {
          vehicle.setPilotState(state);
          o.onPilot?.(state);
        },
        setContactors: (closed) => {
          vehicle.setContactors(closed);
          o.onContactors?.(closed);
        },
        onEvseValues: (values) => vehicle.onEvseValues(values),
      },
      clock: o.clock,
      logger: this.#log,
      onTrace: o.onTrace,
      onStop: (outcome) => this.#end({ ...outcome, ok: outcome.orderly && !outcome.paused && isNormalEnd(outcome.reason) }),
    });
  }

  #end(outcome: VehicleOutcome): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#o.onEnd(outcome);
  }

  /** The driver stops charging (orderly). */
  stop(): void {
    this.#connection?.stop();
  }

  /** Abandon everything at once (unplug). Harmless twice. */
  close(): void {
    this.#sdp?.close();
    this.#sdp = undefined;
    this.#connection?.abort("closed");
  }
}

function isNormalEnd(reason: string): boolean {
  return reason === "charging-complete" || reason === "user-stop" || reason === "evse-stop";
}
