// The IEC 61851-1 control pilot: duty ↔ current, plateau detection, charger and vehicle sides.
export * from "./duty";
export * from "./detector";
export * from "./duty-filter";
export * from "./phase-sampler";
export * from "./errors";
export * from "./io";
export * from "./timing";
export * from "./charger";
export * from "./vehicle";
