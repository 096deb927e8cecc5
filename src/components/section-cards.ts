/**
 * The home page's section cards (Framework's grid and card classes), each with a small drawing of what the
 * section shows, made from the same library code the section uses: an interpolated weight function, the
 * trapezoid rule's shapes, rigid LHC kernel shapes, a separable block, grouped wiring, a reordered distance
 * matrix, the built accuracy curves, a digit.
 */
import * as d3 from "d3";
import { interpolationKernel } from "../lib/math/interpolation.js";
import { uniformPartition } from "../lib/math/partition.js";
import { RIGID_SHAPES_3X3 } from "../lib/kernel-shapes/rigid-shapes.js";
import { curveRows, type CurvesData } from "../lib/views/curves.js";
import { HEADLINE } from "../lib/views/curves-summary.js";
import { evaluateWeightFunction } from "./node-editor.js";
import { methodStyle } from "./style/methods.js";

export interface Section {
  path: string;
  name: string;
  blurb: string;
}

const W = 84;
const H = 60;
const BLUE = methodStyle(HEADLINE.inn).color;
const ORANGE = methodStyle(HEADLINE.l1).color;

type Draw = (svg: d3.Selection<SVGSVGElement, undefined, null, undefined>, curves: CurvesData | null) => void;

const line = d3.line<[number, number]>();

