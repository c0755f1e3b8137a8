/* See v2g-sockets.h. POSIX (Linux) and lwIP's sockets (ESP-IDF) alike. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "v2g-sockets.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#if defined(ESP32) || defined(ESP_PLATFORM) || defined(XS15118_LWIP_SOCKETS)
/*
 * lwIP's sockets (ESP-IDF; ESP32 is the Moddable esp32 makefile's define, ESP_PLATFORM ESP-IDF's
 * own). The API is POSIX's, but under lwIP's names: ESP-IDF sets LWIP_COMPAT_SOCKETS to 0 and its
 * POSIX wrappers (components/lwip/include) are not on the Moddable makefile's include path, which
 * reaches lwIP's own lwip/sockets.h first. So the POSIX names are mapped here, as lwIP itself does
 * with LWIP_COMPAT_SOCKETS; below this block the code is the same for both.
 */
#include "lwip/sockets.h"
#include "lwip/if_api.h"
#define accept lwip_accept
#define bind lwip_bind
#define close lwip_close
#define connect lwip_connect
#define fcntl lwip_fcntl
#define getsockname lwip_getsockname
#define getsockopt lwip_getsockopt
#define if_indextoname lwip_if_indextoname
#define if_nametoindex lwip_if_nametoindex
#define inet_ntop lwip_inet_ntop
#define inet_pton lwip_inet_pton
#define listen lwip_listen
#define poll lwip_poll
#define recv lwip_recv
#define recvfrom lwip_recvfrom
#define send lwip_send
#define sendto lwip_sendto
#define setsockopt lwip_setsockopt
#define socket lwip_socket
#else
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

/* The longest interface name: POSIX IF_NAMESIZE, lwIP's "qc" + number. */
#define NAME_SIZE 16

static int fail_closing(int fd)
{
	int saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

static int non_blocking(int fd)
{
	if (fd >= 0 && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK) < 0)
		return fail_closing(fd);
	return fd;
}

/*
 * "fe80::1%eth0" → the address with its scope id. Parsed here rather than by getaddrinfo:
 * lwIP's getaddrinfo does not read a zone, and inet_pton + if_nametoindex are the same on both.
 */
static int parse_address(const char *text, uint16_t port, struct sockaddr_in6 *out)
{
	char host[64];
	const char *zone = strchr(text, '%');
	size_t length = zone ? (size_t)(zone - text) : strlen(text);
	memset(out, 0, sizeof(*out));
	out->sin6_family = AF_INET6;
	out->sin6_port = htons(port);
	if (length >= sizeof(host)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(host, text, length);
	host[length] = 0;
	if (inet_pton(AF_INET6, host, &out->sin6_addr) != 1) {
		errno = EINVAL;
		return -1;
	}
	if (zone && zone[1]) {
		out->sin6_scope_id = if_nametoindex(zone + 1);
		if (out->sin6_scope_id == 0) {
			errno = ENODEV;
			return -1;
		}
	}
	return 0;
}

/* The peer's address as text, with "%interface" when it has a scope (link-local). */
static void format_address(const struct sockaddr_in6 *address, char *text, size_t size, uint16_t *port)
{
	char name[NAME_SIZE];
	size_t length;
	inet_ntop(AF_INET6, &address->sin6_addr, text, (socklen_t)size);
	length = strlen(text);
	if (address->sin6_scope_id && if_indextoname(address->sin6_scope_id, name))
		snprintf(text + length, size - length, "%%%s", name);
	*port = ntohs(address->sin6_port);
}

int xs15118_udp_open(uint16_t port, const char *interface_name, const char *group)
{
	struct sockaddr_in6 address;
	int fd = socket(AF_INET6, SOCK_DGRAM, 0), one = 1;
	if (fd < 0)
		return -1;
	memset(&address, 0, sizeof(address));
	address.sin6_family = AF_INET6;
	address.sin6_port = htons(port);
	address.sin6_addr = in6addr_any;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&address, sizeof(address)))
		return fail_closing(fd);
	if (interface_name && *interface_name) {
		unsigned index = if_nametoindex(interface_name);
		if (index == 0) {
			errno = ENODEV;
			return fail_closing(fd);
		}
#ifdef IPV6_MULTICAST_IF
		/* POSIX: multicast goes out (and loops back) on the station's interface only. lwIP has no
		   such option: there the zone of the destination ("ff02::1%qc1") picks the interface. */
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &index, sizeof(index)))
			return fail_closing(fd);
