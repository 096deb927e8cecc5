/**
 * The SIB families' accounting (sinn-accounting.ts) computed from their plans alone, with no model
 * built: the numbers a page shows next to a topology drawing at any width, without allocating weights.
 * A unit test keeps every row equal to `familyAccounting`, which builds the models.
 */
import type { InputShape } from "../model.js";
import { describePlan, planFractionSizes } from "../sinn/plan-description.js";
import { familyPlan, SINN_FAMILIES, SINN_VARIANTS, type FamilyOptions, type SinnFamily, type SinnVariant } from "./sinn-families.js";
import type { AccountingRow, FamilyAccounting } from "./sinn-accounting.js";

/** Parameters and FLOPs of one family's three variants at full size and at `fraction` (default 0.5). */
export function familyPlanAccounting(family: SinnFamily, input: InputShape, options: FamilyOptions & { fraction?: number } = {}): FamilyAccounting {
  const fraction = options.fraction ?? 0.5;
  const rows = {} as Record<SinnVariant, AccountingRow>;
  for (const variant of SINN_VARIANTS) {
    const plan = familyPlan(family, variant, input, options);
    const full = describePlan(plan);
    const reduced = describePlan(plan, planFractionSizes(plan, fraction));
    rows[variant] = { family, variant, full: { params: full.params, flops: full.flops }, reduced: { params: reduced.params, flops: reduced.flops } };
  }
  return {
    family,
    fraction,
    rows,
    sinnToInnFlops: rows.sinn.full.flops / rows.inn.full.flops,
    sinnToInnFlopsReduced: rows.sinn.reduced.flops / rows.inn.reduced.flops,
  };
}

/** All five families. */
export function planAccountingTable(input: InputShape, options: FamilyOptions & { fraction?: number } = {}): FamilyAccounting[] {
  return SINN_FAMILIES.map((f) => familyPlanAccounting(f, input, options));
}
