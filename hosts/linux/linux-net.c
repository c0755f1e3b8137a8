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
