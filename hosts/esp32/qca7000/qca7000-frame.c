/* The QCA7000's SPI framing (qca7000-frame.h). Portable C99. */
#include <string.h>
#include "qca7000-frame.h"

enum { RX_HW_LEN, RX_SOF, RX_LEN, RX_RSVD, RX_DATA, RX_EOF };

size_t qca7000_frame(uint8_t *out, size_t outSize, const uint8_t *frame, size_t length)
{
	size_t padded = (length < QCA7000_FRAME_MIN_LEN) ? QCA7000_FRAME_MIN_LEN : length;
	if ((padded > QCA7000_FRAME_MAX_LEN) || (outSize < padded + QCA7000_FRAME_OVERHEAD))
		return 0;
	memset(out, 0xaa, 4);
	out[4] = (uint8_t)(padded & 0xff);
	out[5] = (uint8_t)(padded >> 8);
	out[6] = out[7] = 0;
	memcpy(out + 8, frame, length);
	memset(out + 8 + length, 0, padded - length);
	out[8 + padded] = out[9 + padded] = 0x55;
	return padded + QCA7000_FRAME_OVERHEAD;
}

static void restart(qca7000_decoder *d)
{
	d->state = RX_HW_LEN;
	d->count = 0;
}

static void framingError(qca7000_decoder *d)
{
	d->framingErrors++;
	restart(d);
}

void qca7000_decoder_init(qca7000_decoder *decoder)
{
	decoder->framingErrors = 0;
	decoder->length = 0;
	restart(decoder);
}

void qca7000_decoder_push(qca7000_decoder *d, const uint8_t *bytes, size_t length, qca7000_frame_handler handler, void *context)
{
	size_t i;
	for (i = 0; i < length; i++) {
		uint8_t b = bytes[i];
		switch (d->state) {
		case RX_HW_LEN:
			/* The upper two bytes of the hardware length are zero: anything else is not a frame
			   start (skipped, not counted, as the JavaScript driver does). */
			if ((d->count < 2) && (b != 0)) {
				restart(d);
				break;
			}
			if (++d->count == 4) {
				d->state = RX_SOF;
				d->count = 0;
			}
			break;
		case RX_SOF:
			if (b != 0xaa) {
				framingError(d);
				break;
			}
			if (++d->count == 4) {
				d->state = RX_LEN;
				d->count = 0;
				d->length = 0;
			}
			break;
		case RX_LEN:
			d->length |= (uint16_t)(b << (8 * d->count));
			if (++d->count == 2) {
				if ((d->length < QCA7000_FRAME_MIN_LEN) || (d->length > QCA7000_FRAME_MAX_LEN)) {
					framingError(d);
					break;
				}
				d->state = RX_RSVD;
				d->count = 0;
			}
			break;
		case RX_RSVD:
			if (++d->count == 2) {
				d->state = RX_DATA;
				d->count = 0;
			}
			break;
		case RX_DATA: {
			size_t take = d->length - d->count;
			if (take > length - i)
				take = length - i;
			memcpy(d->frame + d->count, bytes + i, take);
			d->count = (uint16_t)(d->count + take);
			i += take - 1;
			if (d->count == d->length) {
				d->state = RX_EOF;
				d->count = 0;
			}
			break;
		}
		case RX_EOF:
			if (b != 0x55) {
				framingError(d);
				break;
			}
			if (++d->count == 2) {
				handler(context, d->frame, d->length);
				restart(d);
			}
			break;
		}
	}
}
