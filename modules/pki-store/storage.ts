// The storage host interface of the PKI store: named byte blobs, written whole. The Node host
// keeps them as files in a directory (hosts/sim/pki/file-storage.ts); the firmware in flash
// (NVS or a partition, through the Moddable `preference`/`flash` modules); tests in memory.
// Writes are whole-value replacements, so a power cut leaves the old or the new value.

export interface PkiStorage {
  read(name: string): Uint8Array | undefined;
  write(name: string, data: Uint8Array): void;
  remove(name: string): void;
  /** Names that start with `prefix`, sorted. */
  list(prefix: string): string[];
}

/** In memory: tests, and devices that provision at every boot. */
export class MemoryPkiStorage implements PkiStorage {
  readonly #blobs = new Map<string, Uint8Array>();

  read(name: string): Uint8Array | undefined {
    const blob = this.#blobs.get(name);
    return blob ? blob.slice() : undefined;
  }

  write(name: string, data: Uint8Array): void {
    this.#blobs.set(name, data.slice());
  }

  remove(name: string): void {
    this.#blobs.delete(name);
  }

  list(prefix: string): string[] {
    const names: string[] = [];
    for (const name of this.#blobs.keys()) if (name.startsWith(prefix)) names.push(name);
    return names.sort();
  }
}
