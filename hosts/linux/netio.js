// Host functions of netio.c (Moddable Linux build). Types: netio.d.ts; classes: net.ts.
// Reads, writes and close of its raw descriptor: hosts/native-net/sockets.js.
export function rawOpen(interfaceName, ethertype) @ "xs15118_netio_raw_open";
export function interfaceMac(interfaceName) @ "xs15118_netio_interface_mac";
export function linkLocal(interfaceName) @ "xs15118_netio_link_local";
export function environment(name) @ "xs15118_netio_environment";
export function random(count) @ "xs15118_netio_random";
export function readFile(path) @ "xs15118_netio_read_file";
