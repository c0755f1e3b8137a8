/*
 * The Linux side of the station's network, plain POSIX (no XS): raw Ethernet frames of one
 * ethertype on a named interface (SLAC, ISO 15118-3: 0x88E1), IPv6 UDP joined to a multicast
 * group on that interface (SDP, ISO 15118-2 7.10.1: ff02::1 port 15118), and IPv6 TCP with
 * link-local scope ids (V2GTP). Every descriptor is non-blocking. Used by the XS bindings
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

/* UDP on [::]:port (0: any), joined to `group` (e.g. "ff02::1") on the interface when given. */
int xs15118_udp_open(uint16_t port, const char *interface_name, const char *group);
/* A datagram: its size (0 when none waits), the sender's address (with %zone when link-local) and port. */
ssize_t xs15118_udp_receive(int fd, uint8_t *buffer, size_t size, char *address, size_t address_size, uint16_t *port);
/* `address` may carry a zone ("fe80::1%eth0", "ff02::1%eth0"); the interface then sends it. */
int xs15118_udp_send(int fd, const uint8_t *data, size_t size, const char *address, uint16_t port);

/* Starts a connection (completes later: xs15118_tcp_connected). */
int xs15118_tcp_connect(const char *address, uint16_t port);
/* 1 connected, 0 still connecting, -1 failed (errno the reason). */
int xs15118_tcp_connected(int fd);
/* A listener on [address]:port (address NULL or "" for any; a zone binds the interface). */
int xs15118_tcp_listen(const char *address, uint16_t port);
int xs15118_local_port(int fd);
/* An accepted connection (-1 with errno EAGAIN when none waits) and its peer. */
int xs15118_tcp_accept(int fd, char *address, size_t address_size, uint16_t *port);

#endif
