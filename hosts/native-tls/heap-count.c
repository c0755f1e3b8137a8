/* Counting allocator for mbedTLS (heap-count.h): a header before each block holds its size. */
#include "heap-count.h"

/* The Moddable Linux build compiles this file without mbedTLS when XS15118_MBEDTLS is unset
   (hosts/linux/manifest.json): nothing of it is built then, xs-tls.c says so. */
#ifndef XS15118_WITHOUT_MBEDTLS

#include <stdint.h>
#include <stdlib.h>

#include "mbedtls-config.h"
#include "mbedtls/platform.h"

typedef union {
	size_t size;
	max_align_t align;
} block_header;
static size_t heap_now, heap_peak, heap_blocks;

#if defined(MBEDTLS_PLATFORM_MEMORY)
static void *counting_calloc(size_t count, size_t size)
{
	block_header *block;
	if (size && count > (SIZE_MAX - sizeof(block_header)) / size)
		return NULL;
	/* The allocator mbedTLS would use without us: calloc, or on ESP-IDF its esp_mbedtls_mem_calloc
	   (internal RAM or PSRAM as the sdkconfig chooses). */
	block = MBEDTLS_PLATFORM_STD_CALLOC(1, sizeof(block_header) + count * size);
	if (!block)
		return NULL;
	block->size = count * size;
	heap_now += block->size;
	heap_blocks++;
	if (heap_now > heap_peak)
		heap_peak = heap_now;
	return block + 1;
}

static void counting_free(void *pointer)
{
	block_header *block;
	if (!pointer)
		return;
	block = (block_header *)pointer - 1;
	heap_now -= block->size;
	heap_blocks--;
	MBEDTLS_PLATFORM_STD_FREE(block);
}

int heap_count_install(void)
{
	return mbedtls_platform_set_calloc_free(counting_calloc, counting_free) ? -1 : 0;
}
#else
int heap_count_install(void)
{
	return -1;
}
#endif

size_t heap_count_now(void)
{
	return heap_now;
}

size_t heap_count_peak(void)
{
	return heap_peak;
}

size_t heap_count_blocks(void)
{
	return heap_blocks;
}

void heap_count_restart_peak(void)
{
	heap_peak = heap_now;
}

#endif /* XS15118_WITHOUT_MBEDTLS */
