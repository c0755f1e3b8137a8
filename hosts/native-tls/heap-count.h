/*
 * Counts the heap mbedTLS holds (mbedtls_platform_set_calloc_free, MBEDTLS_PLATFORM_MEMORY):
 * the figures of the README (harness.c) and of the Moddable build (xs-tls.c).
 */
#ifndef XS15118_HEAP_COUNT_H
#define XS15118_HEAP_COUNT_H

#include <stddef.h>

/* Routes mbedTLS's allocations through the counter; 0, or -1 where mbedTLS was built without
   MBEDTLS_PLATFORM_MEMORY (nothing is counted then). Call before the first allocation. */
int heap_count_install(void);
/* Bytes mbedTLS holds now, the most it held since heap_count_restart_peak(), live blocks. */
size_t heap_count_now(void);
size_t heap_count_peak(void);
size_t heap_count_blocks(void);
void heap_count_restart_peak(void);

#endif
