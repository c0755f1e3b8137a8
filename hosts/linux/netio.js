// Host functions of netio.c (Moddable Linux build). Types: netio.d.ts; classes: net.ts.
export function rawOpen(interfaceName, ethertype) @ "xs15118_netio_raw_open";
export function interfaceMac(interfaceName) @ "xs15118_netio_interface_mac";
export function linkLocal(interfaceName) @ "xs15118_netio_link_local";
export function receive(fd) @ "xs15118_netio_receive";
export function send(fd, data) @ "xs15118_netio_send";
export function udpOpen(port, interfaceName, group) @ "xs15118_netio_udp_open";
export function udpReceive(fd) @ "xs15118_netio_udp_receive";
export function udpSend(fd, data, address, port) @ "xs15118_netio_udp_send";
export function tcpConnect(address, port) @ "xs15118_netio_tcp_connect";
export function tcpConnected(fd) @ "xs15118_netio_tcp_connected";
export function tcpListen(address, port) @ "xs15118_netio_tcp_listen";
export function localPort(fd) @ "xs15118_netio_local_port";
export function tcpAccept(fd) @ "xs15118_netio_tcp_accept";
export function close(fd) @ "xs15118_netio_close";
export function environment(name) @ "xs15118_netio_environment";
export function random(count) @ "xs15118_netio_random";
export function readFile(path) @ "xs15118_netio_read_file";
