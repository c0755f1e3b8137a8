// A station assembled from its parts: configuration, the data link (pilot → SLAC) per role, and
// the firmware entry every host's main.ts calls.
export * from "./config";
export * from "./data-link";
export * from "./firmware";