const THUMBNAILS: Record<string, Draw> = {
  "/playground": (svg) => {
    // Two rings of points (the circles data set) and the boundary a trained net draws between them.
    const x = d3.scaleLinear([-1.2, 1.2], [4 + (W - H) / 2, (W + H) / 2 - 4]);
    const y = d3.scaleLinear([-1.2, 1.2], [H - 4, 4]);
    svg
      .append("circle")
      .attr("cx", x(0))
      .attr("cy", y(0))
      .attr("r", x(0.62) - x(0))
      .attr("fill", "none")
      .attr("stroke", "currentColor")
      .attr("stroke-dasharray", "3 3")
      .attr("opacity", 0.6);
    for (let k = 0; k < 24; k++) {
      const a = (2 * Math.PI * k) / 24;
      const [r, color] = k % 2 ? [0.3, BLUE] : [1, ORANGE];
      svg
        .append("circle")
        .attr("cx", x(r * Math.cos(a)))
        .attr("cy", y(r * Math.sin(a)))
        .attr("r", 2.5)
        .attr("fill", color);
    }
  },
  "/weight-functions": (svg) => {
    const nodes = [0.2, 0.9, 0.4, -0.6, -0.3, 0.7];
    const xs = Float64Array.from({ length: 61 }, (_, i) => -1 + i / 30);
    const w = evaluateWeightFunction(nodes, xs, interpolationKernel("cubic", { a: -0.5 }));
    const x = d3.scaleLinear([-1, 1], [4, W - 4]);
    const y = d3.scaleLinear([-1.1, 1.1], [H - 4, 4]);
    svg
      .append("path")
      .attr("d", line(Array.from(w, (v, i) => [x(xs[i]), y(v)])))
      .attr("stroke", BLUE)
      .attr("fill", "none")
      .attr("stroke-width", 2);
    uniformPartition(nodes.length).forEach((p, j) =>
      svg.append("circle").attr("cx", x(p)).attr("cy", y(nodes[j])).attr("r", 3).attr("fill", ORANGE),
    );
  },
  "/quadrature": (svg) => {
    const f = (t: number) => Math.exp(t) / 3;
    const x = d3.scaleLinear([-1, 1], [4, W - 4]);
    const y = d3.scaleLinear([0, 1], [H - 4, 4]);
    const pts = Array.from(uniformPartition(6));
    for (let i = 0; i + 1 < pts.length; i++) {
      const [a, b] = [pts[i], pts[i + 1]];
      svg
        .append("path")
        .attr("d", `M${x(a)},${y(0)}L${x(a)},${y(f(a))}L${x(b)},${y(f(b))}L${x(b)},${y(0)}Z`)
        .attr("fill", ORANGE)
        .attr("fill-opacity", i % 2 ? 0.55 : 0.35);
    }
    const xs = d3.range(-1, 1.001, 0.05);
    svg
      .append("path")
      .attr("d", line(xs.map((t) => [x(t), y(f(t))])))
      .attr("stroke", BLUE)
      .attr("stroke-width", 2)
      .attr("fill", "none");
  },
  "/kernel-shapes": (svg) => {
    [6, 10, 2].forEach((s, k) => {
      RIGID_SHAPES_3X3[s].forEach((row, r) =>
        row.forEach((v, c) =>
          svg
            .append("rect")
            .attr("x", 4 + k * 27 + c * 8)
            .attr("y", 18 + r * 8)
            .attr("width", 7)
            .attr("height", 7)
            .attr("rx", 1)
            .attr("fill", v ? BLUE : "none")
            .attr("stroke", v ? BLUE : "currentColor")
            .attr("stroke-opacity", v ? 1 : 0.35),
        ),
      );
    });
  },
  "/sib-topologies": (svg) => {
    const boxes = [
      ["dw", "#f28e2b"],
      ["pw", "#59a14f"],
      ["dw", "#f28e2b"],
      ["pw", "#59a14f"],
    ];
    boxes.forEach(([, colour], k) => {
      svg
        .append("rect")
        .attr("x", 8)
        .attr("y", 3 + k * 14)
        .attr("width", 44)
        .attr("height", 10)
        .attr("rx", 3)
        .attr("fill", colour)
        .attr("fill-opacity", 0.5)
        .attr("stroke", colour);
    });
    svg
      .append("path")
      .attr("d", "M52,8 C76,8 76,50 52,50")
      .attr("stroke", "currentColor")
      .attr("stroke-dasharray", "3,2")
      .attr("fill", "none");
  },
  "/grouped-pointwise": (svg) => {
    const top = d3.range(8).map((i) => 8 + i * 10);
    const bottom = d3.range(6).map((i) => 15 + i * 11);
    top.forEach((tx, i) => {
      const group = Math.floor(i / 4);
      bottom
        .filter((_, o) => Math.floor(o / 3) === group)
        .forEach((bx) =>
          svg
            .append("line")
            .attr("x1", tx)
            .attr("y1", 10)
            .attr("x2", bx)
            .attr("y2", 50)
            .attr("stroke", group ? ORANGE : BLUE)
            .attr("stroke-opacity", 0.7),
        );
    });
    [...top.map((t) => [t, 10]), ...bottom.map((b) => [b, 50])].forEach(([cx, cy]) =>
      svg.append("circle").attr("cx", cx).attr("cy", cy).attr("r", 2.5).attr("fill", "currentColor"),
    );
  },
  "/permutation": (svg) => {
    const n = 8;
    const scrambled = [3, 6, 0, 5, 1, 7, 2, 4];
    const colour = d3.scaleSequential(d3.interpolateViridis).domain([0, n - 1]);
    for (const [k, order] of [scrambled, d3.range(n)].entries()) {
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++)
          svg
            .append("rect")
            .attr("x", 2 + k * 44 + j * 4.5)
            .attr("y", 12 + i * 4.5)
            .attr("width", 4.5)
            .attr("height", 4.5)
            .attr("fill", colour(Math.abs(order[i] - order[j])));
    }
  },
  "/curves": (svg, curves) => {
    const x = d3.scaleLinear([0, 1], [4, W - 4]);
    const y = d3.scaleLinear([0.5, 1], [H - 4, 4]).clamp(true);
    const rows = curves ? curveRows(curves).filter((r) => r.family === "reference") : [];
    for (const method of [HEADLINE.l1, HEADLINE.inn]) {
      const points = rows.filter((r) => r.method === method).sort((a, b) => a.paramsCompression - b.paramsCompression);
      const path = points.length
        ? points.map((r) => [x(r.paramsCompression), y(r.accuracyMean)] as [number, number])
        : ((method === HEADLINE.inn
            ? [
                [4, 8],
                [W - 4, 14],
              ]
            : [
                [4, 8],
                [W - 4, 50],
              ]) as [number, number][]);
      svg
        .append("path")
        .attr("d", line(path))
        .attr("stroke", methodStyle(method).color)
        .attr("stroke-width", 2)
        .attr("fill", "none");
    }
  },
  "/live-model": (svg) => {
    const seven: [number, number][] = [
      [26, 12],
      [56, 12],
      [40, 50],
    ];
    svg
      .append("rect")
      .attr("x", 18)
      .attr("y", 4)
      .attr("width", 48)
      .attr("height", 52)
      .attr("rx", 4)
      .attr("fill", "currentColor")
      .attr("fill-opacity", 0.08);
    svg
      .append("path")
      .attr("d", line(seven))
      .attr("stroke", BLUE)
      .attr("stroke-width", 5)
      .attr("stroke-linecap", "round")
      .attr("fill", "none");
  },
};

function thumbnail(path: string, curves: CurvesData | null): SVGSVGElement {
  const svg = d3.create("svg").attr("class", "il-thumb").attr("viewBox", `0 0 ${W} ${H}`).attr("aria-hidden", "true");
  THUMBNAILS[path]?.(svg, curves);
  return svg.node()!;
}

export function SectionCards(sections: readonly Section[], curves: CurvesData | null): HTMLElement {
  const grid = document.createElement("div");
  grid.className = "grid grid-cols-2";
  grid.dataset.testid = "section-cards";
  for (const s of sections) {
    const card = document.createElement("a");
    card.className = "card il-section";
    card.href = `.${s.path}`;
    const text = document.createElement("div");
    const title = document.createElement("h3");
    title.textContent = s.name;
    const blurb = document.createElement("p");
    blurb.textContent = s.blurb;
    text.append(title, blurb);
    card.append(thumbnail(s.path, curves), text);
    grid.append(card);
  }
  return grid;
}
