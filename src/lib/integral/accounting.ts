/**
 * Parameter and FLOP accounting of any model that can describe itself at some group sizes (see
 * integral/description.ts), and compression = 1 − after/full for both. A discrete net pruned to the
 * same sizes has the same architecture, so its counts are the integral net's description at those sizes.
 */
import type { ModelDescription } from "./description.js";
import type { GroupSizes } from "./groups.js";

/** Anything with a description at arbitrary group sizes and known full sizes (e.g. ReferenceInn). */
export interface DescribableModel {
  describe(sizes?: GroupSizes): ModelDescription;
  readonly groups: { readonly fullSizes: GroupSizes };
}

export interface ModelCost {
  params: number;
  /** Floating-point operations per sample (2 × multiply-accumulates). */
  flops: number;
}

export interface Compression {
  sizes: GroupSizes;
  after: ModelCost;
  full: ModelCost;
  /** 1 − params(after)/params(full). */
  params: number;
  /** 1 − flops(after)/flops(full). */
  flops: number;
}

/** Parameters and FLOPs of `model` at `sizes` (groups not named keep their full size). */
export function modelCost(model: DescribableModel, sizes: GroupSizes = {}): ModelCost {
  const full = model.groups.fullSizes;
  for (const [id, size] of Object.entries(sizes)) {
    if (!(id in full)) throw new Error(`accounting: unknown group "${id}" (known: ${Object.keys(full).join(", ")})`);
    if (!Number.isInteger(size) || size < 1 || size > full[id])
      throw new Error(`accounting: group "${id}" size must be an integer in [1, ${full[id]}], got ${size}`);
  }
  const d = model.describe({ ...full, ...sizes });
  return { params: d.params, flops: d.flops };
}

/** Compression of params and FLOPs at `sizes` relative to the full-size model. */
export function compressionAt(model: DescribableModel, sizes: GroupSizes): Compression {
  const after = modelCost(model, sizes);
  const full = modelCost(model);
  return {
    sizes: { ...model.groups.fullSizes, ...sizes },
    after,
    full,
    params: 1 - after.params / full.params,
    flops: 1 - after.flops / full.flops,
  };
}
