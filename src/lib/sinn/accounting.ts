/**
 * Parameters and FLOPs of every family's discrete / INN / SINN variant at full size and with every
 * hidden group at some fraction (default 50%), computed from the families' plans alone (describePlan):
 * the numbers a page shows next to a topology drawing at any width, without allocating weights. FLOPs
 * are per image, 2 × multiply-accumulates of the weight layers (batch-norm folded, pooling and additions
 * not counted).
 */
import type { InputShape } from "../model.js";
import type { ModelCost } from "../integral/accounting.js";
import { describePlan, planFractionSizes } from "../graph/describe-plan.js";
import {
  familyPlan,
  SINN_FAMILIES,
  SINN_VARIANTS,
  type FamilyOptions,
  type SinnFamily,
  type SinnVariant,
} from "./families.js";

export interface AccountingRow {
  family: SinnFamily;
  variant: SinnVariant;
  full: ModelCost;
  /** With every hidden group at `fraction` of its channels. */
  reduced: ModelCost;
}

export interface FamilyAccounting {
  family: SinnFamily;
  fraction: number;
  rows: Record<SinnVariant, AccountingRow>;
  /** SINN FLOPs / INN FLOPs at full size (the paper reports down to 1/1.79 on ImageNet). */
  sinnToInnFlops: number;
  /** SINN FLOPs / INN FLOPs at the reduced size. */
  sinnToInnFlopsReduced: number;
}

/** Parameters and FLOPs of one family's three variants at full size and at `fraction` (default 0.5). */
export function familyPlanAccounting(
  family: SinnFamily,
  input: InputShape,
  options: FamilyOptions & { fraction?: number } = {},
): FamilyAccounting {
  const fraction = options.fraction ?? 0.5;
  const rows = {} as Record<SinnVariant, AccountingRow>;
  for (const variant of SINN_VARIANTS) {
    const plan = familyPlan(family, variant, input, options);
    const full = describePlan(plan);
    const reduced = describePlan(plan, planFractionSizes(plan, fraction));
    rows[variant] = {
      family,
      variant,
      full: { params: full.params, flops: full.flops },
      reduced: { params: reduced.params, flops: reduced.flops },
    };
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
export function planAccountingTable(
  input: InputShape,
  options: FamilyOptions & { fraction?: number } = {},
): FamilyAccounting[] {
  return SINN_FAMILIES.map((f) => familyPlanAccounting(f, input, options));
}
