// ota-boot.js (native, ota-boot.c): ESP-IDF app rollback, for TypeScript.
import type { NativeBoot } from "./update-flash";

declare const boot: NativeBoot;
export default boot;
