// The ESP32's IPv6 stack on the matched link: lwIP's sockets over the native QCA7000 netif
// (qca7000-netif.c), through the socket classes the Linux host uses too (hosts/native-net: UDP
// joined to ff02::1 for SDP, TCP with link-local scope ids for V2GTP). modules/station's assembly
// opens it when SLAC has matched and closes it when the link ends; lwIP's link state follows, so
// the netif sends its duplicate address detection and MLD reports only once the AVLN exists
// (ISO 15118-3: IP traffic starts after the match) and stops with the link.
// See hosts/esp32/README.md, "The link".
//
// TLS (setting `tls on`): startStation (modules/station/firmware.ts) wraps this stack's TCP classes
// in the board's TLS engine (hosts/esp32/board-tls.ts: hosts/native-tls over these sockets, the
// station's PKI from NVS), so the services open TLS sockets through the same classes.

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
