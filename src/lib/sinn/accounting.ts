/**
 * Parameters and FLOPs of every family's discrete / INN / SINN variant at full size and with every
 * hidden group at 50% (or any fraction), read from the models' own descriptions — the same numbers
 * the topology drawing shows. FLOPs are per image, 2 × multiply-accumulates of the weight layers
 * (batch-norm folded, pooling and additions not counted).
 */
import type { InputShape } from "../model.js";
import {
  createFamilyModel,
  SINN_FAMILIES,
  SINN_VARIANTS,
  type FamilyOptions,
  type SinnFamily,
  type SinnVariant,
} from "./families.js";

export interface Cost {
  params: number;
  flops: number;
}

export interface AccountingRow {
  family: SinnFamily;
  variant: SinnVariant;
  full: Cost;
  /** With every hidden group at `fraction` of its channels. */
  reduced: Cost;
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

/**
 * A family's accounting from its variants' costs, however they were measured (built models here, plans in
 * sinn-plan-accounting.ts): the rows in variant order and the SINN / INN FLOP ratios.
 */
export function assembleFamilyAccounting(
  family: SinnFamily,
  fraction: number,
  costs: (variant: SinnVariant) => { full: Cost; reduced: Cost },
): FamilyAccounting {
  const rows = {} as Record<SinnVariant, AccountingRow>;
  for (const variant of SINN_VARIANTS) {
    const { full, reduced } = costs(variant);
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

/** Accounting of one family (builds each variant briefly; nothing is trained). */
export function familyAccounting(
  family: SinnFamily,
  input: InputShape,
  options: FamilyOptions & { fraction?: number } = {},
): FamilyAccounting {
  const fraction = options.fraction ?? 0.5;
  return assembleFamilyAccounting(family, fraction, (variant) => {
    const model = createFamilyModel(family, variant, input, 0, options);
    try {
      return {
        full: model.describe(model.fullSizes),
        reduced: model.describe({ ...model.fullSizes, ...model.fractionSizes(fraction) }),
      };
    } finally {
      model.dispose();
    }
  });
}

/** Accounting of all five families. */
export function accountingTable(
  input: InputShape,
  options: FamilyOptions & { fraction?: number } = {},
): FamilyAccounting[] {
  return SINN_FAMILIES.map((f) => familyAccounting(f, input, options));
}
