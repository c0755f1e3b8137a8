/*
 * sockets-check.c on the system's sockets (Linux). The test has made the interfaces, one in each
 * of two network namespaces joined by a veth pair, named in $XS15118_NS_A and $XS15118_NS_B:
 * each side's calls run in its namespace (setns; a socket stays in the namespace it was made in).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int namespaces[2] = {-1, -1};

int check_setup(const char *a, const char *b)
{
	const char *names[2] = {getenv("XS15118_NS_A"), getenv("XS15118_NS_B")};
	(void)a;
	(void)b;
	for (int side = 0; side < 2; side++) {
		char path[256];
		if (!names[side])
			continue;
		snprintf(path, sizeof(path), "/run/netns/%s", names[side]);
		namespaces[side] = open(path, O_RDONLY | O_CLOEXEC);
		if (namespaces[side] < 0) {
			perror(path);
			return -1;
		}
	}
	return 0;
}

void check_side(int side)
{
	if (namespaces[side] >= 0 && setns(namespaces[side], CLONE_NEWNET)) {
		perror("setns");
		exit(2);
	}
}

void check_sleep_ms(int ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&t, NULL);
}
