// @node-only — `xs15118 sim --plot`: the SVG plots (hosts/sim/plot) and the CLI option.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { renderSessionSvg } from "../../hosts/sim/plot/session-svg";
import { main } from "../../hosts/sim/cli";
import { bufferIo } from "../support/cli-io";

/** The points of the polyline of one panel ("Voltage", "Power", …) or its limit line. */
function points(svg: string, series: string, kind: "series" | "limit" = "series"): [number, number][] {
  const panel = svg.split(`data-series="${series}"`)[1].split("</g>")[0];
  const m = new RegExp(`class="${kind}" points="([^"]*)"`).exec(panel);
  assert.ok(m, `${series} ${kind} line`);
  return m[1].split(" ").map((p) => p.split(",").map(Number) as [number, number]);
}

describe("session plots as SVG", () => {
  const samples = [
    { t: 10, voltage: 400, current: 100, soc: 50 },
    { t: 20, voltage: 400, current: 50, soc: 55 },
    { t: 30, voltage: 400, current: -25, soc: 54 },
  ];

  test("time runs left to right; power is V × I and drawn below zero while discharging; the limit is a step line", () => {
    const svg = renderSessionSvg({ title: "t <&>", samples, powerLimit: [{ t: 0, watts: 50_000 }, { t: 20, watts: 20_000 }], events: [{ t: 15, label: "PowerDelivery Start" }] });
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(svg, /t &lt;&amp;&gt;/);
    const power = points(svg, "Power");
    assert.equal(power.length, 3);
    assert.ok(power[0][0] < power[1][0] && power[1][0] < power[2][0]);
    // SVG y grows downwards: 40 kW highest, -10 kW lowest, below the zero line.
    assert.ok(power[0][1] < power[1][1] && power[1][1] < power[2][1]);
    const zero = /<line x1="\d+" x2="\d+" y1="([\d.]+)" y2="[\d.]+" stroke="#888"\/>/.exec(svg.split('data-series="Power"')[1])!;
    assert.ok(power[2][1] > Number(zero[1]), "discharge below 0 kW");
    const limit = points(svg, "Power", "limit");
    assert.deepEqual(limit.map((p) => p[1]).filter((y, i, a) => a.indexOf(y) === i).length, 2, "two levels");
    assert.ok(limit[0][1] < power[0][1], "50 kW above the 40 kW drawn");
    assert.match(svg, /PowerDelivery Start<\/text>/);
    assert.equal(points(svg, "SoC").length, 3);
  });

  test("no samples: a page that says so, not an exception", () => {
    assert.match(renderSessionSvg({ title: "x", samples: [] }), /no samples/);
  });

  test("xs15118 sim --plot FILE.svg writes the plots of the whole session; an unwritable path exits 3 before the run", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xs15118-plot-"));
    try {
      const file = path.join(dir, "session.svg");
      const io = bufferIo();
      assert.equal(await main(["sim", "--quiet", "--target-soc", "68", "--plot", file], io), 0, io.stderr.join("\n"));
      const svg = fs.readFileSync(file, "utf8");
      assert.ok(points(svg, "Voltage").length > 5);
      assert.ok(points(svg, "Current").every(([, y]) => Number.isFinite(y)));
      assert.match(svg, /ChargeParameterDiscovery/);
      const bad = bufferIo();
      assert.equal(await main(["sim", "--quiet", "--plot", path.join(dir, "missing", "x.svg")], bad), 3);
      assert.match(bad.stderr.join("\n"), /cannot write the plot/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
