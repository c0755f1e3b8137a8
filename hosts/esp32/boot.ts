// The firmware's start on the board, shared by the image that carries both roles (main.ts) and
// the single-role images (charger/main.ts, vehicle/main.ts): the station's settings from the
// manifest's config and then the board's preferences, the board, the station of the role the
// settings name, and the signed updates.
//
// A single-role image carries one role's code only (the other's is not in its flash at all), so
// when the settings name the other role it starts no station and says why. Its updates still
// run, and it never confirms itself healthy: a single-role image that arrived by an update on a
// board set up for the other role is rolled back to the previous image (modules/ota: not
// confirmed within healthTimeout), and the right image can still be installed.

import Preference from "preference";
import { parseStationConfig, STATION_PREFERENCE_DOMAIN, STATION_SETTINGS } from "../../modules/station/config";
import type { StationConfig, StationConfigSource } from "../../modules/station/config";
import type { Station, StationBoard } from "../../modules/station/station-board";
import { VERSION } from "../../modules/common/version";
import { createBoard } from "./board";
import { startUpdates } from "./ota/updates";

export interface FirmwareImage {
  /**
   * The manifest's config (the main module's `mc/config`: passed in, so that this module has
   * no import of the build's own config and is preloaded like the board's other modules).
   */
  config: Record<string, unknown>;
  /** The one role this image carries; absent: both (main.ts). */
  role?: StationConfig["role"];
  /** Starts the station of `config.role` on the board (startStation, or the role's own). */
  start(config: StationConfig, board: StationBoard): Station;
}

function preferences(): StationConfigSource {
  const values: Record<string, unknown> = {};
  for (const key of Object.keys(STATION_SETTINGS)) {
    const value = Preference.get(STATION_PREFERENCE_DOMAIN, key);
    if (value !== undefined && !(value instanceof ArrayBuffer)) values[key] = value;
  }
  return { name: "preference", values };
}

/** What the updater sees of an image that runs no station: no session, and never a session layer up (so never confirmed). */
const NO_STATION = Object.freeze({ sessionActive: false, sessionLayerUp: () => false });

export function bootFirmware(image: FirmwareImage): Station | undefined {
  const config = image.config;
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
  const log = board.logger;
  log.log("info", "main", `xs15118 ${VERSION} starting as ${settings.role}${image.role ? ` (${image.role}-only image)` : ""}`);
  for (const problem of problems) log.log("warn", "config", problem);
  let station: Station | undefined;
  if (image.role === undefined || image.role === settings.role) station = image.start(settings, board);
  else {
    log.log("error", "main", `this is the ${image.role}-only image, which carries no ${settings.role} code, but the setting role is ${settings.role}: no station runs (set role ${image.role}, or install the ${settings.role} or the two-role image)`);
  }
  // Signed updates with rollback (hosts/esp32/ota; issue 18): keys and server from the manifest's
  // config, nothing activated during a session, a new image confirmed once the session layer is up.
  if (board.storage) {
    const updates = { updateKeys: config.updateKeys, updateServer: config.updateServer, firmwareVersion: config.firmwareVersion };
    startUpdates({ board: typeof config.updateBoard === "string" ? config.updateBoard : "esp32-qca7000", settings: updates, storage: board.storage, clock: board.clock, logger: log, station: station ?? NO_STATION });
  } else {
    log.log("warn", "ota", "no storage kept across restarts on this board: updates are off");
  }
  return station;
}
