// Types of sockets.js (host functions of sockets-xs.c). A descriptor is a number; see v2g-sockets.h.
/** An ArrayBuffer, undefined when nothing waits, null when a TCP stream ended. */
export function receive(fd: number): ArrayBuffer | null | undefined;
/** Bytes the socket took (0: its buffer is full). */
export function send(fd: number, data: ArrayBuffer | ArrayBufferView): number;
export function udpOpen(port: number, interfaceName?: string, group?: string): number;
export function udpReceive(fd: number): { data: ArrayBuffer; address: string; port: number } | undefined;
export function udpSend(fd: number, data: ArrayBuffer | ArrayBufferView, address: string, port: number): void;
export function tcpConnect(address: string, port: number): number;
export function tcpConnected(fd: number): boolean;
export function tcpListen(address: string | undefined, port: number): number;
export function localPort(fd: number): number;
export function tcpAccept(fd: number): { fd: number; address: string; port: number } | undefined;
export function close(fd: number): void;
