// The Node side of the tests between network namespaces (tests/project/linux-netns.test.ts):
// one station — our Node charger or vehicle — on a named interface, built like the Moddable
// Linux build's (hosts/linux/bench-station.ts: modules/station's assemblies, the simulated
// modem behind the raw frames), on Node's sockets (hosts/sim/net) and raw frames through
// hosts/linux/raw-bridge.c (Node has no packet sockets). Prints the same "xs15118-bench {json}"
// line at the end, then exits. With a PKI directory (`xs15118 pki init DIR`), V2G runs over TLS
// (node:tls, the stations' TLS options and PkiStore checks, as `xs15118 secc/evcc --tls`).
//
//   node --import tsx tests/support/linux-peer.ts BRIDGE INTERFACE charger|vehicle din|iso2|iso20 dc|ac [PKI_DIR]

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as os from "node:os";
import type { EthernetLink, EthernetLinkOptions } from "../../modules/common/io";
import type { LogLevel } from "../../modules/common/log";
import type { EthernetLinkClass } from "../../modules/slac/channel";
import { NodeClock } from "../../hosts/sim/node-clock";
import { NodeListener, NodeTcpSocket, NodeUdpSocket } from "../../hosts/sim/net/index";
import { NodeCrypto } from "../../hosts/sim/crypto/node-crypto";
import { readStationPki, stationTls } from "../../hosts/sim/crypto/station-tls";
import { NodeTlsListener, NodeTlsSocket } from "../../hosts/sim/crypto/tls";
import { startBenchStation } from "../../hosts/linux/bench-station";

const [bridge, iface, role, protocol, transfer, pkiDirectory] = process.argv.slice(2);

/** Raw 0x88E1 frames through the bridge process: 2-byte length, frame, both ways. */
function bridgeLink(program: string, interfaceName: string): EthernetLinkClass {
  const info = os.networkInterfaces()[interfaceName]?.[0];
  if (!info) throw new Error(`no interface ${interfaceName}`);
  const mac = Uint8Array.from(info.mac.split(":").map((h) => parseInt(h, 16)));
  class BridgeLink implements EthernetLink {
    readonly mac = mac;
    readonly #queue: Uint8Array[] = [];
    readonly #child;
    #pending = Buffer.alloc(0);
    constructor(options: EthernetLinkOptions) {
      this.#child = spawn(program, [interfaceName], { stdio: ["pipe", "pipe", "inherit"] });
      this.#child.stdout!.on("data", (chunk: Buffer) => {
        this.#pending = Buffer.concat([this.#pending, chunk]);
        while (this.#pending.length >= 2) {
          const size = this.#pending.readUInt16BE(0);
          if (this.#pending.length < 2 + size) break;
          this.#queue.push(new Uint8Array(this.#pending.subarray(2, 2 + size)));
          this.#pending = this.#pending.subarray(2 + size);
        }
        if (this.#queue.length > 0) options.onReadable?.(this.#queue.length);
      });
      this.#child.on("exit", (code) => code && options.onError?.(new Error(`raw bridge ended with ${code}`)));
    }
    read(): Uint8Array | undefined {
      return this.#queue.shift();
    }
    write(frame: Uint8Array): void {
      const record = Buffer.alloc(2 + frame.length);
      record.writeUInt16BE(frame.length, 0);
      record.set(frame, 2);
      this.#child.stdin!.write(record);
    }
    close(): void {
      this.#child.stdin!.end();
    }
  }
  return BridgeLink as unknown as EthernetLinkClass;
}

const clock = new NodeClock();
const started = clock.now();
const station = startBenchStation({
  role: role as "charger" | "vehicle",
  protocol: protocol as "din" | "iso2" | "iso20",
  transfer: transfer as "dc" | "ac",
  clock,
  random: (count) => new Uint8Array(randomBytes(count)),
  logger: { log: (level: LogLevel, source: string, message: string) => level !== "debug" && level !== "trace" && console.log(`${level} ${source}: ${message}`) },
  raw: bridgeLink(bridge, iface),
  tls: pkiDirectory
    ? {
        Tls: NodeTlsSocket,
        TlsListener: NodeTlsListener,
        secure: stationTls({ role: role === "charger" ? "secc" : "evcc", protocols: [protocol], pki: readStationPki(pkiDirectory), crypto: new NodeCrypto(), now: () => Math.floor(Date.now() / 1000) }),
      }
    : undefined,
  net: {
    Udp: NodeUdpSocket,
    Tcp: NodeTcpSocket,
    Listener: NodeListener,
    interface: iface,
    linkLocal: () => {
      const address = os.networkInterfaces()[iface]?.find((a) => a.family === "IPv6" && a.address.startsWith("fe80"))?.address;
      if (!address) throw new Error(`no link-local address on ${iface}`);
      return address.split("%")[0];
    },
  },
  onTrace: (text) => console.log(`${((clock.now() - started) / 1000).toFixed(3)} ${text}`),
  onEnd: (result) => {
    console.log(`xs15118-bench ${JSON.stringify({ role, protocol, transfer, ...result, seconds: (clock.now() - started) / 1000 })}`);
    station.close();
    setTimeout(() => process.exit(0), 200);
  },
});
