/*
 * The station's IP sockets, shared by the Linux host and the ESP32 (no XS): IPv6 UDP joined to a
 * multicast group on one interface (SDP, ISO 15118-2 7.10.1: ff02::1 port 15118) and IPv6 TCP
 * with link-local scope ids (V2GTP), every descriptor non-blocking. Written to the socket API
 * that POSIX and lwIP's sockets (ESP-IDF: lwip/sockets.h through <sys/socket.h>, IPv6 with MLD)
 * share; the one difference is marked where it is (v2g-sockets.c). Used by the XS binding
 * (sockets-xs.c). Functions return -1 and leave errno set on failure.
 *
 * Addresses are text with an optional zone naming the interface: "fe80::1%eth0", "ff02::1%qc1"
 * (lwIP names its interfaces by two letters and a number).
 */
#ifndef V2G_SOCKETS_H
#define V2G_SOCKETS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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

/* Bytes of a stream: > 0 read, 0 when nothing waits, -1 failed; *ended set when the peer closed. */
ssize_t xs15118_socket_receive(int fd, uint8_t *buffer, size_t size, int *ended);
/* Sends what the socket takes now: the count (0 when its buffer is full), -1 failed. */
ssize_t xs15118_socket_send(int fd, const uint8_t *data, size_t size);
void xs15118_socket_close(int fd);

#endif
