/**
 * Accuracy versus compression from the sweep's curves (rows from src/lib/views/curves.ts), drawn as
 * highlight + context: the integral net and the two pruning baselines in their colours, every other method
 * grey until the reader hovers its line or its legend entry, which brings it forward in its own colour. The
 * legend is the on/off switch (a shared MethodFilter, so the page keeps it in its URL). Separately trained nets
 * are single points labelled directly; the sizes each integral net was trained on are a thin band under the
 * x axis. Small multiples split the methods into the three kinds, and a table lists every number.
 */
import * as Plot from "@observablehq/plot";
import type { CurveRow } from "../lib/views/curves.js";
import { CURVE_PANELS, curvePanel, spreadLabels, yLower, type Axis, type YZoom } from "../lib/views/curves-summary.js";
import type { MethodFilter } from "./method-filter.js";
import { CONTEXT_COLOR, headlineFirst, methodStyle } from "./style/methods.js";
import { figureFrame } from "./style/figure.js";

export interface TrainedRange {
  family: string;
  method: string;
  lo: number;
  hi: number;
}

export interface CurvesChartOptions {
  axis: Axis;
  /** How the y axis is cut: fit to the methods shown, 80–100 %, or 0–100 %. */
  zoom: YZoom;
  width: number;
  height?: number;
  filter: MethodFilter;
  /** Trained compression interval of each integral net (drawn under the x axis). */
  ranges?: readonly TrainedRange[];
  /** Plain-language title above the chart. */
  title?: string;
  /** File name for the SVG/PNG downloads. */
  download?: string;
}

const MARGIN = { top: 24, right: 16, bottom: 38, left: 46 };
const pct = (x: number, digits = 1) => `${(100 * x).toFixed(digits)}%`;
const seriesKey = (r: { family: string; method: string }) => `${r.family}/${r.method}`;

function xOf(axis: Axis) {
  return (r: CurveRow) => 100 * (axis === "params" ? r.paramsCompression : r.flopsCompression);
}

function tipText(r: CurveRow, axis: Axis): string {
  const style = methodStyle(r.method);
  return [
    `${style.short}${r.family === "reference" ? "" : ` (${r.family})`}`,
    `${Math.round(r.fraction * 100)}% of the channels`,
    `accuracy ${pct(r.accuracyMean, 2)}${r.evaluations > 1 ? ` ± ${pct(r.accuracyStd, 2)} (n = ${r.evaluations})` : ""}`,
    `${axis === "params" ? "parameters" : "FLOPs"} −${pct(axis === "params" ? r.paramsCompression : r.flopsCompression)}`,
  ].join("\n");
}

/** Method ids in legend order: by small multiple, headline methods first. */
export function legendOrder(rows: readonly CurveRow[]): string[] {
  const ids = headlineFirst([...new Set(rows.map((r) => r.method))]);
  const panelOf = new Map(rows.map((r) => [r.method, curvePanel(r)]));
  return CURVE_PANELS.flatMap((p) => ids.filter((id) => panelOf.get(id) === p.id));
}

interface PlotOptions {
  axis: Axis;
  yLower: number;
  width: number;
  height: number;
  /** Methods drawn in colour; the rest grey. */
  colored: (method: string) => boolean;
  /** Label every coloured curve at its right end (small multiples). */
  endLabels?: boolean;
  /** Context (grey) series fainter still (small multiples). */
  faintContext?: boolean;
  ariaLabel: string;
}

