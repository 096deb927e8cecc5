/**
 * A 1-D weight function W(x) = Σ_j λ_j u(t(x) − j) whose nodes λ the reader drags (or moves with the
 * arrow keys), drawn with its samples at an m-point uniform partition. Behaves like an Observable input:
 * `value` is the node array and an "input" event fires on every change, so a page can `view()` it.
 * `update({kernel, m, nodes})` redraws in place (no new element), cheap enough for every pointer move:
 * two small interpolation matrices and a few SVG attributes.
 */
import * as d3 from "d3";
import { interpolationMatrix } from "../lib/math/sampling.js";
import { uniformPartition } from "../lib/math/partition.js";
import type { InterpolationKernel } from "../lib/math/interpolation.js";

export interface NodeEditorOptions {
  kernel: InterpolationKernel;
  /** Sample count m of the partition drawn on the curve. */
  m: number;
  width?: number;
  height?: number;
  /** Node values are kept in [−limit, limit] (default 1.5). */
  limit?: number;
}

export interface NodeEditorElement extends HTMLElement {
  value: number[];
  /** The samples W(x_i) at the current partition. */
  samples: { x: number; w: number }[];
  update(changes: Partial<Pick<NodeEditorOptions, "kernel" | "m">> & { nodes?: number[] }): void;
}

/** W at `points` for nodes λ: the interpolation matrix (float64) times λ. */
export function evaluateWeightFunction(
  nodes: readonly number[],
  points: ArrayLike<number>,
  kernel: InterpolationKernel,
): Float64Array {
  const n = nodes.length;
  const matrix = interpolationMatrix(n, points, kernel);
  const out = new Float64Array(points.length);
  for (let r = 0; r < points.length; r++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += matrix[r * n + j] * nodes[j];
    out[r] = s;
  }
  return out;
}

const NODE_COLOUR = "#e03131";
const CURVE_COLOUR = "#2f6fdf";
const SAMPLE_COLOUR = "#2b8a3e";
/** Radius of a node's invisible drag target: 24 px across on every screen. */
const HIT_RADIUS = 12;

