// What IPv6 this machine has: ::1 for local runs, and a link-local address with its interface.

import * as dgram from "node:dgram";
import * as fs from "node:fs";
import * as os from "node:os";

/** True when a UDP socket can bind ::1 (IPv6 loopback present and enabled). */
export async function ipv6Available(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = dgram.createSocket({ type: "udp6", ipv6Only: true });
    s.once("error", () => {
      s.close();
      resolve(false);
    });
    s.bind(0, "::1", () => {
      s.close();
      resolve(true);
    });
  });
}

/** The first non-internal interface with an fe80:: address: its name and the address (no zone). */
export function linkLocalInterface(): { name: string; address: string } | undefined {
  const all = os.networkInterfaces();
  for (const name of Object.keys(all)) {
    for (const a of all[name] ?? []) {
      if (a.family === "IPv6" && !a.internal && a.address.toLowerCase().startsWith("fe80:")) {
        return { name, address: a.address.split("%")[0] };
      }
    }
  }
  return undefined;
}

/**
 * A zone as Node's socket calls want it: an interface name. A numeric zone ("fe80::1%2", the
 * interface index) is mapped to its name through /sys/class/net (Linux); other zones pass as is.
 */
export function zoneName(zone: string): string {
  if (!/^\d+$/.test(zone)) return zone;
  try {
    for (const name of fs.readdirSync("/sys/class/net")) {
      if (fs.readFileSync(`/sys/class/net/${name}/ifindex`, "utf8").trim() === zone) return name;
    }
  } catch {
    // not Linux: keep the number (connect() accepts it; multicast joins may not)
  }
  return zone;
}

/** `address%zone` with the zone given as a name (see zoneName). */
export function withZoneName(address: string): string {
  const i = address.indexOf("%");
  return i < 0 ? address : `${address.slice(0, i)}%${zoneName(address.slice(i + 1))}`;
}
