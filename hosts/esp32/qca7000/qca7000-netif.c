/*
 * The QCA7000 as an lwIP network interface on the ESP32 (issue 18 item 3, hosts/esp32/README.md
 * "The link"): a FreeRTOS task owns the SPI bus and the chip; IPv6 frames go straight between the
 * chip and lwIP (tcpip_input / linkoutput) and never touch the XS heap; HomePlug AV management
 * frames (ethertype 0x88E1: SLAC, CM_SET_KEY) go up to JavaScript, where modules/slac runs, and
 * come down from it. ESP-IDF only (spi_master, gpio, FreeRTOS, lwIP); compiled in an ESP-IDF
 * build, not on this machine. The framing is qca7000-frame.c, checked against the JavaScript
 * driver on Linux. The interrupt service follows the same steps as modules/slac/qca7000.ts.
 *
 * JavaScript (qca7000-native.js):
 *   new Qca7000Native({ clock, in, out, select, interrupt, hz, port, mac, onReadable, onError })
 *   read() → ArrayBuffer | undefined   the next management frame
 *   write(buffer)                      a management frame to send
 *   setLinkUp(up)                      SLAC matched (true) or the link left (false): lwIP's link state
 *   interfaceName                      lwIP's name of the netif ("qc" and its number): the sockets' zone
 *   address                            its IPv6 link-local address (from the MAC), without zone
 *   close()
 */
#include "xsmc.h"
#include "xsHost.h"
#include "mc.xs.h"

#include "driver/gpio.h"
#include "driver/spi_master.h"
#include "freertos/FreeRTOS.h"
#include "freertos/queue.h"
#include "freertos/task.h"
#include "lwip/ethip6.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/tcpip.h"
#include "netif/ethernet.h"

#include "qca7000-frame.h"

/* Registers and interrupt causes (the chip's SPI host interface). */
#define REG_BFR_SIZE 0x0100
#define REG_WRBUF_SPC_AVA 0x0200
#define REG_RDBUF_BYTE_AVA 0x0300
#define REG_SPI_CONFIG 0x0400
#define REG_INTR_CAUSE 0x0c00
#define REG_INTR_ENABLE 0x0d00
#define REG_SIGNATURE 0x1a00
#define INT_CPU_ON (1 << 6)
#define INT_WRBUF_ERR (1 << 2)
#define INT_RDBUF_ERR (1 << 1)
#define INT_PKT_AVLBL (1 << 0)
#define INTERRUPTS (INT_CPU_ON | INT_PKT_AVLBL | INT_RDBUF_ERR | INT_WRBUF_ERR)
#define GOOD_SIGNATURE 0xaa55
#define SLAVE_RESET_BIT (1 << 6)

#define ETHERTYPE_HOMEPLUG_AV 0x88e1
#define MANAGEMENT_QUEUE 16 /* frames waiting for JavaScript; more are dropped (SLAC retries) */
#define TX_QUEUE 8
#define SIGNATURE_CHECK_MS 1000

enum { STATE_SYNC, STATE_READY, STATE_FAILED, STATE_CLOSING };

typedef struct {
	uint16_t length;
	uint8_t data[];
} ManagementFrame;

typedef struct {
	xsMachine *the;
	xsSlot object;
	spi_host_device_t host;
	spi_device_handle_t spi;
	gpio_num_t interrupt;
	TaskHandle_t task;
	QueueHandle_t tx;          /* struct pbuf * to send (IP from lwIP, management from JS) */
	QueueHandle_t management;  /* ManagementFrame * received, for JavaScript */
	struct pbuf *pendingTx;    /* waiting for write-buffer space */
	struct netif netif;
	qca7000_decoder decoder;
	volatile uint8_t state;
	uint8_t syncFailures;
	uint8_t frame[QCA7000_FRAME_MAX_LEN];
	uint8_t transfer[2 + QCA7000_HW_BUF_LEN]; /* command word + the read buffer, or + a framed frame */
} Qca7000Record, *Qca7000;

static void deliverManagement(void *the, void *refcon, uint8_t *message, uint16_t messageLength);
static void deliverError(void *the, void *refcon, uint8_t *message, uint16_t messageLength);

/* --- SPI ---------------------------------------------------------------------------------- */

