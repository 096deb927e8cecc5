/**
 * A partition learned by grid tuning, drawn against the uniform grid it started from: two rows of ticks
 * on [−1, 1] (uniform below, learned above) with a thin link from each uniform point to where training
 * moved it. The figure's data attributes hold the group, size, seed and the points themselves for tests;
 * a small table compares a rule's error on the learned partition with the uniform one at every size.
 */
import * as Plot from "@observablehq/plot";
import {
  partitionDeparture,
  type LearnedPartition,
  type LearnedVersusUniformRow,
} from "../lib/views/learned-partitions.js";
import { figureFrame } from "./style/figure.js";

export function LearnedPartitionStrip(
  p: LearnedPartition,
  options: { width?: number; height?: number } = {},
): HTMLElement {
  const { width = 720, height = 150 } = options;
  const n = p.points.length;
  const rows = Array.from(p.points, (x, i) => ({ i, x, u: -1 + (2 * i) / (n - 1) }));
  const d = partitionDeparture(p.points);
  const learnedRow = `learned (seed ${p.seed})`;
  const title = `Group ${p.group}, ${n} of ${p.fullSize} channels: grid-tuned points versus the uniform grid (largest move ${d.maxShift.toFixed(4)}, ${((100 * d.maxShift) / d.uniformGap).toFixed(1)}% of a uniform gap)`;
  const plot = Plot.plot({
    width,
    height,
    marginLeft: 110,
    x: { label: "channel coordinate x", domain: [-1.02, 1.02] },
    y: { label: null, domain: [learnedRow, "uniform"] },
    marks: [
      Plot.link(rows, {
        x1: "u",
        y1: () => "uniform",
        x2: "x",
        y2: () => learnedRow,
        stroke: "currentColor",
        strokeOpacity: 0.3,
      }),
      Plot.tickX(rows, { x: "u", y: () => "uniform", stroke: "#7f7f7f", strokeWidth: 1.5 }),
      Plot.tickX(rows, { x: "x", y: () => learnedRow, stroke: "#d95f02", strokeWidth: 2 }),
      Plot.dot(rows, {
        x: "x",
        y: () => learnedRow,
        r: 6,
        fill: "transparent",
        tip: true,
        title: (r: { i: number; x: number; u: number }) =>
          `x${r.i} = ${r.x.toFixed(5)} (uniform ${r.u.toFixed(5)}, moved ${(r.x - r.u >= 0 ? "+" : "") + (r.x - r.u).toFixed(5)})`,
      }),
    ],
  }) as HTMLElement;
  const figure = figureFrame(plot, {
    title,
    description: `The ${n} partition points grid tuning learned for group ${p.group} (above) and the uniform grid they started from (below), each linked to where it moved.`,
    download: `learned-partition-${p.group}-${n}`,
    testid: "learned-partition",
  });
  figure.dataset.group = p.group;
  figure.dataset.size = String(n);
  figure.dataset.seed = String(p.seed);
  figure.dataset.fraction = String(p.fraction);
  figure.dataset.maxShift = String(d.maxShift);
  figure.dataset.points = Array.from(p.points, (x) => x.toPrecision(8)).join(",");
  return figure;
}

/** The rule's error on each learned partition of a group and on the uniform partition of the same size. */
export function LearnedVersusUniformTable(
  rows: readonly LearnedVersusUniformRow[],
  rule: string,
  group: string,
): HTMLElement {
  const table = document.createElement("table");
  table.dataset.testid = "learned-vs-uniform";
  const caption = document.createElement("caption");
  caption.textContent = `${rule} rule on f: absolute error on ${group}'s learned partition and on the uniform partition with as many points`;
  table.append(caption);
  table.createTHead().innerHTML =
    "<tr><th>points n</th><th>learned partition</th><th>uniform partition</th><th>learned ÷ uniform</th></tr>";
  const body = table.createTBody();
  const fmt = (e: number) => (e === 0 ? "0" : e.toExponential(3));
  for (const r of rows) {
    const tr = body.insertRow();
    tr.dataset.n = String(r.n);
    tr.dataset.learned = String(r.learnedError);
    tr.dataset.uniform = String(r.uniformError);
    for (const text of [
      String(r.n),
      fmt(r.learnedError),
      fmt(r.uniformError),
      r.uniformError > 0 ? (r.learnedError / r.uniformError).toFixed(2) : "—",
    ])
      tr.insertCell().textContent = text;
  }
  return table;
}
