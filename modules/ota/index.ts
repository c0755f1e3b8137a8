// Signed over-the-air updates with rollback, the vendor's update trust anchor, and signed
// configuration changes gated by the charging session (README.md). What only tools and tests
// run (packing and signing images, the simulated flash) is in simulation/ota.
export * from "./image";
export * from "./trust";
export type * from "./flash";
export * from "./updater";
export * from "./config-gate";
export * from "./service";
