// A behavioural model of the QCA7000's SPI side, for testing the driver without hardware.
//
// It decodes the 16-bit command words, keeps the registers the driver uses (buffer size,
// write space, read bytes available, SPI config, interrupt cause/enable, signature), frames
// received frames with the hardware length the way the chip does, raises its interrupt line
// (rising edge) while (cause & enable) ≠ 0, and can be made to misbehave: corrupted or
// garbled receive data, a stuck bus (MISO all 0x00 or 0xFF), a reboot (CPU_ON), buffer errors,
// and a write buffer that drains slowly. Portable (no Node): it also runs in the XS tests.

import type { Clock, Millis } from "../../modules/common/clock";
import { Millis as ms } from "../../modules/common/clock";
import {
  Qca7000FrameDecoder,
  QCASPI_GOOD_SIGNATURE,
  QCASPI_HW_BUF_LEN,
  QCASPI_SLAVE_RESET_BIT,
  SPI_INT_CPU_ON,
  SPI_INT_PKT_AVLBL,
  SPI_INT_RDBUF_ERR,
  SPI_INT_WRBUF_ERR,
  SPI_REG_BFR_SIZE,
  SPI_REG_INTR_CAUSE,
  SPI_REG_INTR_ENABLE,
  SPI_REG_RDBUF_BYTE_AVA,
  SPI_REG_SIGNATURE,
  SPI_REG_SPI_CONFIG,
  SPI_REG_WRBUF_SPC_AVA,
  qcaHostFrame,
  type InterruptInput,
  type InterruptInputClass,
  type SpiPort,
  type SpiPortClass,
} from "../../modules/slac/qca7000";
import type { EthernetLinkClass } from "../../modules/slac/channel";

export interface Qca7000ModelOptions {
  clock: Clock;
  /** A frame the host sent, as the modem puts it on the powerline. */
  onTransmit?(frame: Uint8Array): void;
  /** Time from reset to CPU_ON. Default 50 ms. */
  bootTime?: Millis;
  /** Time the modem needs to send a written frame and free its buffer space. Default 1 ms. */
  drainTime?: Millis;
}

type Phase = "cmd" | "reg-read" | "reg-write" | "ext-read" | "ext-write";

export class Qca7000Model {
  readonly Spi: SpiPortClass;
  readonly Interrupt: InterruptInputClass;
  /** Frames the host transmitted. */
  readonly transmitted: Uint8Array[] = [];
  /** "low"/"high": MISO stuck at 0x00/0xFF and MOSI ignored, as with a broken or unpowered chip. */
  stuck: "low" | "high" | undefined;
  readonly stats = { transactions: 0, resets: 0, badCommands: 0 };
  /** Where transmitted frames go (the powerline); replaceable, see bridgeToModem. */
  onTransmit: ((frame: Uint8Array) => void) | undefined;
  #o: Qca7000ModelOptions;
  #clock: Clock;
  #regs: Record<number, number> = {};
  #rbuf: number[] = [];
  #space = QCASPI_HW_BUF_LEN;
  #wbuf: number[] = [];
  #txDecoder = new Qca7000FrameDecoder(false);
  #phase: Phase = "cmd";
  #cmdBytes: number[] = [];
  #reg = 0;
  #value = 0;
  #index = 0;
  #irqHandlers: (() => void)[] = [];
  #level = 0;
  #garbageReads = 0;
  #booting = false;

