// The QCA7000 HomePlug Green PHY modem on an ESP32: binds the portable driver
// (modules/slac/qca7000.ts) to ECMA-419 embedded:io/spi and embedded:io/digital.
//
// Wiring as on common QCA7000 boards (I2SE/chargebyte, pyPLC "Foccci"): VSPI SCK 18, MISO 19,
// MOSI 23, CS 5, INT 21 (active high). SPI mode 3, at most 12 MHz (QCA7000 datasheet / AN4).
// Usage (EVSE):
//   new SlacEvse({ link: { io: Esp32Qca7000Link, pins: {...}, clock, mac }, clock, random, ... })
// The core builds the link; this class only supplies the two ECMA-419 IO instances.
//
// IP traffic after matching: the same link carries IPv6 frames (SlacEvse.onFrame / sendFrame);
// handing them to lwIP needs a small native netif glue (see ../shared/docs/moddable-notes.md).

import SPI from "embedded:io/spi";
import Digital from "embedded:io/digital";
import type { Clock } from "../../modules/common/index";
import type { EthernetLinkOptions } from "../../modules/common/io";
import type { Logger } from "../../modules/common/log";
import { Qca7000Link, type InterruptInput, type InterruptInputClass, type SpiPort, type SpiPortClass } from "../../modules/slac/qca7000";

export interface Esp32Qca7000Pins {
  clock: number;
  in: number;
  out: number;
  select: number;
  interrupt: number;
  /** SPI host (port); default the ESP32 default. */
  port?: number;
  /** Default 8 MHz (the QCA7000 allows up to 12 MHz; long wires want less). */
  hz?: number;
}

export const DEFAULT_QCA7000_PINS: Readonly<Esp32Qca7000Pins> = Object.freeze({ clock: 18, in: 19, out: 23, select: 5, interrupt: 21 });

/** embedded:io/spi as the driver's SpiPort (mode 3, CS held until flush(true)). */
class Esp32Spi implements SpiPort {
  #spi: SPI;
  constructor(options: Record<string, unknown>) {
    const pins = options.pins as Esp32Qca7000Pins;
    this.#spi = new SPI({
      clock: pins.clock,
      in: pins.in,
      out: pins.out,
      select: pins.select,
      active: 0,
      hz: pins.hz ?? 8_000_000,
      mode: 3,
      ...(pins.port !== undefined ? { port: pins.port } : {}),
    });
  }
  transfer(buffer: Uint8Array): void {
    this.#spi.transfer(buffer);
  }
  flush(deselect?: boolean): void {
    this.#spi.flush(deselect);
  }
  close(): void {
    (this.#spi as unknown as { close(): void }).close();
  }
}

/** embedded:io/digital input on the QCA7000's INT pin, rising edge. */
class Esp32Interrupt implements InterruptInput {
  #pin: Digital;
  constructor(options: Record<string, unknown> & { onReadable(): void }) {
    const pins = options.pins as Esp32Qca7000Pins;
    const onReadable = options.onReadable;
    this.#pin = new Digital({
      pin: pins.interrupt,
      mode: Digital.Input,
      edge: Digital.Rising,
      onReadable() {
        onReadable();
      },
    });
  }
  read(): number {
    return this.#pin.read();
  }
  close(): void {
    this.#pin.close();
  }
}

export interface Esp32Qca7000LinkOptions extends EthernetLinkOptions {
  clock: Clock;
  mac: Uint8Array;
  pins?: Esp32Qca7000Pins;
  logger?: Logger;
}

/** An EthernetLink to the QCA7000 on the ESP32's SPI bus. */
export class Esp32Qca7000Link extends Qca7000Link {
  constructor(options: Esp32Qca7000LinkOptions) {
    const pins = options.pins ?? DEFAULT_QCA7000_PINS;
    super({
      ...options,
      spi: { io: Esp32Spi as SpiPortClass, pins },
      interrupt: { io: Esp32Interrupt as InterruptInputClass, pins },
    });
  }
}
