// Firmware entry point (Moddable manifest, esp32): the station — a charger or a vehicle — from
// the manifest's config and the board's persistent overrides, on the ESP32 board's hardware.
//
//   mcconfig -d -m -p esp32 ./manifest.json role=vehicle     (config on the command line)
//   Preference.set("xs15118", "role", "vehicle")            (per board, survives reflashing)
//
// The desktop simulator build (-p lin/mac/win) runs hosts/mcsim/main.ts instead (manifest
// creation.main): the complete simulated session, both roles, on the same preloaded modules.

import config from "mc/config";
import { startStation } from "./modules/station/firmware";
import { bootFirmware } from "./hosts/esp32/boot";

// The same start as the single-role images' (hosts/esp32/charger, vehicle), with both roles.
bootFirmware({ config, start: startStation });
