// The firmware's main modules bundled for Node on the ESP32 stand-ins (esp32-board-mocks.ts):
// what they import from the Moddable SDK ("embedded:io/*", "timer", "mc/config", "preference",
// the host-function modules …) mapped to the stand-ins, which are bundled once, apart, so that
// each boot (a fresh import of a main's bundle) shares their state with the test.

import * as esbuild from "esbuild";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, "../../..");
const MOCKS = path.join(HERE, "esp32-board-mocks.ts");
const TLS_NATIVES = "{ tlsBuild, tlsConfig, tlsCredentials, tlsAnchor, tlsConfigFree, tlsOpen, tlsFeed, tlsOutput, tlsStep, tlsRead, tlsWrite, tlsSession, tlsError, tlsClose, tlsFree, tlsSuites, tlsVerify, tlsDigest, tlsStats }";

/** Each SDK specifier and what the stand-ins give for it. */
export const STAND_IN_NAMES: Readonly<Record<string, string>> = Object.freeze({
  "embedded:io/pwm": "{ PWM as default }",
  "embedded:io/digital": "{ Digital as default }",
  "embedded:io/analog": "{ Analog as default }",
  "embedded:io/pulsecount": "{ PulseCount as default }",
  "embedded:io/spi": "{ SPI as default }",
  timer: "{ Timer as default }",
  time: "{ Time as default }",
  "mc/config": "{ config as default }",
  preference: "{ Preference as default }",
  "embedded:update": "{ Update as default }",
  "embedded:storage/flash": "{ flashStorage as default }",
  "./ota-boot": "{ otaBoot as default }",
  "./update-crypto": "{ updateCrypto as default }",
  "./qca7000-native": "{ Qca7000Native as default }",
  "./sockets": "{ receive, send, udpOpen, udpReceive, udpSend, tcpConnect, tcpConnected, tcpListen, localPort, tcpAccept, close }",
  "./tls-native": TLS_NATIVES,
  "../native-tls/tls-native": TLS_NATIVES,
});

export interface StandInBundles {
  /** The stand-ins' module (scope(), bench, run(), …), shared by every boot. */
  mocks: any;
  /** The file URL of each entry's bundle, by the entry's path from the repository's root. */
  urls: Map<string, string>;
  /**
   * Boots an entry once more (a fresh module instance: a board reset) on the bench's time: the
   * pilot input times its read bursts with Date.now() once, at construction (a ~20 ms
   * calibration, hosts/esp32/pilot-input.ts), which on a board is the board's own time.
   */
  boot(entry: string): Promise<void>;
  /** Runs `make` on the bench's time (a board, and its pilot input, built outside a boot). */
  onBenchTime<T>(make: () => T): T;
  /** The options of every stand-in of `kind` ("PWM", "Digital", "Analog", …) the boots made. */
  made(kind: string): any[];
  /** A fresh board: the bench, the config and preferences, the buses, timers and the network. */
  reset(): void;
  /** Removes the bundles. */
  remove(): void;
}

/** Bundles the stand-ins and each of `entries` (paths from the repository's root) that imports them. */
export async function bundleOnStandIns(entries: readonly string[]): Promise<StandInBundles> {
  const common: esbuild.BuildOptions = { bundle: true, write: false, format: "esm", target: "es2022", platform: "neutral", logLevel: "silent" };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-main-"));
  const mockBundle = await esbuild.build({ ...common, entryPoints: [MOCKS] });
  fs.writeFileSync(path.join(dir, "mocks.mjs"), mockBundle.outputFiles![0].text);
  const mocks = await import(pathToFileURL(path.join(dir, "mocks.mjs")).href);
  const standIns: esbuild.Plugin = {
    name: "moddable-stand-ins",
    setup(build) {
      build.onResolve({ filter: /^(embedded:io\/|embedded:update$|embedded:storage\/flash$|\.\/ota-boot$|\.\/update-crypto$|\.\/qca7000-native$|\.\/sockets$|(\.\.\/native-tls)?\.?\/tls-native$|timer$|time$|mc\/config$|preference$)/ }, (args) => ({ path: args.path, namespace: "mock" }));
      build.onLoad({ filter: /.*/, namespace: "mock" }, (args) => ({ contents: `export ${STAND_IN_NAMES[args.path]} from "./mocks.mjs";`, resolveDir: dir, loader: "js" }));
      build.onResolve({ filter: /^\.\/mocks\.mjs$/ }, () => ({ path: "./mocks.mjs", external: true }));
    },
  };
  const urls = new Map<string, string>();
  for (const [i, entry] of entries.entries()) {
    const bundle = await esbuild.build({ ...common, entryPoints: [path.join(ROOT, entry)], plugins: [standIns] });
    const file = path.join(dir, `entry-${i}.mjs`);
    fs.writeFileSync(file, bundle.outputFiles![0].text);
    urls.set(entry, pathToFileURL(file).href);
  }
  let runs = 0;
  const onBenchTime = <T>(make: () => T): T => {
    const real = Date.now;
    Date.now = () => Math.floor(mocks.bench.micros / 1000);
    try {
      return make();
    } finally {
      Date.now = real;
    }
  };
  return {
    mocks,
    urls,
    onBenchTime,
    boot: (entry: string) => onBenchTime(() => import(`${urls.get(entry)}?boot=${++runs}`)),
    made: (kind: string) => mocks.bench.made.filter((m: any) => m.kind === kind).map((m: any) => m.options),
    reset(): void {
      mocks.resetBench();
      const s = mocks.scope();
      s.config = {};
      s.preferences.clear();
      s.spi.length = 0;
      s.native.length = 0;
      s.interrupts.length = 0;
      s.timers.length = 0;
      s.analog.clear();
      s.tlsBuild = undefined;
      mocks.resetNetwork();
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
