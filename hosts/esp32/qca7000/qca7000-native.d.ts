// qca7000-native.js (native, qca7000-netif.c: ESP-IDF), for TypeScript.
export interface Qca7000NativeOptions {
  clock: number;
  in: number;
  out: number;
  select: number;
  interrupt: number;
  hz?: number;
  port?: number;
  mac: Uint8Array;
  onReadable(this: Qca7000Native, count: number): void;
  onError(this: Qca7000Native, message: string): void;
}

declare class Qca7000Native {
  constructor(options: Qca7000NativeOptions);
  read(): ArrayBuffer | undefined;
  write(buffer: Uint8Array): void;
  setLinkUp(up: boolean): void;
  readonly state: "sync" | "ready" | "failed" | "closed";
  /** lwIP's name of the netif ("qc" and its number): the zone of its link-local addresses. */
  readonly interfaceName: string;
  /** Its IPv6 link-local address (from the MAC), without zone. */
  readonly address: string;
  close(): void;
}
export default Qca7000Native;