static uint16_t readRegister(Qca7000 q, uint16_t reg)
{
	uint8_t out[4] = {0}, in[4] = {0};
	uint16_t command = qca7000_command(1, 1, reg);
	spi_transaction_t t = {.length = 32, .tx_buffer = out, .rx_buffer = in};
	out[0] = command >> 8;
	out[1] = command & 0xff;
	if (ESP_OK != spi_device_polling_transmit(q->spi, &t))
		return 0xffff;
	return (uint16_t)((in[2] << 8) | in[3]);
}

static void writeRegister(Qca7000 q, uint16_t reg, uint16_t value)
{
	uint8_t out[4];
	uint16_t command = qca7000_command(0, 1, reg);
	spi_transaction_t t = {.length = 32, .tx_buffer = out};
	out[0] = command >> 8;
	out[1] = command & 0xff;
	out[2] = value >> 8;
	out[3] = value & 0xff;
	spi_device_polling_transmit(q->spi, &t);
}

/* An external (buffer) access of `length` bytes after the command word, in q->transfer. */
static esp_err_t bufferTransfer(Qca7000 q, int read, size_t length)
{
	uint16_t command = qca7000_command(read, 0, 0);
	spi_transaction_t t = {.length = 8 * (2 + length), .tx_buffer = q->transfer, .rx_buffer = read ? q->transfer : NULL};
	writeRegister(q, REG_BFR_SIZE, (uint16_t)length);
	q->transfer[0] = command >> 8;
	q->transfer[1] = command & 0xff;
	return spi_device_polling_transmit(q->spi, &t);
}

/* --- receive -------------------------------------------------------------------------------- */

static void onFrame(void *context, const uint8_t *frame, size_t length)
{
	Qca7000 q = context;
	uint16_t ethertype = (length >= 14) ? (uint16_t)((frame[12] << 8) | frame[13]) : 0;
	if (ETHERTYPE_HOMEPLUG_AV == ethertype) {
		ManagementFrame *m = c_malloc(sizeof(ManagementFrame) + length);
		if (!m)
			return;
		m->length = (uint16_t)length;
		c_memcpy(m->data, frame, length);
		if (pdTRUE != xQueueSend(q->management, &m, 0)) {
			c_free(m);
			return;
		}
		modMessagePostToMachine(q->the, NULL, 0, deliverManagement, q);
		return;
	}
	/* IP (and anything else Ethernet) to lwIP, which drops what it does not speak. */
	struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)length, PBUF_POOL);
	if (!p)
		return;
	pbuf_take(p, frame, (u16_t)length);
	if (ERR_OK != q->netif.input(p, &q->netif))
		pbuf_free(p);
}

static void receive(Qca7000 q)
{
	uint16_t available = readRegister(q, REG_RDBUF_BYTE_AVA);
	if ((0 == available) || (available > QCA7000_HW_BUF_LEN))
		return;
	if (ESP_OK != bufferTransfer(q, 1, available))
		return;
	qca7000_decoder_push(&q->decoder, q->transfer + 2, available, onFrame, q);
}

/* --- transmit ------------------------------------------------------------------------------- */

static void pumpTx(Qca7000 q)
{
	while (q->pendingTx || (pdTRUE == xQueueReceive(q->tx, &q->pendingTx, 0))) {
		struct pbuf *p = q->pendingTx;
		size_t length = p->tot_len, framed;
		if (length > QCA7000_FRAME_MAX_LEN) {
			pbuf_free(p);
			q->pendingTx = NULL;
			continue;
		}
		pbuf_copy_partial(p, q->frame, (u16_t)length, 0);
		framed = qca7000_frame(q->transfer + 2, sizeof(q->transfer) - 2, q->frame, length);
		if (readRegister(q, REG_WRBUF_SPC_AVA) < framed)
			return; /* the chip's write buffer is full: again at the next interrupt or check */
		bufferTransfer(q, 0, framed);
		pbuf_free(p);
		q->pendingTx = NULL;
	}
}

/* lwIP's tcpip thread: the frame is queued for the driver task (pbuf_ref keeps it alive). */
static err_t linkOutput(struct netif *netif, struct pbuf *p)
{
	Qca7000 q = netif->state;
	if (STATE_READY != q->state)
		return ERR_IF;
	pbuf_ref(p);
	if (pdTRUE != xQueueSend(q->tx, &p, 0)) {
		pbuf_free(p);
		return ERR_MEM;
	}
	xTaskNotifyGive(q->task);
	return ERR_OK;
}

