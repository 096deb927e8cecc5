/**
 * The home page's hero: one slider sets the share of channels a layer keeps. On the left, a weight function
 * W(x) (nodes interpolated by Keys' cubic kernel) is resampled at that many points, as a layer shrunk to that
 * size would be; on the right, the accuracy-versus-compression curves of the integral net and of L1 pruning
 * from the built curves file, with the measured accuracies at the nearest measured share. Works before the
 * tfjs engine starts: it draws with d3 and Plot only.
 */
import * as d3 from "d3";
import * as Plot from "@observablehq/plot";
import { interpolationKernel } from "../lib/math/interpolation.js";
import { uniformPartition } from "../lib/math/partition.js";
import { curveRows, type CurvesData } from "../lib/views/curves.js";
import { HEADLINE, measuredAtShare } from "../lib/views/curves-summary.js";
import { evaluateWeightFunction } from "./node-editor.js";
import { CONTEXT_COLOR, methodStyle } from "./style/methods.js";
import { figureFrame } from "./style/figure.js";

export interface HeroOptions {
  /** Nodes of the weight function (its full size is their count). */
  nodes: readonly number[];
  /** The built curves, or null when the build has none (the right half then says so). */
  curves: CurvesData | null;
  /** The page's slider (an Observable input) whose value is the percentage of channels kept. */
  slider: HTMLElement & { value: number };
  width: number;
}

const pct = (x: number | null, digits = 1) => (x === null ? "—" : `${(100 * x).toFixed(digits)}%`);

function weightFunctionSvg(nodes: readonly number[], m: number, width: number): SVGSVGElement {
  const height = 190;
  const margin = { top: 10, right: 10, bottom: 26, left: 10 };
  const kernel = interpolationKernel("cubic", { a: -0.5 });
  const dense = Float64Array.from({ length: 201 }, (_, i) => -1 + (2 * i) / 200);
  const curve = evaluateWeightFunction(nodes, dense, kernel);
  const points = uniformPartition(m);
  const samples = evaluateWeightFunction(nodes, points, kernel);
  const limit = Math.max(1, ...Array.from(curve, Math.abs)) * 1.1;
  const x = d3.scaleLinear([-1, 1], [margin.left, width - margin.right]);
  const y = d3.scaleLinear([-limit, limit], [height - margin.bottom, margin.top]);
  const svg = d3
    .create("svg")
    .attr("viewBox", `0 0 ${width} ${height}`)
    .attr("width", width)
    .attr("height", height)
    .attr("role", "img")
    .attr(
      "aria-label",
      `A weight function W(x) over the channel coordinate x in [−1, 1], sampled at ${m} evenly spaced points: the ${m} weights a layer of ${m} channels uses.`,
    );
  svg
    .append("line")
    .attr("x1", x(-1))
    .attr("x2", x(1))
    .attr("y1", y(0))
    .attr("y2", y(0))
    .attr("stroke", "currentColor")
    .attr("stroke-opacity", 0.3);
  const inn = methodStyle(HEADLINE.inn).color;
  svg
    .append("path")
    .attr("fill", "none")
    .attr("stroke", inn)
    .attr("stroke-width", 2.5)
    .attr("d", d3.line<number>((_, i) => x(dense[i]), y)(Array.from(curve)));
  const stems = svg.append("g").attr("data-testid", "hero-samples").attr("data-m", m);
  points.forEach((px, i) => {
    stems
      .append("line")
      .attr("x1", x(px))
      .attr("x2", x(px))
      .attr("y1", y(0))
      .attr("y2", y(samples[i]))
      .attr("stroke", "#2b8a3e")
      .attr("stroke-width", 2);
    stems.append("circle").attr("cx", x(px)).attr("cy", y(samples[i])).attr("r", 4).attr("fill", "#2b8a3e");
  });
  svg
    .append("text")
    .attr("x", width - margin.right)
    .attr("y", height - 6)
    .attr("text-anchor", "end")
    .attr("fill", "currentColor")
    .attr("font-size", 12)
    .text("channel coordinate x →");
  return svg.node()!;
}

