// The firmware on a Linux board (or a PC): the charger or the vehicle on a named network
// interface, through modules/station's assemblies (bench-station.ts), with this host's native
// sockets (netio.c: raw 0x88E1 frames, IPv6 UDP on ff02::1, TCP with scope ids). Chosen when the
// program starts, so that one build serves every station:
//
//   XS15118_INTERFACE   the interface (required): the QCA7000's (qcaspi) on a board, a veth on a bench
//   XS15118_ROLE        charger | vehicle (default charger)
//   XS15118_PROTOCOL    din | iso2 | iso20 (default iso2)
//   XS15118_TRANSFER    dc | ac (default dc)
//   XS15118_PKI         a PKI directory (`xs15118 pki init DIR`): V2G over TLS on the native
//                       mbedTLS (hosts/native-tls) — ISO 15118-2 over TLS 1.2, -20 over TLS 1.3
//                       with mutual authentication. Unset: plain TCP (-20 with the test-bench
//                       permission). A build without mbedTLS (XS15118_MBEDTLS unset when it was
//                       built) refuses it with that reason.
//
// One line "xs15118-bench {json}" says how the session ended (a test reads it and ends the
// process). See hosts/linux/README.md.

import { TimerClock } from "../esp32/clock";
import { TraceLogger } from "../esp32/logger";
import * as netio from "./netio";
import { linuxNet } from "./net";
import { startBenchStation } from "./bench-station";
import type { BenchStationOptions } from "./bench-station";
import { readStationPki } from "./station-pki";
import { stationTls } from "../sim/crypto/station-secure";
import { MbedtlsCrypto } from "../native-tls/crypto";
import { nativeTls } from "../native-tls/tls";
import { tlsBuild } from "../native-tls/tls-native";

function setting<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
  const value = netio.environment(name);
  if (value === undefined || value === "") return fallback;
  if ((allowed as readonly string[]).indexOf(value) < 0) throw new Error(`${name}=${value}: expected ${allowed.join(" | ")}`);
  return value as T;
}

function report(result: Record<string, unknown>): void {
  trace(`xs15118-bench ${JSON.stringify(result)}\n`);
}

try {
  const interfaceName = netio.environment("XS15118_INTERFACE");
  if (!interfaceName) throw new Error("XS15118_INTERFACE is not set (the network interface the station runs on)");
  const role = setting("XS15118_ROLE", ["charger", "vehicle"] as const, "charger");
  const protocol = setting("XS15118_PROTOCOL", ["din", "iso2", "iso20"] as const, "iso2");
  const transfer = setting("XS15118_TRANSFER", ["dc", "ac"] as const, "dc");
  const clock = new TimerClock();
  const net = linuxNet(interfaceName);
  const started = clock.now();
  const random = (count: number) => new Uint8Array(netio.random(count));
  const pkiDirectory = netio.environment("XS15118_PKI");
  const tls = pkiDirectory ? stationTlsOf(pkiDirectory, role, protocol, net, random) : undefined;
  trace(`${role} on ${interfaceName} (${net.linkLocal()}), ${protocol} ${transfer}, ${tls ? `TLS (mbedTLS ${tlsBuild()}, PKI ${pkiDirectory})` : `plain TCP${tlsBuild() === undefined ? " (this build has no TLS)" : ""}`}\n`);
  const station = startBenchStation({
    role,
    protocol,
    transfer,
    clock,
    random,
    tls,
    logger: new TraceLogger({ level: "info" }),
    raw: net.RawLink,
    net,
    onTrace: (text) => trace(`${((clock.now() - started) / 1000).toFixed(3)} ${text}\n`),
    onEnd: (result) => {
      report({ role, protocol, transfer, ...result, seconds: (clock.now() - started) / 1000 });
      station.close();
    },
  });
} catch (error) {
  report({ ok: false, detail: `start failed: ${(error as Error).message}` });
}

/** The station's TLS: its PKI read from the directory, on mbedTLS (throws with the reason where this build has none). */
function stationTlsOf(directory: string, role: "charger" | "vehicle", protocol: string, net: ReturnType<typeof linuxNet>, random: (count: number) => Uint8Array): BenchStationOptions["tls"] {
  if (tlsBuild() === undefined) throw new Error("XS15118_PKI asks for TLS, but this build has none: build it with XS15118_MBEDTLS set to an mbedTLS 3.6 install prefix");
  if (protocol === "din") throw new Error("DIN SPEC 70121 has no TLS: unset XS15118_PKI");
  const secure = stationTls({
    role: role === "charger" ? "secc" : "evcc",
    protocols: [protocol],
    pki: readStationPki(directory, netio.readFile, role),
    crypto: new MbedtlsCrypto(random),
    now: () => Math.floor(Date.now() / 1000),
  });
  const { Tls, TlsListener } = nativeTls(net, {
    onHandshake: (f) => trace(`xs15118-tls ${JSON.stringify(f)}\n`),
  });
  return { Tls, TlsListener, secure };
}
