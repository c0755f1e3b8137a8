/*
 * The Linux-only side of the station's network, plain POSIX (no XS): raw Ethernet frames of one
 * ethertype on a named interface (SLAC, ISO 15118-3: 0x88E1; AF_PACKET, which lwIP has no
 * counterpart of: the ESP32's SLAC frames come from its QCA7000 netif instead), the interface's
 * MAC and its IPv6 link-local address. The UDP and TCP sockets, which POSIX and lwIP share, are in
 * hosts/native-net/v2g-sockets.c. The descriptor is non-blocking. Used by the XS bindings
 * (netio.c) and by the raw-frame bridge the Node tests run (raw-bridge.c). Functions return -1
 * and leave errno set on failure.
 */
#ifndef LINUX_NET_H
#define LINUX_NET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

int xs15118_raw_open(const char *interface_name, uint16_t ethertype);
int xs15118_interface_mac(const char *interface_name, uint8_t mac[6]);
/* The interface's IPv6 link-local address as text, without the zone. */
int xs15118_link_local(const char *interface_name, char *text, size_t size);

#endif
