// Firmware entry point of the vehicle-only image (hosts/esp32/vehicle/manifest.json): main.ts
// (both roles) without the charger's code — its session, SLAC and pilot sides are not in the
// image. Settings as main.ts's; a board whose setting role is charger starts no station and
// says why (hosts/esp32/boot.ts).
//
//   mcconfig -d -m -p esp32 ./hosts/esp32/vehicle/manifest.json

import config from "mc/config";
import { startVehicleStation } from "../../../modules/station/vehicle-firmware";
import { bootFirmware } from "../boot";

bootFirmware({ config, role: "vehicle", start: startVehicleStation });
