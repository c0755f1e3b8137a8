// Firmware entry point (Moddable manifest, esp32): the station — a charger or a vehicle — from
// the manifest's config and the board's persistent overrides, on the ESP32 board's hardware.
//
//   mcconfig -d -m -p esp32 ./manifest.json role=vehicle     (config on the command line)
//   Preference.set("xs15118", "role", "vehicle")            (per board, survives reflashing)
//
// The desktop simulator build (-p lin/mac/win) runs hosts/mcsim/main.ts instead (manifest
// creation.main): the complete simulated session, both roles, on the same preloaded modules.

import config from "mc/config";
import Preference from "preference";
import { parseStationConfig, startStation, STATION_SETTINGS } from "./modules/station/index";
import type { StationConfigSource } from "./modules/station/index";
import { VERSION } from "./modules/common/version";
import { createBoard } from "./hosts/esp32/board";
import { startUpdates } from "./hosts/esp32/ota/updates";

/** The preference domain of the station's overrides (NVS namespace on ESP32: ≤ 15 characters). */
const DOMAIN = "xs15118";

function preferences(): StationConfigSource {
  const values: Record<string, unknown> = {};
  for (const key of Object.keys(STATION_SETTINGS)) {
    const value = Preference.get(DOMAIN, key);
    if (value !== undefined && !(value instanceof ArrayBuffer)) values[key] = value;
  }
  return { name: "preference", values };
}

const { config: settings, problems } = parseStationConfig([{ name: "manifest", values: config }, preferences()]);
// config.board names a board other than the ESP32 that runs the same ECMA-419 adapters
// (hosts/rp2350/manifest.json: "rp2350").
// config.qcaDriver picks the QCA7000 driver: "native" (the ESP32's, manifest platforms.esp32) or
// "javascript" (hosts/esp32/board.ts, qca7000-drivers.ts).
const board = createBoard({
  logLevel: settings.logLevel,
  name: typeof config.board === "string" ? config.board : "esp32",
  qcaDriver: typeof config.qcaDriver === "string" ? config.qcaDriver : undefined,
});
board.logger.log("info", "main", `xs15118 ${VERSION} starting as ${settings.role}`);
for (const problem of problems) board.logger.log("warn", "config", problem);
const station = startStation(settings, board);
// Signed updates with rollback (hosts/esp32/ota; issue 18): keys and server from the manifest's
// config, nothing activated during a session, a new image confirmed once the session layer is up.
if (board.storage) {
  const updates = { updateKeys: config.updateKeys, updateServer: config.updateServer, firmwareVersion: config.firmwareVersion };
  startUpdates({ board: typeof config.updateBoard === "string" ? config.updateBoard : "esp32-qca7000", settings: updates, storage: board.storage, clock: board.clock, logger: board.logger, station });
} else {
  board.logger.log("warn", "ota", "no storage kept across restarts on this board: updates are off");
}
