// The automated connection device (ACD: a pantograph lowered from a mast, or one raised from
// the vehicle's roof) as the ISO 15118-20 ACDP messages see it (V2G_CI_ACDP.xsd), for both
// roles. Data only: the SECC's host reports the device with ControlEvent "acdp-device" and
// moves it when the session signals "acdp-lower" / "acdp-raise" (ChargerFeedback.acdpDevice).

/** ACDP_*Res EVSEMechanicalChargingDeviceStatus: where the device's arm is. */
export type AcdpMechanicalState = "Home" | "Moving" | "EndPosition";
/** ACDP_Connect/Disconnect electrical status: the contact's pilot-like state (A open … C/D closed and ready). */
export type AcdpElectricalState = "State_A" | "State_B" | "State_C" | "State_D";

/** What the charger's ACD and its positioning sensors report (cm for distances, as ACDP_VehiclePositioningRes sends them). */
export interface AcdpDeviceState {
  /** The charger measures the vehicle's position (EVSEPositioningSupport). */
  positioningSupport: boolean;
  /** The vehicle's contact point relative to the device's, along and across the lane (cm; xs:short). */
  xDeviation: number;
  yDeviation: number;
  /** Half-widths of the window in which the device can make contact (cm). */
  windowX: number;
  windowY: number;
  mechanical: AcdpMechanicalState;
  electrical: AcdpElectricalState;
  /** A device fault (stuck arm, contact head damaged): the session ends. */
  fault: boolean;
}

export function initialAcdpDevice(): AcdpDeviceState {
  return { positioningSupport: true, xDeviation: 32767, yDeviation: 32767, windowX: 20, windowY: 20, mechanical: "Home", electrical: "State_A", fault: false };
}

/** The vehicle is inside the contact window. */
export function inChargePosition(d: AcdpDeviceState): boolean {
  return Math.abs(d.xDeviation) <= d.windowX && Math.abs(d.yDeviation) <= d.windowY;
}

/** The device is down and the contact closed (State_C or State_D: the EV side closed its circuit). */
export function contactMade(d: AcdpDeviceState): boolean {
  return d.mechanical === "EndPosition" && (d.electrical === "State_C" || d.electrical === "State_D");
}

/** The vehicle side of ACDP (polled by the EVCC like the BMS): drive state and readiness. */
export interface AcdpVehicle {
  /** EVMobilityStatus: the vehicle still moves (approaching the charge position). */
  moving(): boolean;
  /** The vehicle can help positioning (EVPositioningSupport: its own sensors or driver guidance). */
  positioningSupport(): boolean;
  /** Told where it stands (cm from the device, the window's half-widths): steer or stop. */
  onPosition?(x: number, y: number, windowX: number, windowY: number, inPosition: boolean): void;
  /** EVImmobilized: parking brake set, drive disabled (asked for by EVImmobilizationRequest). */
  immobilized(): boolean;
  /** The EV's electrical contact state seen from the vehicle (State_B lowered, State_C ready for power). */
  contactState(): AcdpElectricalState;
  /** ACDP_ConnectRes / ACDP_DisconnectRes: where the charger's device is and its contact state. */
  onDeviceStatus?(mechanical: AcdpMechanicalState, electrical: AcdpElectricalState): void;
  /**
   * The vehicle must leave the contact now (a departure or vehicle-side request): ACDP_DisconnectReq
   * straight from the charge loop ([V2G20-4061]); the charger brings the current to zero before it raises.
   */
  disconnectNow?(): boolean;
}

/**
 * The charger's automated connection device as a ChargerBinding part: the session asks it to
 * lower or raise; it reports its state (position sensors, arm, contact) with ControlEvent
 * "acdp-device" through onEvent.
 */
export interface ConnectionDevice {
  lower(): void;
  raise(): void;
  onEvent?: (event: { readonly kind: "acdp-device"; readonly state: Partial<AcdpDeviceState> }) => void;
}
