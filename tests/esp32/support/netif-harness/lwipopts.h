/* lwIP for the netif harness (tests/esp32/qca7000-netif-lwip.test.ts): lwIP's core without an OS
   (NO_SYS: the harness calls its timers), IPv6 only, as the charger's link needs it: link-local
   addresses, ND with one DAD probe, MLD (ff02::1 and the solicited-node groups), UDP and TCP. */
#ifndef XS15118_LWIPOPTS_H
#define XS15118_LWIPOPTS_H
#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_SOCKET 0
#define LWIP_NETCONN 0
#include "../../../support/lwip-link-ipv6.h"
#define MEM_ALIGNMENT 8
#define MEM_SIZE (64 * 1024)
#define PBUF_POOL_SIZE 16
#define PBUF_POOL_BUFSIZE 1536
#define MEMP_NUM_ND6_QUEUE 8
#define LWIP_STATS 0
#define LWIP_RAND() ((u32_t)rand())
/* Espressif's lwIP fork asks for these; its timers run as upstream's do here. */
#define ESP_LWIP_DHCP_FINE_TIMERS_ONDEMAND 0
#define ESP_LWIP_IGMP_TIMERS_ONDEMAND 0
#define ESP_LWIP_DNS_TIMERS_ONDEMAND 0
#define ESP_LWIP_MLD6_TIMERS_ONDEMAND 0
#define ESP_LWIP_IP4_REASSEMBLY_TIMERS_ONDEMAND 0
#define ESP_LWIP_IP6_REASSEMBLY_TIMERS_ONDEMAND 0
#endif
