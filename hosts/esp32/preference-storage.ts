// The storage host interface (modules/pki-store/storage.ts: named blobs written whole) on
// Moddable's `preference` module, which on the ESP32 is NVS: each blob one NVS blob entry of the
// domain (namespace). NVS writes an entry whole or not at all across a power cut, and the
// charger's records (modules/station/atomic-record.ts) add their own two slots and CRC on top.
//
// NVS limits: namespace and key names at most 15 characters; a blob up to ~500 KB with the
// default page layout (a charger's records are a few hundred bytes). Longer names are refused
// with an ImplementationError (a programming error: the names are the station's, fixed).

import Preference from "preference";
import { ImplementationError } from "../../modules/common/errors";
import type { PkiStorage } from "../../modules/pki-store/storage";

/** NVS's longest key and namespace (NVS_KEY_NAME_MAX_SIZE 16, with the terminating NUL). */
const NVS_NAME_MAX = 15;

export class PreferenceStorage implements PkiStorage {
  readonly #domain: string;

  /** `domain`: the NVS namespace (apart from "xs15118", which holds the settings). */
  constructor(domain: string) {
    if (domain.length === 0 || domain.length > NVS_NAME_MAX) throw new ImplementationError(`NVS namespace "${domain}": 1 to ${NVS_NAME_MAX} characters`);
    this.#domain = domain;
  }

  read(name: string): Uint8Array | undefined {
    const value = Preference.get(this.#domain, checked(name));
    return value instanceof ArrayBuffer ? new Uint8Array(value) : undefined;
  }

  write(name: string, data: Uint8Array): void {
    // A copy of exactly the blob's bytes (`data` may be a view into a larger buffer).
    Preference.set(this.#domain, checked(name), data.slice().buffer as ArrayBuffer);
  }

  remove(name: string): void {
    Preference.delete(this.#domain, checked(name));
  }

  list(prefix: string): string[] {
    const names: string[] = [];
    for (const key of Preference.keys(this.#domain)) if (key.startsWith(prefix)) names.push(key);
    return names.sort();
  }
}

function checked(name: string): string {
  if (name.length === 0 || name.length > NVS_NAME_MAX) throw new ImplementationError(`NVS key "${name}": 1 to ${NVS_NAME_MAX} characters`);
  return name;
}
