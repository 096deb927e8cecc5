/**
 * The permutation page's intuition figures: one weight entry of every channel's filter plotted against the
 * channel's position, in the trained order (a zig-zag) and after the reordering (smoother), and the total
 * variation after each 2-opt pass, with the pass being shown marked.
 */
import * as Plot from "@observablehq/plot";
import { figureFrame } from "./style/figure.js";
import { CONTEXT_COLOR, methodStyle } from "./style/methods.js";

const AFTER = methodStyle("inn-scratch").color;

/** Entry `entry` of every channel's slice, in the trained order and in `order`, against position. */
export function WeightEntryChart(
  slices: readonly ArrayLike<number>[],
  order: readonly number[],
  entry: number,
  options: { width: number; label: string },
): HTMLElement {
  const n = slices.length;
  const rows = [
    ...Array.from({ length: n }, (_, k) => ({ k, value: slices[k][entry] as number, order: "trained order" })),
    ...order.map((c, k) => ({ k, value: slices[c][entry] as number, order: "after 2-opt" })),
  ];
  const jump = (o: readonly number[]) =>
    o.slice(1).reduce((s, c, k) => s + Math.abs((slices[c][entry] as number) - (slices[o[k]][entry] as number)), 0);
  const identity = Array.from({ length: n }, (_, k) => k);
  const plot = Plot.plot({
    width: options.width,
    height: 260,
    marginLeft: 52,
    style: { fontFamily: "var(--sans-serif)" },
    x: { label: "channel position →", domain: [0, n - 1] },
    y: { label: "↑ weight", grid: true },
    color: { domain: ["trained order", "after 2-opt"], range: [CONTEXT_COLOR, AFTER], legend: true },
    marks: [
      Plot.ruleY([0], { stroke: "currentColor", strokeOpacity: 0.3 }),
      Plot.line(rows, { x: "k", y: "value", stroke: "order", strokeWidth: 2, z: "order" }),
      Plot.dot(rows, {
        x: "k",
        y: "value",
        fill: "order",
        r: 2.5,
        tip: true,
        title: (d: (typeof rows)[number]) => `${d.order}, position ${d.k}: ${d.value.toFixed(4)}`,
      }),
    ],
  }) as unknown as HTMLElement;
  const figure = figureFrame(plot, {
    title: `${options.label} of every channel, against its position: trained order (grey) and after 2-opt (blue)`,
    description: `One weight of each of the ${n} channels' filters, plotted against the channel's position before and after the reordering. The summed step between neighbours falls from ${jump(identity).toFixed(3)} to ${jump(order).toFixed(3)}.`,
    download: "weight-entry",
    testid: "weight-entry-chart",
  });
  figure.dataset.entry = String(entry);
  figure.dataset.stepsBefore = String(jump(identity));
  figure.dataset.stepsAfter = String(jump(order));
  return figure;
}

/** Total variation after each 2-opt pass, the current pass marked. */
export function PassChart(
  passes: readonly { pass: number; tv: number; moves: number }[],
  current: number,
  options: { width: number },
): HTMLElement {
  const plot = Plot.plot({
    width: options.width,
    height: 180,
    marginLeft: 56,
    style: { fontFamily: "var(--sans-serif)" },
    x: { label: "2-opt pass →", ticks: Math.min(passes.length, 10), tickFormat: "d" },
    y: { label: "↑ total variation", grid: true },
    marks: [
      Plot.line(passes, { x: "pass", y: "tv", stroke: AFTER, strokeWidth: 2 }),
      Plot.dot(passes, {
        x: "pass",
        y: "tv",
        r: (d: { pass: number }) => (d.pass === current ? 6 : 3),
        fill: (d: { pass: number }) => (d.pass === current ? AFTER : CONTEXT_COLOR),
        tip: true,
        title: (d: { pass: number; tv: number; moves: number }) =>
          `pass ${d.pass}: TV ${d.tv.toFixed(4)}${d.pass ? `, ${d.moves} segment${d.moves === 1 ? "" : "s"} reversed` : " (trained order)"}`,
      }),
    ],
  }) as unknown as HTMLElement;
  const figure = figureFrame(plot, {
    title: `Total variation after each pass (pass ${current} of ${passes.length - 1})`,
    description: `Total variation of the channel order after each of the ${passes.length - 1} passes of 2-opt from the trained order, falling from ${passes[0].tv.toFixed(4)} to ${passes[passes.length - 1].tv.toFixed(4)}.`,
    testid: "two-opt-passes",
  });
  figure.dataset.passes = String(passes.length - 1);
  figure.dataset.current = String(current);
  figure.dataset.tv = passes.map((p) => p.tv.toFixed(6)).join(",");
  return figure;
}
