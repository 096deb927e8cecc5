/**
 * Parameters and FLOPs of every family's discrete / INN / SINN variant at full size and with every
 * hidden group at 50% (or any fraction), read from the models' own descriptions — the same numbers
 * the topology drawing shows. FLOPs are per image, 2 × multiply-accumulates of the weight layers
 * (batch-norm folded, pooling and additions not counted).
 */
import type { InputShape } from "../model.js";
import { createFamilyModel, SINN_FAMILIES, SINN_VARIANTS, type FamilyOptions, type SinnFamily, type SinnVariant } from "./sinn-families.js";

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

/** Accounting of one family (builds each variant briefly; nothing is trained). */
export function familyAccounting(family: SinnFamily, input: InputShape, options: FamilyOptions & { fraction?: number } = {}): FamilyAccounting {
  const fraction = options.fraction ?? 0.5;
  const rows = {} as Record<SinnVariant, AccountingRow>;
  for (const variant of SINN_VARIANTS) {
    const model = createFamilyModel(family, variant, input, 0, options);
    try {
      const full = model.describe(model.fullSizes);
      const reduced = model.describe({ ...model.fullSizes, ...model.fractionSizes(fraction) });
      rows[variant] = { family, variant, full: { params: full.params, flops: full.flops }, reduced: { params: reduced.params, flops: reduced.flops } };
    } finally {
      model.dispose();
    }
  }
  return {
    family,
    fraction,
    rows,
    sinnToInnFlops: rows.sinn.full.flops / rows.inn.full.flops,
    sinnToInnFlopsReduced: rows.sinn.reduced.flops / rows.inn.reduced.flops,
  };
}

/** Accounting of all five families. */
export function accountingTable(input: InputShape, options: FamilyOptions & { fraction?: number } = {}): FamilyAccounting[] {
  return SINN_FAMILIES.map((f) => familyAccounting(f, input, options));
}
