/**
 * One net's weight function along a hidden axis (views/mlp-weight-function.ts): for a few output channels
 * the interpolated function W(x_o, x) (line), its nodes (small dots) and its samples at the current width
 * (rings), and underneath the quadrature factors q_i·V of the current partition (bars) — the numbers that
 * turn the samples into the discrete layer's weights.
 */
import * as d3 from "d3";
import type { WeightFunctionView } from "../../lib/views/mlp-weight-function.js";
import { CLASS_COLORS } from "./colors.js";

const SVG = "http://www.w3.org/2000/svg";
const ROW_GREYS = ["#6a51a3", "#807dba", "#9e9ac8"];

function node<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number>,
  parent: Element,
): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attributes)) e.setAttribute(k, String(v));
  parent.append(e);
  return e;
}

export class WeightFunctionPanel {
  readonly element: SVGSVGElement;
  private readonly layers: { curves: SVGGElement; nodes: SVGGElement; samples: SVGGElement; bars: SVGGElement };
  private readonly yAxis: SVGGElement;
  private readonly qAxis: SVGGElement;
  private readonly x: d3.ScaleLinear<number, number>;
  private readonly width = 320;
  private readonly top = { y0: 8, y1: 112 };
  private readonly bottom = { y0: 124, y1: 164 };
  private readonly left = 40;

  constructor(testid: string, label: string) {
    const height = 186;
    this.element = document.createElementNS(SVG, "svg");
    this.element.setAttribute("viewBox", `0 0 ${this.width} ${height}`);
    this.element.setAttribute("role", "img");
    this.element.setAttribute("aria-label", label);
    this.element.classList.add("pg-chart");
    this.element.dataset.testid = testid;
    this.x = d3.scaleLinear([-1, 1], [this.left, this.width - 8]);
    const xAxis = node("g", { class: "pg-axis", transform: `translate(0,${this.bottom.y1})` }, this.element);
    d3.select(xAxis).call(d3.axisBottom(this.x).ticks(5).tickSizeOuter(0));
    node("text", { class: "pg-axis-label", x: (this.left + this.width) / 2, y: height - 2 }, this.element).textContent =
      "channel coordinate x";
    this.yAxis = node("g", { class: "pg-axis", transform: `translate(${this.left},0)` }, this.element);
    this.qAxis = node("g", { class: "pg-axis", transform: `translate(${this.left},0)` }, this.element);
    node("text", { class: "pg-axis-label pg-axis-label-y", x: 2, y: this.top.y0 + 6 }, this.element).textContent = "W";
    node("text", { class: "pg-axis-label pg-axis-label-y", x: 2, y: this.bottom.y0 + 6 }, this.element).textContent =
      "q·V";
    node(
      "line",
      {
        class: "pg-zero",
        x1: this.left,
        x2: this.width - 8,
        y1: (this.top.y0 + this.top.y1) / 2,
        y2: (this.top.y0 + this.top.y1) / 2,
      },
      this.element,
    );
    this.layers = {
      bars: node("g", {}, this.element),
      curves: node("g", {}, this.element),
      nodes: node("g", {}, this.element),
      samples: node("g", {}, this.element),
    };
  }

  update(view: WeightFunctionView): void {
    const extent = Math.max(1e-6, ...view.rows.flatMap((r) => [...r.curve, ...r.nodes].map(Math.abs)));
    const y = d3.scaleLinear([-extent, extent], [this.top.y1, this.top.y0]).nice(4);
    const qMax = Math.max(1e-6, ...view.quadrature);
    const q = d3.scaleLinear([0, qMax], [this.bottom.y1, this.bottom.y0]).nice(2);
    d3.select(this.yAxis).call(d3.axisLeft(y).ticks(3).tickSizeOuter(0));
    d3.select(this.qAxis).call(d3.axisLeft(q).ticks(2).tickSizeOuter(0));
    const color = (k: number) => (view.outputLayer ? (CLASS_COLORS[view.rows[k].output] ?? "gray") : ROW_GREYS[k % 3]);
    const fmt = (v: number) => v.toFixed(1);
    this.layers.curves.replaceChildren();
    this.layers.nodes.replaceChildren();
    this.layers.samples.replaceChildren();
    view.rows.forEach((row, k) => {
      node(
        "path",
        {
          fill: "none",
          stroke: color(k),
          "stroke-width": 1.5,
          d: Array.from(row.curve, (v, i) => `${i ? "L" : "M"}${fmt(this.x(view.curveX[i]))},${fmt(y(v))}`).join(""),
        },
        this.layers.curves,
      );
      row.nodes.forEach((v, j) =>
        node("circle", { cx: fmt(this.x(view.nodeX[j])), cy: fmt(y(v)), r: 1.6, fill: color(k) }, this.layers.nodes),
      );
      row.samples.forEach((v, i) =>
        node(
          "circle",
          {
            cx: fmt(this.x(view.points[i])),
            cy: fmt(y(v)),
            r: 3.2,
            fill: "none",
            stroke: color(k),
            "stroke-width": 1.4,
          },
          this.layers.samples,
        ),
      );
    });
    // Bars at the partition points, as wide as a fifth of the spacing (at least 1.5 px).
    const barWidth = Math.max(1.5, (this.x(1) - this.x(-1)) / Math.max(1, view.points.length - 1) / 5);
    this.layers.bars.replaceChildren(
      ...Array.from(view.quadrature, (v, i) => {
        const bar = document.createElementNS(SVG, "rect");
        bar.setAttribute("class", "pg-quad-bar");
        bar.setAttribute("x", fmt(this.x(view.points[i]) - barWidth / 2));
        bar.setAttribute("width", fmt(barWidth));
        bar.setAttribute("y", fmt(q(Math.max(0, v))));
        bar.setAttribute("height", fmt(Math.max(0, q(0) - q(Math.max(0, v)))));
        return bar;
      }),
    );
    this.element.dataset.points = String(view.points.length);
    this.element.dataset.quadrature = Array.from(view.quadrature, (v) => v.toFixed(4)).join(",");
  }
}
