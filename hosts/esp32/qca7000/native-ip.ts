// The ESP32's IPv6 stack on the matched link: lwIP's sockets over the native QCA7000 netif
// (qca7000-netif.c), through the socket classes the Linux host uses too (hosts/native-net: UDP
// joined to ff02::1 for SDP, TCP with link-local scope ids for V2GTP). modules/station's assembly
// opens it when SLAC has matched and closes it when the link ends; lwIP's link state follows, so
// the netif sends its duplicate address detection and MLD reports only once the AVLN exists
// (ISO 15118-3: IP traffic starts after the match) and stops with the link.
// See hosts/esp32/README.md, "The link".
//
// TODO(issue 18): TLS on the board. hosts/native-tls/tls.ts's nativeTls({ Tcp, Listener }) runs over
// these socket classes as it does over hosts/linux's (hosts/linux/main.ts). The engine is in the
// esp32 build now (hosts/native-tls/manifest.json, on ESP-IDF v6.0's mbedTLS 4), but two things are
// not there yet: (1) a home for the station's certificates and keys on the board (NVS), and
// (2) a TLS choice that startStation (modules/station/firmware.ts) passes to the services (SDP's
// security byte, the TLS listener and socket). Until then this stack is plain TCP.

import { socketClasses } from "../../native-net/net";
import type { HostIpStack } from "../../../modules/station/assembly";
import type { LinkSpec } from "../../../modules/slac/index";
import type { NativeLinkHolder } from "./native-link";

/** modules/station's OpenHostIp for the native driver: `link` is the board's modem spec, whose `ipLink` the native link recorded itself in. */
export function openNativeIp(link: LinkSpec): HostIpStack {
  const native = (link.ipLink as NativeLinkHolder | undefined)?.link;
  if (!native) throw new Error("the native QCA7000 link is not open: no netif to carry IP");
  const name = native.interfaceName;
  const sockets = socketClasses(name);
  native.setLinkUp(true);
  return {
    ...sockets,
    address: `${native.address}%${name}`,
    interface: name,
    // The service has closed its sockets by now (IpSide.stop); lwIP's link goes down with SLAC's.
    close: () => native.setLinkUp(false),
  };
}
