/*
 * A command-line test harness for v2g-tls.c on Linux: one TLS connection (or several, for a
 * server) over TCP/IPv6, a line of text each way, and one JSON line per connection with what
 * was negotiated, the handshake's time and the heap mbedTLS held (counted through
 * mbedtls_platform_set_calloc_free).
 *
 *   v2g-tls-harness server --profile iso2|iso20|both [--port N] [--accept N] (--cert F... --key F)... [--ca F...]
 *   v2g-tls-harness client --profile ... --host ::1 --port N [--cert F... --key F] --ca F... [--message TEXT]
 *                          [--read-after-ms N]
 *   common: [--suite IANA-NAME] [--group secp256r1|secp521r1|x448] [--middlebox on|off] [--keylog FILE]
 *
 * The server prints "listening PORT" first, then per connection reads one line and answers it
 * reversed ("olleh" for "hello"), as `openssl s_server -rev` does; the client sends its
 * message and waits for the answer.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "heap-count.h"
#include "v2g-tls.h"

static double seconds(clockid_t clock)
{
	struct timespec t;
	clock_gettime(clock, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint8_t *read_file(const char *name, size_t *size)
{
	FILE *file = fopen(name, "rb");
	uint8_t *bytes = NULL;
	long length;
	if (!file)
		return NULL;
	if (fseek(file, 0, SEEK_END) == 0 && (length = ftell(file)) >= 0 && fseek(file, 0, SEEK_SET) == 0) {
		bytes = malloc((size_t)length + 1);
		if (bytes && fread(bytes, 1, (size_t)length, file) != (size_t)length) {
			free(bytes);
			bytes = NULL;
		}
		*size = (size_t)length;
	}
	fclose(file);
	return bytes;
}

static void die(const char *what, const char *why)
{
	printf("{\"error\":\"%s: %s\"}\n", what, why);
	fflush(stdout);
	exit(1);
}

static FILE *keylog;
/* Client: how long to wait after sending before reading, as a busy board does: a TLS 1.3
   server's NewSessionTickets and its answer then arrive in one read. */
static long read_after_ms;
static void key_line(void *context, const char *line)
{
	(void)context;
	fprintf(keylog, "%s\n", line);
	fflush(keylog);
}

static int flush_output(v2g_tls *tls, int fd)
{
	size_t size;
	const uint8_t *bytes = v2g_tls_output(tls, &size);
	while (size > 0) {
		ssize_t sent = send(fd, bytes, size, MSG_NOSIGNAL);
		if (sent < 0)
			return -1;
		v2g_tls_consume_output(tls, (size_t)sent);
		bytes = v2g_tls_output(tls, &size);
	}
	return 0;
}

/* Moves ciphertext from the socket into the engine; -1 when the peer closed the connection. */
static int pump_input(v2g_tls *tls, int fd)
{
	uint8_t buffer[4096];
	ssize_t got = recv(fd, buffer, sizeof(buffer), 0);
	if (got <= 0)
		return -1;
	if (v2g_tls_feed(tls, buffer, (size_t)got) != (size_t)got)
		return -1; /* the harness reads only 4 KB at a time, far below the engine's queue */
	return 0;
}

/* Reads one line (or whatever arrives before the peer closes) of plaintext. */
static int read_line(v2g_tls *tls, int fd, char *line, size_t size)
{
	size_t have = 0;
	while (have < size - 1) {
		int got = v2g_tls_read(tls, (uint8_t *)line + have, size - 1 - have);
		flush_output(tls, fd);
		if (got < 0)
			break;
		have += (size_t)got;
		if (have && line[have - 1] == '\n')
			break;
		if (got == 0 && pump_input(tls, fd))
			break;
	}
	line[have] = 0;
	return (int)have;
}

static void json_string(const char *text)
{
	putchar('"');
	for (; *text; text++) {
		if (*text == '"' || *text == '\\')
			printf("\\%c", *text);
		else if ((unsigned char)*text < 0x20)
			printf("\\u%04x", *text);
		else
			putchar(*text);
	}
	putchar('"');
}

