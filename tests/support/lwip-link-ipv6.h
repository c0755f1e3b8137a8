/* The lwIP protocol options both lwIP test harnesses share (tests/esp32/support/netif-harness,
   tests/native-net/support/lwip-sockets): IPv6 only, as the V2G link uses it (ISO 15118-2
   [V2G2-001ff]: link-local addresses, ND with one DAD probe, MLD for ff02::1), UDP for SDP and TCP
   for V2GTP. Each harness's lwipopts.h includes it and adds its own OS and memory settings. */
#define LWIP_IPV4 0
#define LWIP_IPV6 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP6 1
#define LWIP_IPV6_MLD 1
#define LWIP_ND6_QUEUEING 1
#define LWIP_IPV6_DUP_DETECT_ATTEMPTS 1
#define LWIP_IPV6_SEND_ROUTER_SOLICIT 0
#define LWIP_IPV6_AUTOCONFIG 0
#define LWIP_IPV6_FRAG 0
#define LWIP_IPV6_REASS 0
#define LWIP_UDP 1
#define LWIP_TCP 1