/** The Plot SVG: bands, lines, dots, trained points with direct labels; each series' marks share a class. */
function curvesPlot(rows: readonly CurveRow[], o: PlotOptions): SVGSVGElement {
  const x = xOf(o.axis);
  const lo = 100 * o.yLower;
  const innerHeight = o.height - MARGIN.top - MARGIN.bottom;
  const toPixel = (y: number) => ((100 - y) / (100 - lo)) * innerHeight;
  const toValue = (py: number) => 100 - (py / innerHeight) * (100 - lo);
  const series = [...new Set(rows.map(seriesKey))];
  const marks: Plot.Markish[] = [Plot.ruleY([lo], { stroke: "currentColor", strokeOpacity: 0.3 })];
  const labels: { x: number; y: number; text: string; color: string; cls: string; right: boolean }[] = [];
  series.forEach((key, i) => {
    const points = rows.filter((r) => seriesKey(r) === key).sort((a, b) => x(a) - x(b));
    const { method, family } = points[0];
    const style = methodStyle(method);
    const colored = o.colored(method);
    const color = colored ? style.color : CONTEXT_COLOR;
    const cls = `il-s${i}`;
    const dash = family === "reference" ? undefined : "5,3";
    const y = (r: CurveRow) => 100 * r.accuracyMean;
    const faint = !colored && o.faintContext ? 0.45 : 1;
    // Points under the zoomed axis: a small arrow on the bottom edge says the curve goes on below.
    const below = points.filter((p) => 100 * p.accuracyMean < lo);
    if (below.length) {
      marks.push(
        Plot.text(below, {
          x,
          y: () => lo,
          text: () => "▼",
          dy: -5,
          fontSize: 9,
          fill: color,
          fillOpacity: faint,
          className: `${cls} il-below`,
        }),
      );
    }
    if (points[0].kind === "trained") {
      marks.push(
        Plot.ruleX(points, {
          x,
          y1: (r: CurveRow) => 100 * (r.accuracyMean - r.accuracyStd),
          y2: (r: CurveRow) => 100 * (r.accuracyMean + r.accuracyStd),
          stroke: color,
          strokeOpacity: faint,
          clip: true,
          className: cls,
        }),
        Plot.dot(points, {
          x,
          y,
          symbol: "diamond",
          r: 5,
          fill: color,
          fillOpacity: faint,
          stroke: "var(--theme-background)",
          clip: true,
          className: cls,
        }),
      );
      if (!o.faintContext || colored) {
        for (const p of points) {
          labels.push({ x: x(p), y: y(p), text: style.short, color, cls, right: x(p) > 78 });
        }
      }
      return;
    }
    if (points.some((p) => p.accuracyStd > 0)) {
      marks.push(
        Plot.areaY(points, {
          x,
          y1: (r: CurveRow) => 100 * (r.accuracyMean - r.accuracyStd),
          y2: (r: CurveRow) => 100 * (r.accuracyMean + r.accuracyStd),
          fill: color,
          fillOpacity: colored ? 0.16 : 0.08,
          curve: "linear",
          clip: true,
          className: cls,
        }),
      );
    }
    marks.push(
      Plot.line(points, {
        x,
        y,
        stroke: color,
        strokeWidth: colored ? 2.25 : 1.5,
        strokeOpacity: faint,
        strokeDasharray: dash,
        clip: true,
        className: cls,
      }),
      Plot.dot(points, { x, y, fill: color, fillOpacity: faint, r: colored ? 3 : 2.5, clip: true, className: cls }),
      // A wide invisible stroke along the line: the hover target.
      Plot.line(points, {
        x,
        y,
        stroke: color,
        strokeWidth: 14,
        strokeOpacity: 0,
        clip: true,
        className: `${cls} il-hit`,
      }),
    );
    // Label a curve at its last point on the chart (a curve that leaves through the bottom, where it leaves).
    const visible = points.filter((p) => y(p) >= lo);
    const end = visible[visible.length - 1];
    if (o.endLabels && colored && end) {
      labels.push({ x: x(end), y: y(end), text: style.short, color, cls, right: x(end) > 60 });
    }
  });
  if (labels.length) {
    const placed = spreadLabels(
      labels.map((l) => toPixel(l.y)),
      13,
      0,
      innerHeight,
    ).map(toValue);
    const data = labels.map((l, k) => ({ ...l, ly: placed[k] }));
    for (const [k, l] of data.entries()) {
      marks.push(
        Plot.text([l], {
          x: "x",
          y: "ly",
          text: "text",
          dx: l.right ? -9 : 9,
          textAnchor: l.right ? "end" : "start",
          fill: l.color,
          fontSize: 11,
          stroke: "var(--theme-background)",
          strokeWidth: 3,
          paintOrder: "stroke",
          className: `${l.cls} il-label`,
          ariaLabel: `label ${k}`,
        }),
      );
    }
  }
  marks.push(
    Plot.dot(rows, {
      x,
      y: (r: CurveRow) => 100 * r.accuracyMean,
      r: 7,
      fill: "transparent",
      tip: { fontSize: 12 },
      title: (r: CurveRow) => tipText(r, o.axis),
      clip: true,
    }),
  );
  const svg = Plot.plot({
    width: o.width,
    height: o.height,
    marginTop: MARGIN.top,
    marginRight: MARGIN.right,
    marginBottom: MARGIN.bottom,
    marginLeft: MARGIN.left,
    style: { fontSize: "12px", fontFamily: "var(--sans-serif)" },
    ariaLabel: o.ariaLabel,
    x: {
      domain: [0, 100],
      label: `${o.axis === "params" ? "Parameters" : "FLOPs"} removed (%) →`,
      grid: true,
      ticks: o.width < 480 ? 5 : 10,
    },
    y: {
      domain: [lo, 100],
      label: "↑ Test accuracy (%)",
      grid: true,
      ticks: Math.max(3, Math.round(innerHeight / 45)),
    },
    marks,
  }) as unknown as SVGSVGElement;
  series.forEach((key, i) => {
    const [family, method] = key.split("/");
    for (const g of svg.querySelectorAll<SVGGElement>(`g.il-s${i}`)) {
      g.dataset.method = method;
      g.dataset.family = family;
    }
  });
  return svg;
}

