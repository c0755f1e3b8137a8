// The RP2350 board's QCA7000 drivers: the JavaScript one only (the native lwIP interface,
// hosts/esp32/qca7000, is ESP-IDF C), and so no IP stack (the JavaScript driver feeds none). The
// manifest maps hosts/esp32/qca7000-drivers here.

import type { EthernetLinkClass } from "../../modules/slac/index";
import type { OpenHostIp } from "../../modules/station/assembly";
import { Esp32Qca7000Link } from "../esp32/qca7000-link";
import type { Qca7000DriverName } from "../esp32/qca7000-drivers";

export const QCA7000_DRIVERS: Readonly<Partial<Record<Qca7000DriverName, EthernetLinkClass>>> = Object.freeze({
  javascript: Esp32Qca7000Link as unknown as EthernetLinkClass,
});

export const QCA7000_IP: Readonly<Partial<Record<Qca7000DriverName, OpenHostIp>>> = Object.freeze({});