export function NodeEditor(initialNodes: readonly number[], options: NodeEditorOptions): NodeEditorElement {
  let width = options.width ?? 720;
  const height = options.height ?? 320;
  const limit = options.limit ?? 1.5;
  const margin = { top: 24, right: 16, bottom: 42, left: 44 };
  let kernel = options.kernel;
  let m = options.m;
  let nodes = initialNodes.slice();

  const root = document.createElement("figure") as unknown as NodeEditorElement;
  root.className = "node-editor";
  root.dataset.testid = "node-editor";
  root.style.margin = "0";

  const y = d3.scaleLinear([-limit, limit], [height - margin.bottom, margin.top]);
  const x = d3.scaleLinear([-1, 1], [margin.left, width - margin.right]);
  const svg = d3
    .create("svg")
    .attr("height", height)
    .style("touch-action", "none")
    .style("display", "block")
    .attr("role", "group")
    .attr("aria-label", "Weight function W(x) with draggable nodes (red) and its samples (green)");
  const xAxis = svg.append("g").attr("transform", `translate(0,${height - margin.bottom})`);
  const yAxis = svg.append("g").attr("transform", `translate(${margin.left},0)`);
  const zero = svg.append("line").attr("stroke", "currentColor").attr("stroke-opacity", 0.35);
  const stems = svg.append("g").attr("stroke", SAMPLE_COLOUR).attr("stroke-width", 2);
  const samplesDots = svg.append("g").attr("fill", SAMPLE_COLOUR);
  const path = svg.append("path").attr("fill", "none").attr("stroke", CURVE_COLOUR).attr("stroke-width", 2.5);
  const handles = svg.append("g");
  root.append(svg.node()!);
  const caption = document.createElement("figcaption");
  root.append(caption);

  const dense = Float64Array.from({ length: 241 }, (_, i) => -1 + (2 * i) / 240);

  function emit() {
    root.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function setNode(j: number, v: number) {
    nodes[j] = Math.round(Math.min(limit, Math.max(-limit, v)) * 1000) / 1000;
    draw();
    emit();
  }

  function drawAxes() {
    svg.attr("width", width).attr("viewBox", `0 0 ${width} ${height}`);
    x.range([margin.left, width - margin.right]);
    xAxis.selectAll("*").remove();
    xAxis.call(d3.axisBottom(x).ticks(width < 480 ? 5 : 9)).call((g) =>
      g
        .append("text")
        .attr("x", width - margin.right)
        .attr("y", 34)
        .attr("fill", "currentColor")
        .attr("text-anchor", "end")
        .text("channel coordinate x →"),
    );
    yAxis.selectAll("*").remove();
    yAxis
      .call(d3.axisLeft(y).ticks(7))
      .call((g) =>
        g
          .selectAll(".tick line")
          .clone()
          .attr("x2", width - margin.left - margin.right)
          .attr("stroke-opacity", 0.1),
      )
      .call((g) =>
        g
          .append("text")
          .attr("x", -margin.left + 4)
          .attr("y", margin.top - 4)
          .attr("fill", "currentColor")
          .attr("text-anchor", "start")
          .text("↑ W(x)"),
      );
    zero.attr("x1", x(-1)).attr("x2", x(1)).attr("y1", y(0)).attr("y2", y(0));
  }

  function draw() {
    const n = nodes.length;
    const nodeX = uniformPartition(n);
    const curve = evaluateWeightFunction(nodes, dense, kernel);
    path.attr(
      "d",
      d3.line<number>(
        (_, i) => x(dense[i]),
        (w) => y(Math.max(-limit * 1.2, Math.min(limit * 1.2, w))),
      )(Array.from(curve)),
    );
    const points = uniformPartition(m);
    const w = evaluateWeightFunction(nodes, points, kernel);
    root.samples = Array.from(points, (px, i) => ({ x: px, w: w[i] }));
    stems
      .selectAll("line")
      .data(root.samples)
      .join("line")
      .attr("x1", (d) => x(d.x))
      .attr("x2", (d) => x(d.x))
      .attr("y1", y(0))
      .attr("y2", (d) => y(d.w));
    samplesDots
      .selectAll("rect")
      .data(root.samples)
      .join("rect")
      .attr("x", (d) => x(d.x) - 4)
      .attr("y", (d) => y(d.w) - 4)
      .attr("width", 8)
      .attr("height", 8)
      .attr("transform", (d) => `rotate(45 ${x(d.x)} ${y(d.w)})`);
    handles
      .selectAll<SVGGElement, number>("g.node")
      .data(nodes)
      .join((enter) => {
        const g = enter
          .append("g")
          .attr("class", "node")
          .style("cursor", "ns-resize")
          .on("keydown", function (event: KeyboardEvent) {
            const j = handles.selectAll("g.node").nodes().indexOf(this);
            const step = event.shiftKey ? 0.25 : 0.05;
            if (event.key === "ArrowUp") setNode(j, nodes[j] + step);
            else if (event.key === "ArrowDown") setNode(j, nodes[j] - step);
            else return;
            event.preventDefault();
          })
          .call(
            d3.drag<SVGGElement, number>().on("drag", function (event) {
              const j = handles.selectAll("g.node").nodes().indexOf(this);
              setNode(j, y.invert(event.y));
            }),
          );
        // The drag target is wider than the dot, so a finger can hold it.
        g.append("circle").attr("class", "hit").attr("r", HIT_RADIUS).attr("fill", "transparent");
        g.append("circle")
          .attr("class", "dot")
          .attr("r", 7)
          .attr("fill", NODE_COLOUR)
          .attr("stroke", "var(--theme-background, white)")
          .attr("stroke-width", 2);
        return g;
      })
      .attr("tabindex", 0)
      .attr("role", "slider")
      .attr("aria-valuemin", -limit)
      .attr("aria-valuemax", limit)
      .attr("aria-valuenow", (d) => d)
      .attr("transform", (d, j) => `translate(${x(nodeX[j])},${y(d)})`)
      .attr("aria-label", (d, j) => `node ${j + 1} of ${n}: λ = ${d.toFixed(2)}; arrow keys move it`);
    root.dataset.nodes = nodes.join(",");
    root.dataset.m = String(m);
    root.dataset.samples = root.samples.map((s) => s.w.toFixed(6)).join(",");
    caption.textContent = `${n} nodes (red), ${m} samples (green). Drag a node, or focus it with Tab and use ↑/↓ (Shift for bigger steps).`;
  }

  // The drawing takes the width it is given on the page, so text and drag targets keep their size.
  const observer = new ResizeObserver(([entry]) => {
    const next = Math.max(260, Math.round(entry.contentRect.width));
    if (next === width) return;
    width = next;
    drawAxes();
    draw();
  });
  observer.observe(root);

  Object.defineProperty(root, "value", {
    get: () => nodes.slice(),
    set: (v: number[]) => {
      nodes = v.slice();
      draw();
    },
  });
  root.update = (changes) => {
    if (changes.kernel) kernel = changes.kernel;
    if (changes.m !== undefined) m = changes.m;
    if (changes.nodes) nodes = changes.nodes.slice();
    draw();
    if (changes.nodes) emit();
  };
  drawAxes();
  draw();
  return root;
}
