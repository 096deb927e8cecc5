/**
 * Training recipes: THE one place that says how each kind of model is trained for the results and the
 * sweeps (optimizer, learning rate and schedule, epochs, batch size, and for integral nets the random-size
 * training ranges). Loaders import a recipe and may override fields (e.g. epochs for a quick profile);
 * every output records the resolved settings and ranges it actually used.
 *
 * Recipes (first version: the trainer's defaults; see the notes below as they are measured):
 * - discrete: the reference net trained as an ordinary network.
 * - inn: the integral reference net trained from scratch with random-size partitions, every hidden
 *   group drawn from [minFraction · size, size] each step.
 * - innInit: fine-tuning a converted discrete net with random sizes (starts at the discrete run's final lr).
 * - gridTuning: training only the partition points of a resampled integral net.
 */
import { resolveSettings, type TrainSettings } from "../src/lib/train/settings.js";
import type { ModelSpec } from "../src/lib/models/registry.js";

export type RecipeKind = "discrete" | "inn" | "innInit" | "gridTuning";

/** Trainer settings of a recipe (seed and data limits come from the caller). */
export type RecipeSettings = Omit<TrainSettings, "seed" | "limitTrain" | "limitTest">;

export interface Recipe {
  kind: RecipeKind;
  /** Model spec the recipe trains (for integral nets: with its training ranges). */
  model: ModelSpec;
  settings: RecipeSettings;
}

const BASE: RecipeSettings = {
  epochs: 2,
  batchSize: 128,
  optimizer: "adam",
  learningRate: 0.003,
  momentum: 0.9,
  lrGamma: 0.5,
  lrStepEpochs: 1,
};

export const RECIPES: Readonly<Record<RecipeKind, Recipe>> = {
  discrete: { kind: "discrete", model: { name: "reference" }, settings: { ...BASE } },
  inn: { kind: "inn", model: { name: "reference-inn", minFraction: 0.25 }, settings: { ...BASE } },
  innInit: { kind: "innInit", model: { name: "reference-inn", minFraction: 0.25 }, settings: { ...BASE, epochs: 1, learningRate: 0.003 * 0.25 } },
  gridTuning: { kind: "gridTuning", model: { name: "reference-inn", minFraction: 0.25 }, settings: { ...BASE, epochs: 1, learningRate: 0.01, lrGamma: 1 } },
};

/** A recipe by kind, with a clear error for an unknown one. */
export function recipe(kind: RecipeKind): Recipe {
  const r = (RECIPES as Record<string, Recipe | undefined>)[kind];
  if (!r) throw new Error(`recipes: unknown recipe "${kind}" (known: ${Object.keys(RECIPES).join(", ")})`);
  return { kind: r.kind, model: { ...r.model }, settings: { ...r.settings } };
}

/** Full, validated trainer settings for a recipe: its settings, then `overrides` (seed, limits, epochs …). */
export function recipeSettings(kind: RecipeKind, overrides: Partial<TrainSettings> = {}): TrainSettings {
  return resolveSettings({ ...recipe(kind).settings, ...overrides });
}

// ─── SINN_RECIPES (owned by the SINN work: src/lib/sinn, loaders/sinn-results.ts) ──────────────────────────
// Per SINN family and variant: trainer settings plus the family-model options (src/lib/models/sinn-families.ts).
// Random-size variants keep batch-norm running statistics from full-size steps only (src/lib/sinn/batch-norm.ts).
// Measured on MNIST (resnet18-sinn, 12,800 images, batch 64, Adam; test acc with EMA stats / re-estimated):
//   lr 3e-3, full-size p 0.25, BN momentum 0.1: 76.9% / 77.6%    lr 6e-3, p 0.25, m 0.2: 75.1% / 79.7%
//   lr 1e-2, p 0.25, m 0.2: 67.6% / 83.8% (EMA lags)             lr 6e-3, p 0.5,  m 0.2: 89.8% / 89.5%
//   resnet18-inn lr 6e-3, p 0.25, m 0.2: 79.9% / 91.7% — so p 0.5 for both integral variants.
// Discrete keeps PyTorch's BN momentum 0.1.

/** Family-model options a SINN recipe sets (see FamilyOptions in sinn-families.ts). */
export interface SinnModelOptions {
  minFraction?: number;
  widthScale?: number;
  fullSizeProbability?: number;
  batchNormMomentum?: number;
}

export interface SinnRecipe {
  variant: "discrete" | "inn" | "sinn";
  model: SinnModelOptions;
  settings: RecipeSettings;
}

const SINN_BASE: RecipeSettings = { ...BASE, epochs: 1, batchSize: 64, learningRate: 0.003, lrGamma: 1 };

export const SINN_RECIPES: Readonly<Record<"discrete" | "inn" | "sinn", SinnRecipe>> = {
  discrete: { variant: "discrete", model: { batchNormMomentum: 0.1 }, settings: { ...SINN_BASE } },
  inn: { variant: "inn", model: { minFraction: 0.25, fullSizeProbability: 0.5, batchNormMomentum: 0.2 }, settings: { ...SINN_BASE, learningRate: 0.006 } },
  sinn: { variant: "sinn", model: { minFraction: 0.25, fullSizeProbability: 0.5, batchNormMomentum: 0.2 }, settings: { ...SINN_BASE, learningRate: 0.006 } },
};

/** The SINN recipe of a variant (copies), with a clear error for an unknown one. */
export function sinnRecipe(variant: string): SinnRecipe {
  const r = (SINN_RECIPES as Record<string, SinnRecipe | undefined>)[variant];
  if (!r) throw new Error(`recipes: unknown SINN variant "${variant}" (known: ${Object.keys(SINN_RECIPES).join(", ")})`);
  return { variant: r.variant, model: { ...r.model }, settings: { ...r.settings } };
}