#endif
		if (group && *group) {
			/* IPV6_JOIN_GROUP: lwIP's name (with IPV6_ADD_MEMBERSHIP as its alias; it needs
			   LWIP_IPV6_MLD, on with IPv6 by default) and Linux's alike. */
			struct ipv6_mreq request;
			memset(&request, 0, sizeof(request));
			request.ipv6mr_interface = index;
			if (inet_pton(AF_INET6, group, &request.ipv6mr_multiaddr) != 1) {
				errno = EINVAL;
				return fail_closing(fd);
			}
			if (setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &request, sizeof(request)))
				return fail_closing(fd);
		}
	}
	return non_blocking(fd);
}

ssize_t xs15118_udp_receive(int fd, uint8_t *buffer, size_t size, char *address, size_t address_size, uint16_t *port)
{
	struct sockaddr_in6 from;
	socklen_t length = sizeof(from);
	ssize_t got = recvfrom(fd, buffer, size, MSG_DONTWAIT, (struct sockaddr *)&from, &length);
	if (got < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	format_address(&from, address, address_size, port);
	return got;
}

int xs15118_udp_send(int fd, const uint8_t *data, size_t size, const char *address, uint16_t port)
{
	struct sockaddr_in6 to;
	if (parse_address(address, port, &to))
		return -1;
	return sendto(fd, data, size, 0, (struct sockaddr *)&to, sizeof(to)) == (ssize_t)size ? 0 : -1;
}

int xs15118_tcp_connect(const char *address, uint16_t port)
{
	struct sockaddr_in6 to;
	int fd, one = 1;
	if (parse_address(address, port, &to))
		return -1;
	fd = non_blocking(socket(AF_INET6, SOCK_STREAM, 0));
	if (fd < 0)
		return -1;
	/* V2GTP messages are small request/response pairs: no Nagle delay on them. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&to, sizeof(to)) && errno != EINPROGRESS)
		return fail_closing(fd);
	return fd;
}

int xs15118_tcp_connected(int fd)
{
	/* A connecting socket turns writable (or errs) once the handshake ends, either way; SO_ERROR
	   then says which. (getpeername would not do on lwIP: it gives the peer while in SYN_SENT.) */
	struct pollfd state = {.fd = fd, .events = POLLOUT};
	int error = 0;
	socklen_t length = sizeof(error);
	if (poll(&state, 1, 0) < 0)
		return -1;
	if (!(state.revents & (POLLOUT | POLLERR | POLLHUP)))
		return 0;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length))
		return -1;
	if (error) {
		errno = error;
		return -1;
	}
	return 1;
}

int xs15118_tcp_listen(const char *address, uint16_t port)
{
	struct sockaddr_in6 at;
	int fd, one = 1;
	memset(&at, 0, sizeof(at));
	at.sin6_family = AF_INET6;
	at.sin6_port = htons(port);
	at.sin6_addr = in6addr_any;
	if (address && *address && parse_address(address, port, &at))
		return -1;
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&at, sizeof(at)) || listen(fd, 4))
		return fail_closing(fd);
	return non_blocking(fd);
}

int xs15118_local_port(int fd)
{
	struct sockaddr_in6 at;
	socklen_t length = sizeof(at);
	if (getsockname(fd, (struct sockaddr *)&at, &length))
		return -1;
	return ntohs(at.sin6_port);
}

int xs15118_tcp_accept(int fd, char *address, size_t address_size, uint16_t *port)
{
	struct sockaddr_in6 from;
	socklen_t length = sizeof(from);
	int one = 1, connection = accept(fd, (struct sockaddr *)&from, &length);
	if (connection < 0)
		return -1;
	setsockopt(connection, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	format_address(&from, address, address_size, port);
	return non_blocking(connection);
}

ssize_t xs15118_socket_receive(int fd, uint8_t *buffer, size_t size, int *ended)
{
	ssize_t got = recv(fd, buffer, size, MSG_DONTWAIT);
	*ended = got == 0;
	if (got < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	return got;
}

ssize_t xs15118_socket_send(int fd, const uint8_t *data, size_t size)
{
	/* MSG_NOSIGNAL: a peer that left gives EPIPE, not a signal (lwIP accepts and ignores it). */
	ssize_t sent = send(fd, data, size, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (sent < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	return sent;
}

void xs15118_socket_close(int fd)
{
	if (fd >= 0)
		close(fd);
}
