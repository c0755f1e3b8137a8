// Code and data size figures for the bench (Node only: they bundle with esbuild).
import * as fs from "node:fs";
import * as path from "node:path";
import type { SizeFigure } from "./workload";
import { minifiedModulesSize, minifiedSize } from "../xs/bundle";
import { exiSizeFigures } from "./exi";
import { cryptoSizeFigures } from "./crypto";
import { xsBytecodeSizes } from "./xs-bytecode";
import { roleImageSizeFigures } from "./role-images";

/** Every folder of modules/ with an index.ts, bundled together and minified (issue 15: ≤ 300 KB). */
async function allModulesMinified(): Promise<number> {
  const folders = fs.readdirSync("modules").filter((d) => fs.existsSync(path.join("modules", d, "index.ts")));
  return minifiedModulesSize(folders.map((d) => path.join("modules", d, "index.ts")));
}

/** The XS byte code xsc makes of modules/ (tools/bench/xs-bytecode.ts), where the SDK is at hand. */
function bytecodeFigures(): (() => Promise<SizeFigure>)[] {
  let sizes: Map<string, number> | undefined | null = null;
  const read = (): Map<string, number> | undefined => (sizes === null ? (sizes = xsBytecodeSizes()) : sizes);
  const figure = (name: string, bytes: (s: Map<string, number>) => number) => async (): Promise<SizeFigure> => {
    const s = read();
    return s ? { name, bytes: bytes(s), note: "xsc, release, per file before xsl" } : { name, bytes: 0, note: "skipped: no xsc ($MODDABLE)" };
  };
  return [figure("modules/exi XS byte code", (s) => s.get("exi") ?? 0), figure("modules/ XS byte code (all)", (s) => [...s.values()].reduce((a, b) => a + b, 0))];
}

export const SIZE_FIGURES: readonly (() => Promise<SizeFigure>)[] = [
  async () => ({ name: "modules/common", bytes: await minifiedSize("modules/common/index.ts") }),
  ...exiSizeFigures(minifiedSize),
  ...cryptoSizeFigures(minifiedSize),
  async () => ({ name: "modules/ (all folders, one bundle)", bytes: await allModulesMinified() }),
  ...bytecodeFigures(),
  // the firmware images: both roles (manifest.json) and each role alone (hosts/esp32/charger, vehicle)
  ...roleImageSizeFigures(),
];