/* One connection: handshake, a line each way, close; prints the JSON line. */
static int run_connection(v2g_tls_config *config, int fd, int server, const char *message, size_t heap_before)
{
	char err[200], line[512];
	double wall0, cpu0, wall, cpu;
	size_t size, heap_session;
	int peer_certs = 0, ok;
	v2g_tls *tls;

	heap_count_restart_peak();
	wall0 = seconds(CLOCK_MONOTONIC);
	cpu0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
	tls = v2g_tls_new(config, err, sizeof(err));
	if (!tls)
		die("connection", err);
	if (keylog)
		v2g_tls_set_keylog(tls, key_line, NULL);
	for (;;) {
		v2g_tls_state state = v2g_tls_step(tls);
		flush_output(tls, fd);
		if (state != V2G_TLS_HANDSHAKING)
			break;
		if (pump_input(tls, fd)) {
			if (v2g_tls_step(tls) == V2G_TLS_HANDSHAKING)
				snprintf(err, sizeof(err), "the peer closed the connection during the handshake");
			break;
		}
	}
	wall = seconds(CLOCK_MONOTONIC) - wall0;
	cpu = seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
	heap_session = heap_count_peak() - heap_before;
	ok = v2g_tls_step(tls) == V2G_TLS_OPEN;
	printf("{\"role\":\"%s\",\"ok\":%s", server ? "server" : "client", ok ? "true" : "false");
	if (!ok) {
		printf(",\"error\":");
		json_string(v2g_tls_error(tls)[0] ? v2g_tls_error(tls) : err);
		printf("}\n");
		fflush(stdout);
		v2g_tls_free(tls);
		return 1;
	}
	while (v2g_tls_peer_certificate(tls, peer_certs, &size))
		peer_certs++;
	if (server) {
		int n = read_line(tls, fd, line, sizeof(line));
		char reply[512];
		int i, end = n;
		while (end > 0 && (line[end - 1] == '\n' || line[end - 1] == '\r'))
			end--;
		for (i = 0; i < end; i++)
			reply[i] = line[end - 1 - i];
		reply[end] = '\n';
		v2g_tls_write(tls, (const uint8_t *)reply, (size_t)end + 1);
		flush_output(tls, fd);
		line[end] = 0;
	} else {
		v2g_tls_write(tls, (const uint8_t *)message, strlen(message));
		v2g_tls_write(tls, (const uint8_t *)"\n", 1);
		flush_output(tls, fd);
		if (read_after_ms > 0) {
			struct timespec pause = {.tv_sec = read_after_ms / 1000, .tv_nsec = (read_after_ms % 1000) * 1000000L};
			nanosleep(&pause, NULL);
		}
		read_line(tls, fd, line, sizeof(line));
		line[strcspn(line, "\r\n")] = 0;
	}
	v2g_tls_close(tls);
	flush_output(tls, fd);
	printf(",\"protocol\":\"%s\",\"suite\":\"%s\",\"peerCertificates\":%d,\"handshakeMs\":%.3f,\"cpuMs\":%.3f,"
	       "\"heapPeakBytes\":%zu,\"heapConfigBytes\":%zu,\"%s\":",
		v2g_tls_protocol(tls), v2g_tls_suite(tls), peer_certs, wall * 1e3, cpu * 1e3, heap_session, heap_before,
		server ? "received" : "answer");
	json_string(line);
	printf("}\n");
	fflush(stdout);
	v2g_tls_free(tls);
	return 0;
}

