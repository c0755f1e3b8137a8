// QCA7000 (HomePlug Green PHY modem) over SPI, presented as an EthernetLink.
//
// Register map and framing from the Linux qca_spi driver headers (qca_7k.h, qca_7k_common.h)
// and I2SE AN4 "QCA7000 SPI/UART protocol":
//  - every SPI transaction starts with a 16-bit command word, MSB first: bit 15 read(1)/write(0),
//    bit 14 internal register(1)/external buffer(0), bits 13..0 the register address;
//  - internal registers are 16 bits, MSB first, in the same chip-select transaction;
//  - transmit: write SPI_REG_BFR_SIZE = length, then an external write of
//    SOF 4×0xAA, frame length (2 bytes LE), 2 reserved bytes, the frame, EOF 0x55 0x55;
//  - receive: SPI_REG_RDBUF_BYTE_AVA bytes are waiting; write SPI_REG_BFR_SIZE, external read;
//    each frame arrives as a 4-byte hardware length (upper two bytes zero) and the framing above.
// The driver is interrupt driven (the modem's INT line, rising edge), re-synchronises on any
// framing error, checks the signature register (0xAA55) at start, after a modem reboot
// (CPU_ON) and periodically, and resets the modem through SPI_CONFIG on buffer errors.
// SPI and the interrupt input are injected ECMA-419 style: `{spi: {io, ...}, interrupt: {io, ...}}`.

import type { Clock, Millis, TimerHandle } from "../common/clock";
import { Millis as ms } from "../common/clock";
import type { EthernetLink, EthernetLinkOptions } from "../common/io";
import { silentLogger, type Logger } from "../common/log";
import { ImplementationError, Xs15118Error } from "../common/errors";

export const QCA7K_SPI_READ = 1 << 15;
export const QCA7K_SPI_WRITE = 0;
export const QCA7K_SPI_INTERNAL = 1 << 14;
export const QCA7K_SPI_EXTERNAL = 0;

export const SPI_REG_BFR_SIZE = 0x0100;
export const SPI_REG_WRBUF_SPC_AVA = 0x0200;
export const SPI_REG_RDBUF_BYTE_AVA = 0x0300;
export const SPI_REG_SPI_CONFIG = 0x0400;
export const SPI_REG_SPI_STATUS = 0x0500;
export const SPI_REG_INTR_CAUSE = 0x0c00;
export const SPI_REG_INTR_ENABLE = 0x0d00;
export const SPI_REG_RDBUF_WATERMARK = 0x1200;
export const SPI_REG_WRBUF_WATERMARK = 0x1300;
export const SPI_REG_SIGNATURE = 0x1a00;
export const SPI_REG_ACTION_CTRL = 0x1b00;

/** SPI_CONFIG: soft reset of the modem's CPU. */
export const QCASPI_SLAVE_RESET_BIT = 1 << 6;
export const SPI_INT_WRBUF_BELOW_WM = 1 << 10;
export const SPI_INT_CPU_ON = 1 << 6;
export const SPI_INT_ADDR_ERR = 1 << 3;
export const SPI_INT_WRBUF_ERR = 1 << 2;
export const SPI_INT_RDBUF_ERR = 1 << 1;
export const SPI_INT_PKT_AVLBL = 1 << 0;

export const QCASPI_GOOD_SIGNATURE = 0xaa55;
/** Size of the modem's write and read buffers (QCASPI_HW_BUF_LEN). */
export const QCASPI_HW_BUF_LEN = 0xc5b;
/** SOF (4) + length (2) + reserved (2) + EOF (2). */
export const QCAFRM_OVERHEAD = 10;
export const QCAFRM_MIN_LEN = 60;
/** 1500-byte MTU + VLAN Ethernet header (QCAFRM_MAX_MTU + VLAN_ETH_HLEN). */
export const QCAFRM_MAX_LEN = 1518;

const INTERRUPTS = SPI_INT_CPU_ON | SPI_INT_PKT_AVLBL | SPI_INT_RDBUF_ERR | SPI_INT_WRBUF_ERR;

export type Qca7000ErrorReason = "qca-bad-signature" | "qca-stuck-bus";

export class Qca7000Error extends Xs15118Error<Qca7000ErrorReason> {
  constructor(reason: Qca7000ErrorReason, message?: string) {
    super(reason, message);
    this.name = "Qca7000Error";
  }
}

/** The SPI bus (ECMA-419 embedded:io/spi shape): CS stays asserted until flush(true). */
export interface SpiPort {
  /** Full duplex: sends `buffer`, replaces its bytes with those received. */
  transfer(buffer: Uint8Array): void;
  flush(deselect?: boolean): void;
  close(): void;
}

