/*
 * hosts/native-net/v2g-sockets.c exercised the way the station uses it, on two interfaces of one
 * host joined by a wire (tests/native-net/v2g-sockets.test.ts): SDP's multicast to ff02::1 and its
 * unicast answer, V2GTP's TCP with link-local scope ids, a peer that leaves, a refused connection,
 * an unknown interface. Built against the system's sockets (Linux, in a network namespace with a
 * veth pair) and against lwIP's (support/lwip-sockets: two lwIP netifs and a wire in-process), it
 * prints one line per step for the test to check:
 *
 *   sockets-check A B             A, B: the interfaces; each step prints "<step> <result>"
 *
 * Linked with `check_setup` (brings the interfaces up, 0 when done), `check_side` (the side whose
 * sockets the next calls make and use: Linux enters that side's network namespace, so the two
 * sides talk over the veth and not through the kernel's local routes) and `check_sleep_ms`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "v2g-sockets.h"

int check_setup(const char *a, const char *b);
void check_side(int side);
void check_sleep_ms(int ms);

enum { SIDE_A, SIDE_B };

#define WAIT_MS 3000

static int failures;

static void report(const char *step, int ok, const char *detail)
{
	printf("%s %s %s\n", step, ok ? "ok" : "FAILED", detail);
	fflush(stdout);
	if (!ok)
		failures++;
}

/* The address without its zone. */
static void zoneless(const char *address, char *out, size_t size)
{
	const char *zone = strchr(address, '%');
	size_t length = zone ? (size_t)(zone - address) : strlen(address);
	if (length >= size)
		length = size - 1;
	memcpy(out, address, length);
	out[length] = 0;
}

static ssize_t receive_datagram(int side, int fd, uint8_t *buffer, size_t size, char *from, size_t from_size, uint16_t *port)
{
	check_side(side);
	for (int waited = 0; waited < WAIT_MS; waited += 5) {
		ssize_t got = xs15118_udp_receive(fd, buffer, size, from, from_size, port);
		if (got != 0)
			return got;
		check_sleep_ms(5);
	}
	return 0;
}

static ssize_t receive_stream(int side, int fd, uint8_t *buffer, size_t size, int *ended)
{
	check_side(side);
	for (int waited = 0; waited < WAIT_MS; waited += 5) {
		ssize_t got = xs15118_socket_receive(fd, buffer, size, ended);
		if (got != 0 || *ended)
			return got;
		check_sleep_ms(5);
	}
	return 0;
}

