/*
 * XS bindings of v2g-sockets.c, for the Moddable Linux build and the ESP32 alike: plain host
 * functions on descriptors (sockets.js declares them; no callbacks from C, no JavaScript state
 * here). The ECMA-419-shaped classes over them (callbacks, polling on the runtime's timer) are in
 * net.ts. A failure throws with the system's reason.
 */
#include "xsmc.h"

#include <errno.h>
#include <string.h>

#include "v2g-sockets.h"

/* An Ethernet frame, a UDP datagram of SDP, a slice of a TCP stream. One buffer for every call:
   the XS machine runs one host function at a time, and 2 KB is too much for the ESP32's stack. */
#define RECEIVE_BUFFER 2048
static uint8_t receiveBuffer[RECEIVE_BUFFER];

#define ADDRESS_TEXT 80 /* an IPv6 address, "%", an interface name */

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

/* The argument as a C string of at most `size` - 1 characters, "" when it is absent, null or undefined. */
static void string_argument(xsMachine *the, int index, char *text, size_t size)
{
	text[0] = 0;
	if (xsmcArgc > index && xsmcTest(xsArg(index))) {
		strncpy(text, xsmcToString(xsArg(index)), size - 1);
		text[size - 1] = 0;
	}
}

/* Raw frames and TCP bytes: an ArrayBuffer, undefined when nothing waits, null when a stream ended. */
void xs15118_sockets_receive(xsMachine *the)
{
	int ended;
	ssize_t got = xs15118_socket_receive(fd_argument(the), receiveBuffer, sizeof(receiveBuffer), &ended);
	if (got > 0)
		xsmcSetArrayBuffer(xsResult, receiveBuffer, (xsUnsignedValue)got);
	else if (ended)
		xsmcSetNull(xsResult);
	else if (got < 0)
		throw_errno(the, "receive");
}

/* Sends what the socket takes now; returns the count (0 when its buffer is full). */
void xs15118_sockets_send(xsMachine *the)
{
	void *data;
	xsUnsignedValue size;
	ssize_t sent;
	int fd = fd_argument(the);
	xsmcGetBufferReadable(xsArg(1), &data, &size);
	sent = xs15118_socket_send(fd, data, size);
	if (sent < 0)
		throw_errno(the, "send");
	xsmcSetInteger(xsResult, (xsIntegerValue)sent);
}

void xs15118_sockets_udp_open(xsMachine *the)
{
	char name[32], group[64];
	int fd;
	string_argument(the, 1, name, sizeof(name));
	string_argument(the, 2, group, sizeof(group));
	fd = xs15118_udp_open((uint16_t)xsmcToInteger(xsArg(0)), name[0] ? name : NULL, group[0] ? group : NULL);
	if (fd < 0)
		throw_errno(the, "UDP socket");
	xsmcSetInteger(xsResult, fd);
}

/* A datagram as {data, address, port}, or undefined. */
void xs15118_sockets_udp_receive(xsMachine *the)
{
	char address[ADDRESS_TEXT];
	uint16_t port;
	ssize_t got = xs15118_udp_receive(fd_argument(the), receiveBuffer, sizeof(receiveBuffer), address, sizeof(address), &port);
	if (got < 0)
		throw_errno(the, "UDP receive");
	if (got == 0)
		return;
	xsmcVars(1);
	xsmcSetNewObject(xsResult);
	xsmcSetArrayBuffer(xsVar(0), receiveBuffer, (xsUnsignedValue)got);
	xsmcSet(xsResult, xsID("data"), xsVar(0));
	xsmcSetString(xsVar(0), address);
	xsmcSet(xsResult, xsID("address"), xsVar(0));
	xsmcSetInteger(xsVar(0), port);
	xsmcSet(xsResult, xsID("port"), xsVar(0));
}

void xs15118_sockets_udp_send(xsMachine *the)
{
	void *data;
	xsUnsignedValue size;
	char address[ADDRESS_TEXT];
	int fd = fd_argument(the);
	string_argument(the, 2, address, sizeof(address));
	xsmcGetBufferReadable(xsArg(1), &data, &size);
	if (xs15118_udp_send(fd, data, size, address, (uint16_t)xsmcToInteger(xsArg(3))))
		throw_errno(the, "UDP send");
}

void xs15118_sockets_tcp_connect(xsMachine *the)
{
	char address[ADDRESS_TEXT];
	int fd;
	string_argument(the, 0, address, sizeof(address));
	fd = xs15118_tcp_connect(address, (uint16_t)xsmcToInteger(xsArg(1)));
	if (fd < 0)
		throw_errno(the, "TCP connect");
	xsmcSetInteger(xsResult, fd);
}

void xs15118_sockets_tcp_connected(xsMachine *the)
{
	int state = xs15118_tcp_connected(fd_argument(the));
	if (state < 0)
		throw_errno(the, "TCP connect");
	xsmcSetBoolean(xsResult, state == 1);
}

void xs15118_sockets_tcp_listen(xsMachine *the)
{
	char address[ADDRESS_TEXT];
	int fd;
	string_argument(the, 0, address, sizeof(address));
	fd = xs15118_tcp_listen(address, (uint16_t)xsmcToInteger(xsArg(1)));
	if (fd < 0)
		throw_errno(the, "TCP listen");
	xsmcSetInteger(xsResult, fd);
}

void xs15118_sockets_local_port(xsMachine *the)
{
	xsmcSetInteger(xsResult, xs15118_local_port(fd_argument(the)));
}

/* An accepted connection as {fd, address, port}, or undefined. */
void xs15118_sockets_tcp_accept(xsMachine *the)
{
	char address[ADDRESS_TEXT];
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

void xs15118_sockets_close(xsMachine *the)
{
	xs15118_socket_close(xsmcToInteger(xsArg(0)));
}
