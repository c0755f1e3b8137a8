// The QCA7000 through the native driver (qca7000-netif.c): the EthernetLink modules/slac reads
// and writes HomePlug AV management frames on, while IP frames go between the chip and lwIP in
// C. Same options as the JavaScript driver's Esp32Qca7000Link, so the board can give either;
// see hosts/esp32/README.md, "The link", for which and why. ESP-IDF only (the native class).

import Qca7000Native from "./qca7000-native";
import type { EthernetLink, EthernetLinkOptions } from "../../../modules/common/io";
import { Qca7000Error } from "../../../modules/slac/qca7000";
import type { Esp32Qca7000Pins } from "../qca7000-link";
import { DEFAULT_QCA7000_PINS } from "../qca7000-link";

/** Where the link that carries IP is recorded for the board's IP side (native-ip.ts) to find. */
export interface NativeLinkHolder {
  link?: NativeQca7000Link;
}

export interface NativeQca7000LinkOptions extends EthernetLinkOptions {
  mac: Uint8Array;
  pins?: Esp32Qca7000Pins;
  /** The board's holder: the link records itself there while it is open (the IP stack rides on its netif). */
  ipLink?: NativeLinkHolder;
}

export class NativeQca7000Link implements EthernetLink {
  readonly #native: Qca7000Native;
  readonly #mac: Uint8Array;
  readonly #holder: NativeLinkHolder | undefined;

  constructor(options: NativeQca7000LinkOptions) {
    const pins = options.pins ?? DEFAULT_QCA7000_PINS;
    this.#mac = options.mac.slice();
    this.#native = new Qca7000Native({
      ...pins,
      mac: this.#mac,
      onReadable: (count: number) => options.onReadable?.(count),
      onError: (message: string) => options.onError?.(new Qca7000Error(message === "qca-stuck-bus" ? "qca-stuck-bus" : "qca-bad-signature", `native driver: ${message}`)),
    });
    this.#holder = options.ipLink;
    if (this.#holder) this.#holder.link = this;
  }

  get mac(): Uint8Array {
    return this.#mac;
  }

  get format(): "buffer" {
    return "buffer";
  }

  read(): Uint8Array | undefined {
    const frame = this.#native.read();
    return frame ? new Uint8Array(frame) : undefined;
  }

  write(frame: Uint8Array): void {
    this.#native.write(frame);
  }

  /** SLAC matched (true) or the vehicle left (false): lwIP's link state for the IPv6 side. */
  setLinkUp(up: boolean): void {
    this.#native.setLinkUp(up);
  }

  /** lwIP's name of the netif ("qc" and its number): the zone of the sockets' link-local addresses. */
  get interfaceName(): string {
    return this.#native.interfaceName;
  }

  /** The netif's IPv6 link-local address (from the MAC), without zone. */
  get address(): string {
    return this.#native.address;
  }

  close(): void {
    if (this.#holder?.link === this) this.#holder.link = undefined;
    this.#native.close();
  }
}
