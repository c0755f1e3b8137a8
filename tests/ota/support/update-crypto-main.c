/*
 * Runs hosts/esp32/ota/update-crypto.c on the XS stand-in (xs-stub/xsmc.h) for
 * tests/ota/update-crypto-native.test.ts. One command a line on stdin, hex arguments, one answer a
 * line on stdout:
 *   V key message signature   → "V 1" when verifyP256 accepts, "V 0" otherwise
 *   S chunk…                  → "S <digest>": Sha256, one update per chunk ("-" is an empty chunk)
 *   T                         → digest taken twice: "T <error>" (the second must throw)
 */
#include "xsmc.h"

void xs_update_crypto_verify_p256(xsMachine *the);
void xs_update_crypto_sha256(xsMachine *the);
void xs_update_crypto_sha256_update(xsMachine *the);
void xs_update_crypto_sha256_digest(xsMachine *the);
void xs_update_crypto_sha256_destructor(void *data);

static size_t fromHex(const char *text, uint8_t *out, size_t room)
{
	size_t n = 0;
	if (0 == strcmp(text, "-"))
		return 0;
	while (text[0] && text[1] && (n < room)) {
		unsigned int byte;
		if (1 != sscanf(text, "%2x", &byte))
			break;
		out[n++] = (uint8_t)byte;
		text += 2;
	}
	return n;
}

static void printHex(const char *tag, const uint8_t *data, size_t length)
{
	printf("%s ", tag);
	for (size_t i = 0; i < length; i++)
		printf("%02x", data[i]);
	printf("\n");
}

static uint8_t args[3][1 << 16];

int main(void)
{
	static char line[1 << 20];
	while (fgets(line, sizeof(line), stdin)) {
		xsMachine machine, *the = &machine;
		char *words[64];
		int count = 0;
		memset(&machine, 0, sizeof(machine));
		for (char *word = strtok(line, " \n"); word && (count < 64); word = strtok(NULL, " \n"))
			words[count++] = word;
		if (!count)
			continue;
		if ((0 == strcmp(words[0], "V")) && (4 == count)) {
			for (int i = 0; i < 3; i++) {
				the->args[i].data = args[i];
				the->args[i].length = fromHex(words[1 + i], args[i], sizeof(args[i]));
			}
			if (setjmp(the->jump))
				printf("V error %s\n", the->error);
			else {
				xs_update_crypto_verify_p256(the);
				printf("V %d\n", (1 == the->resultKind) ? the->boolean : -1);
			}
		}
		else if (0 == strcmp(words[0], "S")) {
			if (setjmp(the->jump)) {
				printf("S error %s\n", the->error);
				xs_update_crypto_sha256_destructor(the->hostData);
				continue;
			}
			xs_update_crypto_sha256(the);
			for (int i = 1; i < count; i++) {
				the->args[0].data = args[0];
				the->args[0].length = fromHex(words[i], args[0], sizeof(args[0]));
				xs_update_crypto_sha256_update(the);
			}
			xs_update_crypto_sha256_digest(the);
			printHex("S", the->buffer, the->bufferLength);
		}
		else if (0 == strcmp(words[0], "T")) {
			if (setjmp(the->jump)) {
				printf("T %s\n", the->error);
				continue;
			}
			xs_update_crypto_sha256(the);
			xs_update_crypto_sha256_digest(the);
			xs_update_crypto_sha256_digest(the);
			printf("T no error\n");
		}
	}
	return 0;
}
