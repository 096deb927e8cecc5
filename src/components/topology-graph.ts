/**
 * A network's graph (a ModelDescription from src/lib) drawn top to bottom with d3: one box per layer,
 * edges along the data flow, each block framed with a header that collapses it into one box (click, or
 * Enter/Space on the focused header) and expands it again. Batch-norm and ReLU can be folded into the
 * layer they follow, which keeps a 40-node SIB net readable. Hovering or focusing (Tab) a box shows its
 * kind, output shape, parameters and FLOPs at the sizes the description was made at.
 *
 * Layout: rank = longest path from the input; within a rank, boxes are ordered by their parents' mean
 * position (a barycentre sweep), so branches stay side by side and shortcuts bow to the right.
 */
import * as d3 from "d3";
import * as Plot from "@observablehq/plot";
import { downloadTools } from "./style/figure.js";
import type { ModelDescription, ModelNodeDescription } from "../lib/integral/description.js";

export interface TopologyGraphOptions {
  width?: number;
  /** A heading above the graph (the variant's name when two are shown side by side). */
  title?: string;
  /** Block ids drawn as one box. */
  collapsed?: ReadonlySet<string>;
  /** Fold batch-norm and ReLU nodes into their producer (default true). */
  foldNorms?: boolean;
  /** Called with the new set when the reader collapses or expands a block. */
  onToggleBlock?: (collapsed: Set<string>) => void;
}

/** One drawn box: a node, a node with folded BN/ReLU, or a collapsed block. */
interface Box {
  id: string;
  label: string;
  kind: string;
  inputs: string[];
  outputShape: number[];
  params: number;
  flops: number;
  /** Nodes this box stands for (itself plus folded ones, or a block's nodes). */
  members: ModelNodeDescription[];
  block?: { id: string; kind: string };
  collapsedBlock: boolean;
  rank: number;
  x: number;
  y: number;
}

export const TOPOLOGY_COLOURS: Record<string, string> = {
  input: "#bab0ac",
  conv2d: "#4e79a7",
  "pointwise-conv2d": "#59a14f",
  "depthwise-conv2d": "#f28e2b",
  dense: "#b07aa1",
  "max-pool": "#9c755f",
  "global-avg-pool": "#9c755f",
  add: "#e15759",
  concat: "#e15759",
  "batch-norm": "#76b7b2",
  relu: "#edc948",
  block: "#d4d4d4",
};

const KIND_LABEL: Record<string, string> = {
  conv2d: "conv",
  "pointwise-conv2d": "pw 1×1",
  "depthwise-conv2d": "dw",
  dense: "dense",
  "max-pool": "max-pool",
  "global-avg-pool": "global avg-pool",
  add: "add",
  concat: "concat",
  "batch-norm": "BN",
  relu: "ReLU",
  input: "input",
};

const count = d3.format(",");
const shape = (s: number[]) => (s.length === 3 ? `${s[0]}×${s[1]}×${s[2]}` : `${s[0]}`);

function nodeLabel(n: ModelNodeDescription): string {
  const k = n.layer && n.layer.kernel[0] > 1 ? ` ${n.layer.kernel[0]}×${n.layer.kernel[1]}` : "";
  const s = n.layer && n.layer.stride > 1 ? ` /${n.layer.stride}` : "";
  return `${KIND_LABEL[n.kind] ?? n.kind}${k}${s}`;
}