function miniChart(curves: CurvesData, share: number, width: number): { svg: Element; readout: HTMLElement } {
  const rows = curveRows(curves).filter(
    (r) => r.family === "reference" && (r.method === HEADLINE.inn || r.method === HEADLINE.l1),
  );
  const measured = measuredAtShare(curves, share)!;
  const x = (r: { paramsCompression: number }) => 100 * r.paramsCompression;
  const color = (m: string) => methodStyle(m).color;
  const at = rows.filter((r) => r.fraction === measured.fraction);
  const lowest = Math.min(...rows.map((r) => r.accuracyMean));
  const svg = Plot.plot({
    width,
    height: 190,
    marginLeft: 38,
    marginRight: 12,
    marginBottom: 30,
    style: { fontSize: "11px", fontFamily: "var(--sans-serif)" },
    ariaLabel: `Test accuracy against parameter compression on ${curves.dataset.name}: the integral net and L1 pruning; marked at ${pct(measured.compression, 0)} compression`,
    x: { domain: [0, 100], label: "parameters removed (%) →", ticks: 5 },
    y: { domain: [Math.max(0, Math.floor(lowest * 20 - 0.5) * 5), 100], label: "↑ accuracy (%)", grid: true, ticks: 4 },
    marks: [
      Plot.ruleX([100 * measured.compression], { stroke: CONTEXT_COLOR, strokeDasharray: "3,3" }),
      Plot.line(rows, {
        x,
        y: (r) => 100 * r.accuracyMean,
        z: "method",
        stroke: (r) => color(r.method),
        strokeWidth: 2.25,
        sort: { channel: "x" },
      }),
      Plot.dot(at, { x, y: (r) => 100 * r.accuracyMean, fill: (r) => color(r.method), r: 5 }),
    ],
  }) as unknown as Element;
  const readout = document.createElement("div");
  readout.dataset.testid = "hero-numbers";
  readout.dataset.fraction = String(measured.fraction);
  readout.dataset.inn = String(measured.inn);
  readout.dataset.l1 = String(measured.l1);
  readout.dataset.compression = String(measured.compression);
  readout.className = "il-hero-readout";
  const stat = (value: number | null, method: string) => {
    const span = document.createElement("span");
    span.className = "il-stat";
    span.style.color = color(method);
    span.textContent = pct(value);
    const small = document.createElement("small");
    small.textContent = ` ${methodStyle(method).short}`;
    span.append(small);
    return span;
  };
  const caption = document.createElement("p");
  caption.className = "il-stat-label";
  caption.textContent = `measured at ${Math.round(100 * measured.fraction)}% of the channels (${pct(measured.compression, 0)} of the parameters removed), no fine-tuning · ${curves.dataset.name}, ${curves.dataset.testCount.toLocaleString("en-US")} test images`;
  readout.append(stat(measured.inn, HEADLINE.inn), " ", stat(measured.l1, HEADLINE.l1), caption);
  return { svg, readout };
}

/** The hero: the slider, then the weight function and the curves side by side (stacked on a phone). */
export function Hero(options: HeroOptions): HTMLElement {
  const full = options.nodes.length;
  const root = document.createElement("div");
  root.dataset.testid = "home-hero";
  const slider = options.slider;
  const grid = document.createElement("div");
  grid.className = "grid grid-cols-2 il-hero";
  const left = document.createElement("div");
  left.className = "card";
  const right = document.createElement("div");
  right.className = "card";
  grid.append(left, right);
  root.append(slider, grid);
  const inner = (w: number) => Math.max(240, Math.min(560, w));
  const columnWidth = options.width >= 640 ? (options.width - 16) / 2 - 34 : options.width - 34;
  const draw = () => {
    const share = slider.value / 100;
    const m = Math.max(2, Math.round(share * full));
    left.replaceChildren(
      figureFrame(weightFunctionSvg(options.nodes, m, inner(columnWidth)), {
        title: `One weight function, resampled at ${m} of ${full} channels`,
        description: `The continuous weight function of one row of an integral layer and its ${m} samples at the chosen share of channels. The samples move along the curve as the slider moves: the layer is smaller, the function the same.`,
      }),
    );
    if (!options.curves) {
      const note = document.createElement("p");
      note.dataset.testid = "hero-curves-missing";
      note.textContent = "This build has no training sweep, so the accuracy curves are not shown.";
      right.replaceChildren(note);
      return;
    }
    const { svg, readout } = miniChart(options.curves, share, inner(columnWidth));
    right.replaceChildren(
      figureFrame([readout, svg], {
        title: "What that does to accuracy",
        description: `Test accuracy of the integral net and of L1 channel pruning when every layer keeps the chosen share of its channels, without fine-tuning.`,
      }),
    );
  };
  // A hero redrawn at a new width takes the slider along; the old one then stops listening.
  const onInput = () => (root.contains(slider) ? draw() : slider.removeEventListener("input", onInput));
  slider.addEventListener("input", onInput);
  draw();
  return root;
}
