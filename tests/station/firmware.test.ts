// startStation's answers to the firmware's updates (modules/station/firmware.ts Station): the
// session layer is up while the QCA7000 answers on SPI and down once it stops (a new image on
// such a board is not confirmed and rolls back), and a session is active from SLAC's match until
// the vehicle leaves. On the behavioural QCA7000 model and the simulated pilot line. Node and XS.

import { test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../modules/common/index";
import type { Millis } from "../../modules/common/index";
import { MemoryLogger } from "../../modules/common/log";
import { SettableWallClock } from "../../modules/common/wall-clock";
import { Qca7000Link } from "../../modules/slac/qca7000";
import type { EthernetLinkClass } from "../../modules/slac/index";
import { parseStationConfig, startStation } from "../../modules/station/index";
import type { StationBoard } from "../../modules/station/index";
import { PilotSim } from "../../simulation/cp/pilot-sim";
import { Qca7000Model } from "../../simulation/slac/qca7000-model";
import { seededRandom } from "../../simulation/random";

test("a charger's session layer is up while its QCA7000 answers, and down once the chip stops answering", () => {
  const clock = new ManualClock();
  const pilotLine = new PilotSim({ clock, plugged: false, period: 10 as Millis });
  const model = new Qca7000Model({ clock });
  const logger = new MemoryLogger();
  const board: StationBoard = {
    name: "test",
    clock,
    wall: new SettableWallClock({ clock }),
    logger,
    random: seededRandom(18),
    chargerPilot: () => pilotLine.charger,
    vehiclePilot: () => pilotLine.vehicle,
    modem: (c) => ({ io: Qca7000Link as unknown as EthernetLinkClass, spi: { io: model.Spi }, interrupt: { io: model.Interrupt }, clock, mac: c.mac }),
  };
  const { config } = parseStationConfig([{ name: "test", values: { role: "charger" } }]);
  const station = startStation(config, board);
  clock.advance(5000);
  assert.equal(station.sessionLayerUp(), true);
  assert.equal(station.sessionActive, false, "nobody plugged in");
  model.stuck = "high"; // the chip loses power: MISO reads 0xFF
  clock.advance(10_000);
  assert.equal(station.sessionLayerUp(), false, logger.entries.map((e) => e.message).join("\n"));
  station.close();
  pilotLine.close();
});