int main(int argc, char **argv)
{
	const char *profile_name = NULL, *host = "::1", *key_names[4], *suite = NULL, *group = NULL, *middlebox = NULL;
	const char *message = "hello from mbedTLS";
	const char *cert_names[8], *ca_names[8];
	int cert_count = 0, ca_count = 0, key_count = 0, key_after[4], port = 0, accepts = 1, server, i, failures = 0;
	v2g_tls_profile profile;
	v2g_tls_config *config;
	char err[200];

	if (argc < 2 || (strcmp(argv[1], "server") && strcmp(argv[1], "client")))
		die("usage", "v2g-tls-harness server|client --profile iso2|iso20|both ...");
	server = !strcmp(argv[1], "server");
	for (i = 2; i + 1 < argc; i += 2) {
		const char *option = argv[i], *value = argv[i + 1];
		if (!strcmp(option, "--profile")) profile_name = value;
		else if (!strcmp(option, "--host")) host = value;
		else if (!strcmp(option, "--port")) port = atoi(value);
		else if (!strcmp(option, "--accept")) accepts = atoi(value);
		else if (!strcmp(option, "--cert") && cert_count < 8) cert_names[cert_count++] = value;
		else if (!strcmp(option, "--key") && key_count < 4) {
			/* Each --key closes one credential: the --cert files before it (after the previous --key). */
			key_after[key_count] = cert_count;
			key_names[key_count++] = value;
		}
		else if (!strcmp(option, "--ca") && ca_count < 8) ca_names[ca_count++] = value;
		else if (!strcmp(option, "--suite")) suite = value;
		else if (!strcmp(option, "--group")) group = value;
		else if (!strcmp(option, "--middlebox")) middlebox = value;
		else if (!strcmp(option, "--message")) message = value;
		else if (!strcmp(option, "--read-after-ms")) read_after_ms = atol(value);
		else if (!strcmp(option, "--keylog")) keylog = fopen(value, "w");
		else die("unknown option", option);
	}
	if (!profile_name) die("usage", "--profile is required");
	profile = !strcmp(profile_name, "iso2") ? V2G_TLS_ISO2 : !strcmp(profile_name, "iso20") ? V2G_TLS_ISO20 : !strcmp(profile_name, "both") ? V2G_TLS_BOTH : 0;

	if (heap_count_install())
		die("configuration", "mbedTLS was built without MBEDTLS_PLATFORM_MEMORY: the heap cannot be counted");
	config = v2g_tls_config_new(server, profile, err, sizeof(err));
	if (!config)
		die("configuration", err);
	if (cert_count && !key_count)
		die("usage", "--cert needs --key");
	for (int k = 0, first = 0; k < key_count; first = key_after[k++]) {
		const uint8_t *certs[8];
		size_t sizes[8], key_size;
		uint8_t *key;
		for (i = first; i < key_after[k]; i++)
			if (!(certs[i - first] = read_file(cert_names[i], &sizes[i - first])))
				die(cert_names[i], strerror(errno));
		if (!(key = read_file(key_names[k], &key_size)))
			die(key_names[k], strerror(errno));
		if (v2g_tls_config_add_credentials(config, certs, sizes, key_after[k] - first, key, key_size, V2G_TLS_KEY_ENCODED))
			die("credentials", v2g_tls_config_error(config));
	}
	for (i = 0; i < ca_count; i++) {
		size_t size;
		uint8_t *ca = read_file(ca_names[i], &size);
		if (!ca)
			die(ca_names[i], strerror(errno));
		if (v2g_tls_config_add_anchor(config, ca, size))
			die("trust anchor", v2g_tls_config_error(config));
	}
	if (middlebox && v2g_tls_config_set_middlebox_compatibility(config, !strcmp(middlebox, "on")))
		die("middlebox", v2g_tls_config_error(config));
	if (v2g_tls_config_restrict(config, suite, group))
		die("restrict", v2g_tls_config_error(config));
	if (v2g_tls_config_ready(config))
		die("configuration", v2g_tls_config_error(config));

	if (server) {
		struct sockaddr_in6 address = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
		socklen_t length = sizeof(address);
		int listener = socket(AF_INET6, SOCK_STREAM, 0), one = 1;
		setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (inet_pton(AF_INET6, host, &address.sin6_addr) != 1)
			die("address", host);
		if (bind(listener, (struct sockaddr *)&address, sizeof(address)) || listen(listener, 4))
			die("listen", strerror(errno));
		getsockname(listener, (struct sockaddr *)&address, &length);
		printf("listening %d\n", ntohs(address.sin6_port));
		fflush(stdout);
		for (i = 0; i < accepts; i++) {
			int fd = accept(listener, NULL, NULL);
			if (fd < 0)
				die("accept", strerror(errno));
			failures += run_connection(config, fd, 1, NULL, heap_count_now());
			close(fd);
		}
		close(listener);
	} else {
		struct addrinfo hints = {.ai_family = AF_INET6, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST}, *found;
		char service[8];
		int fd;
		snprintf(service, sizeof(service), "%d", port);
		/* getaddrinfo takes "fe80::1%eth0" with its zone, as V2G's link-local peers need. */
		if (getaddrinfo(host, service, &hints, &found))
			die("address", host);
		fd = socket(AF_INET6, SOCK_STREAM, 0);
		if (connect(fd, found->ai_addr, found->ai_addrlen))
			die("connect", strerror(errno));
		freeaddrinfo(found);
		failures += run_connection(config, fd, 0, message, heap_count_now());
		close(fd);
	}
	v2g_tls_config_free(config);
	return failures ? 2 : 0;
}