/* --- the driver task ------------------------------------------------------------------------ */

static void fail(Qca7000 q, const char *why)
{
	q->state = STATE_FAILED;
	modMessagePostToMachine(q->the, (uint8_t *)why, (uint16_t)(c_strlen(why) + 1), deliverError, q);
}

static void synchronise(Qca7000 q)
{
	/* The first read after power-up may be garbage: the signature is read twice. */
	readRegister(q, REG_SIGNATURE);
	uint16_t signature = readRegister(q, REG_SIGNATURE);
	if (GOOD_SIGNATURE != signature) {
		if (++q->syncFailures >= 10)
			fail(q, ((0xffff == signature) || (0 == signature)) ? "qca-stuck-bus" : "qca-bad-signature");
		return;
	}
	q->syncFailures = 0;
	qca7000_decoder_init(&q->decoder);
	writeRegister(q, REG_INTR_CAUSE, INTERRUPTS);
	writeRegister(q, REG_INTR_ENABLE, INTERRUPTS);
	q->state = STATE_READY;
}

static void service(Qca7000 q)
{
	for (int rounds = 0; rounds < 8; rounds++) {
		writeRegister(q, REG_INTR_ENABLE, 0);
		uint16_t cause = readRegister(q, REG_INTR_CAUSE);
		if ((0xffff == cause) || (cause & ~(INTERRUPTS | (1 << 3) | (1 << 10)))) {
			q->state = STATE_SYNC; /* the bus is out of step */
			return;
		}
		if (cause & INT_CPU_ON) {
			writeRegister(q, REG_INTR_CAUSE, cause);
			q->state = STATE_SYNC; /* the chip restarted: its buffers are gone */
			return;
		}
		if (cause & (INT_RDBUF_ERR | INT_WRBUF_ERR)) {
			writeRegister(q, REG_INTR_CAUSE, cause);
			writeRegister(q, REG_SPI_CONFIG, readRegister(q, REG_SPI_CONFIG) | SLAVE_RESET_BIT);
			q->state = STATE_SYNC;
			return;
		}
		if (cause & INT_PKT_AVLBL)
			receive(q);
		writeRegister(q, REG_INTR_CAUSE, cause);
		writeRegister(q, REG_INTR_ENABLE, INTERRUPTS);
		pumpTx(q);
		if (!gpio_get_level(q->interrupt))
			break;
	}
}

static void driverTask(void *context)
{
	Qca7000 q = context;
	TickType_t checked = xTaskGetTickCount();
	while (STATE_CLOSING != q->state) {
		/* Woken by the interrupt pin or a frame to send; at least once a second to check the
		   chip still answers (a missed edge is caught by the level check). */
		ulTaskNotifyTake(pdTRUE, pdMS_TO_TICKS(SIGNATURE_CHECK_MS));
		if (STATE_CLOSING == q->state)
			break;
		/* The signature once a second, whatever the traffic, as modules/slac/qca7000.ts does: a
		   chip that restarted without CPU_ON or a bus that stopped answering raises no interrupt.
		   A bad one starts the synchronisation again, which reports a chip that stays away. */
		if ((STATE_READY == q->state) && ((TickType_t)(xTaskGetTickCount() - checked) >= pdMS_TO_TICKS(SIGNATURE_CHECK_MS))) {
			checked = xTaskGetTickCount();
			if (GOOD_SIGNATURE != readRegister(q, REG_SIGNATURE))
				q->state = STATE_SYNC;
		}
		if (STATE_SYNC == q->state)
			synchronise(q);
		if (STATE_READY != q->state)
			continue;
		if (gpio_get_level(q->interrupt))
			service(q);
		else
			pumpTx(q);
	}
	vTaskDelete(NULL);
}

static void IRAM_ATTR interruptHandler(void *context)
{
	Qca7000 q = context;
	BaseType_t woken = pdFALSE;
	vTaskNotifyGiveFromISR(q->task, &woken);
	if (woken)
		portYIELD_FROM_ISR();
}

static err_t netifInit(struct netif *netif)
{
	Qca7000 q = netif->state;
	netif->name[0] = 'q';
	netif->name[1] = 'c';
	netif->mtu = 1500;
	netif->output_ip6 = ethip6_output;
	netif->linkoutput = linkOutput;
	netif->hwaddr_len = 6;
	(void)q;
	/* ff02::1 (all nodes, SDP) is joined by lwIP for every IPv6 netif with MLD. */
	netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_MLD6;
	return ERR_OK;
}

