// The QCA7000 drivers this board has, by the name the manifest's `config.qcaDriver` gives
// (hosts/esp32/README.md, "The link"): `native`, the lwIP network interface in C with the SLAC
// frames passed up (qca7000/), the ESP32's default (manifest.json, platforms.esp32.config); and
// `javascript`, the ECMA-419 SPI driver of modules/slac (qca7000-link.ts), which hands every
// frame to JavaScript. A board without the native C maps this module to its own list
// (hosts/rp2350/qca7000-drivers.ts), so board.ts is the same for both. QCA7000_IP gives, per
// driver, the IPv6 stack on the matched link: the native one's is lwIP's sockets over its netif
// (qca7000/native-ip.ts); the JavaScript driver hands frames to no IP stack, so it has none.

import type { EthernetLinkClass } from "../../modules/slac/index";
import type { OpenHostIp } from "../../modules/station/assembly";
import { Esp32Qca7000Link } from "./qca7000-link";
import { NativeQca7000Link } from "./qca7000/native-link";
import { openNativeIp } from "./qca7000/native-ip";

export type Qca7000DriverName = "native" | "javascript";

// Both take the same options (clock, mac, pins); the core's EthernetLinkClass names only the
// options every link shares.
export const QCA7000_DRIVERS: Readonly<Partial<Record<Qca7000DriverName, EthernetLinkClass>>> = Object.freeze({
  native: NativeQca7000Link as unknown as EthernetLinkClass,
  javascript: Esp32Qca7000Link as unknown as EthernetLinkClass,
});

export const QCA7000_IP: Readonly<Partial<Record<Qca7000DriverName, OpenHostIp>>> = Object.freeze({
  native: openNativeIp,
});
