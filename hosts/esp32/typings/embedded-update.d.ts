// The Moddable SDK's ECMA-419 update and flash-storage modules, for `tsc -p hosts/esp32` (the
// npm @moddable/typings lacks them): the shapes of the SDK's typings/embedded/update.d.ts and
// typings/embedded/storage/flash.d.ts, as far as hosts/esp32/ota uses them. Kept out of the
// folders the manifest maps: an mcconfig build uses the SDK's own declarations.
declare module "embedded:storage/flash" {
  export interface FlashOpenOptions {
    path: string;
    mode?: "r" | "r+";
  }
  export class Flash {
    close(): void;
    eraseBlock(start: number, end?: number): void;
    read(byteLength: number, byteOffset: number): ArrayBuffer;
    write(buffer: ArrayBuffer | ArrayBufferView, byteOffset: number): void;
    status(): { size: number; blockLength: number; blocks: number; writeAlign: number; eraseValue: number };
    format: "buffer";
  }
  const FlashStorage: {
    open(options: FlashOpenOptions): Flash;
  };
  export default FlashStorage;
}

declare module "embedded:update" {
  import type { Flash } from "embedded:storage/flash";
  export interface UpdateOpenOptions {
    partition: Flash;
    mode?: "a" | "w";
    byteLength?: number;
  }
  export interface Updater {
    close(): void;
    complete(): void;
    write(bytes: ArrayBuffer | ArrayBufferView, byteOffset?: number): void;
    format: "buffer";
  }
  const Update: {
    open(options: UpdateOpenOptions): Updater;
  };
  export default Update;
}
