// The SLAC layer's side of an EthernetLink: builds the link from `{io, ...options}`, decodes
// incoming HomePlug frames, hands other ethertypes on, and queues writes while the link is full.

import type { EthernetLink, EthernetLinkOptions } from "../common/io";
import type { Logger } from "../common/log";
import { encodeHomePlugFrame, decodeHomePlugFrame, type EncodeOptions, type HomePlugFrame } from "./frame";
import type { MmeType } from "./messages";
import { ETHERTYPE_HOMEPLUG, ETHERTYPE_VLAN } from "./mmtypes";
import { DecodeError } from "../common/errors";

/** Constructor of a host's EthernetLink (ECMA-419 shape); extra options pass through. */
export type EthernetLinkClass = new (options: EthernetLinkOptions & Record<string, unknown>) => EthernetLink;

/** `{io: TheLinkClass, ...its options}`, as Moddable's ntp.js takes its socket. */
export interface LinkSpec {
  io: EthernetLinkClass;
  [option: string]: unknown;
}

export interface ChannelHandlers {
  onMessage(message: HomePlugFrame): void;
  /** A frame that is not HomePlug (e.g. IPv6 once matched). */
  onOtherFrame?(frame: Uint8Array): void;
  onLinkError(error: Error): void;
}

/** True when the frame's ethertype (after an optional 802.1Q tag) is 0x88E1. */
export function isHomePlugFrame(frame: Uint8Array): boolean {
  if (frame.length < 14) return false;
  let et = (frame[12] << 8) | frame[13];
  if (et === ETHERTYPE_VLAN && frame.length >= 18) et = (frame[16] << 8) | frame[17];
  return et === ETHERTYPE_HOMEPLUG;
}

export class MmeChannel {
  readonly link: EthernetLink;
  #handlers: ChannelHandlers;
  #logger: Logger;
  #source: string;
  #queue: Uint8Array[] = [];
  #closed = false;

  constructor(spec: LinkSpec, handlers: ChannelHandlers, logger: Logger, source: string) {
    this.#handlers = handlers;
    this.#logger = logger;
    this.#source = source;
    const { io, ...options } = spec;
    this.link = new io({
      ...options,
      onReadable: () => this.#drain(),
      onWritable: () => this.#flush(),
      onError: (error: Error) => {
        if (!this.#closed) this.#handlers.onLinkError(error);
      },
    });
  }

  get mac(): Uint8Array {
    return this.link.mac;
  }

  send<K extends MmeType>(message: Omit<EncodeOptions<K>, "src"> & { src?: ArrayLike<number> }): void {
    const frame = encodeHomePlugFrame({ ...message, src: message.src ?? this.link.mac } as EncodeOptions<K>);
    this.#logger.log("trace", this.#source, `send ${message.type}`);
    this.sendFrame(frame);
  }

  /** Writes a raw frame (any ethertype), queueing it while the link is full. */
  sendFrame(frame: Uint8Array): void {
    if (this.#closed) return;
    if (this.#queue.length > 0) {
      this.#queue.push(frame);
      return;
    }
    try {
      this.link.write(frame);
    } catch {
      this.#queue.push(frame);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.length = 0;
    this.link.close();
  }

  #flush(): void {
    while (this.#queue.length > 0 && !this.#closed) {
      try {
        this.link.write(this.#queue[0]);
      } catch {
        return;
      }
      this.#queue.shift();
    }
  }

  #drain(): void {
    for (;;) {
      if (this.#closed) return;
      const frame = this.link.read();
      if (frame === undefined) return;
      if (!isHomePlugFrame(frame)) {
        this.#handlers.onOtherFrame?.(frame);
        continue;
      }
      let message: HomePlugFrame;
      try {
        message = decodeHomePlugFrame(frame);
      } catch (error) {
        if (!(error instanceof DecodeError)) throw error;
        this.#logger.log("debug", this.#source, `dropped a bad HomePlug frame: ${error.message}`);
        continue;
      }
      this.#handlers.onMessage(message);
    }
  }
}
