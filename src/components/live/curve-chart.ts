/**
 * Accuracy versus parameter compression for the live page (Observable Plot): the sweep's nets of one
 * family that were resampled or pruned without fine-tuning, as lines in their method's colour
 * (components/style/methods.ts) with direct labels spread so they never overlap, and the live nets as
 * large dots at the current compression. Lines are drawn once per width; `update` moves only the dots.
 */
import * as Plot from "@observablehq/plot";
import { el, pct } from "../dom.js";
import { methodStyle } from "../style/methods.js";
import { curveRows, type CurveRow, type CurvesData } from "../../lib/views/curves.js";
import { spreadLabels } from "../../lib/live/label-layout.js";

export interface ChartNet {
  tag: string;
  /** Method id: colour and label (e.g. "inn-scratch"). */
  method: string;
}

export interface LiveCurveChartOptions {
  /** The sweep's curves file (checked with checkCurvesFile), if the page has it. */
  curves?: CurvesData;
  /** Family whose lines are drawn ("reference", "resnet18"); none: only the live dots. */
  family?: string;
  nets: readonly ChartNet[];
  /** Height in pixels (default 300). */
  height?: number;
}

/**
 * The live nets at the current sizes: their parameter count, their compression against the model's own
 * full size (used when the family's full discrete net is unknown), and each net's accuracy (when known).
 */
export interface LivePoint {
  params?: number;
  compression?: number;
  accuracy: Record<string, number | undefined>;
}

export type LiveCurveChartElement = HTMLElement & { update(point: LivePoint): void };

const KINDS: readonly string[] = ["pruned", "resampled"];
const MARGIN = { top: 22, right: 120, bottom: 36, left: 40 };
const LABEL_GAP = 13;
const SVG = "http://www.w3.org/2000/svg";