/** A thin strip under the x axis: one lane per integral net, spanning the compression it was trained at. */
function rangeStrip(ranges: readonly TrainedRange[], width: number, axis: Axis): SVGSVGElement | null {
  if (!ranges.length) return null;
  const lanes = ranges.map((r, k) => ({ ...r, lane: k, label: methodStyle(r.method).short }));
  const laneHeight = 14;
  const svg = Plot.plot({
    width,
    height: 6 + lanes.length * (laneHeight + 3),
    marginTop: 2,
    marginBottom: 2,
    marginLeft: MARGIN.left,
    marginRight: MARGIN.right,
    style: { fontSize: "11px", fontFamily: "var(--sans-serif)" },
    ariaLabel: `Trained sizes: ${lanes.map((l) => `${l.label} trained at ${pct(l.lo, 0)}–${pct(l.hi, 0)} ${axis === "params" ? "parameter" : "FLOP"} compression`).join("; ")}`,
    x: { domain: [0, 100], axis: null },
    y: { domain: lanes.map((l) => l.lane), axis: null, padding: 0.15 },
    marks: [
      Plot.barX(lanes, {
        x1: (l: (typeof lanes)[number]) => 100 * l.lo,
        x2: (l: (typeof lanes)[number]) => 100 * l.hi,
        y: "lane",
        fill: (l: (typeof lanes)[number]) => methodStyle(l.method).color,
        rx: 3,
      }),
      Plot.text(lanes, {
        x: (l: (typeof lanes)[number]) => 100 * l.lo,
        y: "lane",
        text: (l: (typeof lanes)[number]) =>
          `${l.label}${l.family === "reference" ? "" : ` (${l.family})`}: trained sizes`,
        textAnchor: "start",
        dx: 6,
        fill: "white",
      }),
    ],
  }) as unknown as SVGSVGElement;
  svg.dataset.testid = "curves-trained-ranges";
  svg.dataset.methods = lanes.map((l) => l.method).join(",");
  return svg;
}

/** A Plot swatch (the same square Plot's own swatch legends draw) in a method's colour. */
function swatch(color: string): SVGSVGElement {
  const legend = Plot.legend({ legend: "swatches", color: { domain: ["x"], range: [color] }, swatchSize: 12 });
  const svg = legend.querySelector("svg")!;
  svg.setAttribute("aria-hidden", "true");
  return svg;
}

/**
 * The legend as toggles: one button per method (aria-pressed = shown), grouped by kind; hovering or focusing
 * an entry calls `onHover`. On narrow screens everything but the headline comparison folds into a <details>.
 */
function methodLegend(
  rows: readonly CurveRow[],
  filter: MethodFilter,
  onHover: (method: string | null) => void,
  narrow: boolean,
): HTMLElement {
  const root = document.createElement("div");
  root.dataset.testid = "curves-legend";
  const ids = legendOrder(rows);
  const kindOf = new Map(rows.map((r) => [r.method, curvePanel(r)]));
  const groups = CURVE_PANELS.map((p) => ({ ...p, ids: ids.filter((id) => kindOf.get(id) === p.id) })).filter(
    (g) => g.ids.length,
  );
  const item = (id: string) => {
    const style = methodStyle(id);
    const button = document.createElement("button");
    button.type = "button";
    button.className = "il-legend-item";
    button.dataset.method = id;
    button.dataset.color = style.color;
    button.setAttribute("aria-pressed", String(filter.isShown(id)));
    const label = rows.find((r) => r.method === id)?.label ?? id;
    button.title = `${label} — click to ${filter.isShown(id) ? "hide" : "show"}`;
    button.append(swatch(style.color), style.short);
    button.addEventListener("click", () => filter.toggle(id));
    button.addEventListener("pointerenter", () => onHover(id));
    button.addEventListener("pointerleave", () => onHover(null));
    button.addEventListener("focus", () => onHover(id));
    button.addEventListener("blur", () => onHover(null));
    return button;
  };
  const line = (gs: typeof groups) => {
    const div = document.createElement("div");
    div.className = "il-legend";
    for (const g of gs) {
      const group = document.createElement("span");
      group.className = "il-legend-set";
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", g.title);
      const name = document.createElement("span");
      name.className = "il-legend-group";
      name.textContent = `${g.title}:`;
      group.append(name, ...g.ids.map(item));
      div.append(group);
    }
    return div;
  };
  const [first, ...rest] = groups;
  if (!narrow) root.append(line(groups));
  else {
    if (first) root.append(line([first]));
    if (rest.length) {
      const details = document.createElement("details");
      details.className = "il-legend-details";
      const summary = document.createElement("summary");
      const count = rest.reduce((a, g) => a + g.ids.length, 0);
      summary.textContent = `${count} more methods (grey until hovered)`;
      details.append(summary, line(rest));
      root.append(details);
    }
  }
  return root;
}

