/*
 * hosts/esp32/qca7000/qca7000-netif.c on Linux, against lwIP's own core (no OS: the harness calls
 * its timers) and a simulated QCA7000 behind the SPI calls, for tests/esp32/qca7000-netif-lwip.test.ts.
 * The netif's code runs unchanged, the constructor and the JavaScript calls included (on stand-ins
 * for the XS API, FreeRTOS and ESP-IDF's drivers in this folder); its driver task runs on a thread
 * of its own, in lockstep with the harness: each step wakes it once and waits until it waits again.
 *
 * The simulated chip: the registers the driver uses (signature 0xAA55; the read buffer's byte count;
 * the write buffer's space, settable; the interrupt cause, write 1 to clear, and enable; the buffer
 * size of the next external access), the read buffer holding what the powerline delivered (each
 * frame as a 4-byte big-endian length and the SPI framing), and the INT pin high while an enabled
 * cause is set.
 *
 * Commands, one a line on stdin, frames in hex:
 *   R frame…    the powerline delivers these Ethernet frames (one read buffer); the task runs
 *   W frame     JavaScript writes a management frame (write()); the task runs
 *   X           JavaScript reads every waiting management frame (read())
 *   L 1|0       setLinkUp
 *   U port      a UDP socket (lwIP's raw API) on port that answers each datagram with its bytes
 *               reversed, to the sender
 *   TIME ms     lwIP's clock advances by ms in steps of 100 ms, its timers run, the task runs
 *   SPACE n     the chip's write buffer has n bytes free from now on; the task runs
 *   STUCK       the SPI bus stops answering (every read 0xffff), with no interrupt
 *   Q           prints "S <state>"
 *   N           prints "N <interfaceName> <address>" (the netif's name and link-local address)
 *   CLOSE       close()
 * Output: "T hex" each buffer write to the chip (the framed bytes), "C onReadable n" /
 * "C onError why" each call into JavaScript, "M hex" each management frame read, "P hex" each
 * datagram the UDP socket received, "S state", "E why" an error thrown to JavaScript.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwip/init.h"
#include "lwip/timeouts.h"
#include "lwip/udp.h"
#include "netif/ethernet.h"

/* No tcpip thread without an OS: the netif's input is lwIP's Ethernet input itself, and the core
   lock the JavaScript calls take is the lockstep's (only one thread runs at a time). */
#define tcpip_input ethernet_input
#define LOCK_TCPIP_CORE() ((void)0)
#define UNLOCK_TCPIP_CORE() ((void)0)

#include "qca7000-netif.c"

/* --- lwIP's clock -------------------------------------------------------------------------- */

static u32_t now;

u32_t sys_now(void)
{
	return now;
}

/* FreeRTOS's ticks at ESP-IDF's 1000 Hz: lwIP's milliseconds. */
TickType_t xTaskGetTickCount(void)
{
	return now;
}

/* --- the simulated QCA7000 ---------------------------------------------------------------- */

static struct {
	uint8_t readBuffer[QCA7000_HW_BUF_LEN * 4];
	size_t readLength;
	uint16_t cause, enable, bufferSize, writeSpace;
	int stuck; /* the bus no longer answers: every read is 0xffff */
} chip = {.writeSpace = QCA7000_HW_BUF_LEN};

static void printHex(const char *tag, const uint8_t *data, size_t length)
{
	printf("%s ", tag);
	for (size_t i = 0; i < length; i++)
		printf("%02x", data[i]);
	printf("\n");
	fflush(stdout);
}

static uint16_t chipRead(uint16_t reg)
{
	if (chip.stuck)
		return 0xffff;
	switch (reg) {
	case REG_SIGNATURE: return GOOD_SIGNATURE;
	case REG_RDBUF_BYTE_AVA: return (uint16_t)chip.readLength;
	case REG_WRBUF_SPC_AVA: return chip.writeSpace;
	case REG_INTR_CAUSE: return chip.cause;
	case REG_INTR_ENABLE: return chip.enable;
	default: return 0;
	}
}

static void chipWrite(uint16_t reg, uint16_t value)
{
	switch (reg) {
	case REG_BFR_SIZE: chip.bufferSize = value; break;
	case REG_INTR_ENABLE: chip.enable = value; break;
	case REG_INTR_CAUSE:
		chip.cause &= (uint16_t)~value;
		if (chip.readLength)
			chip.cause |= INT_PKT_AVLBL; /* what is left in the read buffer is still available */
		break;
	default: break;
	}
}

