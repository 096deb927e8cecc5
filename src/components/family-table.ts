/**
 * The SIB families side by side (src/lib/views/family-summary.ts): full-size accuracy of the discrete net, the
 * INN and the SINN, the SINN's gap to its INN, and the SINN / INN ratios of parameters and FLOPs.
 */
import * as d3 from "d3";
import { fillRow, scrollBox } from "./dom.js";
import type { FamilySummaryRow } from "../lib/views/family-summary.js";

export function FamilyTable(rows: readonly FamilySummaryRow[]): HTMLElement {
  const pct = (v: number | null) => (v === null ? "—" : `${(100 * v).toFixed(2)}%`);
  const points = (v: number | null) => (v === null ? "—" : `${(100 * v).toFixed(2)}`);
  const ratio = (v: number | null) => (v === null ? "—" : d3.format(".2f")(v));
  const el = document.createElement("table");
  el.className = "il-table";
  el.dataset.testid = "family-table";
  el.createCaption().textContent =
    "Each SIB family at full size: test accuracy of its three variants, and what the separable layers save";
  el.createTHead().innerHTML =
    "<tr><th>family</th><th>discrete</th><th>INN</th><th>SINN</th><th>INN − SINN (points)</th><th>SINN/INN params</th><th>SINN/INN FLOPs</th></tr>";
  const body = el.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    tr.dataset.family = r.family;
    const cells = [
      r.family,
      pct(r.discrete),
      pct(r.inn),
      pct(r.sinn),
      points(r.sinnGap),
      ratio(r.paramsRatio),
      ratio(r.flopsRatio),
    ];
    fillRow(tr, cells, 1);
  }
  return scrollBox(el);
}
