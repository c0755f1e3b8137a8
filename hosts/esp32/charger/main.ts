// Firmware entry point of the charger-only image (hosts/esp32/charger/manifest.json): main.ts
// (both roles) without the vehicle's code — its session, SLAC and pilot sides are not in the
// image. Settings as main.ts's; a board whose setting role is vehicle starts no station and
// says why (hosts/esp32/boot.ts).
//
//   mcconfig -d -m -p esp32 ./hosts/esp32/charger/manifest.json

import config from "mc/config";
import { startChargerStation } from "../../../modules/station/charger-firmware";
import { bootFirmware } from "../boot";

bootFirmware({ config, role: "charger", start: startChargerStation });