esp_err_t spi_device_polling_transmit(spi_device_handle_t handle, spi_transaction_t *t)
{
	const uint8_t *out = t->tx_buffer;
	uint8_t *in = t->rx_buffer;
	uint16_t command = (uint16_t)((out[0] << 8) | out[1]);
	int read = command & QCA7000_SPI_READ, internal = command & QCA7000_SPI_INTERNAL;
	size_t length = t->length / 8 - 2;
	(void)handle;
	if (internal) {
		if (read) {
			uint16_t value = chipRead(command & 0x3fff);
			in[2] = value >> 8;
			in[3] = value & 0xff;
		}
		else
			chipWrite(command & 0x3fff, (uint16_t)((out[2] << 8) | out[3]));
		return ESP_OK;
	}
	if (length != chip.bufferSize)
		return -1; /* the chip reads or writes exactly the announced size */
	if (read) {
		if (length > chip.readLength)
			return -1;
		memcpy(in + 2, chip.readBuffer, length);
		memmove(chip.readBuffer, chip.readBuffer + length, chip.readLength - length);
		chip.readLength -= length;
	}
	else
		printHex("T", out + 2, length);
	return ESP_OK;
}

int gpio_get_level(gpio_num_t pin)
{
	(void)pin;
	return (chip.cause & chip.enable) ? 1 : 0;
}

esp_err_t spi_bus_initialize(spi_host_device_t host, const spi_bus_config_t *bus, int dma) { (void)host; (void)bus; (void)dma; return ESP_OK; }
esp_err_t spi_bus_add_device(spi_host_device_t host, const spi_device_interface_config_t *device, spi_device_handle_t *handle) { (void)host; (void)device; *handle = NULL; return ESP_OK; }
esp_err_t spi_bus_remove_device(spi_device_handle_t handle) { (void)handle; return ESP_OK; }
esp_err_t spi_bus_free(spi_host_device_t host) { (void)host; return ESP_OK; }
esp_err_t gpio_config(const gpio_config_t *config) { (void)config; return ESP_OK; }
esp_err_t gpio_install_isr_service(int flags) { (void)flags; return ESP_OK; }
esp_err_t gpio_isr_handler_add(gpio_num_t pin, void (*handler)(void *), void *context) { (void)pin; (void)handler; (void)context; return ESP_OK; }
esp_err_t gpio_isr_handler_remove(gpio_num_t pin) { (void)pin; return ESP_OK; }

/* --- FreeRTOS: queues, and the driver task in lockstep -------------------------------------- */

struct xs15118_queue {
	size_t itemSize, capacity, count, head;
	uint8_t items[];
};

QueueHandle_t xQueueCreate(UBaseType_t length, UBaseType_t itemSize)
{
	QueueHandle_t q = calloc(1, sizeof(struct xs15118_queue) + length * itemSize);
	q->itemSize = itemSize;
	q->capacity = length;
	return q;
}

BaseType_t xQueueSend(QueueHandle_t q, const void *item, TickType_t wait)
{
	(void)wait;
	if (q->count == q->capacity)
		return pdFALSE;
	memcpy(q->items + ((q->head + q->count) % q->capacity) * q->itemSize, item, q->itemSize);
	q->count++;
	return pdTRUE;
}

BaseType_t xQueueReceive(QueueHandle_t q, void *item, TickType_t wait)
{
	(void)wait;
	if (!q->count)
		return pdFALSE;
	memcpy(item, q->items + q->head * q->itemSize, q->itemSize);
	q->head = (q->head + 1) % q->capacity;
	q->count--;
	return pdTRUE;
}

UBaseType_t uxQueueMessagesWaiting(QueueHandle_t q) { return q->count; }
void vQueueDelete(QueueHandle_t q) { free(q); }

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static unsigned long wakes, served;
static int taskAlive;
static pthread_t taskThread;

struct taskStart {
	void (*code)(void *);
	void *context;
};

static void *taskMain(void *argument)
{
	struct taskStart start = *(struct taskStart *)argument;
	free(argument);
	start.code(start.context);
	return NULL;
}

