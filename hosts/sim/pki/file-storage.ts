// PkiStorage on a directory (the Node host): each blob a file, its name the relative path.
// A write goes to a temporary file renamed over the old one, so a crash leaves the old or the
// new value, never half of one — the interface's promise (modules/pki-store/storage.ts).

import * as fs from "node:fs";
import * as path from "node:path";
import { ImplementationError } from "../../../modules/common/errors";
import type { PkiStorage } from "../../../modules/pki-store/index";

/** Blob names are path-like ("anchor/v2g/ab12…"): no "..", no absolute paths, no empty parts. */
function checkName(name: string): void {
  if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(name) || name.split("/").some((part) => part === "." || part === "..")) {
    throw new ImplementationError(`not a storage name: ${JSON.stringify(name)}`);
  }
}

export class FilePkiStorage implements PkiStorage {
  readonly #root: string;

  constructor(root: string) {
    this.#root = path.resolve(root);
    fs.mkdirSync(this.#root, { recursive: true });
  }

  read(name: string): Uint8Array | undefined {
    checkName(name);
    try {
      return new Uint8Array(fs.readFileSync(path.join(this.#root, name)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }

  write(name: string, data: Uint8Array): void {
    checkName(name);
    const file = path.join(this.#root, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, data, { mode: 0o600 }); // private keys among them
    fs.renameSync(temporary, file);
  }

  remove(name: string): void {
    checkName(name);
    fs.rmSync(path.join(this.#root, name), { force: true });
  }

  list(prefix: string): string[] {
    const out: string[] = [];
    const walk = (dir: string, relative: string) => {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        const name = relative ? `${relative}/${entry.name}` : entry.name;
        if (entry.isDirectory()) walk(path.join(dir, entry.name), name);
        else if (!entry.name.endsWith(".tmp") && name.startsWith(prefix)) out.push(name);
      }
    };
    walk(this.#root, "");
    return out.sort();
  }
}
