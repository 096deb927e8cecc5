/**
 * Accuracy versus compression from the sweep's curves (rows from src/lib/views/curves.ts): one line per
 * method with its seed spread as a band (mean ± one standard deviation over seeds and draws), separately
 * trained nets as single points with error bars, and each integral net's trained size range shaded in its
 * colour. Compression of parameters or of FLOPs, against the family's full discrete net. Hover for details.
 */
import * as Plot from "@observablehq/plot";
import type { CurveRow } from "../lib/views/curves.js";

export interface CurvesChartOptions {
  axis?: "params" | "flops";
  /** Trained compression interval per method label. */
  ranges?: { label: string; lo: number; hi: number }[];
  /** Chart width in pixels; values below MIN_WIDTH (e.g. a page's `width` of 0 before layout) use MIN_WIDTH. */
  width?: number;
  height?: number;
  title?: string;
}

/** Narrower than this, the plot area (width less the margins) would be empty or negative. */
const MIN_WIDTH = 320;

export function CurvesChart(rows: readonly CurveRow[], options: CurvesChartOptions = {}): HTMLElement {
  const axis = options.axis ?? "params";
  const x = (r: CurveRow) => 100 * (axis === "params" ? r.paramsCompression : r.flopsCompression);
  const curves = rows.filter((r) => r.kind !== "trained");
  const points = rows.filter((r) => r.kind === "trained");
  const tip = (r: CurveRow) =>
    `${r.label}\n${r.family}, ${Math.round(r.fraction * 100)}% channels\naccuracy ${(100 * r.accuracyMean).toFixed(2)}% ± ${(100 * r.accuracyStd).toFixed(2)} (n = ${r.evaluations}; min ${(100 * r.accuracyMin).toFixed(2)}, max ${(100 * r.accuracyMax).toFixed(2)})\nparams ${r.params.toLocaleString("en-US")} (−${(100 * r.paramsCompression).toFixed(1)}%)\nFLOPs ${r.flops.toLocaleString("en-US")} (−${(100 * r.flopsCompression).toFixed(1)}%)`;
  const chart = Plot.plot({
    title: options.title ?? `Test accuracy versus ${axis === "params" ? "parameter" : "FLOP"} compression`,
    width: Math.max(MIN_WIDTH, options.width ?? 760),
    height: options.height ?? 420,
    marginRight: 20,
    grid: true,
    x: { label: `${axis === "params" ? "Parameter" : "FLOP"} compression 1 − after/full (%) →`, domain: [0, 100] },
    y: { label: "↑ Test accuracy (%)" },
    color: { legend: true, type: "categorical", scheme: "tableau10" },
    marks: [
      Plot.rectX(options.ranges ?? [], {
        x1: (d: { lo: number }) => 100 * d.lo,
        x2: (d: { hi: number }) => 100 * d.hi,
        fill: "label",
        fillOpacity: 0.07,
      }),
      Plot.areaY(curves, {
        x,
        y1: (r: CurveRow) => 100 * (r.accuracyMean - r.accuracyStd),
        y2: (r: CurveRow) => 100 * (r.accuracyMean + r.accuracyStd),
        z: (r: CurveRow) => `${r.family}/${r.method}`,
        fill: "label",
        fillOpacity: 0.18,
        sort: { channel: "x" },
      }),
      Plot.line(curves, {
        x,
        y: (r: CurveRow) => 100 * r.accuracyMean,
        z: (r: CurveRow) => `${r.family}/${r.method}`,
        stroke: "label",
        strokeWidth: 2,
        sort: { channel: "x" },
      }),
      Plot.dot(curves, { x, y: (r: CurveRow) => 100 * r.accuracyMean, fill: "label", r: 3, title: tip, tip: true }),
      Plot.ruleX(points, {
        x,
        y1: (r: CurveRow) => 100 * (r.accuracyMean - r.accuracyStd),
        y2: (r: CurveRow) => 100 * (r.accuracyMean + r.accuracyStd),
        stroke: "label",
      }),
      Plot.dot(points, {
        x,
        y: (r: CurveRow) => 100 * r.accuracyMean,
        stroke: "label",
        fill: "label",
        symbol: "diamond",
        r: 6,
        title: tip,
        tip: true,
      }),
    ],
  });
  const wrapper = document.createElement("figure");
  wrapper.style.margin = "0";
  wrapper.dataset.testid = "curves-chart";
  wrapper.dataset.axis = axis;
  wrapper.dataset.points = String(rows.length);
  wrapper.dataset.methods = [...new Set(rows.map((r) => r.method))].join(",");
  wrapper.dataset.xs = rows.map((r) => x(r).toFixed(3)).join(",");
  wrapper.append(chart);
  return wrapper;
}
