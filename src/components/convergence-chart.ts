/**
 * A refinement study on log–log axes: error against point count n for every rule, one colour each, with
 * the fitted order of each rule in a table beside it (src/lib/math/convergence.ts). On log–log axes a rule of
 * order p is a straight line of slope −p, so the table and the picture say the same thing. The table's
 * rows carry data-rule and data-order for tests.
 */
import * as Plot from "@observablehq/plot";
import type { RefinementStudy } from "../lib/math/quadrature-study.js";
import { figureFrame } from "./style/figure.js";

export interface ConvergenceChartOptions {
  width?: number;
  height?: number;
  /** Mark this n with a vertical rule (the n chosen above the chart). */
  currentN?: number;
  title?: string;
}

/** Colour-blind-safe (Okabe–Ito) colours per rule, shared by chart and table. */
export const RULE_COLOURS: Record<string, string> = {
  "left-riemann": "#E69F00",
  "right-riemann": "#56B4E9",
  trapezoid: "#009E73",
  simpson: "#D55E00",
  "gauss-legendre": "#0072B2",
};

/** Dash patterns tell overlapping lines apart (the two Riemann sums nearly coincide on smooth functions). */
export const RULE_DASHES: Record<string, string | null> = {
  "left-riemann": null,
  "right-riemann": "7,4",
  trapezoid: null,
  simpson: "2,3",
  "gauss-legendre": null,
};

const RULE_SYMBOLS: Record<string, string> = {
  "left-riemann": "triangle",
  "right-riemann": "diamond",
  trapezoid: "circle",
  simpson: "square",
  "gauss-legendre": "star",
};

const SPECTRAL = 8;

function describeOrder(study: RefinementStudy): string {
  if (study.notApplicable) return "not applicable";
  if (study.order === null) return "exact (error at rounding level)";
  if (study.order > SPECTRAL) return `faster than any power (fit ${study.order.toFixed(1)})`;
  return study.order.toFixed(2);
}

export function ConvergenceChart(
  studies: readonly RefinementStudy[],
  options: ConvergenceChartOptions = {},
): HTMLElement {
  const { width = 720, height = 360 } = options;
  // Every n of every rule, with the error missing (NaN) where it is exactly zero: the line breaks there
  // instead of joining the points on either side.
  const rows = studies.flatMap((s) => s.rows.map((r) => ({ ...r, rule: s.rule, shown: r.error > 0 ? r.error : NaN })));
  const rules = studies.map((s) => s.rule);
  const wrapper = document.createElement("div");
  wrapper.className = "convergence-chart";
  wrapper.dataset.testid = "convergence-chart";
  const plot = Plot.plot({
    width,
    height,
    marginLeft: 60,
    x: { type: "log", label: "points n", tickFormat: (d: number) => String(d) },
    y: { type: "log", label: "absolute error |estimate − exact|", grid: true, tickFormat: ".0e" },
    color: { domain: rules, range: rules.map((r) => RULE_COLOURS[r] ?? "#333") },
    symbol: { domain: rules, range: rules.map((r) => RULE_SYMBOLS[r] ?? "circle") },
    marks: [
      ...(options.currentN
        ? [Plot.ruleX([options.currentN], { stroke: "currentColor", strokeOpacity: 0.4, strokeDasharray: "3,3" })]
        : []),
      ...rules.map((rule) =>
        Plot.line(
          rows.filter((r) => r.rule === rule),
          {
            x: "n",
            y: "shown",
            stroke: "rule",
            strokeWidth: 2,
            strokeDasharray: RULE_DASHES[rule] ?? undefined,
            className: `rule-${rule}`,
          },
        ),
      ),
      Plot.dot(
        rows.filter((r) => r.error > 0),
        {
          x: "n",
          y: "error",
          stroke: "rule",
          fill: "var(--theme-background)",
          symbol: "rule",
          r: 4,
          strokeWidth: 1.5,
          tip: true,
          title: (d: { rule: string; n: number; error: number }) =>
            `${d.rule}, n = ${d.n}: error ${d.error.toExponential(2)}`,
        },
      ),
    ],
  }) as unknown as SVGSVGElement;
  const legend = Plot.legend({
    color: { domain: rules, range: rules.map((r) => RULE_COLOURS[r] ?? "#333") },
    legend: "swatches",
  });
  const figure = figureFrame([legend, plot], {
    title: options.title ?? "Error versus number of points (log–log)",
    description: `Absolute error against the number of points for ${rules.join(", ")}, on log–log axes: a rule of order p falls on a line of slope −p. Gaps are sizes where a rule's error is exactly zero.`,
    download: "convergence",
  });
  const table = document.createElement("table");
  table.dataset.testid = "convergence-orders";
  table.innerHTML =
    "<caption>Fitted convergence order p (error ∝ hᵖ, least squares on log–log, errors above 10⁻¹³)</caption><thead><tr><th>rule</th><th>fitted order p</th><th>points fitted</th></tr></thead>";
  const body = document.createElement("tbody");
  for (const s of studies) {
    const tr = document.createElement("tr");
    tr.dataset.rule = s.rule;
    tr.dataset.order = s.order === null ? "" : String(s.order);
    const swatch = `<span style="display:inline-block;width:0.8em;height:0.8em;margin-right:0.4em;background:${RULE_COLOURS[s.rule] ?? "#333"}"></span>`;
    tr.innerHTML = `<td>${swatch}${s.rule}</td><td></td><td>${s.fitted}</td>`;
    tr.children[1].textContent = describeOrder(s);
    if (s.notApplicable) (tr.children[1] as HTMLElement).title = s.notApplicable;
    body.append(tr);
  }
  table.append(body);
  wrapper.append(figure, table);
  return wrapper;
}
