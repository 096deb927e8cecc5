/**
 * The SIB families' accounting (sinn-accounting.ts) computed from their plans alone, with no model
 * built: the numbers a page shows next to a topology drawing at any width, without allocating weights.
 * A unit test keeps every row equal to `familyAccounting`, which builds the models.
 */
import type { InputShape } from "../model.js";
import { describePlan, planFractionSizes } from "../graph/describe-plan.js";
import { familyPlan, SINN_FAMILIES, type FamilyOptions, type SinnFamily } from "./families.js";
import { assembleFamilyAccounting, type FamilyAccounting } from "./accounting.js";

/** Parameters and FLOPs of one family's three variants at full size and at `fraction` (default 0.5). */
export function familyPlanAccounting(
  family: SinnFamily,
  input: InputShape,
  options: FamilyOptions & { fraction?: number } = {},
): FamilyAccounting {
  const fraction = options.fraction ?? 0.5;
  return assembleFamilyAccounting(family, fraction, (variant) => {
    const plan = familyPlan(family, variant, input, options);
    return { full: describePlan(plan), reduced: describePlan(plan, planFractionSizes(plan, fraction)) };
  });
}

/** All five families. */
export function planAccountingTable(
  input: InputShape,
  options: FamilyOptions & { fraction?: number } = {},
): FamilyAccounting[] {
  return SINN_FAMILIES.map((f) => familyPlanAccounting(f, input, options));
}
