// A charger or a vehicle assembled from its parts, written once for every host (the board's
// firmware, the Moddable simulator, the Node simulator):
//
//   pilot (IEC 61851-1) → SLAC (ISO 15118-3) over the modem → the matched link's IPv6 frames →
//   the host's IPv6 stack → SDP → V2GTP → the session (DIN / ISO-2 / ISO-20) → the hardware
//
// What differs between hosts comes in as host interfaces: the pilot's and the modem's IO
// classes (`{io, ...options}`, ECMA-419 shape), the IPv6 stack opened over the link (lwIP on a
// board, the virtual stack in the simulators), and the hardware the session drives (a charger's
// power stage, AC supply, meter and authorization; a vehicle's BMS, contactors and S2 switch).
//
// One file per role (charger-assembly.ts, vehicle-assembly.ts) over what they share
// (ip-side.ts), so that a single-role firmware image carries only its own role; this file
// gathers both for the hosts that run both roles.

export { ETHERTYPE_IPV6, boundTls } from "./ip-side";
export type { HostIpStack, OpenHostIp, StationTls } from "./ip-side";
export * from "./charger-assembly";
export * from "./vehicle-assembly";
