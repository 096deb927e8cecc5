/**
 * The playground's small live charts, SVG drawn once and updated in place (paths and marks change,
 * nothing is rebuilt), so they can follow training at frame rate: test accuracy versus width for both
 * nets, and the loss curves.
 */
import * as d3 from "d3";
import type { NetId, WidthPoint } from "../../lib/live/playground-session.js";
import { NET_COLORS } from "./colors.js";

const SVG = "http://www.w3.org/2000/svg";

function svgElement<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number> = {},
  parent?: Element,
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, String(v));
  parent?.append(node);
  return node;
}

interface Frame {
  svg: SVGSVGElement;
  width: number;
  height: number;
  margin: { top: number; right: number; bottom: number; left: number };
}

function frame(width: number, height: number, testid: string, label: string): Frame {
  const svg = svgElement("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label });
  svg.classList.add("pg-chart");
  svg.dataset.testid = testid;
  return { svg, width, height, margin: { top: 8, right: 10, bottom: 30, left: 36 } };
}

function axes(f: Frame, xLabel: string) {
  const { svg, height, margin } = f;
  const xAxis = svgElement("g", { transform: `translate(0,${height - margin.bottom})`, class: "pg-axis" }, svg);
  const yAxis = svgElement("g", { transform: `translate(${margin.left},0)`, class: "pg-axis" }, svg);
  svgElement(
    "text",
    { x: (margin.left + f.width - margin.right) / 2, y: height - 2, class: "pg-axis-label" },
    svg,
  ).textContent = xLabel;
  return { xAxis, yAxis };
}

/** Test accuracy versus hidden width, for nets A and B, with the slider's width and B's training range. */
export class WidthCurveChart {
  readonly element: SVGSVGElement;
  private readonly x: d3.ScaleLinear<number, number>;
  private readonly y: d3.ScaleLinear<number, number>;
  private readonly paths: Record<NetId, SVGPathElement>;
  private readonly marks: Record<NetId, SVGCircleElement>;
  private readonly rule: SVGLineElement;
  private readonly band: SVGRectElement;

  constructor() {
    const f = frame(320, 176, "pg-width-curve", "Test accuracy versus hidden width for both nets");
    this.element = f.svg;
    const { width, height, margin } = f;
    this.x = d3.scaleLinear([0, 1], [margin.left, width - margin.right]);
    this.y = d3.scaleLinear([0.4, 1], [height - margin.bottom, margin.top]);
    this.band = svgElement(
      "rect",
      { class: "pg-range-band", y: margin.top, height: height - margin.top - margin.bottom },
      f.svg,
    );
    const { xAxis, yAxis } = axes(f, "hidden width (share of full)");
    d3.select(xAxis).call(d3.axisBottom(this.x).ticks(5, "%").tickSizeOuter(0));
    d3.select(yAxis).call(d3.axisLeft(this.y).ticks(4, "%").tickSizeOuter(0));
    svgElement(
      "line",
      { class: "pg-chance", x1: margin.left, x2: width - margin.right, y1: this.y(0.5), y2: this.y(0.5) },
      f.svg,
    );
    this.rule = svgElement("line", { class: "pg-width-rule", y1: margin.top, y2: height - margin.bottom }, f.svg);
    this.paths = {
      a: svgElement("path", { fill: "none", stroke: NET_COLORS.a, "stroke-width": 2, "data-net": "a" }, f.svg),
      b: svgElement("path", { fill: "none", stroke: NET_COLORS.b, "stroke-width": 2, "data-net": "b" }, f.svg),
    };
    this.marks = {
      a: svgElement("circle", { r: 4, fill: NET_COLORS.a, class: "pg-mark" }, f.svg),
      b: svgElement("circle", { r: 4, fill: NET_COLORS.b, class: "pg-mark" }, f.svg),
    };
  }

  /** B's training range as shares of the full width, drawn as a band. */
  setRange(low: number, high: number): void {
    this.band.setAttribute("x", String(this.x(low)));
    this.band.setAttribute("width", String(this.x(high) - this.x(low)));
  }

  update(
    curves: Record<NetId, readonly (WidthPoint | undefined)[]>,
    current: { fraction: number; accuracy: Record<NetId, number> },
  ): void {
    const clampY = (a: number) => this.y(Math.max(0.4, a));
    for (const id of ["a", "b"] as const) {
      const points = curves[id].filter((p): p is WidthPoint => p !== undefined);
      this.paths[id].setAttribute(
        "d",
        points
          .map((p, i) => `${i ? "L" : "M"}${this.x(p.fraction).toFixed(1)},${clampY(p.accuracy).toFixed(1)}`)
          .join(""),
      );
      this.marks[id].setAttribute("cx", String(this.x(current.fraction)));
      this.marks[id].setAttribute("cy", String(clampY(current.accuracy[id])));
    }
    this.rule.setAttribute("x1", String(this.x(current.fraction)));
    this.rule.setAttribute("x2", String(this.x(current.fraction)));
  }
}

/** One logged measurement: test loss of both nets at full width and at the slider's width, after `step` steps. */
export interface LossRecord {
  step: number;
  full: Record<NetId, number>;
  atWidth: Record<NetId, number>;
}

/** Test loss (cross-entropy, log scale) versus step: solid at full width, dashed at the slider's width. */
export class LossChart {
  readonly element: SVGSVGElement;
  private readonly frame: Frame;
  private readonly x: d3.ScaleLinear<number, number>;
  private readonly y: d3.ScaleLogarithmic<number, number>;
  private readonly xAxis: SVGGElement;
  private readonly paths: Record<string, SVGPathElement> = {};

  constructor() {
    this.frame = frame(320, 150, "pg-loss-chart", "Test loss of both nets versus training step");
    this.element = this.frame.svg;
    const { width, height, margin } = this.frame;
    this.x = d3.scaleLinear([0, 100], [margin.left, width - margin.right]);
    this.y = d3.scaleLog([0.01, 10], [height - margin.bottom, margin.top]).clamp(true);
    const { xAxis, yAxis } = axes(this.frame, "training step");
    this.xAxis = xAxis;
    d3.select(yAxis).call(
      d3.axisLeft(this.y).tickValues([0.01, 0.1, 1, 10]).tickFormat(d3.format("~g")).tickSizeOuter(0),
    );
    for (const id of ["a", "b"] as const)
      for (const kind of ["full", "atWidth"] as const)
        this.paths[`${id}-${kind}`] = svgElement(
          "path",
          {
            fill: "none",
            stroke: NET_COLORS[id],
            "stroke-width": kind === "full" ? 1.8 : 1.4,
            "stroke-dasharray": kind === "full" ? "none" : "4 3",
            "data-series": `${id}-${kind}`,
          },
          this.frame.svg,
        );
    this.update([]);
  }

  update(records: readonly LossRecord[]): void {
    const last = records.at(-1)?.step ?? 0;
    this.x.domain([0, Math.max(50, last)]);
    d3.select(this.xAxis).call(d3.axisBottom(this.x).ticks(4, "~s").tickSizeOuter(0));
    // At most ~240 vertices per path, whatever the length of the run.
    const stride = Math.max(1, Math.ceil(records.length / 240));
    const shown = records.filter((_, i) => i % stride === 0 || i === records.length - 1);
    for (const id of ["a", "b"] as const)
      for (const kind of ["full", "atWidth"] as const)
        this.paths[`${id}-${kind}`].setAttribute(
          "d",
          shown
            .map(
              (r, i) =>
                `${i ? "L" : "M"}${this.x(r.step).toFixed(1)},${this.y(Math.max(1e-4, r[kind][id])).toFixed(1)}`,
            )
            .join(""),
        );
  }
}