export type SpiPortClass = new (options: Record<string, unknown>) => SpiPort;

/** The modem's interrupt line (ECMA-419 embedded:io/digital input, rising edge). */
export interface InterruptInput {
  read(): number;
  close(): void;
}

export type InterruptInputClass = new (options: Record<string, unknown> & { onReadable(): void }) => InterruptInput;

/** Frame a transmit: SOF, LE length, reserved, frame (padded to 60), EOF. */
export function qcaFrame(frame: Uint8Array): Uint8Array {
  const len = Math.max(frame.length, QCAFRM_MIN_LEN);
  const out = new Uint8Array(len + QCAFRM_OVERHEAD);
  out[0] = out[1] = out[2] = out[3] = 0xaa;
  out[4] = len & 0xff;
  out[5] = len >> 8;
  out.set(frame, 8);
  out[8 + len] = 0x55;
  out[9 + len] = 0x55;
  return out;
}

/**
 * A frame as the chip hands it to the host from its read buffer: a 4-byte hardware length (big
 * endian, the upper two bytes zero), then the transmit framing (models and benchmarks build it).
 */
export function qcaHostFrame(frame: Uint8Array): Uint8Array {
  const framed = qcaFrame(frame);
  const out = new Uint8Array(4 + framed.length);
  out[2] = framed.length >> 8;
  out[3] = framed.length & 0xff;
  out.set(framed, 4);
  return out;
}

type RxState = "hw-len" | "sof" | "len" | "rsvd" | "data" | "eof";

/**
 * Receive framing state machine: hardware length (4 bytes, the upper two zero), SOF 4×0xAA,
 * length (LE), 2 reserved bytes, frame, EOF 0x55 0x55. Any mismatch counts one framing error
 * and restarts the search at the next byte (re-synchronisation).
 */
export class Qca7000FrameDecoder {
  #state: RxState = "hw-len";
  #count = 0;
  #len = 0;
  #frame: Uint8Array | undefined;
  #withHwLength: boolean;
  framingErrors = 0;

  /** `withHwLength` false decodes the transmit framing (no hardware length), as a modem model does. */
  constructor(withHwLength = true) {
    this.#withHwLength = withHwLength;
    this.#restart();
  }

  #restart(): void {
    this.#state = this.#withHwLength ? "hw-len" : "sof";
    this.#count = 0;
    this.#frame = undefined;
  }

  #error(): void {
    this.framingErrors++;
    this.#restart();
  }

  /** Feeds received bytes; returns the complete frames. */
  push(bytes: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      switch (this.#state) {
        case "hw-len":
          if (this.#count < 2 && b !== 0) {
            // Not a frame start: keep looking (like the Linux driver, not counted as an error).
            this.#restart();
            break;
          }
          if (++this.#count === 4) {
            this.#state = "sof";
            this.#count = 0;
          }
          break;
        case "sof":
          if (b !== 0xaa) {
            this.#error();
            break;
          }
          if (++this.#count === 4) {
            this.#state = "len";
            this.#count = 0;
            this.#len = 0;
          }
          break;
        case "len":
          this.#len |= b << (8 * this.#count);
          if (++this.#count === 2) {
            if (this.#len < QCAFRM_MIN_LEN || this.#len > QCAFRM_MAX_LEN) {
              this.#error();
              break;
            }
            this.#state = "rsvd";
            this.#count = 0;
          }
          break;
        case "rsvd":
          if (++this.#count === 2) {
            this.#state = "data";
            this.#count = 0;
            this.#frame = new Uint8Array(this.#len);
          }
          break;
        case "data": {
          // The frame's bytes in one copy, not one state-machine turn each: a byte costs ~80 XS
          // meter units in the loop, ~40 times the copy (tools/bench/qca7000-frame.ts).
          const take = Math.min(this.#len - this.#count, bytes.length - i);
          this.#frame!.set(bytes.subarray(i, i + take), this.#count);
          this.#count += take;
          i += take - 1;
          if (this.#count === this.#len) {
            this.#state = "eof";
            this.#count = 0;
          }
          break;
        }
        case "eof":
          if (b !== 0x55) {
            this.#error();
            break;
          }
          if (++this.#count === 2) {
            out.push(this.#frame!);
            this.#restart();
          }
          break;
      }
    }
    return out;
  }

  reset(): void {
    this.#restart();
  }
}