/* --- JavaScript ----------------------------------------------------------------------------- */

static void deliverManagement(void *the, void *refcon, uint8_t *message, uint16_t messageLength)
{
	Qca7000 q = refcon;
	(void)message;
	(void)messageLength;
	xsBeginHost(the);
	xsCall1(q->object, xsID_onReadable, xsInteger(uxQueueMessagesWaiting(q->management)));
	xsEndHost(the);
}

static void deliverError(void *the, void *refcon, uint8_t *message, uint16_t messageLength)
{
	Qca7000 q = refcon;
	(void)messageLength;
	xsBeginHost(the);
	xsCall1(q->object, xsID_onError, xsString((char *)message));
	xsEndHost(the);
}

static int pinOption(xsMachine *the, xsIdentifier id, int fallback)
{
	if (!xsmcHas(xsArg(0), id))
		return fallback;
	xsmcGet(xsVar(0), xsArg(0), id);
	return xsmcToInteger(xsVar(0));
}

void xs_qca7000_native_destructor(void *data)
{
	Qca7000 q = data;
	if (!q)
		return;
	q->state = STATE_CLOSING;
	gpio_isr_handler_remove(q->interrupt);
	if (q->task)
		xTaskNotifyGive(q->task);
	vTaskDelay(pdMS_TO_TICKS(10)); /* the task sees CLOSING and ends */
	LOCK_TCPIP_CORE();
	netif_remove(&q->netif);
	UNLOCK_TCPIP_CORE();
	struct pbuf *p;
	while (pdTRUE == xQueueReceive(q->tx, &p, 0))
		pbuf_free(p);
	if (q->pendingTx)
		pbuf_free(q->pendingTx);
	ManagementFrame *m;
	while (pdTRUE == xQueueReceive(q->management, &m, 0))
		c_free(m);
	vQueueDelete(q->tx);
	vQueueDelete(q->management);
	spi_bus_remove_device(q->spi);
	spi_bus_free(q->host);
	c_free(q);
}

void xs_qca7000_native(xsMachine *the)
{
	xsmcVars(1);
	Qca7000 q = c_calloc(1, sizeof(Qca7000Record));
	if (!q)
		xsUnknownError("no memory");
	q->the = the;
	q->object = xsThis;
	q->state = STATE_SYNC;
	q->host = (spi_host_device_t)pinOption(the, xsID_port, SPI3_HOST);
	q->interrupt = (gpio_num_t)pinOption(the, xsID_interrupt, 21);

	spi_bus_config_t bus = {
		.sclk_io_num = pinOption(the, xsID_clock, 18),
		.miso_io_num = pinOption(the, xsID_in, 19),
		.mosi_io_num = pinOption(the, xsID_out, 23),
		.quadwp_io_num = -1,
		.quadhd_io_num = -1,
		.max_transfer_sz = sizeof(q->transfer),
	};
	spi_device_interface_config_t device = {
		.mode = 3, /* QCA7000: CPOL 1, CPHA 1 */
		.clock_speed_hz = pinOption(the, xsID_hz, 8000000),
		.spics_io_num = pinOption(the, xsID_select, 5),
		.queue_size = 1,
	};
	if ((ESP_OK != spi_bus_initialize(q->host, &bus, SPI_DMA_CH_AUTO)) || (ESP_OK != spi_bus_add_device(q->host, &device, &q->spi))) {
		c_free(q);
		xsUnknownError("SPI bus unavailable");
	}

	xsmcGet(xsVar(0), xsArg(0), xsID_mac);
	void *mac;
	xsUnsignedValue macLength;
	xsmcGetBufferReadable(xsVar(0), &mac, &macLength);
	if (6 != macLength) {
		spi_bus_remove_device(q->spi);
		spi_bus_free(q->host);
		c_free(q);
		xsRangeError("mac: 6 bytes");
	}
	c_memcpy(q->netif.hwaddr, mac, 6);

	/* The callbacks live on the instance: deliverManagement and deliverError call them there. */
	xsmcGet(xsVar(0), xsArg(0), xsID_onReadable);
	xsmcSet(xsThis, xsID_onReadable, xsVar(0));
	xsmcGet(xsVar(0), xsArg(0), xsID_onError);
	xsmcSet(xsThis, xsID_onError, xsVar(0));

	q->tx = xQueueCreate(TX_QUEUE, sizeof(struct pbuf *));
	q->management = xQueueCreate(MANAGEMENT_QUEUE, sizeof(ManagementFrame *));
	xsmcSetHostData(xsThis, q);
	xsRemember(q->object);

	LOCK_TCPIP_CORE();
	netif_add_noaddr(&q->netif, q, netifInit, tcpip_input);
	c_memcpy(q->netif.hwaddr, mac, 6);
	netif_create_ip6_linklocal_address(&q->netif, 1);
	netif_set_up(&q->netif);
	UNLOCK_TCPIP_CORE();

	xTaskCreate(driverTask, "qca7000", 4096, q, 12, &q->task);
	gpio_config_t pin = {.pin_bit_mask = 1ULL << q->interrupt, .mode = GPIO_MODE_INPUT, .intr_type = GPIO_INTR_POSEDGE};
	gpio_config(&pin);
	gpio_install_isr_service(0); /* ESP_ERR_INVALID_STATE when already installed: fine */
	gpio_isr_handler_add(q->interrupt, interruptHandler, q);
	xTaskNotifyGive(q->task);
}

