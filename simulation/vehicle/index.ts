// The simulated vehicle: battery, AC on-board charger, and the BMS/hooks the EVCC drives.
export { BatteryModel } from "./battery";
export type { BatteryOptions } from "./battery";
export { OnBoardCharger } from "./on-board-charger";
export type { OnBoardChargerOptions } from "./on-board-charger";
export { SimVehicle } from "./sim-vehicle";
export type { SimVehicleOptions, BidirectionalVehicleOptions } from "./sim-vehicle";