export interface Qca7000LinkOptions extends EthernetLinkOptions {
  spi: { io: SpiPortClass; [option: string]: unknown };
  interrupt: { io: InterruptInputClass; [option: string]: unknown };
  clock: Clock;
  /** The host's MAC address (the QCA7000 bridges; the host chooses its own). */
  mac: Uint8Array;
  logger?: Logger;
  /** Frames accepted for transmission before write() throws. Default 4. */
  txQueue?: number;
  /** Frames kept for read(); older ones are dropped beyond. Default 16. */
  rxQueue?: number;
  /** Period of the signature check. Default 1 s. */
  checkInterval?: Millis;
  /** Consecutive failed synchronisations before onError (a stuck or dead bus). Default 20 (2 s). */
  maxSyncFailures?: number;
}

export type Qca7000State = "sync" | "ready" | "resetting" | "failed" | "closed";

export interface Qca7000Stats {
  rxFrames: number;
  txFrames: number;
  framingErrors: number;
  droppedRx: number;
  resets: number;
  resyncs: number;
  interrupts: number;
}

export class Qca7000Link implements EthernetLink {
  #o: Qca7000LinkOptions;
  #clock: Clock;
  #logger: Logger;
  #spi: SpiPort;
  #irq: InterruptInput;
  #mac: Uint8Array;
  #state: Qca7000State = "sync";
  #decoder = new Qca7000FrameDecoder();
  #rx: Uint8Array[] = [];
  #tx: Uint8Array[] = [];
  #txFull = false;
  #servicing = false;
  #syncFailures = 0;
  #syncTimer: TimerHandle | undefined;
  #checkTimer: TimerHandle | undefined;
  #txTimer: TimerHandle | undefined;
  #txWaitSince = -1;
  #cmd = new Uint8Array(4);
  readonly stats: Qca7000Stats = { rxFrames: 0, txFrames: 0, framingErrors: 0, droppedRx: 0, resets: 0, resyncs: 0, interrupts: 0 };

  constructor(options: Qca7000LinkOptions) {
    if (!(options.mac instanceof Uint8Array) || options.mac.length !== 6) throw new ImplementationError("mac is 6 bytes");
    this.#o = options;
    this.#clock = options.clock;
    this.#logger = options.logger ?? silentLogger;
    this.#mac = options.mac.slice();
    const { io: Spi, ...spiOptions } = options.spi;
    this.#spi = new Spi(spiOptions);
    const { io: Irq, ...irqOptions } = options.interrupt;
    this.#irq = new Irq({ ...irqOptions, onReadable: () => this.#onInterrupt() });
    // No callbacks from inside the constructor.
    this.#syncTimer = this.#clock.set(() => this.#sync(), ms(0));
  }

  get mac(): Uint8Array {
    return this.#mac.slice();
  }

  get state(): Qca7000State {
    return this.#state;
  }

  get format(): "buffer" {
    return "buffer";
  }

  read(): Uint8Array | undefined {
    return this.#rx.shift();
  }

  write(frame: Uint8Array): void {
    if (this.#state === "closed" || this.#state === "failed") throw new Error("QCA7000 link is not usable");
    if (frame.length < 14 || frame.length > QCAFRM_MAX_LEN) throw new RangeError("Ethernet frame of 14..1518 bytes expected");
    if (this.#tx.length >= (this.#o.txQueue ?? 4)) {
      this.#txFull = true;
      throw new Error("QCA7000 transmit queue full");
    }
    this.#tx.push(frame.slice());
    if (this.#state === "ready" && !this.#servicing) this.#pumpTx();
  }

  /** Soft-resets the modem (SPI_CONFIG slave reset); the link re-synchronises when it is back. */
  reset(): void {
    if (this.#state === "closed" || this.#state === "failed") return;
    this.#resetModem("requested");
  }

  close(): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#clock.clear(this.#syncTimer);
    this.#clock.clear(this.#checkTimer);
    this.#clock.clear(this.#txTimer);
    this.#rx.length = 0;
    this.#tx.length = 0;
    this.#irq.close();
    this.#spi.close();
  }

  // --- register access --------------------------------------------------------------------

  #readRegister(reg: number): number {
    const b = this.#cmd;
    const cmd = QCA7K_SPI_READ | QCA7K_SPI_INTERNAL | reg;
    b[0] = cmd >> 8;
    b[1] = cmd & 0xff;
    b[2] = b[3] = 0;
    this.#spi.transfer(b);
    this.#spi.flush(true);
    return (b[2] << 8) | b[3];
  }

  #writeRegister(reg: number, value: number): void {
    const b = this.#cmd;
    const cmd = QCA7K_SPI_WRITE | QCA7K_SPI_INTERNAL | reg;
    b[0] = cmd >> 8;
    b[1] = cmd & 0xff;
    b[2] = (value >> 8) & 0xff;
    b[3] = value & 0xff;
    this.#spi.transfer(b);
    this.#spi.flush(true);
  }

