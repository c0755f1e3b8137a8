// The ESP32 board as the station sees it: the ECMA-419 pilot adapters (PWM generator, ADC with
// a comparator gate, S2 switch) and the QCA7000 on SPI, on the pins of the configuration, through
// the driver the manifest's `config.qcaDriver` names (qca7000-drivers.ts: `native` on the ESP32,
// `javascript` elsewhere); Moddable's timer for the monotonic clock; trace() for the log.
//
// The IP side (`ip`) comes with the native driver: lwIP's sockets over its netif, through the
// socket classes the Linux host shares (hosts/native-net), opened by the station when SLAC has
// matched (lwIP's link goes up then) and closed when the link ends (down). The JavaScript driver
// has none, so with it the station runs the pilot and SLAC only. TLS (setting `tls`): the native
// mbedTLS engine over those sockets, with the station's PKI from NVS (board-tls.ts). Untested on hardware: checked
// against stand-in ECMA-419 and native classes (tests/station/esp32-main.test.ts).

import { SettableWallClock, formatLogTime } from "../../modules/common/wall-clock";
import type { StationBoard, StationConfig } from "../../modules/station/index";
import type { EthernetLinkClass } from "../../modules/slac/index";
import type { Logger, LogLevel } from "../../modules/common/index";
import { TimerClock } from "./clock";
import { TraceLogger } from "./logger";
import { Esp32PilotInput, Esp32ProximityInput } from "./pilot-input";
import { Esp32PilotOutput } from "./pilot-output";
import { Esp32S2Switch } from "./pilot-s2";
import { QCA7000_DRIVERS, QCA7000_IP } from "./qca7000-drivers";
import type { Qca7000DriverName } from "./qca7000-drivers";
import { PreferenceStorage } from "./preference-storage";
import { createBoardTls } from "./board-tls";

/** The NVS namespace of what the station keeps across restarts (paused sessions, energy ledger). */
const STATE_DOMAIN = "xs15118-state";

function randomBytes(count: number): Uint8Array {
  // XS's Math.random on ESP32 draws from the hardware RNG (esp_random) once the radio or the
  // bootloader's entropy source is on; NMK generation wants that (ISO 15118-3 [V2G3-A09-…]).
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.floor(Math.random() * 256);
  return out;
}

/** Without a `qcaDriver` in the manifest's config: the driver every board has. */
const DEFAULT_QCA7000_DRIVER: Qca7000DriverName = "javascript";

function qca7000Driver(wanted: string, logger: Logger): { name: Qca7000DriverName; link: EthernetLinkClass } {
  const driver = QCA7000_DRIVERS[wanted as Qca7000DriverName];
  if (driver !== undefined) {
    logger.log("info", "board", `QCA7000: ${wanted} driver`);
    return { name: wanted as Qca7000DriverName, link: driver };
  }
  logger.log("warn", "board", `qcaDriver: no ${JSON.stringify(wanted)} QCA7000 driver on this board (it has ${Object.keys(QCA7000_DRIVERS).join(", ")}); using ${DEFAULT_QCA7000_DRIVER}`);
  return { name: DEFAULT_QCA7000_DRIVER, link: QCA7000_DRIVERS[DEFAULT_QCA7000_DRIVER]! };
}

/**
 * `name`: the board in the log and the station's reports — "esp32" unless the manifest's config
 * says otherwise (hosts/rp2350 runs these same ECMA-419 adapters on a Raspberry Pi Pico 2).
 * `qcaDriver`: the manifest's `config.qcaDriver`; one this board does not have is logged and the
 * JavaScript driver runs instead.
 */
export function createBoard(options: { logLevel: LogLevel; name?: string; qcaDriver?: string }): StationBoard {
  const clock = new TimerClock();
  // No RTC, NTP or backend time is wired yet: the wall clock stays without trusted time (log
  // lines stamped with the time since start, EVSETimeStamp left out) until a source sets it.
  const wall = new SettableWallClock({ clock });
  const logger: Logger = new TraceLogger({ level: options.logLevel, stamp: () => formatLogTime(wall, clock) });
  const driver = qca7000Driver(options.qcaDriver ?? DEFAULT_QCA7000_DRIVER, logger);
  const ip = QCA7000_IP[driver.name];
  if (!ip) logger.log("warn", "board", `the ${driver.name} QCA7000 driver carries no IP: the station runs the pilot and SLAC only`);
  // V2G over TLS when the setting `tls` asks for it: the engine, and the station's PKI from NVS.
  const tls = createBoardTls({ random: randomBytes, wall, logger });
  return {
    name: options.name ?? "esp32",
    clock,
    wall,
    logger,
    random: randomBytes,
    // NVS: a charger's paused sessions and energy ledger survive a reset or a power cut.
    storage: new PreferenceStorage(STATE_DOMAIN),
    ...(ip ? { ip } : {}),
    ...tls,
    chargerPilot: (c: StationConfig) => ({
      input: { io: Esp32PilotInput, analog: c.pilotAdc, gate: c.pilotGate },
      output: { io: Esp32PilotOutput, pin: c.pilotOut, ...(c.pilotEnable !== undefined ? { enable: c.pilotEnable } : {}) },
    }),
    vehiclePilot: (c: StationConfig) => ({
      input: { io: Esp32PilotInput, analog: c.pilotAdc, gate: c.pilotGate },
      s2: { io: Esp32S2Switch, pin: c.s2Pin },
      // The inlet's PP contact where the board has the circuit (a 1 kΩ pull-up to an ADC1 pin):
      // a plug-out then ends the session at once instead of after 10 s of 0 V on the pilot.
      ...(c.ppPin !== undefined ? { proximity: { io: Esp32ProximityInput, pin: c.ppPin } } : {}),
    }),
    modem: (c: StationConfig) => ({
      // Its options (clock, mac, pins) are checked by Esp32Qca7000LinkOptions and
      // NativeQca7000LinkOptions; the core's EthernetLinkClass names only the options every link shares.
      io: driver.link,
      clock,
      mac: c.mac,
      // The native link records itself here; `ip` (its sockets over the netif) finds it there.
      ipLink: {},
      logger,
      pins: { clock: c.qcaClock, in: c.qcaIn, out: c.qcaOut, select: c.qcaSelect, interrupt: c.qcaInt, hz: c.qcaHz, ...(c.qcaPort !== undefined ? { port: c.qcaPort } : {}) },
    }),
  };
}
