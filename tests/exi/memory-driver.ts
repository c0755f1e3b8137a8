// The XS side of tests/exi/memory.test.ts: EXI decodes and whole DIN / ISO-2 sessions whose heap
// the test reads from engine snapshots between calls (tools/xs/worker.ts liveHeap). Bundled
// for xsnap by the test; the functions are reached through globalThis.__memory.
import { ManualClock } from "../../modules/common/index";
import type { Millis } from "../../modules/common/index";
import { createExiCodec, type ExiCodec, type SchemaId } from "../../modules/exi/index";
import { EvccConnection } from "../../modules/statemachine/evcc/index";
import type { EnergyTransferMode, EvccConnectionOutcome } from "../../modules/statemachine/evcc/index";
import { ChargerBinding, SeccConnection } from "../../modules/statemachine/index";
import type { SeccConfig } from "../../modules/statemachine/index";
import { SimDcPowerModule, SimMeter } from "../../simulation/charger/index";
import { SimVehicle } from "../../simulation/vehicle/index";
import { streamPair } from "../statemachine/evcc/memory-link";
import { SECC_DC } from "../statemachine/evcc/with-secc";

let codec: ExiCodec | undefined;
let input: { schema: SchemaId; bytes: Uint8Array } | undefined;
let kept: unknown;

/**
 * The long-lived objects of one charger (clock, power stage, meter, binding): every session gets
 * new connections over a new in-memory link, as a charger's listener gets a new TCP connection
 * per plug-in, and a new car.
 */
function station(protocol: "din" | "iso2") {
  const clock = new ManualClock({ start: 1_000 });
  const config: SeccConfig = { ...SECC_DC, protocols: [protocol] };
  const dc = new SimDcPowerModule({ clock, limits: config.dc!, isolationCheckTime: 2000 as Millis });
  const meter = new SimMeter({ clock, power: () => dc.presentVoltage * dc.presentCurrent });
  const binding = new ChargerBinding({ dc, meter });
  const mode: EnergyTransferMode = "DC_extended";
  return {
    session(): EvccConnectionOutcome | undefined {
      // a car that charges from 40 to 40.5 % (its own objects are new each time, as a new car's)
      const vehicle = new SimVehicle({ clock, battery: { capacityKWh: 10, soc: 40, maxCurrent: 125 }, targetSoc: 40.5, onBoardCharger: { phases: 3, maxCurrent: 16 } });
      const link = streamPair(clock, 3);
      const secc = new SeccConnection({ open: link.b, config, clock, ...binding.sessionOptions() });
      binding.attach(secc.session);
      let outcome: EvccConnectionOutcome | undefined;
      new EvccConnection({
        open: link.a,
        session: { energyTransferMode: mode, evccId: Uint8Array.of(2, 0, 0, 0, 0, 7) },
        bms: vehicle,
        vehicle: vehicle.hooks({ dcOutput: dc }),
        clock,
        onStop: (o) => (outcome = o),
      });
      for (let i = 0; i < 600 && !outcome; i++) clock.advance(500);
      clock.advance(1000); // both sides close
      return outcome;
    },
  };
}

let stations: ReturnType<typeof station> | undefined;
/** How many sessions ended each way (a count per reason: a list would grow with the sessions). */
let ends: Record<string, number> = {};

declare function issueCommand(message: ArrayBuffer): ArrayBuffer;
function report(value: object): void {
  issueCommand(new TextEncoder().encode(JSON.stringify({ op: "report", ...value })).buffer as ArrayBuffer);
}

(globalThis as Record<string, unknown>).__memory = {
  codec(): void {
    codec = createExiCodec();
  },
  /** Sets the message to decode, and decodes it once (the codec's frames exist, as on a connection). */
  message(schema: SchemaId, hex: string): void {
    const bytes = new Uint8Array(hex.length / 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    input = { schema, bytes };
    codec!.decode(schema, bytes);
  },
  decode(): void {
    kept = codec!.decode(input!.schema, input!.bytes);
  },
  drop(): void {
    kept = undefined;
  },
  stations(protocol: "din" | "iso2"): void {
    stations = station(protocol);
    ends = {};
  },
  sessions(n: number): void {
    for (let i = 0; i < n; i++) {
      const o = stations!.session();
      const end = o ? `${o.reason}${o.orderly ? "" : " (not orderly)"}` : "no end";
      ends[end] = (ends[end] ?? 0) + 1;
    }
  },
  /** Reports how the sessions so far ended (the test checks they were all normal). */
  ends(): void {
    report({ ends });
  },
};
