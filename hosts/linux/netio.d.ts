// Types of netio.js (host functions of netio.c). A descriptor is a number; see linux-net.h.
export function rawOpen(interfaceName: string, ethertype: number): number;
export function interfaceMac(interfaceName: string): ArrayBuffer;
export function linkLocal(interfaceName: string): string;
export function environment(name: string): string | undefined;
export function random(count: number): ArrayBuffer;
/** A file's bytes, undefined when it does not exist (at most 64 KB). */
export function readFile(path: string): ArrayBuffer | undefined;
