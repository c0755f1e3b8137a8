// The host interfaces the updater writes and boots through, shaped like ECMA-419's
// `embedded:update` (write chunks at offsets, complete or cancel), plus what that class lacks:
// reading a region back (verification over the written slot before activation), choosing the
// boot slot separately from writing it, and the bootloader's rollback state. On the ESP32 these
// map to embedded:update / the `flash` module and the native calls of hosts/esp32/ota
// (esp_ota_set_boot_partition, esp_ota_mark_app_valid_cancel_rollback,
// esp_ota_mark_app_invalid_rollback_and_reboot, esp_ota_get_state_partition).

/**
 * Where an image goes: "firmware" is the inactive app slot (ota_0/ota_1), "mod" the region the
 * runtime loads mods from (Moddable's `xs` partition), "mod-staging" a data region of the same
 * size that receives a downloaded mod while the running one stays untouched.
 */
export type UpdateRegion = "firmware" | "mod" | "mod-staging";

export interface UpdateWriter {
  /** Writes `buffer` at `byteOffset` of the region (the offsets the updater uses only grow). */
  write(buffer: Uint8Array, byteOffset: number): void;
  /** All bytes written (esp_ota_end): nothing is activated by this. */
  complete(): void;
  /** Abandons the writing; the region's content is undefined afterwards. */
  cancel(): void;
}

export interface UpdateFlash {
  /**
   * True when the host can keep writing a region after a restart without erasing what it wrote
   * before (a raw partition through the `flash` module). False for `embedded:update`, whose
   * open erases: the download then restarts from its beginning after a power cut.
   */
  readonly resumable: boolean;
  /** Bytes the region holds at most. */
  size(region: UpdateRegion): number;
  /**
   * Opens `region` for `byteLength` bytes. `resume` false erases it first; true keeps its
   * content (only where `resumable`).
   */
  open(options: { region: UpdateRegion; byteLength: number; resume: boolean }): UpdateWriter;
  /** Reads back `length` bytes at `offset` into `into` (the updater's reused buffer). */
  read(region: UpdateRegion, offset: number, into: Uint8Array): void;
  /** Erases the region (a mod region erased holds no mod: the firmware runs alone). */
  erase(region: UpdateRegion): void;
  /** Makes the written firmware slot the one the bootloader starts next, in its "new" state. */
  setBootToUpdate(): void;
}

/** The bootloader's view of the running firmware (ESP-IDF with CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE). */
export interface BootControl {
  /** The app slot running (0 for ota_0, 1 for ota_1: esp_ota_get_running_partition). */
  runningSlot(): number;
  /** The running firmware was just installed and not yet confirmed (ESP_OTA_IMG_PENDING_VERIFY). */
  runningPendingVerify(): boolean;
  /** Confirms the running firmware: the bootloader keeps it (esp_ota_mark_app_valid_cancel_rollback). */
  markValid(): void;
  /** Marks the running firmware invalid and restarts into the previous one (never returns on a device). */
  rollback(): void;
  /** Restarts the device (esp_restart; never returns on a device). */
  restart(): void;
}

/** What the station tells the updater: a charging session runs (no activation, no configuration change). */
export interface SessionActivity {
  sessionActive(): boolean;
}