/** Bring one method forward (its colour, on top) and fade the rest; null restores the resting view. */
function highlight(svg: SVGSVGElement, method: string | null): void {
  for (const g of svg.querySelectorAll<SVGGElement>("g[data-method]")) {
    const match = g.dataset.method === method;
    g.style.opacity = method === null || match ? "" : "0.18";
    const color = match ? methodStyle(method!).color : "";
    const isText = g.classList.contains("il-label");
    if (g.getAttribute("stroke") !== null && !isText) g.style.stroke = color;
    if (g.getAttribute("fill") !== null) g.style.fill = color;
    if (match) g.parentNode?.append(g);
  }
  svg.dataset.focus = method ?? "";
}

/** The main chart with its legend and trained-size strip; redraws itself when the filter changes. */
export function CurvesChart(rows: readonly CurveRow[], options: CurvesChartOptions): HTMLElement {
  const width = Math.max(300, options.width);
  const height = options.height ?? (width < 560 ? 320 : 420);
  const holder = document.createElement("div");
  const figure = figureFrame(holder, {
    title: options.title,
    description:
      "Test accuracy against the share of parameters or FLOPs removed, one line per method; the integral net, L1 pruning and random pruning in colour, the other methods grey. The table below lists every point.",
    download: options.download,
    testid: "curves-chart",
  });
  figure.dataset.axis = options.axis;
  const draw = () => {
    const shown = rows.filter((r) => options.filter.isShown(r.method));
    const ids = [...new Set(shown.map((r) => r.method))];
    const lower = yLower(shown, options.zoom);
    const svg = curvesPlot(shown, {
      axis: options.axis,
      yLower: lower,
      width,
      height,
      colored: (m) => methodStyle(m).headline,
      ariaLabel: `Accuracy versus ${options.axis === "params" ? "parameter" : "FLOP"} compression: ${ids.map((m) => methodStyle(m).short).join(", ")}`,
    });
    const legend = methodLegend(rows, options.filter, (m) => highlight(svg, m), width < 640);
    // Hovering a line brings it forward too.
    svg.addEventListener("pointerover", (e) => {
      const g = (e.target as Element).closest<SVGGElement>("g.il-hit");
      if (g?.dataset.method) highlight(svg, g.dataset.method);
    });
    svg.addEventListener("pointerout", (e) => {
      if ((e.target as Element).closest("g.il-hit")) highlight(svg, null);
    });
    const shownRanges = (options.ranges ?? []).filter((r) => options.filter.isShown(r.method));
    const strip = rangeStrip(shownRanges, width, options.axis);
    const focus = (document.activeElement as HTMLElement | null)?.dataset?.method;
    const hadFocus = holder.contains(document.activeElement);
    holder.replaceChildren(legend, svg, ...(strip ? [strip] : []));
    if (hadFocus && focus) legend.querySelector<HTMLButtonElement>(`button[data-method="${focus}"]`)?.focus();
    const x = xOf(options.axis);
    figure.dataset.points = String(shown.length);
    figure.dataset.methods = ids.join(",");
    figure.dataset.xs = shown.map((r) => x(r).toFixed(3)).join(",");
    figure.dataset.yLower = String(lower);
  };
  draw();
  options.filter.subscribe(draw, figure);
  return figure;
}