void xs_qca7000_native_close(xsMachine *the)
{
	Qca7000 q = xsmcGetHostData(xsThis);
	if (!q)
		return;
	xsForget(q->object);
	xs_qca7000_native_destructor(q);
	xsmcSetHostData(xsThis, NULL);
}

void xs_qca7000_native_read(xsMachine *the)
{
	Qca7000 q = xsmcGetHostData(xsThis);
	ManagementFrame *m;
	if (!q || (pdTRUE != xQueueReceive(q->management, &m, 0)))
		return;
	xsmcSetArrayBuffer(xsResult, m->data, m->length);
	c_free(m);
}

void xs_qca7000_native_write(xsMachine *the)
{
	Qca7000 q = xsmcGetHostData(xsThis);
	void *data;
	xsUnsignedValue length;
	if (!q || (STATE_READY != q->state))
		xsUnknownError("modem not ready");
	xsmcGetBufferReadable(xsArg(0), &data, &length);
	if (length > QCA7000_FRAME_MAX_LEN)
		xsRangeError("frame too long");
	struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)length, PBUF_RAM);
	if (!p)
		xsUnknownError("no memory");
	pbuf_take(p, data, (u16_t)length);
	if (pdTRUE != xQueueSend(q->tx, &p, 0)) {
		pbuf_free(p);
		xsUnknownError("transmit queue full");
	}
	xTaskNotifyGive(q->task);
}

void xs_qca7000_native_set_link_up(xsMachine *the)
{
	Qca7000 q = xsmcGetHostData(xsThis);
	if (!q)
		return;
	LOCK_TCPIP_CORE();
	if (xsmcTest(xsArg(0)))
		netif_set_link_up(&q->netif);
	else
		netif_set_link_down(&q->netif);
	UNLOCK_TCPIP_CORE();
}

/* The netif's name as if_nametoindex() and the sockets' zones read it (hosts/native-net). */
void xs_qca7000_native_get_interface_name(xsMachine *the)
{
	Qca7000 q = xsmcGetHostData(xsThis);
	char name[NETIF_NAMESIZE];
	if (!q)
		xsUnknownError("closed");
	LOCK_TCPIP_CORE();
	netif_index_to_name(netif_get_index(&q->netif), name);
	UNLOCK_TCPIP_CORE();
	xsmcSetString(xsResult, name);
}

/* Slot 0 holds the link-local address netif_create_ip6_linklocal_address made from the MAC. */
void xs_qca7000_native_get_address(xsMachine *the)
{
	Qca7000 q = xsmcGetHostData(xsThis);
	char text[IP6ADDR_STRLEN_MAX];
	if (!q)
		xsUnknownError("closed");
	LOCK_TCPIP_CORE();
	ip6addr_ntoa_r(netif_ip6_addr(&q->netif, 0), text, sizeof(text));
	UNLOCK_TCPIP_CORE();
	xsmcSetString(xsResult, text);
}

void xs_qca7000_native_get_state(xsMachine *the)
{
	Qca7000 q = xsmcGetHostData(xsThis);
	static const char *names[] = {"sync", "ready", "failed", "closed"};
	xsmcSetString(xsResult, (char *)names[q ? q->state : STATE_CLOSING]);
}
