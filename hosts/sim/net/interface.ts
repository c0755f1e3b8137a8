// A named network interface as the secc/evcc commands need it: its IPv6 link-local address
// (for SDP) and its MAC (the EVCCID); and "[fe80::1%eth0]:61000" endpoints.

import * as os from "node:os";
import { parseIpv6, splitZone } from "../../../modules/v2gtp/ipv6";

export interface InterfaceInfo {
  name: string;
  /** Link-local IPv6 address without zone. */
  linkLocal?: string;
  /** MAC as 6 bytes (all zero for interfaces without one). */
  mac: Uint8Array;
}

/** What os.networkInterfaces() knows of `name`; undefined when there is no such interface. */
export function interfaceInfo(name: string): InterfaceInfo | undefined {
  const entries = os.networkInterfaces()[name];
  if (entries === undefined || entries.length === 0) return undefined;
  let linkLocal: string | undefined;
  let mac = new Uint8Array(6);
  for (const a of entries) {
    if (a.mac && a.mac !== "00:00:00:00:00:00") mac = Uint8Array.from(a.mac.split(":").map((h) => parseInt(h, 16)));
    if (linkLocal === undefined && a.family === "IPv6" && a.address.toLowerCase().startsWith("fe80:")) linkLocal = splitZone(a.address).address;
  }
  return { name, linkLocal, mac };
}

/** Waits (polling, at most `ms`) until `name` has a link-local address; at once when there is no `name`. */
export async function waitForLinkLocal(name: string, ms: number): Promise<InterfaceInfo | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const info = interfaceInfo(name);
    if (info === undefined || info.linkLocal !== undefined || Date.now() >= deadline) return info;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface Endpoint {
  /** IPv6 address, with its zone when it has one ("fe80::1%eth0"). */
  address: string;
  port: number;
}

/**
 * "[fe80::1]:61000", "[fe80::1%eth0]:61000" or "[::1]:61000" → address and port. A link-local
 * address without a zone takes `zone`. Throws an Error with a readable message when malformed.
 */
export function parseEndpoint(text: string, zone?: string): Endpoint {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text.trim());
  if (!m) throw new Error(`'${text}' is not [IPv6]:PORT (for example [fe80::1%eth0]:61000)`);
  const port = Number(m[2]);
  if (port < 1 || port > 65535) throw new Error(`port ${m[2]} is out of range 1–65535`);
  const { address, zone: given } = splitZone(m[1]);
  const bytes = parseIpv6(address);
  if (bytes === undefined) throw new Error(`'${address}' is not an IPv6 address`);
  const linkLocal = bytes[0] === 0xfe && (bytes[1] & 0xc0) === 0x80;
  if (given) return { address: `${address}%${given}`, port };
  if (linkLocal) {
    if (!zone) throw new Error(`the link-local address ${address} needs an interface: give --iface or write [${address}%IFACE]:${port}`);
    return { address: `${address}%${zone}`, port };
  }
  return { address, port };
}
