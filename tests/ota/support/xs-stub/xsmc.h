/*
 * A stand-in for the XS C API (xsmc.h) with just what hosts/esp32/ota/update-crypto.c uses, so
 * that file runs in a plain C program on Linux (tests/ota/update-crypto-native.test.ts): one
 * "machine" with three buffer arguments, a result (a boolean or a buffer), one host-data pointer,
 * and errors that longjmp back to the caller with their message.
 */
#ifndef XS15118_XSMC_STUB_H
#define XS15118_XSMC_STUB_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint32_t xsUnsignedValue;

typedef struct {
	void *data;
	size_t length;
} xsStubBuffer;

typedef struct xsStubMachine {
	xsStubBuffer args[3];
	void *hostData;
	int resultKind; /* 0 none, 1 boolean, 2 buffer */
	int boolean;
	uint8_t buffer[64];
	size_t bufferLength;
	const char *error;
	jmp_buf jump;
} xsMachine;

__attribute__((noreturn)) static inline void xsStubError(xsMachine *the, const char *message)
{
	the->error = message;
	longjmp(the->jump, 1);
}

#define xsArg(n) (the->args[n])
#define xsThis 0
#define xsResult 0
#define xsmcGetBufferReadable(slot, where, size) (*(where) = (slot).data, *(size) = (xsUnsignedValue)(slot).length)
#define xsmcSetFalse(slot) ((void)(slot), the->resultKind = 1, the->boolean = 0)
#define xsmcSetBoolean(slot, value) ((void)(slot), the->resultKind = 1, the->boolean = (value) ? 1 : 0)
#define xsmcSetArrayBuffer(slot, from, size) ((void)(slot), memcpy(the->buffer, (from), (size)), the->bufferLength = (size), the->resultKind = 2)
#define xsmcSetHostData(slot, pointer) ((void)(slot), the->hostData = (pointer))
#define xsmcGetHostData(slot) ((void)(slot), the->hostData)
#define xsUnknownError(message) xsStubError(the, message)
#define c_malloc malloc
#define c_free free

#endif