  // --- synchronisation ---------------------------------------------------------------------

  #sync(): void {
    this.#syncTimer = undefined;
    if (this.#state === "closed" || this.#state === "failed") return;
    // The first read after power-up may be garbage (AN4 §7.1): read the signature twice.
    this.#readRegister(SPI_REG_SIGNATURE);
    const signature = this.#readRegister(SPI_REG_SIGNATURE);
    if (signature !== QCASPI_GOOD_SIGNATURE) {
      this.#syncFailures++;
      this.#logger.log("debug", "qca7000", `bad signature 0x${signature.toString(16)} (${this.#syncFailures})`);
      if (this.#syncFailures >= (this.#o.maxSyncFailures ?? 20)) {
        const reason: Qca7000ErrorReason = signature === 0xffff || signature === 0x0000 ? "qca-stuck-bus" : "qca-bad-signature";
        return this.#failed(new Qca7000Error(reason, `signature 0x${signature.toString(16)} after ${this.#syncFailures} attempts`));
      }
      this.#state = "sync";
      this.#syncTimer = this.#clock.set(() => this.#sync(), ms(100));
      return;
    }
    this.#syncFailures = 0;
    this.#decoder.reset();
    this.#writeRegister(SPI_REG_INTR_ENABLE, INTERRUPTS);
    const wasReady = this.#state === "ready";
    this.#state = "ready";
    this.#logger.log("debug", "qca7000", "synchronised");
    this.#clock.clear(this.#checkTimer);
    this.#checkTimer = this.#clock.set(() => this.#check(), this.#o.checkInterval ?? ms(1000));
    if (!wasReady && this.#tx.length < (this.#o.txQueue ?? 4)) this.#o.onWritable?.((this.#o.txQueue ?? 4) - this.#tx.length);
    // An edge may have come while we were not listening.
    if (this.#irq.read()) this.#onInterrupt();
    else this.#pumpTx();
  }

  #resync(why: string): void {
    this.stats.resyncs++;
    this.#logger.log("info", "qca7000", `re-synchronising: ${why}`);
    this.#state = "sync";
    this.#decoder.reset();
    this.#clock.clear(this.#syncTimer);
    this.#syncTimer = this.#clock.set(() => this.#sync(), ms(0));
  }

  #check(): void {
    this.#checkTimer = undefined;
    if (this.#state !== "ready") return;
    const signature = this.#readRegister(SPI_REG_SIGNATURE);
    if (signature !== QCASPI_GOOD_SIGNATURE) return this.#resync(`signature 0x${signature.toString(16)}`);
    this.#checkTimer = this.#clock.set(() => this.#check(), this.#o.checkInterval ?? ms(1000));
    // Level check: a missed edge would otherwise stall reception.
    if (this.#irq.read()) this.#onInterrupt();
  }

  #resetModem(why: string): void {
    this.stats.resets++;
    this.#logger.log("info", "qca7000", `resetting the modem: ${why}`);
    const config = this.#readRegister(SPI_REG_SPI_CONFIG);
    this.#writeRegister(SPI_REG_SPI_CONFIG, config | QCASPI_SLAVE_RESET_BIT);
    this.#state = "resetting";
    this.#decoder.reset();
    // CPU_ON announces the modem is back; if it does not, try to synchronise anyway.
    this.#clock.clear(this.#syncTimer);
    this.#syncTimer = this.#clock.set(() => this.#sync(), ms(1000));
  }

  #failed(error: Error): void {
    this.#logger.log("error", "qca7000", error.message);
    this.#state = "failed";
    this.#clock.clear(this.#checkTimer);
    this.#clock.clear(this.#txTimer);
    this.#o.onError?.(error);
  }

  // --- interrupt service -----------------------------------------------------------------------

