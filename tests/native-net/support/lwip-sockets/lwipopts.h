/* lwIP with its BSD socket API on Linux threads, for hosts/native-net/v2g-sockets.c
   (tests/native-net/v2g-sockets.test.ts): the tcpip thread, netconns and sockets as ESP-IDF runs
   them, IPv6 only, with MLD (IPV6_JOIN_GROUP), scoped addresses (zones), SO_REUSEADDR and poll. */
#ifndef XS15118_LWIPOPTS_H
#define XS15118_LWIPOPTS_H
#define NO_SYS 0
#define SYS_LIGHTWEIGHT_PROT 1
#define LWIP_TCPIP_CORE_LOCKING 1
#define LWIP_SOCKET 1
#define LWIP_NETCONN 1
/* if_nametoindex / if_indextoname (the sockets' zones) go through the netif API: ESP-IDF sets it too. */
#define LWIP_NETIF_API 1
#define LWIP_COMPAT_SOCKETS 0
#define LWIP_POSIX_SOCKETS_IO_NAMES 0
#define LWIP_SOCKET_POLL 1
#define LWIP_SOCKET_SELECT 1
#define LWIP_TIMEVAL_PRIVATE 0
#define LWIP_ERRNO_STDINCLUDE 1
#define LWIP_SO_RCVBUF 0
#define SO_REUSE 1
#include "../../../support/lwip-link-ipv6.h"
#define LWIP_DNS 0
#define MEM_ALIGNMENT 8
#define MEM_SIZE (128 * 1024)
#define MEMP_NUM_NETCONN 16
#define MEMP_NUM_TCP_PCB 8
#define MEMP_NUM_UDP_PCB 8
#define PBUF_POOL_SIZE 32
#define PBUF_POOL_BUFSIZE 1536
#define MEMP_NUM_ND6_QUEUE 8
#define TCPIP_MBOX_SIZE 64
#define DEFAULT_UDP_RECVMBOX_SIZE 16
#define DEFAULT_TCP_RECVMBOX_SIZE 16
#define DEFAULT_ACCEPTMBOX_SIZE 8
#define TCPIP_THREAD_STACKSIZE 0
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
