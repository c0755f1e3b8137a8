// `xs15118 sim --tls`: node:tls over the simulated TCP of simulation/vnet, and the run loop that
// lets node:tls work between the virtual clock's steps.
//
// The simulation is synchronous on a virtual clock; node:tls does its work on later turns of
// Node's event loop. So the run advances the clock one millisecond at a time and, whenever a
// byte went into or out of a TLS stream during a step, lets the event loop turn until TLS is
// quiet (TlsActivity.settle) before the next step: every record is encrypted or decrypted
// before simulated time moves on (at most 1 ms of simulated delay per TLS hop).

import type { ListenerClass, ListenerOptions, StreamSocketClass, StreamSocketOptions } from "../../../modules/common/io";
import type { Logger } from "../../../modules/common/log";
import type { TlsSecureOptions } from "../../../modules/pki-store/index";
import { startSimulation } from "../../../simulation/session/simulation";
import type { SimulationOptions, SimulationSummary, SimulationTls } from "../../../simulation/session/simulation";
import { TlsActivity, tlsOverStreams } from "./tls";

/** The simulation's TLS: each station's TLS class over its simulated stack, bound to its profile. */
export function simulationTls(secure: { secc: TlsSecureOptions; evcc: TlsSecureOptions }, activity: TlsActivity, logger?: Logger): SimulationTls {
  return {
    charger(io) {
      const { TlsListener } = tlsOverStreams(io, activity);
      return class ChargerTlsListener extends TlsListener {
        constructor(options: ListenerOptions) {
          super({ ...options, secure: secure.secc, onHandshakeFailed: (reason) => logger?.log("warn", "secc", `TLS handshake refused, connection closed: ${reason}`) });
        }
      } as ListenerClass;
    },
    vehicle(io) {
      const { Tls } = tlsOverStreams(io, activity);
      return class VehicleTls extends Tls {
        constructor(options: StreamSocketOptions) {
          super({ ...options, secure: secure.evcc });
        }
      } as StreamSocketClass;
    },
  };
}

/** Runs one complete session whose `options.tls` came from simulationTls with the same `activity`. */
export async function runSimulationWithTls(options: SimulationOptions, activity: TlsActivity): Promise<SimulationSummary> {
  const simulation = startSimulation(options);
  while (!simulation.done) {
    simulation.advance(1);
    if (activity.touched) await activity.settle();
  }
  return simulation.summary!;
}
