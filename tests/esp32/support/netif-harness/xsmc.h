/*
 * Stand-in for the XS C API as qca7000-netif.c uses it, for the netif harness (harness.c): one
 * machine whose argument is a buffer or a boolean; option lookups find only `mac` (the pins take
 * their defaults); calls into JavaScript (onReadable, onError) are printed by the harness; errors
 * longjmp back to it with their message.
 */
#pragma once
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef int xsIdentifier;
typedef uint32_t xsUnsignedValue;
typedef struct {
	long integer;
	const char *string;
	void *data;
	size_t length;
} xsSlot;

typedef struct xs15118Machine {
	xsSlot args[1];
	xsSlot vars[1];
	xsSlot self;
	xsSlot result;
	xsSlot mac;
	void *hostData;
	uint8_t buffer[1600];
	char text[64]; /* a string result, copied as XS copies it */
	const char *error;
	jmp_buf jump;
} xsMachine;

__attribute__((noreturn)) void xs15118Error(xsMachine *the, const char *message);
void xs15118Call(xsIdentifier id, xsSlot argument);
xsSlot xs15118Get(xsMachine *the, xsIdentifier id);
xsSlot xs15118Integer(long value);
xsSlot xs15118String(const char *value);

#define xsArg(n) (the->args[n])
#define xsVar(n) (the->vars[n])
#define xsThis (the->self)
#define xsResult (the->result)
#define xsmcVars(n) ((void)(n))
#define xsInteger(n) xs15118Integer(n)
#define xsString(s) xs15118String(s)
#define xsBeginHost(machine) do { (void)(machine);
#define xsEndHost(machine) } while (0)
#define xsCall1(self, id, argument) ((void)(self), xs15118Call(id, argument))
#define xsmcHas(object, id) ((void)(object), (id) == xsID_mac)
#define xsmcGet(out, object, id) ((void)(object), (out) = xs15118Get(the, id))
#define xsmcSet(object, id, value) ((void)(object), (void)(id), (void)(value))
#define xsmcToInteger(slot) ((int)(slot).integer)
#define xsmcTest(slot) ((slot).integer != 0)
#define xsmcGetBufferReadable(slot, where, size) (*(where) = (slot).data, *(size) = (xsUnsignedValue)(slot).length)
#define xsmcSetArrayBuffer(slot, from, size) ((slot).data = memcpy(the->buffer, (from), (size)), (slot).length = (size))
#define xsmcSetString(slot, value) (snprintf(the->text, sizeof(the->text), "%s", (value)), (slot).string = the->text)
#define xsmcSetHostData(slot, pointer) ((void)(slot), the->hostData = (pointer))
#define xsmcGetHostData(slot) ((void)(slot), the->hostData)
#define xsRemember(slot) ((void)(slot))
#define xsForget(slot) ((void)(slot))
#define xsUnknownError(message) xs15118Error(the, message)
#define xsRangeError(message) xs15118Error(the, message)
