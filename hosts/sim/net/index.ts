// Node implementations of the core's network interfaces (modules/common/io.ts), IPv6 only.
export { NodeUdpSocket } from "./udp";
export { NodeTcpSocket } from "./tcp";
export type { NodeTcpSocketOptions } from "./tcp";
export { NodeListener } from "./listener";
export { ipv6Available, linkLocalInterface, zoneName, withZoneName } from "./probe";
