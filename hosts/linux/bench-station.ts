// One station — the charger or the vehicle — on a real network interface, for a bench or a test
// between network namespaces: modules/station's ChargerAssembly / VehicleAssembly (pilot →
// SLAC → IPv6 → SDP → V2GTP → session), as the firmware builds them, given
//  - the interface's raw 0x88E1 frames behind the project's simulated modem (wire-modem.ts:
//    nothing on a veth answers CM_SET_KEY or measures attenuation),
//  - the host's IPv6 sockets on that interface (the kernel's stack carries IPv6 there),
//  - a simulated pilot line whose far end stands in for the other station: for a charger a
//    plugged vehicle that closes S2 once SLAC matched; for a vehicle a charger that sends 5 %
//    PWM (the real far end is in another process and the pilot is no wire between them),
//  - the simulated power stages and vehicle model (simulation/station): a charger with the
//    stand-in battery (simulation/standin-load.ts), a vehicle with its battery model,
//  - optionally TLS: the host's TLS classes (mbedTLS in the Moddable build, node:tls on Node)
//    bound here to the station's `secure` options (its PKI); SDP then asks for / offers TLS.
// Portable: the Moddable Linux build (main.ts) and the Node peer of the tests (node-peer.ts).

import type { Clock, Millis } from "../../modules/common/clock";
import type { Logger } from "../../modules/common/log";
import type { ListenerClass, StreamSocketClass, UdpSocketClass } from "../../modules/common/io";
import { toHex } from "../../modules/common/bytes";
import type { EthernetLinkClass } from "../../modules/slac/channel";
import { ChargerAssembly, VehicleAssembly, boundTls } from "../../modules/station/assembly";
import type { HostIpStack, StationTls } from "../../modules/station/assembly";
import type { SeccService } from "../../modules/station/secc-service";
import type { EvccService } from "../../modules/station/evcc-service";
import { PilotSim } from "../../simulation/cp/pilot-sim";
import { ChargerStation } from "../../simulation/station/charger-station";
import { VehicleStation } from "../../simulation/station/vehicle-station";
import { StandInLoads } from "../../simulation/standin-load";
import { wireModem } from "./wire-modem";

export interface BenchStationOptions {
  role: "charger" | "vehicle";
  protocol: "din" | "iso2" | "iso20";
  transfer: "dc" | "ac";
  clock: Clock;
  random(count: number): Uint8Array;
  logger: Logger;
  /** Raw frames of ethertype 0x88E1 on the interface. */
  raw: EthernetLinkClass;
  /** The host's sockets on the interface, its name and link-local address. */
  net: { Udp: UdpSocketClass; Tcp: StreamSocketClass; Listener: ListenerClass; interface: string; linkLocal(): string };
  /** V2G over TLS: the host's TLS classes and this station's options (hosts/sim/crypto/station-secure.ts). */
  tls?: StationTls;
  /** Vehicle: battery start and target SoC, %, and capacity, kWh (a short session by default). */
  startSoc?: number;
  targetSoc?: number;
  capacityKWh?: number;
  /** A line for the console, in words. */
  onTrace(text: string): void;
  /** The session is over (the vehicle's outcome, or the charger's session summary). */
  onEnd(result: { ok: boolean; detail: string; protocol?: string; messages?: number; energyWh?: number }): void;
}

export interface BenchStation {
  close(): void;
}

