/*
 * sockets-check.c on lwIP's sockets: lwIP's tcpip thread and two Ethernet netifs, "qa" and "qb",
 * joined back to back by a wire in this process (what one sends, the other receives through
 * tcpip_input), each with its link-local address from its MAC and its link up, as the ESP32's
 * QCA7000 netif is after SLAC. lwIP names them by two letters and a number: qa0 and qb1.
 */
#include <string.h>
#include <time.h>

#include "lwip/ethip6.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/tcpip.h"
#include "netif/ethernet.h"

static struct netif netifs[2];

static err_t wire(struct netif *netif, struct pbuf *p)
{
	struct netif *other = netif == &netifs[0] ? &netifs[1] : &netifs[0];
	struct pbuf *copy = pbuf_alloc(PBUF_RAW, p->tot_len, PBUF_RAM);
	if (!copy)
		return ERR_MEM;
	pbuf_copy(copy, p);
	if (other->input(copy, other) != ERR_OK)
		pbuf_free(copy);
	return ERR_OK;
}

static err_t init(struct netif *netif)
{
	int side = netif == &netifs[1];
	netif->name[0] = 'q';
	netif->name[1] = side ? 'b' : 'a';
	netif->mtu = 1500;
	netif->output_ip6 = ethip6_output;
	netif->linkoutput = wire;
	netif->hwaddr_len = 6;
	netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_MLD6;
	return ERR_OK;
}

static sys_sem_t started;

static void ready(void *argument)
{
	(void)argument;
	sys_sem_signal(&started);
}

void check_sleep_ms(int ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&t, NULL);
}

void check_side(int side)
{
	(void)side; /* one stack holds both netifs */
}

int check_setup(const char *a, const char *b)
{
	const char *wanted[2] = {a, b};
	sys_sem_new(&started, 0);
	tcpip_init(ready, NULL);
	sys_arch_sem_wait(&started, 0);
	LOCK_TCPIP_CORE();
	for (int side = 0; side < 2; side++) {
		static const u8_t macs[2][6] = {{0x02, 0, 0, 0, 0, 0x0a}, {0x02, 0, 0, 0, 0, 0x0b}};
		char name[NETIF_NAMESIZE];
		netif_add_noaddr(&netifs[side], NULL, init, tcpip_input);
		memcpy(netifs[side].hwaddr, macs[side], 6);
		netif_create_ip6_linklocal_address(&netifs[side], 1);
		netif_set_up(&netifs[side]);
		netif_set_link_up(&netifs[side]);
		netif_index_to_name(netif_get_index(&netifs[side]), name);
		if (strcmp(name, wanted[side])) {
			UNLOCK_TCPIP_CORE();
			fprintf(stderr, "lwIP named netif %d %s, not %s\n", side, name, wanted[side]);
			return -1;
		}
	}
	UNLOCK_TCPIP_CORE();
	/* Duplicate address detection: one probe, then the link-local addresses are usable. */
	for (int waited = 0; waited < 5000; waited += 50) {
		int valid = 1;
		LOCK_TCPIP_CORE();
		for (int side = 0; side < 2; side++)
			valid &= ip6_addr_isvalid(netif_ip6_addr_state(&netifs[side], 0)) != 0;
		UNLOCK_TCPIP_CORE();
		if (valid)
			return 0;
		check_sleep_ms(50);
	}
	fprintf(stderr, "the link-local addresses did not become valid\n");
	return -1;
}
