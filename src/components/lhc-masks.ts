/**
 * The masks a trained LHC net learned (from the curves file's `lhcMasks`): a per-layer table of weight and
 * FLOP density, and a layer's shape histogram — kernels per number of kept taps as bars, then its most
 * frequent distinct k×k shapes drawn with their counts. Data attributes carry the numbers for tests.
 */
import * as Plot from "@observablehq/plot";
import type { LhcMaskLayer } from "../lib/io/curves-schema.js";
import { shapeFromCode, type TrainedLhc } from "../lib/views/lhc-masks.js";
import { shapeSvg } from "./shape-grid.js";

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

/** One row per LHC layer and a total: kernel, channels, tile size, kept weights, densities, distinct shapes. */
export function LhcDensityTable(net: TrainedLhc): HTMLElement {
  const table = document.createElement("table");
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
  return table;
}

/** Kernels per number of kept taps (bars), then the most frequent distinct shapes with their counts. */
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
  box.append(
    Plot.plot({
      width: Math.max(320, width), // a page's `width` is 0 before layout; Plot would draw negative bars
      height: 220,
      marginLeft: 60,
      title: `${layer.name}: ${h.kernels.toLocaleString("en-US")} kernels (${layer.inChannels} × ${layer.outChannels}) by number of kept taps of ${k * k}`,
      x: { label: "kept taps per kernel", type: "band", domain: bars.map((b) => b.taps) },
      y: { label: "kernels", grid: true },
      marks: [
        Plot.barY(bars, {
          x: "taps",
          y: "count",
          fill: "#4e79a7",
          tip: true,
          title: (b: { taps: number; count: number }) =>
            `${b.count} kernels keep ${b.taps} tap${b.taps === 1 ? "" : "s"}`,
        }),
        Plot.ruleY([0]),
      ],
    }) as HTMLElement,
  );
  const heading = document.createElement("p");
  heading.style.fontWeight = "bold";
  heading.textContent = `${h.distinct} distinct ${k}×${k} shapes; the ${h.top.length} most frequent:`;
  const list = document.createElement("div");
  list.setAttribute("role", "list");
  list.style.cssText = "display:flex;flex-wrap:wrap;gap:8px;margin:0.5em 0";
  const most = Math.max(1, ...h.top.map((t) => t.count));
  for (const t of h.top) {
    const item = document.createElement("figure");
    item.setAttribute("role", "listitem");
    item.dataset.code = String(t.code);
    item.dataset.count = String(t.count);
    item.style.cssText = "margin:0;padding:4px;width:74px;text-align:center";
    item.append(shapeSvg(shapeFromCode(t.code, k), k > 3 ? 10 : 14));
    const bar = document.createElement("div");
    bar.style.cssText = `height:5px;background:#f28e2b;width:${Math.max(2, Math.round((64 * t.count) / most))}px;margin:2px auto`;
    const caption = document.createElement("figcaption");
    caption.style.cssText = "font-size:11px;line-height:1.2";
    caption.textContent = `${t.count} kernel${t.count === 1 ? "" : "s"}, ${t.taps} tap${t.taps === 1 ? "" : "s"}`;
    item.append(bar, caption);
    list.append(item);
  }
  box.append(heading, list);
  if (h.otherKernels > 0) {
    const rest = document.createElement("p");
    rest.textContent = `The other ${h.distinct - h.top.length} shapes cover ${h.otherKernels.toLocaleString("en-US")} kernels between them.`;
    box.append(rest);
  }
  return box;
}
