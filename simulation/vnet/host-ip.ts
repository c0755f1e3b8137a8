// A station's host IPv6 stack on the link SLAC matched: what a ChargerAssembly or VehicleAssembly
// asks its host for (`ip: (link) => HostIpStack`), here the virtual stack over the simulated
// modem's frames. Shared by the session simulation and the tests that assemble stations by hand.

import type { Clock } from "../../modules/common/clock";
import type { EthernetLink, EthernetLinkOptions } from "../../modules/common/io";
import type { LinkSpec } from "../../modules/slac/index";
import type { HostIpStack } from "../../modules/station/assembly";
import { VirtualIpStack } from "./stack";

export interface VirtualHostIpOptions {
  /** Interface name, e.g. "evse0"; also the stack's name in traces. */
  readonly name: string;
  readonly clock: Clock;
  /** Wraps the matched link before the stack uses it, e.g. to record what the station sends. */
  readonly wrap?: (frames: EthernetLink) => EthernetLink;
  /** Called with the stack once it exists (the simulation keeps it for its pcap and teardown). */
  readonly onStack?: (stack: VirtualIpStack) => void;
}

/**
 * An `OpenHostIp` for the assemblies: every frame the modem delivers goes to the station's stack.
 * Closing it (the assembly does when the link goes down) takes the stack off the modem: a stack
 * left there would answer the next plug-in's packets (a TCP reset to the new connection, as a
 * second plug-in on one vehicle showed); what its timers still send afterwards is dropped.
 */
export function virtualHostIp(options: VirtualHostIpOptions): (link: LinkSpec) => HostIpStack {
  return (link) => {
    const { io, ...linkOptions } = link;
    let stack: VirtualIpStack | undefined;
    const frames: EthernetLink = new io({
      ...linkOptions,
      onReadable: () => {
        if (!stack) return;
        let frame: Uint8Array | undefined;
        while ((frame = frames.read())) stack.receive(frame);
      },
    } as EthernetLinkOptions & Record<string, unknown>);
    const sink = options.wrap ? options.wrap(frames) : frames;
    let open = true;
    const guarded = {
      mac: sink.mac,
      write(frame: Uint8Array): void {
        if (open) sink.write(frame);
      },
    };
    stack = new VirtualIpStack({ name: options.name, clock: options.clock, link: guarded });
    options.onStack?.(stack);
    return {
      Udp: stack.Udp,
      Tcp: stack.Tcp,
      Listener: stack.Listener,
      address: stack.address,
      interface: options.name,
      close(): void {
        if (!open) return;
        open = false;
        stack = undefined;
        frames.close();
      },
    };
  };
}
