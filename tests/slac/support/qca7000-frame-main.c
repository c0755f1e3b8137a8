/*
 * Drives hosts/esp32/qca7000/qca7000-frame.c from text lines, for the comparison with the
 * JavaScript driver (tests/slac/qca7000-native-frame.test.ts):
 *   F <hex>   frames an Ethernet frame, prints "F <hex>"
 *   D <hex>   pushes read-buffer bytes into the decoder, prints "D <hex>" per frame out
 *   E         prints "E <framing errors>"
 */
#include <stdio.h>
#include <string.h>
#include "qca7000-frame.h"

static qca7000_decoder decoder;
static uint8_t bytes[8192];
static uint8_t out[QCA7000_FRAME_MAX_LEN + QCA7000_FRAME_OVERHEAD];

static void printHex(char tag, const uint8_t *data, size_t length)
{
	size_t i;
	printf("%c ", tag);
	for (i = 0; i < length; i++)
		printf("%02x", data[i]);
	printf("\n");
}

static void onFrame(void *context, const uint8_t *frame, size_t length)
{
	(void)context;
	printHex('D', frame, length);
}

static size_t parseHex(const char *text)
{
	size_t n = 0;
	unsigned value;
	while ((n < sizeof(bytes)) && (1 == sscanf(text + 2 * n, "%2x", &value)))
		bytes[n++] = (uint8_t)value;
	return n;
}

int main(void)
{
	static char line[20000];
	qca7000_decoder_init(&decoder);
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\r\n")] = 0;
		if ('F' == line[0]) {
			size_t n = parseHex(line + 2);
			printHex('F', out, qca7000_frame(out, sizeof(out), bytes, n));
		}
		else if ('D' == line[0]) {
			size_t n = parseHex(line + 2);
			qca7000_decoder_push(&decoder, bytes, n, onFrame, NULL);
		}
		else if ('E' == line[0])
			printf("E %u\n", (unsigned)decoder.framingErrors);
	}
	return 0;
}
