/* See linux-net.h. */
#define _GNU_SOURCE
#include "linux-net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int non_blocking(int fd)
{
	if (fd >= 0 && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK) < 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

static int fail_closing(int fd)
{
	int saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

int xs15118_raw_open(const char *interface_name, uint16_t ethertype)
{
	struct sockaddr_ll address = {0};
	unsigned index = if_nametoindex(interface_name);
	int fd;
	if (index == 0)
		return -1;
	fd = socket(AF_PACKET, SOCK_RAW, htons(ethertype));
	if (fd < 0)
		return -1;
	/* Bound to one interface and one ethertype: the kernel hands this socket SLAC frames only. */
	address.sll_family = AF_PACKET;
	address.sll_protocol = htons(ethertype);
	address.sll_ifindex = (int)index;
	if (bind(fd, (struct sockaddr *)&address, sizeof(address)))
		return fail_closing(fd);
	return non_blocking(fd);
}

int xs15118_interface_mac(const char *interface_name, uint8_t mac[6])
{
	struct ifreq request = {0};
	int fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	snprintf(request.ifr_name, sizeof(request.ifr_name), "%s", interface_name);
	if (ioctl(fd, SIOCGIFHWADDR, &request))
		return fail_closing(fd);
	close(fd);
	memcpy(mac, request.ifr_hwaddr.sa_data, 6);
	return 0;
}

int xs15118_link_local(const char *interface_name, char *text, size_t size)
{
	struct ifaddrs *all, *entry;
	int found = -1;
	if (getifaddrs(&all))
		return -1;
	for (entry = all; entry; entry = entry->ifa_next) {
		struct sockaddr_in6 *address = (struct sockaddr_in6 *)entry->ifa_addr;
		if (!address || address->sin6_family != AF_INET6 || strcmp(entry->ifa_name, interface_name))
			continue;
		if (!IN6_IS_ADDR_LINKLOCAL(&address->sin6_addr))
			continue;
		found = inet_ntop(AF_INET6, &address->sin6_addr, text, (socklen_t)size) ? 0 : -1;
		break;
	}
	freeifaddrs(all);
	if (found)
		errno = EADDRNOTAVAIL;
	return found;
}

/* "fe80::1%eth0" → the address with its scope id. */
static int parse_address(const char *text, uint16_t port, struct sockaddr_in6 *out)
{
	struct addrinfo hints = {.ai_family = AF_INET6, .ai_flags = AI_NUMERICHOST}, *found;
	if (getaddrinfo(text, NULL, &hints, &found)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(out, found->ai_addr, sizeof(*out));
	freeaddrinfo(found);
	out->sin6_port = htons(port);
	return 0;
}

/* The peer's address as text, with "%interface" when it has a scope (link-local). */
static void format_address(const struct sockaddr_in6 *address, char *text, size_t size, uint16_t *port)
{
	char name[IF_NAMESIZE];
	size_t length;
	inet_ntop(AF_INET6, &address->sin6_addr, text, (socklen_t)size);
	length = strlen(text);
	if (address->sin6_scope_id && if_indextoname(address->sin6_scope_id, name))
		snprintf(text + length, size - length, "%%%s", name);
	*port = ntohs(address->sin6_port);
}

int xs15118_udp_open(uint16_t port, const char *interface_name, const char *group)
{
	struct sockaddr_in6 address = {.sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = IN6ADDR_ANY_INIT};
	int fd = socket(AF_INET6, SOCK_DGRAM, 0), one = 1;
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&address, sizeof(address)))
		return fail_closing(fd);
	if (interface_name && *interface_name) {
		unsigned index = if_nametoindex(interface_name);
		if (index == 0)
			return fail_closing(fd);
		/* Multicast goes out (and loops back) on the station's interface only. */
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &index, sizeof(index)))
			return fail_closing(fd);
		if (group && *group) {
			struct ipv6_mreq request = {.ipv6mr_interface = index};
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
	ssize_t got = recvfrom(fd, buffer, size, 0, (struct sockaddr *)&from, &length);
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
	setsockopt(fd, IPPROTO_TCP, 1 /* TCP_NODELAY */, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&to, sizeof(to)) && errno != EINPROGRESS)
		return fail_closing(fd);
	return fd;
}

int xs15118_tcp_connected(int fd)
{
	int error = 0;
	socklen_t length = sizeof(error);
	struct sockaddr_in6 peer;
	socklen_t peer_length = sizeof(peer);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length))
		return -1;
	if (error) {
		errno = error;
		return -1;
	}
	return getpeername(fd, (struct sockaddr *)&peer, &peer_length) == 0 ? 1 : 0;
}

int xs15118_tcp_listen(const char *address, uint16_t port)
{
	struct sockaddr_in6 at = {.sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = IN6ADDR_ANY_INIT};
	int fd, one = 1;
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
	setsockopt(connection, IPPROTO_TCP, 1 /* TCP_NODELAY */, &one, sizeof(one));
	format_address(&from, address, address_size, port);
	return non_blocking(connection);
}