export function startBenchStation(o: BenchStationOptions): BenchStation {
  const { clock, logger } = o;
  const pilotLine = new PilotSim({ clock, plugged: true, period: 10 as Millis });
  const modem = { io: wireModem({ clock, wire: o.raw, onLocal: (what) => o.onTrace(`modem: ${what}`) }) };
  const ip = (): HostIpStack => ({ Udp: o.net.Udp, Tcp: o.net.Tcp, Listener: o.net.Listener, address: `${o.net.linkLocal()}%${o.net.interface}`, interface: o.net.interface });
  const common = {
    clock,
    random: o.random,
    logger,
    modem,
    ip,
    onTrace: (text: string) => o.onTrace(text),
    onSlacFailed: (reason: string) => o.onEnd({ ok: false, detail: `SLAC failed: ${reason}` }),
  };
  // -20 runs on plain TCP here only when asked for explicitly (it requires TLS 1.3 in the field).
  const insecureIso20 = o.protocol === "iso20" && o.tls === undefined;
  const tls = o.tls === undefined ? undefined : boundTls(o.tls, (reason) => o.onTrace(`TLS handshake refused, connection closed: ${reason}`));

  if (o.role === "charger") {
    // The far end of the pilot: a plugged vehicle that is ready for power once matched.
    const s2 = new pilotLine.vehicle.s2.io({});
    let loads: StandInLoads | undefined;
    const assembly = new ChargerAssembly({
      ...common,
      pilot: pilotLine.charger,
      onLinkUp: (info) => {
        o.onTrace(`SLAC matched EV ${toHex(info.evMac)}`);
        s2.write(1);
      },
      onServing: (s) => o.onTrace(`SDP answers on ff02::1%${o.net.interface}, V2G on [${s.address}]:${s.port}`),
      createService: (stack): SeccService => {
        const station: ChargerStation = new ChargerStation({
          clock,
          io: { Udp: stack.Udp, Listener: tls ? tls.Listener : stack.Listener },
          tls: tls !== undefined,
          address: stack.address.split("%")[0],
          interface: stack.interface,
          port: 0,
          protocols: [o.protocol],
          transfer: [o.transfer],
          config: { transport: "none", iso20: { insecureWithoutTls: insecureIso20 } },
          dcModule: { isolationCheckTime: 300 as Millis },
          authorizationDelay: 100 as Millis,
          random: o.random,
          logger,
          onTrace: (entry, _connection, live) => {
            if (live) loads?.onTrace(entry);
            if (entry.direction === "rx" && entry.message.indexOf("CurrentDemand") < 0 && entry.message.indexOf("ChargeLoop") < 0 && entry.message.indexOf("ChargingStatus") < 0) o.onTrace(`secc ${entry.state}: ${entry.message}`);
          },
          onSessionEnd: (s) => {
            s2.write(0);
            // The vehicle ended it in order: SessionStopReq (terminate or pause).
            o.onEnd({ ok: s.reason === "ev-terminate" || s.reason === "ev-pause", detail: String(s.reason), protocol: s.protocol, messages: s.messages, energyWh: s.energyWh });
          },
        });
        loads = new StandInLoads(station);
        return station.service;
      },
    });
    return { close: () => (assembly.close(), s2.close(), pilotLine.close()) };
  }

  // The far end of the pilot: a charger that offers digital communication (5 % PWM).
  const generator = new pilotLine.charger.output.io({});
  generator.write(5);
  const assembly = new VehicleAssembly({
    ...common,
    pilot: pilotLine.vehicle,
    onLinkUp: (info) => o.onTrace(`SLAC matched EVSE ${toHex(info.evseMac)} at ${info.attenuation.toFixed(1)} dB`),
    createService: (stack, pilotReady): EvccService => {
      const vehicle: VehicleStation = new VehicleStation({
        clock,
        io: { Udp: stack.Udp, Tcp: tls ? tls.Tcp : stack.Tcp },
        tls: tls !== undefined,
        interface: stack.interface,
        transfer: o.transfer,
        protocols: [o.protocol],
        insecureIso20WithoutTls: insecureIso20,
        // -20 needs the service it asks for (SAP offers the namespace of that service).
        session: o.protocol === "iso20" ? { iso20: { transfer: o.transfer, controlMode: "scheduled" } } : undefined,
        evccId: new Uint8Array(6),
        battery: { capacityKWh: o.capacityKWh ?? 1, soc: o.startSoc ?? 50 },
        targetSoc: o.targetSoc ?? 51,
        logger,
        onDiscovered: (r) => o.onTrace(`SDP: charger at [${r.connectAddress}]:${r.port}, security ${r.security}`),
        onPilot: (state) => pilotReady(state === "C"),
        onEnd: (outcome) => o.onEnd({ ok: outcome.ok, detail: `${outcome.reason}${outcome.detail ? ` (${outcome.detail})` : ""}`, protocol: outcome.protocol }),
      });
      return vehicle.service;
    },
  });
  return { close: () => (assembly.close(), generator.close(), pilotLine.close()) };
}
