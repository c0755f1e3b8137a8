// Shared building blocks of the portable core: errors, time, logging, bytes, host interfaces.
export * from "./errors";
export * from "./clock";
export * from "./wall-clock";
export { ManualClock } from "./manual-clock";
export * from "./log";
export * from "./bytes";
export type * from "./io";
export { VERSION } from "./version";
