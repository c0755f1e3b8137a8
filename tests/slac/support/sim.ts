// Helpers for SLAC tests: a deterministic random source and a fake EthernetLink.

import type { EthernetLink, EthernetLinkOptions } from "../../../modules/common/io";
import type { EthernetLinkClass } from "../../../modules/slac/channel";

/** Deterministic `random(count)` so runs repeat exactly. */
export { seededRandom } from "../../../simulation/random";

export function mac(last: number, prefix = 0x02): Uint8Array {
  return new Uint8Array([prefix, 0x00, 0x00, 0x00, 0x00, last]);
}

/** An in-memory EthernetLink whose far end the test drives: `inject` frames in, `sent` out. */
export class FakeLink {
  readonly sent: Uint8Array[] = [];
  readonly mac: Uint8Array;
  #instance: (EthernetLink & { options: EthernetLinkOptions }) | undefined;
  /** Called for every frame the stack writes (a test's modem stub). */
  onWrite?: (frame: Uint8Array) => void;
  full = false;

  constructor(mac: Uint8Array) {
    this.mac = mac;
  }

  get io(): EthernetLinkClass {
    const fake = this;
    class Link implements EthernetLink {
      readonly options: EthernetLinkOptions;
      queue: Uint8Array[] = [];
      closed = false;
      constructor(options: EthernetLinkOptions) {
        this.options = options;
        fake.#instance = this;
      }
      get mac(): Uint8Array {
        return fake.mac;
      }
      read(): Uint8Array | undefined {
        return this.queue.shift();
      }
      write(frame: Uint8Array): void {
        if (fake.full) throw new Error("full");
        fake.sent.push(frame.slice());
        fake.onWrite?.(frame);
      }
      close(): void {
        this.closed = true;
      }
    }
    return Link as unknown as EthernetLinkClass;
  }

  inject(frame: Uint8Array): void {
    const link = this.#instance as unknown as { queue: Uint8Array[]; options: EthernetLinkOptions; closed: boolean };
    if (link.closed) return;
    link.queue.push(frame);
    link.options.onReadable?.(link.queue.length);
  }

  writable(): void {
    this.full = false;
    (this.#instance as unknown as { options: EthernetLinkOptions }).options.onWritable?.(1);
  }

  get closed(): boolean {
    return (this.#instance as unknown as { closed: boolean }).closed;
  }
}
