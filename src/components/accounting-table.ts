/**
 * The SIB families' parameter and FLOP accounting (src/lib/sinn/accounting.ts shape) as a table:
 * one row per family and variant, full size and at the chosen fraction of channels, and the SINN / INN
 * FLOPs ratio. The row of the family and variant on show is highlighted.
 */
import * as d3 from "d3";
import { fillRow, scrollBox } from "./dom.js";
import type { FamilyAccounting } from "../lib/sinn/accounting.js";

export interface AccountingTableOptions {
  /** Family and variant to highlight. */
  family?: string;
  variant?: string;
  familyLabel?: (family: string) => string;
}

export function AccountingTable(table: readonly FamilyAccounting[], options: AccountingTableOptions = {}): HTMLElement {
  const count = d3.format(",");
  const ratio = d3.format(".2f");
  const fraction = table[0]?.fraction ?? 1;
  const el = document.createElement("table");
  el.className = "il-table";
  el.dataset.testid = "accounting-table";
  el.dataset.fraction = String(fraction);
  const caption = el.createCaption();
  caption.textContent = `Parameters and FLOPs per 28×28 image (2 × multiply–accumulates) at full width and at ${Math.round(fraction * 100)}% of every hidden group's channels`;
  el.createTHead().innerHTML = `<tr><th>family</th><th>variant</th><th>params (full)</th><th>FLOPs (full)</th><th>params (${Math.round(fraction * 100)}%)</th><th>FLOPs (${Math.round(fraction * 100)}%)</th><th>SINN/INN FLOPs</th></tr>`;
  const body = el.createTBody();
  for (const f of table) {
    for (const v of ["discrete", "inn", "sinn"] as const) {
      const row = f.rows[v];
      const tr = body.insertRow();
      tr.dataset.family = f.family;
      tr.dataset.variant = v;
      tr.dataset.reducedParams = String(row.reduced.params);
      tr.dataset.reducedFlops = String(row.reduced.flops);
      if (f.family === options.family && v === options.variant) {
        tr.style.background = "color-mix(in srgb, var(--theme-foreground-focus, #3b5fc0) 15%, transparent)";
        tr.setAttribute("aria-current", "true");
      }
      const cells = [
        v === "discrete" ? (options.familyLabel?.(f.family) ?? f.family) : "",
        v,
        count(row.full.params),
        count(row.full.flops),
        count(row.reduced.params),
        count(row.reduced.flops),
        v === "sinn" ? `${ratio(f.sinnToInnFlops)} / ${ratio(f.sinnToInnFlopsReduced)}` : "",
      ];
      fillRow(tr, cells, 2);
    }
  }
  // Seven columns do not fit a phone: the table scrolls inside its box.
  return scrollBox(el);
}
