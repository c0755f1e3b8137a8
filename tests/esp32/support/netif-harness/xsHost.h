/* Stand-in for the Moddable runtime's xsHost.h as qca7000-netif.c uses it. */
#pragma once
#include <stdlib.h>
#include <string.h>
#define c_malloc malloc
#define c_calloc calloc
#define c_free free
#define c_memcpy memcpy
#define c_strlen strlen
typedef void (*modMessageDeliver)(void *the, void *refcon, uint8_t *message, uint16_t messageLength);
int modMessagePostToMachine(void *the, uint8_t *message, uint16_t messageLength, modMessageDeliver callback, void *refcon);