  #onInterrupt(): void {
    if (this.#servicing || this.#state === "closed" || this.#state === "failed") return;
    this.#servicing = true;
    try {
      for (let rounds = 0; rounds < 8; rounds++) {
        this.stats.interrupts++;
        this.#writeRegister(SPI_REG_INTR_ENABLE, 0);
        const cause = this.#readRegister(SPI_REG_INTR_CAUSE);
        if (cause === 0xffff || (cause & ~(INTERRUPTS | SPI_INT_ADDR_ERR | SPI_INT_WRBUF_BELOW_WM)) !== 0) {
          // Not a plausible cause: the bus is stuck or out of step.
          this.#resync(`interrupt cause 0x${cause.toString(16)}`);
          return;
        }
        if (cause & SPI_INT_CPU_ON) {
          // The modem (re)booted: anything half-received is lost; check the signature again.
          this.#writeRegister(SPI_REG_INTR_CAUSE, cause);
          this.#state = "sync";
          this.#clock.clear(this.#syncTimer);
          this.#syncTimer = undefined;
          this.#servicing = false;
          this.#sync();
          return;
        }
        if (this.#state !== "ready") {
          this.#writeRegister(SPI_REG_INTR_CAUSE, cause);
          return;
        }
        if (cause & (SPI_INT_RDBUF_ERR | SPI_INT_WRBUF_ERR)) {
          this.#writeRegister(SPI_REG_INTR_CAUSE, cause);
          this.#resetModem(cause & SPI_INT_RDBUF_ERR ? "read buffer error" : "write buffer error");
          return;
        }
        if (cause & SPI_INT_PKT_AVLBL) this.#receive();
        this.#writeRegister(SPI_REG_INTR_CAUSE, cause);
        this.#writeRegister(SPI_REG_INTR_ENABLE, INTERRUPTS);
        this.#pumpTx();
        if (!this.#irq.read() || this.#state !== "ready") break;
      }
    } finally {
      this.#servicing = false;
    }
  }

  #receive(): void {
    const available = this.#readRegister(SPI_REG_RDBUF_BYTE_AVA);
    if (available === 0) return;
    if (available > QCASPI_HW_BUF_LEN) return this.#resync(`read buffer claims ${available} bytes`);
    this.#writeRegister(SPI_REG_BFR_SIZE, available);
    const buffer = new Uint8Array(2 + available);
    const cmd = QCA7K_SPI_READ | QCA7K_SPI_EXTERNAL;
    buffer[0] = cmd >> 8;
    buffer[1] = cmd & 0xff;
    this.#spi.transfer(buffer);
    this.#spi.flush(true);
    const before = this.#decoder.framingErrors;
    const frames = this.#decoder.push(buffer.subarray(2));
    const errors = this.#decoder.framingErrors - before;
    if (errors > 0) {
      this.stats.framingErrors += errors;
      this.#logger.log("debug", "qca7000", `${errors} framing error(s): re-synchronised on the next start of frame`);
    }
    if (frames.length === 0) return;
    const limit = this.#o.rxQueue ?? 16;
    for (const f of frames) {
      this.stats.rxFrames++;
      this.#rx.push(f);
      if (this.#rx.length > limit) {
        this.#rx.shift();
        this.stats.droppedRx++;
      }
    }
    this.#o.onReadable?.(this.#rx.length);
  }

  #pumpTx(): void {
    this.#clock.clear(this.#txTimer);
    this.#txTimer = undefined;
    while (this.#tx.length > 0 && this.#state === "ready") {
      const framed = qcaFrame(this.#tx[0]);
      const space = this.#readRegister(SPI_REG_WRBUF_SPC_AVA);
      if (space > QCASPI_HW_BUF_LEN) return this.#resync(`write buffer claims ${space} bytes free`);
      if (space < framed.length) {
        // The modem drains its buffer onto the powerline; look again shortly.
        const now = this.#clock.now();
        if (this.#txWaitSince < 0) this.#txWaitSince = now;
        else if (now - this.#txWaitSince > 1000) {
          this.#txWaitSince = -1;
          return this.#resetModem("write buffer stuck full");
        }
        this.#txTimer = this.#clock.set(() => this.#pumpTx(), ms(2));
        return;
      }
      this.#txWaitSince = -1;
      this.#writeRegister(SPI_REG_BFR_SIZE, framed.length);
      const buffer = new Uint8Array(2 + framed.length);
      const cmd = QCA7K_SPI_WRITE | QCA7K_SPI_EXTERNAL;
      buffer[0] = cmd >> 8;
      buffer[1] = cmd & 0xff;
      buffer.set(framed, 2);
      this.#spi.transfer(buffer);
      this.#spi.flush(true);
      this.#tx.shift();
      this.stats.txFrames++;
      if (this.#txFull) {
        this.#txFull = false;
        this.#o.onWritable?.((this.#o.txQueue ?? 4) - this.#tx.length);
      }
    }
  }
}