/** Boxes after folding BN/ReLU and collapsing blocks; edges re-pointed to the boxes that hold their ends. */
function buildBoxes(d: ModelDescription, collapsed: ReadonlySet<string>, fold: boolean): Box[] {
  const owner = new Map<string, string>();
  const boxes = new Map<string, Box>();
  for (const n of d.nodes) {
    if (n.block && collapsed.has(n.block.id)) {
      const id = `block:${n.block.id}`;
      owner.set(n.id, id);
      let box = boxes.get(id);
      if (!box) {
        box = {
          id,
          label: `${n.block.id} · ${n.block.kind}`,
          kind: "block",
          inputs: [],
          outputShape: n.outputShape,
          params: 0,
          flops: 0,
          members: [],
          block: n.block,
          collapsedBlock: true,
          rank: 0,
          x: 0,
          y: 0,
        };
        boxes.set(id, box);
      }
      box.members.push(n);
      box.params += n.params;
      box.flops += n.flops;
      box.outputShape = n.outputShape; // the block's last node carries its output
      for (const i of n.inputs) {
        const from = owner.get(i) ?? i;
        if (from !== id && !box.inputs.includes(from)) box.inputs.push(from);
      }
      continue;
    }
    const producer = n.inputs.length === 1 ? boxes.get(owner.get(n.inputs[0] as string) ?? "") : undefined;
    if (
      fold &&
      (n.kind === "batch-norm" || n.kind === "relu") &&
      producer &&
      !producer.collapsedBlock &&
      producer.members.length > 0
    ) {
      owner.set(n.id, producer.id);
      producer.members.push(n);
      producer.params += n.params;
      producer.flops += n.flops;
      producer.outputShape = n.outputShape;
      continue;
    }
    owner.set(n.id, n.id);
    boxes.set(n.id, {
      id: n.id,
      label: nodeLabel(n),
      kind: n.kind,
      inputs: n.inputs.map((i) => owner.get(i) ?? i),
      outputShape: n.outputShape,
      params: n.params,
      flops: n.flops,
      members: [n],
      block: n.block,
      collapsedBlock: false,
      rank: 0,
      x: 0,
      y: 0,
    });
  }
  return [...boxes.values()];
}

/** Folded suffix such as " · BN · ReLU". */
function foldedSuffix(b: Box): string {
  if (b.collapsedBlock) return "";
  return b.members
    .slice(1)
    .map((m) => `+${KIND_LABEL[m.kind] ?? m.kind}`)
    .join("");
}

function tooltipText(b: Box): string[] {
  const lines = [
    b.collapsedBlock
      ? `${b.block!.id} (${b.block!.kind}), collapsed: ${b.members.length} nodes`
      : `${b.id}: ${b.members.map((m) => m.kind).join(" → ")}`,
  ];
  const head = b.members[0]!;
  if (!b.collapsedBlock && head.layer) {
    const l = head.layer;
    lines.push(
      `${l.inChannels} → ${l.outChannels} channels (groups ${l.inGroup} → ${l.outGroup}), kernel ${l.kernel[0]}×${l.kernel[1]}, stride ${l.stride}`,
    );
  }
  lines.push(`output ${shape(b.outputShape)}`);
  lines.push(`params ${count(b.params)} · FLOPs ${count(b.flops)}`);
  return lines;
}

/**
 * The key that links a box to its counterpart in another variant of the same family: the layer's id without the
 * separable split (".dw"/".pw"), so a discrete conv and its SINN depth-wise/point-wise pair share one; a
 * collapsed block is its block id.
 */
export function linkKey(b: { collapsedBlock: boolean; block?: { id: string }; members: { id: string }[] }): string {
  if (b.collapsedBlock) return b.block!.id;
  return b.members[0]!.id.replace(/\.(dw|pw)(?=\.|$)/g, "");
}

/** Whether two link keys name the same layer, or one a block holding the other. */
export function linked(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
}

/** Narrowest box drawn, in SVG units; below this the labels are unreadable. */
const MIN_BOX_WIDTH = 80;

let graphCount = 0;

