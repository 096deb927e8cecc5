/**
 * A quadrature rule drawn under its function: the shapes whose areas the rule adds up. Left/right Riemann
 * sums are rectangles, the trapezoid rule trapezoids, Simpson's rule parabolas over pairs of intervals
 * (a cubic over the last three when the interval count is odd, the 3/8 rule), and Gauss–Legendre slabs of
 * width q_i at height f(x_i) laid side by side — each node "stands for" a q_i-wide piece of [−1, 1].
 * The sum of the shaded areas is exactly the rule's estimate Σ q_i f(x_i).
 */
import * as Plot from "@observablehq/plot";
import { figureFrame } from "./style/figure.js";
import type { QuadratureRule } from "../lib/math/quadrature.js";

export interface QuadraturePlotData {
  rule: QuadratureRule;
  f: (x: number) => number;
  points: ArrayLike<number>;
  weights: ArrayLike<number>;
  /** Plain-text name of f for the title. */
  label: string;
}

export interface QuadraturePlotOptions {
  width?: number;
  height?: number;
}

type Vertex = { x: number; y: number; piece: number };

/** The polynomial through (xs, ys) evaluated at x (Lagrange form; 3 or 4 points here). */
function through(xs: number[], ys: number[], x: number): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) {
    let l = 1;
    for (let j = 0; j < xs.length; j++) if (j !== i) l *= (x - xs[j]) / (xs[i] - xs[j]);
    s += ys[i] * l;
  }
  return s;
}

/** The outline of every shape as (x, y, piece) rows: an areaY per piece. */
export function ruleShapes({ rule, f, points, weights }: QuadraturePlotData): Vertex[] {
  const x = Array.from(points);
  const y = x.map(f);
  const m = x.length;
  const out: Vertex[] = [];
  const box = (piece: number, a: number, b: number, h: number) =>
    out.push({ x: a, y: h, piece }, { x: b, y: h, piece });
  switch (rule) {
    case "left-riemann":
      for (let i = 0; i + 1 < m; i++) box(i, x[i], x[i + 1], y[i]);
      break;
    case "right-riemann":
      for (let i = 1; i < m; i++) box(i, x[i - 1], x[i], y[i]);
      break;
    case "trapezoid":
      for (let i = 0; i + 1 < m; i++) out.push({ x: x[i], y: y[i], piece: i }, { x: x[i + 1], y: y[i + 1], piece: i });
      break;
    case "simpson": {
      const intervals = m - 1;
      const panels: number[][] = [];
      const simpsonIntervals = intervals % 2 === 0 ? intervals : intervals - 3;
      for (let i = 0; i < simpsonIntervals; i += 2) panels.push([i, i + 1, i + 2]);
      if (simpsonIntervals < intervals)
        panels.push([simpsonIntervals, simpsonIntervals + 1, simpsonIntervals + 2, simpsonIntervals + 3]);
      panels.forEach((idx, piece) => {
        const px = idx.map((i) => x[i]);
        const py = idx.map((i) => y[i]);
        const a = px[0],
          b = px[px.length - 1];
        for (let k = 0; k <= 24; k++) {
          const t = a + ((b - a) * k) / 24;
          out.push({ x: t, y: through(px, py, t), piece });
        }
      });
      break;
    }
    case "gauss-legendre": {
      let left = -1;
      for (let i = 0; i < m; i++) {
        box(i, left, left + weights[i], y[i]);
        left += weights[i];
      }
      break;
    }
  }
  return out;
}

export function QuadraturePlot(data: QuadraturePlotData, options: QuadraturePlotOptions = {}): HTMLElement {
  const { width = 720, height = 320 } = options;
  const curve = Array.from({ length: 401 }, (_, i) => {
    const x = -1 + (2 * i) / 400;
    return { x, y: data.f(x) };
  });
  const shapes = ruleShapes(data);
  const nodes = Array.from(data.points, (x, i) => ({ x, y: data.f(x), q: data.weights[i] }));
  const plot = Plot.plot({
    width,
    height,
    marginLeft: 50,
    x: { label: "x", domain: [-1, 1] },
    y: { label: "f(x)", grid: true },
    marks: [
      Plot.area(shapes, {
        x1: "x",
        y1: 0,
        y2: "y",
        z: "piece",
        fill: (d: Vertex) => (d.piece % 2 ? "#ff7f0e" : "#ffbb78"),
        fillOpacity: 0.55,
        stroke: "#d95f02",
        strokeWidth: 0.8,
        curve: "linear",
      }),
      Plot.ruleY([0], { stroke: "#666" }),
      Plot.line(curve, { x: "x", y: "y", stroke: "#1f77b4", strokeWidth: 2.5 }),
      Plot.dot(nodes, {
        x: "x",
        y: "y",
        fill: "#1f77b4",
        stroke: "white",
        r: 4,
        tip: true,
        title: (d: { x: number; y: number; q: number }) =>
          `x = ${d.x.toFixed(4)}\nf(x) = ${d.y.toFixed(4)}\nq = ${d.q.toFixed(4)}`,
      }),
    ],
  }) as unknown as SVGSVGElement;
  const figure = figureFrame(plot, {
    title: `${data.label}: ${data.rule} rule with ${nodes.length} points`,
    description: `The function f on [−1, 1] with the ${nodes.length} points of the ${data.rule} rule; the shaded shapes are what the rule integrates instead of f, and their total area is its estimate.`,
    download: `quadrature-${data.rule}-${nodes.length}`,
    testid: "quadrature-plot",
  });
  figure.dataset.rule = data.rule;
  figure.dataset.points = String(nodes.length);
  figure.dataset.pieces = String(new Set(shapes.map((s) => s.piece)).size);
  // f at the nodes: what the drawing shows of the function (tests compare it across function choices).
  figure.dataset.values = nodes.map((d) => d.y.toPrecision(8)).join(",");
  return figure;
}
