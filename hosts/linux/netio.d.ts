// Types of netio.js (host functions of netio.c). A descriptor is a number; see linux-net.h.
export function rawOpen(interfaceName: string, ethertype: number): number;
export function interfaceMac(interfaceName: string): ArrayBuffer;
export function linkLocal(interfaceName: string): string;
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
export function environment(name: string): string | undefined;
export function random(count: number): ArrayBuffer;
/** A file's bytes, undefined when it does not exist (at most 64 KB). */
export function readFile(path: string): ArrayBuffer | undefined;