export function TopologyGraph(description: ModelDescription, options: TopologyGraphOptions = {}): HTMLElement {
  const requestedWidth = options.width ?? 760;
  const collapsed = new Set(options.collapsed ?? []);
  const boxes = buildBoxes(description, collapsed, options.foldNorms ?? true);
  const byId = new Map(boxes.map((b) => [b.id, b]));

  // Ranks: longest path from the input.
  for (const b of boxes) b.rank = b.inputs.length ? Math.max(...b.inputs.map((i) => (byId.get(i)?.rank ?? 0) + 1)) : 0;
  const ranks = d3.groups(boxes, (b) => b.rank).sort((a, b) => a[0] - b[0]);
  // Boxes share the width of the widest rank, but never shrink below a readable size (nor go negative when
  // the page reports a tiny or zero width before layout): the drawing then widens and the SVG scales down.
  const widestRank = Math.max(1, ...ranks.map(([, r]) => r.length));
  const boxGap = 14;
  // Shortcuts (edges that skip ranks) run in a lane on the right, clear of every box and label.
  const hasShortcuts = boxes.some((b) => b.inputs.some((i) => b.rank - (byId.get(i)?.rank ?? b.rank) > 1));
  const lane = hasShortcuts ? 34 : 0;
  const boxW = Math.max(MIN_BOX_WIDTH, Math.min(190, (requestedWidth - 40 - lane) / widestRank - boxGap));
  const width = Math.max(requestedWidth, widestRank * (boxW + boxGap) - boxGap + 40 + lane);
  const boxH = 30;
  const rowGap = 50;
  const top = 20;
  for (const [rank, row] of ranks) {
    // Barycentre: order by the parents' mean x, then by description order.
    const mean = (b: Box) => (b.inputs.length ? d3.mean(b.inputs, (i) => byId.get(i)?.x ?? width / 2)! : width / 2);
    row.sort((a, b) => mean(a) - mean(b));
    const span = row.length * (boxW + boxGap) - boxGap;
    row.forEach((b, k) => {
      b.x = (width - lane - span) / 2 + k * (boxW + boxGap) + boxW / 2;
      b.y = top + rank * rowGap + boxH / 2;
    });
  }
  const height = top + ranks.length * rowGap + 10;

  const arrowId = `topology-arrow-${++graphCount}`;
  const wrapper = document.createElement("figure");
  wrapper.className = "topology-graph";
  wrapper.style.position = "relative";
  wrapper.style.margin = "0";
  wrapper.style.maxWidth = `${width}px`;
  wrapper.dataset.testid = "topology-graph";
  wrapper.dataset.name = description.name;
  wrapper.dataset.boxes = String(boxes.length);
  wrapper.dataset.params = String(description.params);
  wrapper.dataset.flops = String(description.flops);
  wrapper.dataset.collapsed = [...collapsed].sort().join(",");

  const svg = d3
    .create("svg")
    .attr("viewBox", `0 0 ${width} ${height}`)
    .attr("width", "100%")
    .attr("font-size", 12)
    .attr("role", "group")
    .attr(
      "aria-label",
      `Graph of ${description.name}: ${boxes.length} boxes, ${count(description.params)} parameters, ${count(description.flops)} FLOPs per image`,
    );
  svg
    .append("defs")
    .append("marker")
    .attr("id", arrowId)
    .attr("viewBox", "0 0 10 10")
    .attr("refX", 9)
    .attr("refY", 5)
    .attr("markerWidth", 6)
    .attr("markerHeight", 6)
    .attr("orient", "auto")
    .append("path")
    .attr("d", "M0,0L10,5L0,10z")
    .attr("fill", "currentColor")
    .attr("fill-opacity", 0.6);

  // Frames of expanded blocks, with a header that collapses them.
  const blockIds = [...new Set(description.nodes.flatMap((n) => (n.block ? [n.block.id] : [])))];
  const frames = svg.append("g");
  const headerExtents: { y0: number; y1: number; right: number }[] = [];
  const toggle = (id: string) => {
    const next = new Set(collapsed);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    options.onToggleBlock?.(next);
  };
  for (const id of blockIds) {
    if (collapsed.has(id)) continue;
    const inside = boxes.filter((b) => b.block?.id === id);
    if (!inside.length) continue;
    const x0 = d3.min(inside, (b) => b.x - boxW / 2)! - 8;
    const x1 = d3.max(inside, (b) => b.x + boxW / 2)! + 8;
    const y0 = d3.min(inside, (b) => b.y - boxH / 2)! - 22;
    const y1 = d3.max(inside, (b) => b.y + boxH / 2)! + 8;
    const kind = inside[0]!.block!.kind;
    // The header's right end (about 7 px per character at 12 px semibold), which shortcuts must pass.
    headerExtents.push({ y0, y1: y0 + 18, right: x0 + 8 + 7 * `▾ ${id} · ${kind}`.length });
    const g = frames.append("g").attr("data-block", id);
    g.append("rect")
      .attr("x", x0)
      .attr("y", y0)
      .attr("width", x1 - x0)
      .attr("height", y1 - y0)
      .attr("rx", 8)
      .attr("fill", "#8881")
      .attr("stroke", "currentColor")
      .attr("stroke-opacity", 0.45)
      .attr("stroke-dasharray", "4 3");
    const header = g
      .append("g")
      .attr("tabindex", 0)
      .attr("role", "button")
      .attr("cursor", "pointer")
      .attr("aria-label", `Collapse ${id} (${kind})`)
      .attr("data-toggle-block", id);
    header
      .append("text")
      .attr("x", x0 + 8)
      .attr("y", y0 + 14)
      .attr("fill", "currentColor")
      .attr("font-weight", 600)
      .text(`▾ ${id} · ${kind}`);
    header
      .on("click", () => toggle(id))
      .on("keydown", (e: KeyboardEvent) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          toggle(id);
        }
      });
  }

  // Edges. A shortcut leaves its source's right side, runs down a lane right of every box it passes and
  // enters its target from the right, so it never crosses a label.
  const edges = svg
    .append("g")
    .attr("fill", "none")
    .attr("stroke", "currentColor")
    .attr("stroke-opacity", 0.55)
    .attr("stroke-width", 1.2);
  let laneOffset = 0;
  let widest = width;
  for (const b of boxes) {
    for (const i of b.inputs) {
      const a = byId.get(i);
      if (!a) continue;
      const long = b.rank - a.rank > 1;
      let d: string;
      if (long) {
        const passed = boxes.filter((c) => c.rank >= a.rank && c.rank <= b.rank);
        const headers = headerExtents.filter((h) => h.y1 > a.y && h.y0 < b.y).map((h) => h.right);
        const routeX = Math.max(...passed.map((c) => c.x + boxW / 2), ...headers) + 14 + (laneOffset++ % 2) * 8;
        const [ax, ay, bx, by] = [a.x + boxW / 2, a.y, b.x + boxW / 2, b.y];
        widest = Math.max(widest, routeX + 10);
        d = `M${ax},${ay} H${routeX - 8} Q${routeX},${ay} ${routeX},${ay + 8} V${by - 8} Q${routeX},${by} ${routeX - 8},${by} H${bx + 3}`;
      } else {
        const [x1, y1, x2, y2] = [a.x, a.y + boxH / 2, b.x, b.y - boxH / 2];
        d = `M${x1},${y1} C${x1},${(y1 + y2) / 2} ${x2},${(y1 + y2) / 2} ${x2},${y2}`;
      }
      edges
        .append("path")
        .attr("d", d)
        .attr("marker-end", `url(#${arrowId})`)
        .attr("stroke-dasharray", long ? "5 3" : null)
        .attr("data-from", a.id)
        .attr("data-to", b.id)
        .attr("data-shortcut", long ? "true" : null);
    }
  }

  if (widest > width) svg.attr("viewBox", `0 0 ${widest} ${height}`);

  // Boxes.
  const tip = document.createElement("div");
  tip.dataset.testid = "topology-tooltip";
  tip.setAttribute("role", "status");
  tip.hidden = true;
  Object.assign(tip.style, {
    position: "absolute",
    pointerEvents: "none",
    background: "var(--theme-background, #fff)",
    border: "1px solid var(--theme-foreground-fainter)",
    borderRadius: "6px",
    padding: "6px 8px",
    font: "12px var(--sans-serif)",
    maxWidth: "320px",
    boxShadow: "0 2px 8px #0003",
    zIndex: "2",
  });
  const show = (b: Box) => {
    tip.replaceChildren(
      ...tooltipText(b).map((t, k) => {
        const line = document.createElement("div");
        line.textContent = t;
        if (k === 0) line.style.fontWeight = "600";
        return line;
      }),
    );
    tip.dataset.box = b.id;
    tip.hidden = false;
    const left = (b.x / width) * wrapper.clientWidth;
    const topPx = ((b.y + boxH / 2 + 6) / height) * wrapper.clientHeight;
    tip.style.left = `${Math.max(0, Math.min(left - 100, wrapper.clientWidth - 330))}px`;
    tip.style.top = `${topPx}px`;
  };
  const hide = () => {
    tip.hidden = true;
  };
  const nodes = svg.append("g");
  for (const b of boxes) {
    const g = nodes
      .append("g")
      .attr("transform", `translate(${b.x - boxW / 2},${b.y - boxH / 2})`)
      .attr("tabindex", 0)
      .attr("data-box", b.id)
      .attr("data-kind", b.kind)
      .attr("data-params", b.params)
      .attr("data-flops", b.flops)
      .attr("data-shape", b.outputShape.join("x"))
      .attr("data-link", linkKey(b))
      .attr("aria-label", tooltipText(b).join("; "));
    const colour = TOPOLOGY_COLOURS[b.collapsedBlock ? "block" : b.kind] ?? "#ccc";
    g.append("rect")
      .attr("width", boxW)
      .attr("height", boxH)
      .attr("rx", 5)
      .attr("fill", colour)
      .attr("fill-opacity", b.collapsedBlock ? 0.5 : 0.25)
      .attr("stroke", colour)
      .attr("stroke-width", 1.5);
    const full = `${b.collapsedBlock ? "▸ " : ""}${b.label}${foldedSuffix(b)}`;
    // About 6.6 px per character at 12 px: cut the label to the box, the whole text stays in its tooltip.
    const fits = Math.floor((boxW - 10) / 6.6);
    const text = full.length > fits ? `${full.slice(0, Math.max(1, fits - 1))}…` : full;
    const label = g
      .append("text")
      .attr("x", 6)
      .attr("y", 13)
      .attr("fill", "currentColor")
      .attr("font-weight", b.collapsedBlock ? 600 : 500)
      .text(text);
    label.append("title").text(full);
    g.append("text")
      .attr("x", 6)
      .attr("y", 25)
      .attr("fill", "currentColor")
      .attr("fill-opacity", 0.75)
      .attr("font-size", 10)
      .text(`${shape(b.outputShape)}${b.params ? ` · ${d3.format(".3~s")(b.params)} p` : ""}`);
    const announce = (key: string | null) =>
      wrapper.dispatchEvent(new CustomEvent("topology-hover", { detail: key, bubbles: true }));
    g.on("mouseenter", () => (show(b), announce(linkKey(b))))
      .on("mouseleave", () => (hide(), announce(null)))
      .on("focus", () => (show(b), announce(linkKey(b))))
      .on("blur", () => (hide(), announce(null)));
    if (b.collapsedBlock) {
      g.attr("role", "button").attr("cursor", "pointer").attr("data-toggle-block", b.block!.id);
      g.on("click", () => toggle(b.block!.id)).on("keydown", (e: KeyboardEvent) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          toggle(b.block!.id);
        }
      });
    }
  }
  const kinds = [...new Set(boxes.map((b) => (b.collapsedBlock ? "block" : b.kind)))];
  const names = kinds.map((k) => (k === "block" ? "collapsed block" : k));
  const legend = Plot.legend({
    legend: "swatches",
    color: { domain: names, range: kinds.map((k) => TOPOLOGY_COLOURS[k] ?? "#ccc") },
  });
  const dashed = document.createElement("p");
  dashed.style.cssText = "font: 12px var(--sans-serif); margin: 2px 0 0 0";
  dashed.textContent = "dashed edge on the right: a shortcut that skips layers";
  if (options.title) {
    const heading = document.createElement("figcaption");
    heading.className = "il-figure-title";
    heading.textContent = options.title;
    wrapper.append(heading);
  }
  wrapper.append(svg.node()!, tip, legend, dashed, downloadTools(wrapper, `graph-${description.name}`));
  return wrapper;
}

/** Highlight the boxes of `graph` linked to `key` (and fade the rest); null restores every box. */
export function highlightLinked(graph: Element, key: string | null): void {
  for (const g of graph.querySelectorAll<SVGGElement>("g[data-link]")) {
    const on = key !== null && linked(g.dataset.link!, key);
    g.style.opacity = key === null || on ? "" : "0.35";
    g.querySelector("rect")?.setAttribute("stroke-width", on ? "3" : "1.5");
    if (on) g.dataset.highlighted = "true";
    else delete g.dataset.highlighted;
  }
}

/** Two graphs side by side whose boxes light up together: hovering a layer in one shows its counterpart. */
export function LinkedTopologyGraphs(left: HTMLElement, right: HTMLElement): HTMLElement {
  const row = document.createElement("div");
  row.className = "grid grid-cols-2";
  row.dataset.testid = "topology-pair";
  row.append(left, right);
  row.addEventListener("topology-hover", (e) => {
    const key = (e as CustomEvent<string | null>).detail;
    highlightLinked(left, key);
    highlightLinked(right, key);
  });
  return row;
}
