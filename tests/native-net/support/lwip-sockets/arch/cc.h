/* lwIP's platform header for its sockets on Linux threads (see ../lwipopts.h). */
#ifndef XS15118_ARCH_CC_H
#define XS15118_ARCH_CC_H
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#define LWIP_PLATFORM_DIAG(x) do { printf x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) do { fprintf(stderr, "lwIP assertion: %s (%s:%d)\n", x, __FILE__, __LINE__); abort(); } while (0)
#endif
