/**
 * The masks a trained LHC net learned (from the curves file's `lhcMasks`): a per-layer table of weight and
 * FLOP density, and a layer's shape statistics — kernels per number of kept taps as bars, and how often each
 * tap position is kept as a k×k heat map. Data attributes carry the numbers for tests.
 */
import * as d3 from "d3";
import * as Plot from "@observablehq/plot";
import type { LhcMaskLayer } from "../lib/io/curves-schema.js";
import { tapFrequency, type TrainedLhc } from "../lib/views/lhc-masks.js";
import { figureFrame } from "./style/figure.js";

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

/** One row per LHC layer and a total: kernel, channels, tile size, kept weights, densities, distinct shapes. */
export function LhcDensityTable(net: TrainedLhc): HTMLElement {
  const box = document.createElement("div");
  box.className = "il-scroll-x";
  const table = document.createElement("table");
  table.className = "il-table";
  box.append(table);
  table.dataset.testid = "lhc-density-table";
  table.dataset.weightDensity = String(net.masks.weightDensity);
  table.dataset.flopDensity = String(net.masks.flopDensity);
  const caption = document.createElement("caption");
  caption.textContent = `${net.method} (seed ${net.seed}): kept weights and arithmetic per layer`;
  table.append(caption);
  table.createTHead().innerHTML =
    "<tr><th>layer</th><th>kernel</th><th>channels in → out</th><th>tile (cgi × cgo)</th><th>kept / all weights</th><th>weight density</th><th>FLOP density</th><th>distinct shapes</th></tr>";
  const body = table.createTBody();
  for (const l of net.masks.layers) {
    const tr = body.insertRow();
    tr.dataset.layer = l.name;
    tr.dataset.weightDensity = String(l.weightDensity);
    tr.dataset.kept = String(l.keptWeights);
    for (const text of [
      l.name,
      `${l.kernelSize}×${l.kernelSize}`,
      `${l.inChannels} → ${l.outChannels}`,
      `${l.cgi} × ${l.cgo}`,
      `${l.keptWeights.toLocaleString("en-US")} / ${l.totalWeights.toLocaleString("en-US")}`,
      pct(l.weightDensity),
      pct(l.flopDensity),
      String(l.shapeHistogram.distinct),
    ]) {
      tr.insertCell().textContent = text;
    }
  }
  const kept = net.masks.layers.reduce((a, l) => a + l.keptWeights, 0);
  const total = net.masks.layers.reduce((a, l) => a + l.totalWeights, 0);
  const foot = table.createTFoot().insertRow();
  for (const text of [
    "all LHC layers",
    "",
    "",
    "",
    `${kept.toLocaleString("en-US")} / ${total.toLocaleString("en-US")}`,
    pct(net.masks.weightDensity),
    pct(net.masks.flopDensity),
    "",
  ]) {
    const cell = foot.insertCell();
    cell.textContent = text;
    cell.style.fontWeight = "bold";
  }
  return box;
}

/** A k×k grid of how often each tap is kept (share of the layer's kernels), the share printed in each cell. */
export function TapFrequencyMap(
  frequency: ArrayLike<number>,
  k: number,
  options: { cell?: number } = {},
): SVGSVGElement {
  const cell = options.cell ?? (k > 3 ? 44 : 56);
  const size = k * cell;
  const svg = d3
    .create("svg")
    .attr("width", size + 2)
    .attr("height", size + 2)
    .attr("viewBox", `-1 -1 ${size + 2} ${size + 2}`)
    .attr("role", "img")
    .attr(
      "aria-label",
      `How often each of the ${k}×${k} taps is kept, row by row: ${Array.from(frequency, (f) => `${Math.round(100 * f)}%`).join(", ")}`,
    );
  const colour = d3.scaleSequential(d3.interpolateBlues).domain([0, Math.max(1e-9, ...Array.from(frequency))]);
  for (let t = 0; t < k * k; t++) {
    const [r, c] = [Math.floor(t / k), t % k];
    const f = frequency[t] as number;
    const g = svg
      .append("g")
      .attr("transform", `translate(${c * cell},${r * cell})`)
      .attr("data-tap", t)
      .attr("data-share", f);
    g.append("rect")
      .attr("width", cell - 2)
      .attr("height", cell - 2)
      .attr("rx", 4)
      .attr("fill", colour(f));
    g.append("text")
      .attr("x", (cell - 2) / 2)
      .attr("y", (cell - 2) / 2 + 4)
      .attr("text-anchor", "middle")
      .attr("font-size", 12)
      .attr("fill", d3.lab(colour(f)).l > 55 ? "#1b1e23" : "#ffffff")
      .text(`${Math.round(100 * f)}%`);
  }
  return svg.node()!;
}

