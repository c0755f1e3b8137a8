// Signed over-the-air updates with rollback, the vendor's update trust anchor, and signed
// configuration changes gated by the charging session (README.md).
export * from "./image";
export * from "./trust";
export type * from "./flash";
export * from "./updater";
export * from "./config-gate";
export * from "./service";
export { SimulatedFlash, PowerRail, PowerCut, RailStorage } from "./simulated-flash";
export * from "./pack";