export function LiveCurveChart(o: LiveCurveChartOptions): LiveCurveChartElement {
  const height = o.height ?? 300;
  const rows: CurveRow[] = o.curves
    ? curveRows(o.curves).filter((r) => r.family === o.family && KINDS.includes(r.kind))
    : [];
  const methods = [...new Set(rows.map((r) => r.method))];
  const siblings = methods;
  // Context lines first, the headline comparison on top.
  methods.sort((a, b) => Number(methodStyle(a, siblings).headline) - Number(methodStyle(b, siblings).headline));
  const lowest = Math.min(...rows.map((r) => 100 * r.accuracyMean), 100);
  // The curves measure compression against the family's full discrete net (a SINN starts compressed).
  const familyParams = o.curves?.families.find((f) => f.id === o.family)?.full.params;
  const compressionOf = (p: LivePoint) =>
    familyParams && p.params !== undefined ? 1 - p.params / familyParams : p.compression;

  const holder = el("div", { className: "live-chart-plot" });
  const caption = el("figcaption", {
    textContent:
      rows.length > 0
        ? "Lines: the build's nets of this family, resampled or pruned to each size without fine-tuning. Dots: the nets on this page at the current sizes."
        : "Dots: the nets on this page at the current sizes (the build's curves are not available for this model).",
  });
  const figure = el(
    "figure",
    { className: "live-chart", testid: "live-curve" },
    holder,
    caption,
  ) as LiveCurveChartElement;
  let point: LivePoint = { accuracy: {} };
  let width = 0;
  let svg: (SVGSVGElement & { scale(name: string): { apply(x: number): number } }) | undefined;
  let dots: SVGGElement | undefined;
  let domainLow = 0;

  const describe = () => {
    const parts = o.nets.map((n) => {
      const a = point.accuracy[n.tag];
      return `${methodStyle(n.method).short} ${a === undefined ? "not yet measured" : pct(a, 1)}`;
    });
    const at = compressionOf(point);
    const where = at === undefined ? "" : ` at ${pct(at, 1)} parameter compression`;
    return `Test accuracy versus parameter compression. ${methods.length} lines from the build (${methods.map((m) => methodStyle(m, siblings).short).join(", ")}). Live nets${where}: ${parts.join("; ")}.`;
  };

  const render = () => {
    const live = Object.values(point.accuracy).filter((a): a is number => a !== undefined);
    const low = Math.max(0, Math.floor(Math.min(lowest, ...live.map((a) => 100 * a)) / 10) * 10);
    domainLow = Math.min(low, 90);
    const x = (r: CurveRow) => 100 * r.paramsCompression;
    const y = (r: CurveRow) => 100 * r.accuracyMean;
    const marks = methods.flatMap((m, i) => {
      const style = methodStyle(m, siblings);
      const data = rows.filter((r) => r.method === m);
      const opacity = style.headline ? 1 : 0.55;
      return [
        Plot.line(data, {
          x,
          y,
          sort: { channel: "x" },
          stroke: style.color,
          strokeWidth: style.headline ? 2.25 : 1.5,
          strokeOpacity: opacity,
          className: `live-line-${i}`,
        }),
        Plot.dot(data, {
          x,
          y,
          r: 2.5,
          fill: style.color,
          fillOpacity: opacity,
          title: (r: CurveRow) =>
            `${style.short}, ${Math.round(100 * r.fraction)}% of the channels\naccuracy ${pct(r.accuracyMean, 2)}\nparameters −${pct(r.paramsCompression, 1)}`,
          tip: true,
        }),
      ];
    });
    const plot = Plot.plot({
      width,
      height,
      marginTop: MARGIN.top,
      marginRight: MARGIN.right,
      marginBottom: MARGIN.bottom,
      marginLeft: MARGIN.left,
      style: { fontSize: "11px", fontFamily: "var(--sans-serif)" },
      x: { domain: [0, 100], label: "Parameter compression (%) →", labelAnchor: "right" },
      y: { domain: [domainLow, 100], label: "↑ Test accuracy (%)", grid: true },
      ariaLabel: "Test accuracy versus parameter compression",
      ariaDescription: describe(),
      marks: [Plot.ruleY([domainLow]), ...marks],
    }) as unknown as NonNullable<typeof svg>;
    methods.forEach((m, i) => {
      const g = plot.querySelector<SVGGElement>(`g.live-line-${i}`);
      if (!g) return;
      g.dataset.method = m;
      g.dataset.color = methodStyle(m, siblings).color;
    });
    // Direct labels at the lines' right ends, spread apart vertically.
    const sx = plot.scale("x");
    const sy = plot.scale("y");
    const ends = methods.map((m) => {
      const data = rows.filter((r) => r.method === m);
      const last = data.reduce((a, b) => (x(b) > x(a) ? b : a));
      return { m, x: sx.apply(x(last)), y: sy.apply(y(last)) };
    });
    const placed = spreadLabels(
      ends.map((e) => e.y),
      { gap: LABEL_GAP, min: MARGIN.top + 4, max: height - MARGIN.bottom - 6 },
    );
    const labels = document.createElementNS(SVG, "g");
    labels.setAttribute("class", "live-labels");
    labels.setAttribute("aria-hidden", "true");
    const labelX = Math.max(...ends.map((e) => e.x), 0) + 8;
    ends.forEach((e, i) => {
      const style = methodStyle(e.m, siblings);
      const leader = document.createElementNS(SVG, "path");
      leader.setAttribute("d", `M${e.x + 2},${e.y}L${labelX - 2},${placed[i]}`);
      leader.setAttribute("stroke", style.color);
      leader.setAttribute("stroke-opacity", "0.5");
      leader.setAttribute("fill", "none");
      const text = document.createElementNS(SVG, "text");
      text.setAttribute("x", String(labelX));
      text.setAttribute("y", String(placed[i]));
      text.setAttribute("dy", "0.32em");
      text.setAttribute("text-anchor", "start");
      text.setAttribute("fill", style.color);
      text.setAttribute("font-weight", style.headline ? "600" : "400");
      text.dataset.method = e.m;
      text.textContent = style.short;
      labels.append(leader, text);
    });
    plot.append(labels);
    dots = document.createElementNS(SVG, "g");
    dots.setAttribute("class", "live-dots");
    plot.append(dots);
    svg = plot;
    holder.replaceChildren(plot);
    drawDots();
  };

  const drawDots = () => {
    if (!svg || !dots) return;
    const sx = svg.scale("x");
    const sy = svg.scale("y");
    dots.replaceChildren();
    const at = compressionOf(point);
    if (at === undefined) return;
    for (const n of o.nets) {
      const a = point.accuracy[n.tag];
      if (a === undefined) continue;
      const style = methodStyle(n.method);
      const dot = document.createElementNS(SVG, "circle");
      dot.setAttribute("cx", String(sx.apply(100 * at)));
      dot.setAttribute("cy", String(sy.apply(Math.max(domainLow, 100 * a))));
      dot.setAttribute("r", "5");
      dot.setAttribute("fill", style.color);
      dot.style.stroke = "var(--theme-background, white)";
      dot.setAttribute("stroke-width", "2");
      dot.dataset.point = n.tag;
      dot.dataset.method = n.method;
      dots.append(dot);
    }
    svg.setAttribute("aria-description", describe());
  };

  figure.update = (next) => {
    const before = Object.values(point.accuracy);
    point = { ...next, accuracy: { ...next.accuracy } };
    // A dot below the axis widens the domain (a redraw); otherwise only the dots move.
    const below = Object.values(point.accuracy).some((a) => a !== undefined && 100 * a < domainLow);
    if (below && before.join() !== Object.values(point.accuracy).join() && width > 0) render();
    else drawDots();
  };

  new ResizeObserver(() => {
    const next = Math.max(300, Math.floor(holder.clientWidth));
    if (next !== width) {
      width = next;
      render();
    }
  }).observe(holder);
  return figure;
}