/** Kernels per number of kept taps (bars), next to how often each tap position is kept (a k×k heat map). */
export function LhcShapeHistogram(layer: LhcMaskLayer, options: { width?: number } = {}): HTMLElement {
  const { width = 720 } = options;
  const h = layer.shapeHistogram;
  const k = layer.kernelSize;
  const box = document.createElement("div");
  box.dataset.testid = "lhc-shape-histogram";
  box.dataset.layer = layer.name;
  box.dataset.kernels = String(h.kernels);
  box.dataset.distinct = String(h.distinct);
  box.dataset.tapCounts = h.tapCounts.join(",");
  const bars = h.tapCounts.map((count, taps) => ({ taps, count }));
  const frequency = tapFrequency(layer);
  box.dataset.tapFrequency = Array.from(frequency, (f) => f.toFixed(6)).join(",");
  const mapWidth = k * (k > 3 ? 44 : 56) + 24;
  const side = width >= 560;
  const barWidth = Math.max(280, side ? width - mapWidth - 24 : width);
  const chart = Plot.plot({
    width: barWidth,
    height: 220,
    marginLeft: 56,
    style: { fontFamily: "var(--sans-serif)" },
    x: { label: "kept taps per kernel", type: "band", domain: bars.map((b) => b.taps) },
    y: { label: "kernels", grid: true },
    marks: [
      Plot.barY(bars, {
        x: "taps",
        y: "count",
        fill: "#2f6fdf",
        tip: true,
        title: (b: { taps: number; count: number }) =>
          `${b.count} kernels keep ${b.taps} tap${b.taps === 1 ? "" : "s"}`,
      }),
      Plot.ruleY([0]),
    ],
  }) as unknown as SVGSVGElement;
  const row = document.createElement("div");
  row.style.cssText = "display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start";
  row.append(
    figureFrame(chart, {
      title: `${layer.name}: ${h.kernels.toLocaleString("en-US")} kernels (${layer.inChannels} × ${layer.outChannels}) by number of kept taps of ${k * k}`,
      description: `Bar chart: how many of the layer's kernels keep 0, 1, … ${k * k} taps. ${h.distinct} distinct shapes occur.`,
      download: `lhc-${layer.name}-tap-counts`,
    }),
    figureFrame(TapFrequencyMap(frequency, k), {
      title: "How often each tap is kept",
      description: `The share of the layer's kernels that keep each of the ${k}×${k} tap positions.`,
      download: `lhc-${layer.name}-tap-frequency`,
    }),
  );
  box.append(row);
  const distinct = document.createElement("p");
  distinct.textContent = `${h.distinct.toLocaleString("en-US")} distinct ${k}×${k} shapes among ${h.kernels.toLocaleString("en-US")} kernels; the most frequent one covers ${h.top[0] ? h.top[0].count.toLocaleString("en-US") : 0} kernels (${h.top[0] ? `${h.top[0].taps} tap${h.top[0].taps === 1 ? "" : "s"}` : "none"}).`;
  box.append(distinct);
  return box;
}
