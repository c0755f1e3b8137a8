// No over-the-air updates on the RP2350 build yet: the Moddable SDK 8.2.3 has `embedded:update`
// for esp32 (and the mac simulator) only. The pico's own path would be the RP2350 boot ROM's
// A/B partitions with "try before you buy" (a flash-update boot that must be confirmed), the same
// shape as ESP-IDF's app rollback behind modules/ota's UpdateFlash/BootControl; not written.
// The manifest maps hosts/esp32/ota/updates here, so main.ts is the same for both boards.

import type { Logger } from "../../modules/common/log";
import type { FirmwareUpdates } from "../esp32/ota/firmware-updates";

export function startUpdates(options: { logger: Logger }): FirmwareUpdates | undefined {
  options.logger.log("info", "ota", "no over-the-air updates on this board (RP2350: no embedded:update in the Moddable SDK)");
  return undefined;
}
