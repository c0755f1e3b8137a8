/*
 * XS bindings of linux-net.c for the Moddable Linux build: plain functions (netio.js declares
 * them) for what only Linux has — the raw 0x88E1 socket, the interface's MAC and link-local
 * address — and the process environment, randomness and files. The UDP/TCP sockets, shared with
 * the ESP32, and the reads, writes and close of every descriptor (the raw one too) are
 * hosts/native-net/sockets-xs.c. The ECMA-419-shaped classes over them are in net.ts and
 * hosts/native-net/net.ts, so this file holds no JavaScript state and no callbacks.
 * A failure throws with the system's reason.
 */
#include "xsmc.h"
#include <stdlib.h>
#include <sys/random.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "linux-net.h"

static void throw_errno(xsMachine *the, const char *what)
{
	xsUnknownError("%s: %s", what, strerror(errno));
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
