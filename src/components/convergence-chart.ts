/**
 * A refinement study on log–log axes: error against point count n for every rule, one colour each, with
 * the fitted order of each rule in a table beside it (src/lib/math/convergence.ts). On log–log axes a rule of
 * order p is a straight line of slope −p, so the table and the picture say the same thing. The table's
 * rows carry data-rule and data-order for tests.
 */
import * as Plot from "@observablehq/plot";
import type { RefinementStudy } from "../lib/math/quadrature-study.js";

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
  const rows = studies.flatMap((s) => s.rows.filter((r) => r.error > 0).map((r) => ({ ...r, rule: s.rule })));
  const rules = studies.map((s) => s.rule);
  const wrapper = document.createElement("div");
  wrapper.className = "convergence-chart";
  wrapper.dataset.testid = "convergence-chart";
  const plot = Plot.plot({
    width,
    height,
    marginLeft: 60,
    title: options.title ?? "Error versus number of points (log–log)",
    x: { type: "log", label: "points n", tickFormat: (d: number) => String(d) },
    y: { type: "log", label: "absolute error |estimate − exact|", grid: true, tickFormat: ".0e" },
    color: { legend: true, domain: rules, range: rules.map((r) => RULE_COLOURS[r] ?? "#333") },
    marks: [
      ...(options.currentN ? [Plot.ruleX([options.currentN], { stroke: "#aaa", strokeDasharray: "3,3" })] : []),
      Plot.line(rows, { x: "n", y: "error", stroke: "rule", strokeWidth: 2 }),
      Plot.dot(rows, {
        x: "n",
        y: "error",
        fill: "rule",
        symbol: "rule",
        r: 3.5,
        tip: true,
        title: (d: { rule: string; n: number; error: number }) =>
          `${d.rule}, n = ${d.n}: error ${d.error.toExponential(2)}`,
      }),
    ],
  }) as HTMLElement;
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
  wrapper.append(plot, table);
  return wrapper;
}
