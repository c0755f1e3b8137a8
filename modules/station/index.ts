// A station assembled from its parts: configuration, the data link (pilot → SLAC) per role, the
// IP side (SDP, V2GTP, session) per role, the whole assembly, and the firmware entry every
// host's main.ts calls, and what a charger keeps across a restart (paused sessions, energy).
export * from "./config";
export * from "./data-link";
export * from "./secc-service";
export * from "./evcc-service";
export * from "./assembly";
export * from "./firmware";
export * from "./atomic-record";
export * from "./persistence";
