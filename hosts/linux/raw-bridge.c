/*
 * Raw 0x88E1 frames of an interface on stdin/stdout, for a Node process (Node has no packet
 * sockets): the Node peer of the tests (node-peer.ts) runs its SLAC through it. Each frame
 * either way is a 2-byte big-endian length and the frame. Needs CAP_NET_RAW.
 *
 *   xs15118-raw-bridge INTERFACE
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "linux-net.h"

static int read_exactly(int fd, uint8_t *buffer, size_t size)
{
	size_t have = 0;
	while (have < size) {
		ssize_t got = read(fd, buffer + have, size - have);
		if (got <= 0)
			return -1;
		have += (size_t)got;
	}
	return 0;
}

static int write_all(int fd, const uint8_t *buffer, size_t size)
{
	while (size > 0) {
		ssize_t put = write(fd, buffer, size);
		if (put <= 0)
			return -1;
		buffer += put;
		size -= (size_t)put;
	}
	return 0;
}

int main(int argc, char **argv)
{
	uint8_t frame[2 + 1600];
	int raw;
	if (argc != 2) {
		fprintf(stderr, "usage: xs15118-raw-bridge INTERFACE\n");
		return 2;
	}
	raw = xs15118_raw_open(argv[1], 0x88e1);
	if (raw < 0) {
		fprintf(stderr, "raw socket on %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (;;) {
		struct pollfd waits[2] = {{.fd = 0, .events = POLLIN}, {.fd = raw, .events = POLLIN}};
		if (poll(waits, 2, -1) < 0 && errno != EINTR)
			return 1;
		if (waits[0].revents & (POLLIN | POLLHUP)) {
			size_t size;
			if (read_exactly(0, frame, 2))
				return 0; /* the Node side closed: done */
			size = (size_t)frame[0] << 8 | frame[1];
			if (size > sizeof(frame) - 2 || read_exactly(0, frame + 2, size))
				return 1;
			/* Ethernet's minimum frame is 60 bytes before the FCS; AF_PACKET does not pad. */
			if (size < 60) {
				memset(frame + 2 + size, 0, 60 - size);
				size = 60;
			}
			if (send(raw, frame + 2, size, 0) < 0)
				fprintf(stderr, "send: %s\n", strerror(errno));
		}
		if (waits[1].revents & POLLIN) {
			ssize_t got = recv(raw, frame + 2, sizeof(frame) - 2, MSG_DONTWAIT);
			if (got > 0) {
				frame[0] = (uint8_t)(got >> 8);
				frame[1] = (uint8_t)got;
				if (write_all(1, frame, (size_t)got + 2))
					return 0;
			}
		}
	}
}