export interface CurvesPanelsOptions {
  axis: Axis;
  zoom: YZoom;
  width: number;
  filter: MethodFilter;
}

/** Three small multiples, one per kind of method, each in colour against the others in grey. */
export function CurvesPanels(rows: readonly CurveRow[], options: CurvesPanelsOptions): HTMLElement {
  const root = document.createElement("div");
  root.dataset.testid = "curves-panels";
  const columns = options.width >= 900 ? 3 : options.width >= 560 ? 2 : 1;
  const gap = 16;
  const panelWidth = Math.floor((options.width - gap * (columns - 1)) / columns);
  const draw = () => {
    const shown = rows.filter((r) => options.filter.isShown(r.method));
    const grid = document.createElement("div");
    grid.style.cssText = `display:grid;grid-template-columns:repeat(${columns},minmax(0,1fr));gap:${gap}px`;
    for (const panel of CURVE_PANELS) {
      const members = new Set(shown.filter((r) => curvePanel(r) === panel.id).map((r) => r.method));
      if (!members.size) continue;
      const svg = curvesPlot(shown, {
        axis: options.axis,
        yLower: yLower(shown, options.zoom),
        width: panelWidth,
        height: 250,
        colored: (m) => members.has(m),
        endLabels: true,
        faintContext: true,
        ariaLabel: `${panel.title}: ${[...members].map((m) => methodStyle(m).short).join(", ")} in colour, the other methods grey`,
      });
      const frame = figureFrame(svg, {
        title: panel.title,
        description: `Accuracy versus compression for ${[...members].map((m) => methodStyle(m).short).join(", ")}.`,
      });
      frame.dataset.panel = panel.id;
      frame.dataset.methods = [...members].join(",");
      frame.style.margin = "0";
      grid.append(frame);
    }
    root.replaceChildren(grid);
  };
  draw();
  options.filter.subscribe(draw, root);
  return root;
}

export interface CurvesTableOptions {
  axis: Axis;
  filter: MethodFilter;
  /** Add a family column (when several families are shown). */
  showFamily: boolean;
}

/** Every point shown, five wide columns, nothing truncated; redraws when the filter changes. */
export function CurvesTable(rows: readonly CurveRow[], options: CurvesTableOptions): HTMLElement {
  const box = document.createElement("div");
  box.className = "il-scroll-x";
  box.dataset.testid = "curves-table";
  const order = legendOrder(rows);
  const count = (n: number) => n.toLocaleString("en-US");
  const draw = () => {
    const shown = rows
      .filter((r) => options.filter.isShown(r.method))
      .sort(
        (a, b) =>
          order.indexOf(a.method) - order.indexOf(b.method) ||
          a.family.localeCompare(b.family) ||
          b.fraction - a.fraction,
      );
    const table = document.createElement("table");
    table.className = "il-table";
    const head = table.createTHead().insertRow();
    const columns = [
      ...(options.showFamily ? [["family", ""]] : []),
      ["method", ""],
      ["channels kept", "num"],
      ["parameters (removed)", "num"],
      ["FLOPs (removed)", "num"],
      ["test accuracy", "num"],
    ];
    for (const [name, cls] of columns) {
      const th = document.createElement("th");
      th.textContent = name;
      if (cls) th.className = cls;
      head.append(th);
    }
    const body = table.createTBody();
    for (const r of shown) {
      const tr = body.insertRow();
      tr.dataset.method = r.method;
      tr.dataset.family = r.family;
      tr.dataset.fraction = String(r.fraction);
      tr.dataset.accuracy = String(r.accuracyMean);
      const cells: [string, string][] = [
        ...(options.showFamily ? ([[r.family, ""]] as [string, string][]) : []),
        [methodStyle(r.method).short, ""],
        [`${Math.round(100 * r.fraction)}%`, "num"],
        [`${count(r.params)} (−${pct(r.paramsCompression)})`, "num"],
        [`${count(r.flops)} (−${pct(r.flopsCompression)})`, "num"],
        [`${pct(r.accuracyMean, 2)}${r.evaluations > 1 ? ` ± ${pct(r.accuracyStd, 2)}` : ""}`, "num"],
      ];
      cells.forEach(([text, cls], k) => {
        const td = tr.insertCell();
        td.textContent = text;
        if (cls) td.className = cls;
        if (k === (options.showFamily ? 1 : 0)) td.title = r.label;
      });
    }
    box.replaceChildren(table);
    box.dataset.rows = String(shown.length);
  };
  draw();
  options.filter.subscribe(draw, box);
  return box;
}
