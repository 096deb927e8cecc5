/**
 * The weights q_i of a quadrature rule as stems at their points x_i: the uniform trapezoid's flat row with
 * half-weight ends, Simpson's 1-4-2-4-…-1 zig-zag, Gauss–Legendre's bell with nodes crowding the ends.
 * The weights are listed on the figure (data-weights) for tests and for copying.
 */
import * as Plot from "@observablehq/plot";
import { figureFrame } from "./style/figure.js";

export function QuadratureWeightsChart(
  points: ArrayLike<number>,
  weights: ArrayLike<number>,
  options: { width?: number; height?: number; title?: string } = {},
): HTMLElement {
  const { width = 720, height = 200 } = options;
  const rows = Array.from(points, (x, i) => ({ i, x, q: weights[i] }));
  const total = rows.reduce((s, r) => s + r.q, 0);
  const plot = Plot.plot({
    width,
    height,
    marginLeft: 50,
    x: { label: "point xᵢ", domain: [-1.02, 1.02] },
    y: { label: "weight qᵢ", grid: true, domain: [0, Math.max(1e-9, ...rows.map((r) => r.q)) * 1.1] },
    marks: [
      Plot.ruleX(rows, { x: "x", y1: 0, y2: "q", stroke: "#7048e8", strokeWidth: 2 }),
      Plot.dot(rows, {
        x: "x",
        y: "q",
        fill: "#7048e8",
        r: 3.5,
        tip: true,
        title: (d: { i: number; x: number; q: number }) => `q${d.i} = ${d.q.toFixed(5)} at x = ${d.x.toFixed(4)}`,
      }),
      Plot.ruleY([0]),
    ],
  }) as unknown as SVGSVGElement;
  const figure = figureFrame(plot, {
    title: options.title ?? `Quadrature weights qᵢ at their points (Σ qᵢ = ${total.toFixed(6)})`,
    description: `The ${rows.length} quadrature weights as stems at their points on [−1, 1].`,
    testid: "quadrature-weights",
  });
  figure.dataset.weights = rows.map((r) => r.q.toPrecision(8)).join(",");
  return figure;
}
