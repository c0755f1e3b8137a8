// A charger assembled from its parts (assembly.ts says how, for both roles): the charger's data
// link, then at SLAC's match the host's IPv6 stack and the SECC service on it. A charger's image
// carries this and not vehicle-assembly.ts.

import type { ChargerPilotEvent } from "../cp-pwm/charger";
import type { SlacMatchInfo } from "../slac/evse";
import type { SeccConfig } from "../statemachine/index";
import { ChargerDataLink } from "./charger-link";
import type { ChargerDataLinkOptions } from "./charger-link";
import { SeccService } from "./secc-service";
import type { ChargerHardware, SeccServiceOptions } from "./secc-service";
import { chargerPersistence } from "./persistence";
import type { ChargerPersistence } from "./persistence";
import type { PkiStorage } from "../pki-store/storage";
import { MemoryPkiStorage } from "../pki-store/storage";
import { IpSide } from "./ip-side";
import type { AssemblyCommon, HostIpStack } from "./ip-side";

export interface ChargerAssemblyOptions extends AssemblyCommon {
  pilot: ChargerDataLinkOptions["pilot"];
  /** The pilot's wake-up level (ChargerDataLinkOptions.wakeUpLevel): "F" (default) or "E". */
  wakeUpLevel?: ChargerDataLinkOptions["wakeUpLevel"];
  /** The session's configuration and hardware (power stage, AC supply, meter, authorization,
   *  backend); without hardware (and without createService) no session can start. */
  config?: SeccConfig;
  hardware?: ChargerHardware;
  /**
   * Builds the SECC service on the link's IP stack instead of the default (a SeccService on
   * `config` and `hardware`): a host whose hardware wraps the service (the simulator's
   * ChargerStation) returns its own. The assembly starts it.
   */
  createService?(ip: HostIpStack): SeccService;
  /**
   * The host's storage (NVS on the ESP32, a directory on Node): the paused sessions and the
   * energy ledger are kept there and survive a restart of the charger. They are made once, so
   * they outlive each plug-in's service too (a vehicle that paused, slept and matched again
   * resumes). Absent: kept in memory (lost at a restart).
   */
  storage?: PkiStorage;
  /** SECC service settings and hooks: TCP port, SDP, session traces and ends. */
  service?: Pick<SeccServiceOptions, "port" | "sdp" | "sdpPort" | "tls" | "exiFast" | "onTrace" | "onSessionEnd" | "onConnectionEnd">;
  onPilotEvent?(event: ChargerPilotEvent): void;
  /** SLAC matched: the AVLN is up (called before the IP side starts). */
  onLinkUp?(info: SlacMatchInfo): void;
  /** The IP side runs: SDP answers for `address` (with zone), V2G on `port`. */
  onServing?(info: { address: string; port: number; service: SeccService }): void;
}

/** A charger: pilot and SLAC as the EVSE, then SDP responder, V2G server and session. */
export class ChargerAssembly {
  readonly link: ChargerDataLink;
  /** Paused sessions and the energy ledger, on the host's storage (or memory). */
  readonly persistence: ChargerPersistence;
  readonly #o: ChargerAssemblyOptions;
  readonly #side: IpSide<SeccService>;

  constructor(options: ChargerAssemblyOptions) {
    this.#o = options;
    this.persistence = chargerPersistence({ storage: options.storage ?? new MemoryPkiStorage(), clock: options.clock, wallClock: options.wall, logger: options.logger });
    this.#side = new IpSide(options, "charger");
    this.link = new ChargerDataLink({
      ...this.#side.linkOptions(),
      pilot: options.pilot,
      wakeUpLevel: options.wakeUpLevel,
      onPilotEvent: options.onPilotEvent,
      onLinkUp: (info) => this.#linkUp(info),
    });
  }

  /** The SECC service while the link is up. */
  get service(): SeccService | undefined {
    return this.#side.service;
  }

  /**
   * A charging session runs: a vehicle is matched on the link (from SLAC until it is unplugged)
   * or holds a V2G session. While it does, the updater (modules/ota) activates no image and no
   * configuration change is applied.
   */
  get sessionActive(): boolean {
    return this.link.linkUp || this.#side.service?.connection !== undefined;
  }

  #linkUp(info: SlacMatchInfo): void {
    const o = this.#o;
    o.onLinkUp?.(info);
    const ip = this.#side.open(o.createService ?? (o.config && o.hardware));
    if (!ip) return;
    const service = o.createService
      ? o.createService(ip)
      : new SeccService({
          ...o.service,
          clock: o.clock,
          wall: o.wall,
          io: { Udp: ip.Udp, Listener: ip.Listener, address: ip.address.split("%")[0], interface: ip.interface },
          config: o.config!,
          hardware: o.hardware!,
          random: o.random,
          persistence: this.persistence,
          logger: o.logger,
        });
    this.#side.service = service;
    service.start();
    o.onServing?.({ address: ip.address, port: service.port, service });
  }

  close(): void {
    this.#side.stop();
    this.link.close();
  }
}