  constructor(options: Qca7000ModelOptions) {
    this.#o = options;
    this.#clock = options.clock;
    this.onTransmit = options.onTransmit;
    this.#regs[SPI_REG_INTR_ENABLE] = 0;
    this.#regs[SPI_REG_INTR_CAUSE] = 0;
    this.#regs[SPI_REG_SPI_CONFIG] = 0;
    this.#regs[SPI_REG_BFR_SIZE] = 0;
    this.#garbageReads = 1; // the first read after power-up is not reliable (AN4 §7.1)
    const model = this;
    class ModelSpi implements SpiPort {
      #closed = false;
      constructor(_options: Record<string, unknown>) {}
      transfer(buffer: Uint8Array): void {
        if (this.#closed) throw new Error("closed");
        for (let i = 0; i < buffer.length; i++) buffer[i] = model.#clockByte(buffer[i]);
      }
      flush(deselect = true): void {
        if (deselect) model.#endTransaction();
      }
      close(): void {
        this.#closed = true;
      }
    }
    class ModelInterrupt implements InterruptInput {
      #handler: () => void;
      #closed = false;
      constructor(options: Record<string, unknown> & { onReadable(): void }) {
        this.#handler = () => {
          if (!this.#closed) options.onReadable.call(this);
        };
        model.#irqHandlers.push(this.#handler);
      }
      read(): number {
        return model.#level;
      }
      close(): void {
        this.#closed = true;
      }
    }
    this.Spi = ModelSpi as unknown as SpiPortClass;
    this.Interrupt = ModelInterrupt as unknown as InterruptInputClass;
  }

  /** Register value as the host would read it (for tests). */
  register(reg: number): number {
    if (reg === SPI_REG_SIGNATURE) return QCASPI_GOOD_SIGNATURE;
    if (reg === SPI_REG_WRBUF_SPC_AVA) return this.#space;
    if (reg === SPI_REG_RDBUF_BYTE_AVA) return this.#rbuf.length;
    return this.#regs[reg] ?? 0;
  }

  get readBufferBytes(): number {
    return this.#rbuf.length;
  }

  /** A frame arrives from the powerline: into the read buffer with the chip's framing. */
  receive(frame: Uint8Array): void {
    if (this.#booting) return;
    this.receiveRaw(this.#frameForHost(frame));
  }

  /** Bytes straight into the read buffer (tests: garbage, cut frames). */
  receiveRaw(bytes: ArrayLike<number>): void {
    if (this.#rbuf.length + bytes.length > QCASPI_HW_BUF_LEN) return; // the chip drops what does not fit
    for (let i = 0; i < bytes.length; i++) this.#rbuf.push(bytes[i] & 0xff);
    this.#raise(SPI_INT_PKT_AVLBL);
  }

  /** The chip's receive framing: 4-byte hardware length (big endian), then the transmit framing. */
  #frameForHost(frame: Uint8Array): Uint8Array {
    return qcaHostFrame(frame);
  }

  /** A frame whose framing is damaged in `how`. */
  corruptFrame(frame: Uint8Array, how: "sof" | "eof" | "length" | "hw-length"): Uint8Array {
    const bytes = this.#frameForHost(frame);
    if (how === "hw-length") bytes[0] = 0x12;
    if (how === "sof") bytes[5] = 0xab;
    if (how === "length") {
      bytes[8] = 0xff;
      bytes[9] = 0xff;
    }
    if (how === "eof") bytes[bytes.length - 1] = 0x54;
    return bytes;
  }

  /** The modem's CPU restarts (watchdog, firmware update): buffers lost, CPU_ON after boot. */
  reboot(): void {
    this.stats.resets++;
    this.#booting = true;
    this.#rbuf = [];
    this.#wbuf = [];
    this.#space = QCASPI_HW_BUF_LEN;
    this.#regs[SPI_REG_INTR_ENABLE] = 0;
    this.#regs[SPI_REG_INTR_CAUSE] = 0;
    this.#update();
    this.#clock.set(() => {
      this.#booting = false;
      this.#garbageReads = 1;
      this.#regs[SPI_REG_SPI_CONFIG] = 0;
      // CPU_ON is signalled even with interrupts disabled: the driver's level checks find it.
      this.#regs[SPI_REG_INTR_ENABLE] = SPI_INT_CPU_ON;
      this.#raise(SPI_INT_CPU_ON);
    }, this.#o.bootTime ?? ms(50));
  }

  /** Makes the chip report a buffer error, as after a host over-/under-run. */
  raiseError(which: "read" | "write"): void {
    this.#raise(which === "read" ? SPI_INT_RDBUF_ERR : SPI_INT_WRBUF_ERR);
  }

  /** Keeps `bytes` of the write buffer occupied until `release()` (a congested powerline). */
  occupy(bytes: number): () => void {
    this.#space = Math.max(0, this.#space - bytes);
    return () => {
      this.#space = Math.min(QCASPI_HW_BUF_LEN, this.#space + bytes);
    };
  }

  // --- SPI ----------------------------------------------------------------------------------

  #clockByte(mosi: number): number {
    if (this.stuck) return this.stuck === "high" ? 0xff : 0x00;
    if (this.#booting) return 0x00;
    switch (this.#phase) {
      case "cmd":
        this.#cmdBytes.push(mosi);
        if (this.#cmdBytes.length === 2) this.#decodeCommand((this.#cmdBytes[0] << 8) | this.#cmdBytes[1]);
        return 0x00;
      case "reg-read": {
        const v = this.#index === 0 ? this.#value >> 8 : this.#index === 1 ? this.#value & 0xff : 0;
        this.#index++;
        return v;
      }
      case "reg-write":
        if (this.#index === 0) this.#value = mosi << 8;
        else if (this.#index === 1) this.#writeRegister(this.#reg, this.#value | mosi);
        this.#index++;
        return 0x00;
      case "ext-read": {
        this.#index++;
        if (this.#index > (this.#regs[SPI_REG_BFR_SIZE] ?? 0) || this.#rbuf.length === 0) {
          this.#raise(SPI_INT_RDBUF_ERR);
          return 0x00;
        }
        return this.#rbuf.shift()!;
      }
      case "ext-write": {
        this.#index++;
        if (this.#index > (this.#regs[SPI_REG_BFR_SIZE] ?? 0) || this.#space === 0) {
          this.#raise(SPI_INT_WRBUF_ERR);
          return 0x00;
        }
        this.#wbuf.push(mosi);
        this.#space--;
        return 0x00;
      }
    }
  }

  #decodeCommand(cmd: number): void {
    const read = (cmd & 0x8000) !== 0;
    const internal = (cmd & 0x4000) !== 0;
    this.#reg = cmd & 0x3fff;
    this.#index = 0;
    if (internal && read) {
      this.#phase = "reg-read";
      this.#value = this.#readRegister(this.#reg);
    } else if (internal) {
      this.#phase = "reg-write";
    } else if (read) {
      this.#phase = "ext-read";
    } else {
      this.#phase = "ext-write";
    }
  }

  #endTransaction(): void {
    this.stats.transactions++;
    if (this.#phase === "ext-write" && this.#wbuf.length > 0) {
      const bytes = new Uint8Array(this.#wbuf);
      this.#wbuf = [];
      const before = this.#txDecoder.framingErrors;
      const frames = this.#txDecoder.push(bytes);
      if (this.#txDecoder.framingErrors > before) this.stats.badCommands++;
      // The powerline takes the frames; their buffer space comes back after drainTime.
      this.#clock.set(() => {
        this.#space = Math.min(QCASPI_HW_BUF_LEN, this.#space + bytes.length);
        for (const f of frames) {
          this.transmitted.push(f);
          this.onTransmit?.(f);
        }
      }, this.#o.drainTime ?? ms(1));
    }
    if (this.#phase === "cmd" && this.#cmdBytes.length === 1) this.stats.badCommands++;
    this.#phase = "cmd";
    this.#cmdBytes = [];
  }

  #readRegister(reg: number): number {
    if (this.#garbageReads > 0) {
      this.#garbageReads--;
      return 0x5a5a;
    }
    if (reg === SPI_REG_RDBUF_BYTE_AVA) return this.#rbuf.length;
    return this.register(reg);
  }

  #writeRegister(reg: number, value: number): void {
    if (reg === SPI_REG_INTR_CAUSE) {
      this.#regs[reg] = (this.#regs[reg] ?? 0) & ~value; // write one to clear
      if (this.#rbuf.length > 0) this.#regs[reg] |= SPI_INT_PKT_AVLBL; // still data waiting
    } else if (reg === SPI_REG_SPI_CONFIG) {
      this.#regs[reg] = value;
      if (value & QCASPI_SLAVE_RESET_BIT) this.reboot();
    } else if (reg === SPI_REG_WRBUF_SPC_AVA || reg === SPI_REG_RDBUF_BYTE_AVA || reg === SPI_REG_SIGNATURE) {
      // read-only
    } else {
      this.#regs[reg] = value;
    }
    this.#update();
  }

  #raise(bits: number): void {
    this.#regs[SPI_REG_INTR_CAUSE] = (this.#regs[SPI_REG_INTR_CAUSE] ?? 0) | bits;
    this.#update();
  }

  /** Interrupt line: high while an enabled cause is pending; a rising edge calls the handlers. */
  #update(): void {
    const level = (this.#regs[SPI_REG_INTR_CAUSE] & this.#regs[SPI_REG_INTR_ENABLE]) !== 0 ? 1 : 0;
    const rising = level === 1 && this.#level === 0;
    this.#level = level;
    if (rising) {
      // Digital's onReadable runs from the event loop, not inside the SPI call.
      this.#clock.set(() => {
        for (const h of this.#irqHandlers) h();
      }, ms(0));
    }
  }
}

/**
 * Wires a QCA7000 model's powerline side to a simulated powerline modem: what the host writes
 * over SPI goes onto the medium, what the medium delivers lands in the chip's read buffer.
 * Returns a function that detaches it.
 */
export function bridgeToModem(model: Qca7000Model, modem: { Link: EthernetLinkClass }): () => void {
  const link = new modem.Link({
    onReadable: () => {
      for (let f = link.read(); f; f = link.read()) model.receive(f);
    },
  });
  const previous = model.onTransmit;
  model.onTransmit = (frame) => link.write(frame);
  return () => {
    model.onTransmit = previous;
    link.close();
  };
}
