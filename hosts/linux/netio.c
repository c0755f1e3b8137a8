/*
 * XS bindings of linux-net.c for the Moddable Linux build: plain functions on file descriptors
 * (netio.js declares them). The ECMA-419-shaped classes over them (callbacks, polling on the
 * runtime's timer) are in net.ts, so this file holds no JavaScript state and no callbacks.
 * A failure throws with the system's reason.
 */
#include "xsmc.h"
#include <stdlib.h>
#include <sys/random.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "linux-net.h"

#define RECEIVE_BUFFER 2048 /* an Ethernet frame, a UDP datagram of SDP, a slice of a TCP stream */

static void throw_errno(xsMachine *the, const char *what)
{
	xsUnknownError("%s: %s", what, strerror(errno));
}

static int fd_argument(xsMachine *the)
{
	int fd = xsmcToInteger(xsArg(0));
	if (fd < 0)
		xsRangeError("closed");
	return fd;
}

void xs15118_netio_raw_open(xsMachine *the)
{
	int fd = xs15118_raw_open(xsmcToString(xsArg(0)), (uint16_t)xsmcToInteger(xsArg(1)));
	if (fd < 0)
		throw_errno(the, "raw socket (needs CAP_NET_RAW)");
	xsmcSetInteger(xsResult, fd);
}

void xs15118_netio_interface_mac(xsMachine *the)
{
	uint8_t mac[6];
	if (xs15118_interface_mac(xsmcToString(xsArg(0)), mac))
		throw_errno(the, "interface MAC");
	xsmcSetArrayBuffer(xsResult, mac, sizeof(mac));
}

void xs15118_netio_link_local(xsMachine *the)
{
	char text[64];
	if (xs15118_link_local(xsmcToString(xsArg(0)), text, sizeof(text)))
		throw_errno(the, "no IPv6 link-local address on the interface");
	xsmcSetString(xsResult, text);
}

/* Raw frames and TCP bytes: an ArrayBuffer, undefined when nothing waits, null when a stream ended. */
void xs15118_netio_receive(xsMachine *the)
{
	uint8_t buffer[RECEIVE_BUFFER];
	ssize_t got = recv(fd_argument(the), buffer, sizeof(buffer), MSG_DONTWAIT);
	if (got > 0)
		xsmcSetArrayBuffer(xsResult, buffer, got);
	else if (got == 0)
		xsmcSetNull(xsResult);
	else if (errno != EAGAIN && errno != EWOULDBLOCK)
		throw_errno(the, "receive");
}

