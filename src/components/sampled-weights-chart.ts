/**
 * The discrete layer a weight function becomes at size m: bars W_d[i] = W(x_i) · q_i · V (trapezoid q on
 * the uniform partition, V = (N − 1)/2 so the full-size layer reproduces its nodes), next to the raw
 * samples W(x_i). Shows why a coarser sampling scales weights up: each sample stands for a wider slice
 * of the integral.
 */
import * as Plot from "@observablehq/plot";
import { figureFrame } from "./style/figure.js";
import { trapezoidWeights } from "../lib/math/quadrature.js";

export interface SampledWeightsChartOptions {
  /** Node count N of the function (sets V = (N − 1)/2). */
  nodes: number;
  width?: number;
  height?: number;
}

export function SampledWeightsChart(
  samples: readonly { x: number; w: number }[],
  options: SampledWeightsChartOptions,
): HTMLElement {
  const { width = 720, height = 240 } = options;
  const q = trapezoidWeights(samples.map((s) => s.x));
  const v = (options.nodes - 1) / 2;
  const rows = samples.map((s, i) => ({ i, sample: s.w, layer: s.w * q[i] * v }));
  const plot = Plot.plot({
    width: Math.max(320, width), // a page's `width` is 0 before layout; Plot would draw negative bars
    height,
    marginLeft: 50,
    x: {
      label: "channel index i",
      type: "band",
      tickFormat: (d: number) => (samples.length > 24 && d % 4 ? "" : String(d)),
    },
    y: { label: "weight", grid: true },
    color: { legend: true, domain: ["layer weight W(xᵢ)·qᵢ·V", "sample W(xᵢ)"], range: ["#7048e8", "#2b8a3e"] },
    marks: [
      Plot.barY(rows, {
        x: "i",
        y: "layer",
        fill: () => "layer weight W(xᵢ)·qᵢ·V",
        insetLeft: 1,
        insetRight: 1,
        tip: true,
      }),
      Plot.dot(rows, { x: "i", y: "sample", fill: () => "sample W(xᵢ)", r: 3.5, symbol: "diamond" }),
      Plot.ruleY([0]),
    ],
  }) as HTMLElement;
  const figure = figureFrame(plot, {
    title: `The discrete weights at m = ${samples.length}: bars W(xᵢ)·qᵢ·V (trapezoid qᵢ, V = ${v}), dots the samples W(xᵢ)`,
    description: `Bar chart of the ${samples.length} weights a layer of ${samples.length} channels uses, each sample times its trapezoid weight and the scale V, next to the raw samples.`,
    download: `discrete-weights-m${samples.length}`,
    testid: "sampled-weights",
  });
  figure.dataset.layerWeights = samples.map((s, i) => (s.w * q[i] * v).toFixed(6)).join(",");
  return figure;
}