int main(int argc, char **argv)
{
	char from[80], address_a[64], target[96], detail[160];
	uint8_t buffer[256];
	uint16_t port, tcp_port;
	int ended = 0;
	if (argc != 3) {
		fprintf(stderr, "usage: sockets-check A B\n");
		return 2;
	}
	const char *a = argv[1], *b = argv[2];
	if (check_setup(a, b)) {
		fprintf(stderr, "setup failed\n");
		return 2;
	}

	/* SDP: the charger's socket joins ff02::1 on A; the vehicle sends from B. */
	check_side(SIDE_A);
	int server = xs15118_udp_open(15118, a, "ff02::1");
	check_side(SIDE_B);
	int client = xs15118_udp_open(0, b, NULL);
	snprintf(detail, sizeof(detail), "%d %d errno %s", server, client, strerror(errno));
	report("udp-open", server >= 0 && client >= 0, detail);
	snprintf(target, sizeof(target), "ff02::1%%%s", b);
	int sent = xs15118_udp_send(client, (const uint8_t *)"discover", 8, target, 15118);
	report("udp-multicast-send", sent == 0, sent ? strerror(errno) : target);
	ssize_t got = receive_datagram(SIDE_A, server, buffer, sizeof(buffer), from, sizeof(from), &port);
	snprintf(detail, sizeof(detail), "%zd bytes from %s port %u", got, from, port);
	report("udp-multicast-receive", got == 8 && !memcmp(buffer, "discover", 8) && strchr(from, '%'), detail);

	/* The answer goes back to the sender's link-local address with its zone. */
	sent = xs15118_udp_send(server, (const uint8_t *)"answer", 6, from, port);
	report("udp-unicast-send", sent == 0, sent ? strerror(errno) : from);
	got = receive_datagram(SIDE_B, client, buffer, sizeof(buffer), from, sizeof(from), &port);
	snprintf(detail, sizeof(detail), "%zd bytes from %s port %u", got, from, port);
	report("udp-unicast-receive", got == 6 && !memcmp(buffer, "answer", 6) && port == 15118, detail);
	zoneless(from, address_a, sizeof(address_a));

	/* V2GTP: a listener on A, a connection from B to A's link-local address in B's zone. */
	check_side(SIDE_A);
	int listener = xs15118_tcp_listen(NULL, 0);
	tcp_port = (uint16_t)xs15118_local_port(listener);
	snprintf(target, sizeof(target), "%s%%%s", address_a, b);
	check_side(SIDE_B);
	int connection = xs15118_tcp_connect(target, tcp_port);
	int state = 0;
	for (int waited = 0; waited < WAIT_MS && (state = xs15118_tcp_connected(connection)) == 0; waited += 5)
		check_sleep_ms(5);
	snprintf(detail, sizeof(detail), "[%s]:%u state %d %s", target, tcp_port, state, state < 0 ? strerror(errno) : "");
	report("tcp-connect", state == 1, detail);
	int accepted = -1;
	check_side(SIDE_A);
	for (int waited = 0; waited < WAIT_MS && accepted < 0; waited += 5) {
		accepted = xs15118_tcp_accept(listener, from, sizeof(from), &port);
		if (accepted < 0)
			check_sleep_ms(5);
	}
	snprintf(detail, sizeof(detail), "%d from %s port %u", accepted, accepted >= 0 ? from : "-", port);
	report("tcp-accept", accepted >= 0 && strchr(from, '%'), detail);
	check_side(SIDE_B);
	ssize_t wrote = xs15118_socket_send(connection, (const uint8_t *)"request", 7);
	got = receive_stream(SIDE_A, accepted, buffer, sizeof(buffer), &ended);
	snprintf(detail, sizeof(detail), "sent %zd, received %zd", wrote, got);
	report("tcp-request", wrote == 7 && got == 7 && !memcmp(buffer, "request", 7), detail);
	wrote = xs15118_socket_send(accepted, (const uint8_t *)"response", 8);
	got = receive_stream(SIDE_B, connection, buffer, sizeof(buffer), &ended);
	snprintf(detail, sizeof(detail), "sent %zd, received %zd", wrote, got);
	report("tcp-response", wrote == 8 && got == 8 && !memcmp(buffer, "response", 8), detail);

	/* The vehicle leaves: the charger's side reads the end of the stream. */
	xs15118_socket_close(connection);
	ended = 0;
	got = receive_stream(SIDE_A, accepted, buffer, sizeof(buffer), &ended);
	snprintf(detail, sizeof(detail), "received %zd, ended %d", got, ended);
	report("tcp-peer-closed", got == 0 && ended == 1, detail);
	xs15118_socket_close(accepted);

	/* Nobody listens on that port: the connection fails, with the reason. */
	xs15118_socket_close(listener);
	check_side(SIDE_B);
	connection = xs15118_tcp_connect(target, tcp_port);
	state = 0;
	for (int waited = 0; connection >= 0 && waited < WAIT_MS && (state = xs15118_tcp_connected(connection)) == 0; waited += 5)
		check_sleep_ms(5);
	snprintf(detail, sizeof(detail), "fd %d state %d: %s", connection, state, strerror(errno));
	report("tcp-refused", connection < 0 || state < 0, detail);
	xs15118_socket_close(connection);

	/* An interface that does not exist is refused, not taken for "any". */
	int none = xs15118_udp_open(0, "zz9", "ff02::1");
	report("udp-no-interface", none < 0, strerror(errno));
	xs15118_socket_close(none);

	xs15118_socket_close(server);
	xs15118_socket_close(client);
	printf("done %d failed\n", failures);
	return failures ? 1 : 0;
}