/* Sends what the socket takes now; returns the count (0 when its buffer is full). */
void xs15118_netio_send(xsMachine *the)
{
	void *data;
	xsUnsignedValue size;
	ssize_t sent;
	int fd = fd_argument(the);
	xsmcGetBufferReadable(xsArg(1), &data, &size);
	sent = send(fd, data, size, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (sent < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			throw_errno(the, "send");
		sent = 0;
	}
	xsmcSetInteger(xsResult, (xsIntegerValue)sent);
}

void xs15118_netio_udp_open(xsMachine *the)
{
	const char *interface_name = xsmcArgc > 1 && xsmcTest(xsArg(1)) ? xsmcToString(xsArg(1)) : NULL;
	char name[32] = "", group[64] = "";
	int fd;
	if (interface_name)
		strncpy(name, interface_name, sizeof(name) - 1);
	if (xsmcArgc > 2 && xsmcTest(xsArg(2)))
		strncpy(group, xsmcToString(xsArg(2)), sizeof(group) - 1);
	fd = xs15118_udp_open((uint16_t)xsmcToInteger(xsArg(0)), name[0] ? name : NULL, group[0] ? group : NULL);
	if (fd < 0)
		throw_errno(the, "UDP socket");
	xsmcSetInteger(xsResult, fd);
}

/* A datagram as {data, address, port}, or undefined. */
void xs15118_netio_udp_receive(xsMachine *the)
{
	uint8_t buffer[RECEIVE_BUFFER];
	char address[80];
	uint16_t port;
	ssize_t got = xs15118_udp_receive(fd_argument(the), buffer, sizeof(buffer), address, sizeof(address), &port);
	if (got < 0)
		throw_errno(the, "UDP receive");
	if (got == 0)
		return;
	xsmcVars(1);
	xsmcSetNewObject(xsResult);
	xsmcSetArrayBuffer(xsVar(0), buffer, got);
	xsmcSet(xsResult, xsID("data"), xsVar(0));
	xsmcSetString(xsVar(0), address);
	xsmcSet(xsResult, xsID("address"), xsVar(0));
	xsmcSetInteger(xsVar(0), port);
	xsmcSet(xsResult, xsID("port"), xsVar(0));
}

void xs15118_netio_udp_send(xsMachine *the)
{
	void *data;
	xsUnsignedValue size;
	char address[80];
	int fd = fd_argument(the);
	xsmcGetBufferReadable(xsArg(1), &data, &size);
	strncpy(address, xsmcToString(xsArg(2)), sizeof(address) - 1);
	address[sizeof(address) - 1] = 0;
	if (xs15118_udp_send(fd, data, size, address, (uint16_t)xsmcToInteger(xsArg(3))))
		throw_errno(the, "UDP send");
}

void xs15118_netio_tcp_connect(xsMachine *the)
{
	int fd = xs15118_tcp_connect(xsmcToString(xsArg(0)), (uint16_t)xsmcToInteger(xsArg(1)));
	if (fd < 0)
		throw_errno(the, "TCP connect");
	xsmcSetInteger(xsResult, fd);
}

void xs15118_netio_tcp_connected(xsMachine *the)
{
	int state = xs15118_tcp_connected(fd_argument(the));
	if (state < 0)
		throw_errno(the, "TCP connect");
	xsmcSetBoolean(xsResult, state == 1);
}

void xs15118_netio_tcp_listen(xsMachine *the)
{
	const char *address = xsmcTest(xsArg(0)) ? xsmcToString(xsArg(0)) : NULL;
	char text[80] = "";
	int fd;
	if (address)
		strncpy(text, address, sizeof(text) - 1);
	fd = xs15118_tcp_listen(text, (uint16_t)xsmcToInteger(xsArg(1)));
	if (fd < 0)
		throw_errno(the, "TCP listen");
	xsmcSetInteger(xsResult, fd);
}

void xs15118_netio_local_port(xsMachine *the)
{
	xsmcSetInteger(xsResult, xs15118_local_port(fd_argument(the)));
}

/* An accepted connection as {fd, address, port}, or undefined. */
void xs15118_netio_tcp_accept(xsMachine *the)
{
	char address[80];
	uint16_t port;
	int fd = xs15118_tcp_accept(fd_argument(the), address, sizeof(address), &port);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			throw_errno(the, "TCP accept");
		return;
	}
	xsmcVars(1);
	xsmcSetNewObject(xsResult);
	xsmcSetInteger(xsVar(0), fd);
	xsmcSet(xsResult, xsID("fd"), xsVar(0));
	xsmcSetString(xsVar(0), address);
	xsmcSet(xsResult, xsID("address"), xsVar(0));
	xsmcSetInteger(xsVar(0), port);
	xsmcSet(xsResult, xsID("port"), xsVar(0));
}

void xs15118_netio_close(xsMachine *the)
{
	int fd = xsmcToInteger(xsArg(0));
	if (fd >= 0)
		close(fd);
}

/* The process environment: the interface and role are chosen when the program starts, so one
   build serves every station (undefined when the variable is not set). */
void xs15118_netio_environment(xsMachine *the)
{
	const char *value = getenv(xsmcToString(xsArg(0)));
	if (value)
		xsmcSetString(xsResult, (char *)value);
}

/* Random bytes from the kernel (NMK, run ids, session ids). */
void xs15118_netio_random(xsMachine *the)
{
	uint8_t bytes[256];
	int count = xsmcToInteger(xsArg(0));
	if (count < 0 || count > (int)sizeof(bytes))
		xsRangeError("at most 256 random bytes at once");
	if (getrandom(bytes, (size_t)count, 0) != count)
		throw_errno(the, "getrandom");
	xsmcSetArrayBuffer(xsResult, bytes, count);
}

/* A file's bytes (the station's PKI store on a Linux board: certificates, keys, roots), undefined
   when it does not exist; other failures throw with the path and the reason. At most 64 KB. */
void xs15118_netio_read_file(xsMachine *the)
{
	const char *path = xsmcToString(xsArg(0));
	struct stat info;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got;
	if (fd < 0) {
		if (errno == ENOENT)
			return;
		xsUnknownError("%s: %s", path, strerror(errno));
	}
	if (fstat(fd, &info) || info.st_size > 65536) {
		close(fd);
		xsUnknownError("%s: not a file of at most 64 KB", path);
	}
	xsmcSetArrayBuffer(xsResult, NULL, (xsUnsignedValue)info.st_size);
	got = read(fd, xsmcToArrayBuffer(xsResult), (size_t)info.st_size);
	close(fd);
	if (got != info.st_size)
		xsUnknownError("%s: short read", path);
}
