/*
 * The QCA7000's SPI framing, in C for the native driver (qca7000-netif.c): the same format as
 * the JavaScript driver's (modules/slac/qca7000.ts), with no ESP-IDF in it, so it is compiled
 * and checked against the JavaScript one on Linux (tests/slac/qca7000-native-frame.test.ts).
 *
 * Transmit: SOF 4 × 0xAA, length (16 bit LE), 2 reserved bytes, the Ethernet frame padded to
 * 60 bytes, EOF 0x55 0x55. Receive (the read buffer): a 4-byte hardware length (big endian, the
 * upper two bytes zero), then the same. (Qualcomm QCA7000 SPI host interface, as implemented
 * by the Linux qcaspi driver; facts only, no code taken from it.)
 */
#ifndef QCA7000_FRAME_H
#define QCA7000_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define QCA7000_FRAME_MIN_LEN 60
#define QCA7000_FRAME_MAX_LEN 1522
#define QCA7000_FRAME_OVERHEAD 10 /* SOF 4, length 2, reserved 2, EOF 2 */
#define QCA7000_HW_BUF_LEN 3163

#define QCA7000_SPI_READ (1u << 15)
#define QCA7000_SPI_INTERNAL (1u << 14)

/* The 16-bit command word of a register (internal) or buffer (external) access. */
static inline uint16_t qca7000_command(int read, int internal, uint16_t reg)
{
	return (uint16_t)((read ? QCA7000_SPI_READ : 0) | (internal ? QCA7000_SPI_INTERNAL : 0) | (reg & 0x3fff));
}

/* Frames `length` bytes into `out` (at least length padded to 60 + 10 bytes); the framed length, 0 if it does not fit. */
size_t qca7000_frame(uint8_t *out, size_t outSize, const uint8_t *frame, size_t length);

typedef void (*qca7000_frame_handler)(void *context, const uint8_t *frame, size_t length);

typedef struct {
	uint8_t state;
	uint16_t count;
	uint16_t length;
	uint8_t frame[QCA7000_FRAME_MAX_LEN];
	uint32_t framingErrors;
} qca7000_decoder;

void qca7000_decoder_init(qca7000_decoder *decoder);

/*
 * Feeds bytes read from the chip's buffer; calls `handler` for each complete frame (the bytes are
 * the decoder's, valid during the call). A mismatch counts a framing error and the search for the
 * next frame starts again at the next byte.
 */
void qca7000_decoder_push(qca7000_decoder *decoder, const uint8_t *bytes, size_t length, qca7000_frame_handler handler, void *context);

#endif