BaseType_t xTaskCreate(void (*code)(void *), const char *name, uint32_t stack, void *context, UBaseType_t priority, TaskHandle_t *task)
{
	struct taskStart *start = malloc(sizeof(*start));
	(void)name;
	(void)stack;
	(void)priority;
	start->code = code;
	start->context = context;
	taskAlive = 1;
	pthread_create(&taskThread, NULL, taskMain, start);
	*task = (TaskHandle_t)start;
	return pdTRUE;
}

/* The task waits here: it tells the harness it has handled every wake so far, then waits for the next. */
uint32_t ulTaskNotifyTake(BaseType_t clear, TickType_t wait)
{
	(void)clear;
	(void)wait;
	static unsigned long handled; /* the task's own count: a wake before it first waits is not lost */
	pthread_mutex_lock(&lock);
	served = handled;
	pthread_cond_broadcast(&changed);
	while (wakes == handled)
		pthread_cond_wait(&changed, &lock);
	handled = wakes;
	pthread_mutex_unlock(&lock);
	return 1;
}

void vTaskDelete(TaskHandle_t task)
{
	(void)task;
	pthread_mutex_lock(&lock);
	taskAlive = 0;
	served = wakes;
	pthread_cond_broadcast(&changed);
	pthread_mutex_unlock(&lock);
	pthread_exit(NULL);
}

/* One turn of the driver task: wake it and wait until it waits again (or has ended). */
static void runTask(void)
{
	pthread_mutex_lock(&lock);
	if (taskAlive) {
		wakes++;
		pthread_cond_broadcast(&changed);
		while (taskAlive && (served != wakes))
			pthread_cond_wait(&changed, &lock);
	}
	pthread_mutex_unlock(&lock);
}

/* Notifications only count on the board; here the harness decides when the task turns. */
BaseType_t xTaskNotifyGive(TaskHandle_t task) { (void)task; return pdTRUE; }
void vTaskNotifyGiveFromISR(TaskHandle_t task, BaseType_t *woken) { (void)task; *woken = pdFALSE; }

/* The destructor gives the task 10 ms to see CLOSING and end: here, one turn to end in. */
void vTaskDelay(TickType_t ticks)
{
	(void)ticks;
	runTask();
	if (!taskAlive)
		pthread_join(taskThread, NULL);
}

/* --- XS ------------------------------------------------------------------------------------- */

static xsMachine machine;

typedef struct {
	modMessageDeliver callback;
	void *refcon;
	uint8_t message[64];
	uint16_t length;
} PostedMessage;

static PostedMessage posted[64];
static int postedCount;

/* Messages to the XS machine are delivered when the harness's "event loop" turns (drainMessages). */
int modMessagePostToMachine(void *the, uint8_t *message, uint16_t messageLength, modMessageDeliver callback, void *refcon)
{
	(void)the;
	if ((postedCount == 64) || (messageLength > sizeof(posted[0].message)))
		return -1;
	posted[postedCount].callback = callback;
	posted[postedCount].refcon = refcon;
	posted[postedCount].length = messageLength;
	if (message)
		memcpy(posted[postedCount].message, message, messageLength);
	postedCount++;
	return 0;
}

static void drainMessages(void)
{
	for (int i = 0; i < postedCount; i++)
		posted[i].callback(&machine, posted[i].refcon, posted[i].message, posted[i].length);
	postedCount = 0;
}

void xs15118Error(xsMachine *the, const char *message)
{
	the->error = message;
	longjmp(the->jump, 1);
}

void xs15118Call(xsIdentifier id, xsSlot argument)
{
	if (xsID_onReadable == id)
		printf("C onReadable %ld\n", argument.integer);
	else
		printf("C onError %s\n", argument.string);
	fflush(stdout);
}

xsSlot xs15118Get(xsMachine *the, xsIdentifier id)
{
	xsSlot empty = {0};
	return (xsID_mac == id) ? the->mac : empty;
}

xsSlot xs15118Integer(long value)
{
	xsSlot slot = {.integer = value};
	return slot;
}

xsSlot xs15118String(const char *value)
{
	xsSlot slot = {.string = value};
	return slot;
}

/* --- the UDP socket ------------------------------------------------------------------------- */

static void udpReceive(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *from, u16_t port)
{
	uint8_t data[1500];
	u16_t length = pbuf_copy_partial(p, data, sizeof(data), 0);
	(void)arg;
	pbuf_free(p);
	printHex("P", data, length);
	struct pbuf *answer = pbuf_alloc(PBUF_TRANSPORT, length, PBUF_RAM);
	for (u16_t i = 0; i < length; i++)
		((uint8_t *)answer->payload)[i] = data[length - 1 - i];
	udp_sendto(pcb, answer, from, port);
	pbuf_free(answer);
}

