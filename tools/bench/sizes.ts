// Code and data size figures for the bench (Node only: they bundle with esbuild).
import type { SizeFigure } from "./workload";
import { minifiedSize } from "../xs/bundle";
import { exiSizeFigures } from "./exi";
import { cryptoSizeFigures } from "./crypto";

export const SIZE_FIGURES: readonly (() => Promise<SizeFigure>)[] = [
  async () => ({ name: "modules/common", bytes: await minifiedSize("modules/common/index.ts") }),
  ...exiSizeFigures(minifiedSize),
  ...cryptoSizeFigures(minifiedSize),
];
