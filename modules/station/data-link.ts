// The way from plug-in to an IP link, for each role: the control pilot (IEC 61851-1) starts
// SLAC (ISO 15118-3) when digital communication is signalled, and a match brings the
// powerline's AVLN up, over which the IP side (SDP, V2GTP, the session) then runs.
//
// Portable: the pilot's and the modem's host classes come in as `{io, ...options}` specs
// (ECMA-419 shape), so the board (ESP32 adapters), the simulators and the tests (stand-in IO)
// all run this one assembly.
//
// One file per role (charger-link.ts, vehicle-link.ts), so that a single-role firmware image
// carries only its own; this file gathers both for the hosts and tests that run both roles.

export type { HostSpec, LinkOptions } from "./link-options";
export * from "./charger-link";
export * from "./vehicle-link";
