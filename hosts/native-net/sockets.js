// Host functions of sockets-xs.c (v2g-sockets.c: POSIX on Linux, lwIP on the ESP32). Types:
// sockets.d.ts; classes: net.ts.
export function receive(fd) @ "xs15118_sockets_receive";
export function send(fd, data) @ "xs15118_sockets_send";
export function udpOpen(port, interfaceName, group) @ "xs15118_sockets_udp_open";
export function udpReceive(fd) @ "xs15118_sockets_udp_receive";
export function udpSend(fd, data, address, port) @ "xs15118_sockets_udp_send";
export function tcpConnect(address, port) @ "xs15118_sockets_tcp_connect";
export function tcpConnected(fd) @ "xs15118_sockets_tcp_connected";
export function tcpListen(address, port) @ "xs15118_sockets_tcp_listen";
export function localPort(fd) @ "xs15118_sockets_local_port";
export function tcpAccept(fd) @ "xs15118_sockets_tcp_accept";
export function close(fd) @ "xs15118_sockets_close";