/* --- commands ------------------------------------------------------------------------------- */

static size_t fromHex(const char *text, uint8_t *out, size_t room)
{
	size_t n = 0;
	unsigned int byte;
	while (text[0] && text[1] && (n < room) && (1 == sscanf(text, "%2x", &byte))) {
		out[n++] = (uint8_t)byte;
		text += 2;
	}
	return n;
}

/* Runs a call into the native class as JavaScript would, printing what it throws. */
#define JS_CALL(call)                              \
	do {                                           \
		if (setjmp(machine.jump))                  \
			printf("E %s\n", machine.error);       \
		else                                       \
			call(&machine);                        \
		fflush(stdout);                            \
	} while (0)

int main(void)
{
	static char line[1 << 16];
	static uint8_t mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x99}, frame[QCA7000_FRAME_MAX_LEN], written[4096];

	lwip_init();
	machine.mac.data = mac;
	machine.mac.length = sizeof(mac);
	JS_CALL(xs_qca7000_native);
	runTask();

	while (fgets(line, sizeof(line), stdin)) {
		char *words[32];
		int count = 0;
		for (char *word = strtok(line, " \n"); word && (count < 32); word = strtok(NULL, " \n"))
			words[count++] = word;
		if (!count)
			continue;
		if (0 == strcmp(words[0], "R")) {
			for (int i = 1; i < count; i++) {
				size_t length = fromHex(words[i], frame, sizeof(frame));
				uint8_t *at = chip.readBuffer + chip.readLength;
				size_t framed = qca7000_frame(at + 4, sizeof(chip.readBuffer) - chip.readLength - 4, frame, length);
				at[0] = at[1] = 0;
				at[2] = (uint8_t)(framed >> 8);
				at[3] = (uint8_t)framed;
				chip.readLength += 4 + framed;
			}
			chip.cause |= INT_PKT_AVLBL;
			runTask();
		}
		else if ((0 == strcmp(words[0], "W")) && (2 == count)) {
			machine.args[0].data = written; /* larger than a frame: what is too long must reach the driver */
			machine.args[0].length = fromHex(words[1], written, sizeof(written));
			JS_CALL(xs_qca7000_native_write);
			runTask();
		}
		else if (0 == strcmp(words[0], "X")) {
			for (;;) {
				machine.result.data = NULL;
				machine.result.length = 0;
				JS_CALL(xs_qca7000_native_read);
				if (!machine.result.data)
					break;
				printHex("M", machine.result.data, machine.result.length);
			}
		}
		else if ((0 == strcmp(words[0], "L")) && (2 == count)) {
			machine.args[0].integer = atoi(words[1]);
			JS_CALL(xs_qca7000_native_set_link_up);
			runTask();
		}
		else if ((0 == strcmp(words[0], "U")) && (2 == count)) {
			struct udp_pcb *pcb = udp_new_ip_type(IPADDR_TYPE_V6);
			udp_bind(pcb, IP6_ADDR_ANY, (u16_t)atoi(words[1]));
			udp_recv(pcb, udpReceive, NULL);
		}
		else if ((0 == strcmp(words[0], "TIME")) && (2 == count)) {
			for (int left = atoi(words[1]); left > 0; left -= 100) {
				now += 100;
				sys_check_timeouts();
				runTask();
			}
		}
		else if ((0 == strcmp(words[0], "SPACE")) && (2 == count)) {
			chip.writeSpace = (uint16_t)atoi(words[1]);
			runTask();
		}
		else if (0 == strcmp(words[0], "STUCK"))
			chip.stuck = 1;
		else if (0 == strcmp(words[0], "Q")) {
			JS_CALL(xs_qca7000_native_get_state);
			printf("S %s\n", machine.result.string);
		}
		else if (0 == strcmp(words[0], "N")) {
			char name[64];
			JS_CALL(xs_qca7000_native_get_interface_name);
			snprintf(name, sizeof(name), "%s", machine.result.string);
			JS_CALL(xs_qca7000_native_get_address);
			printf("N %s %s\n", name, machine.result.string);
		}
		else if (0 == strcmp(words[0], "CLOSE"))
			JS_CALL(xs_qca7000_native_close);
		drainMessages();
		fflush(stdout);
	}
	return 0;
}
