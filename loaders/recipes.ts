/**
 * Training recipes: the one place that says how each kind of model is trained for the results and the sweeps
 * (optimizer, learning rate and schedule, epochs, batch size; for integral nets the kernel and random-size
 * training ranges). Loaders take a recipe and may override amounts (a profile's epochs); every output records
 * the settings and ranges it used. The measurements behind each choice are in docs/experiments.md.
 */
import { DEFAULT_SETTINGS, resolveSettings, type TrainSettings } from "../src/lib/train/settings.js";
import type { ModelSpec } from "../src/lib/models/registry.js";
import type { SandwichRule } from "../src/lib/train/sandwich.js";

export type RecipeKind = "discrete" | "inn" | "innInit" | "gridTuning";

/** Trainer settings of a recipe (seed and data limits come from the caller). */
export type RecipeSettings = Omit<TrainSettings, "seed" | "limitTrain" | "limitTest">;

export interface Recipe {
  kind: RecipeKind;
  /** Model spec the recipe trains (for integral nets: with its training ranges). */
  model: ModelSpec;
  settings: RecipeSettings;
}

/** The trainer's defaults less what the caller sets (seed, data limits); each recipe overrides what it needs. */
const {
  seed: _seed,
  limitTrain: _limitTrain,
  limitTest: _limitTest,
  ...BASE
} = { ...DEFAULT_SETTINGS, epochs: 2 } satisfies TrainSettings;

/** Training ranges of the integral reference nets: every hidden group 25–100% of its channels. */
const INN_MIN_FRACTION = 0.25;

export const RECIPES: Readonly<Record<RecipeKind, Recipe>> = {
  // SGD with momentum: Adam drives this net's weak ReLU channels dead, which flatters L1 pruning; clipping at
  // norm 5 only tames the rare early outlier step that made lr 0.1 diverge.
  discrete: {
    kind: "discrete",
    model: { name: "reference" },
    settings: { ...BASE, epochs: 2, optimizer: "sgd", learningRate: 0.1, momentum: 0.9, clipNorm: 5 },
  },
  // Adam at a large lr: the node parameterisation scales small-size gradients by ((n−1)/(m−1)), which plain SGD
  // cannot absorb. Linear kernel (cubic's negative lobes mix rough neighbours), smooth initial nodes, and the
  // sandwich rule of US-Nets (full size on the labels; smallest + one random size distilled from it).
  inn: {
    kind: "inn",
    model: {
      name: "reference-inn",
      minFraction: INN_MIN_FRACTION,
      kernel: "linear",
      sandwich: true,
      sandwichSmallest: true,
      sandwichLabelWeight: 0.25,
      smoothInit: 1,
    },
    settings: { ...BASE, epochs: 4, learningRate: 0.01 },
  },
  // The converted net is already smooth along its TV-minimising order: keep the cubic kernel, fine-tune gently.
  innInit: {
    kind: "innInit",
    model: { name: "reference-inn", minFraction: INN_MIN_FRACTION, fullSizeProbability: 0.25 },
    settings: { ...BASE, epochs: 1, learningRate: 0.001, lrGamma: 1 },
  },
  // Only partition points train (a few hundred parameters).
  gridTuning: {
    kind: "gridTuning",
    model: { name: "reference-inn", minFraction: INN_MIN_FRACTION },
    settings: { ...BASE, epochs: 1, learningRate: 0.01, lrGamma: 1 },
  },
};

/** A copy of `table[key]`, or an error naming the unknown key and the known ones. */
function lookup<T>(table: Readonly<Record<string, T>>, key: string, what: string): T {
  if (!Object.hasOwn(table, key))
    throw new Error(`recipes: unknown ${what} "${key}" (known: ${Object.keys(table).join(", ")})`);
  return structuredClone(table[key]);
}

/** A recipe by kind (a copy), with a clear error for an unknown one. */
export function recipe(kind: RecipeKind): Recipe {
  return lookup(RECIPES, kind, "recipe");
}

/** Full, validated trainer settings for a recipe: its settings, then `overrides` (seed, limits, epochs …). */
export function recipeSettings(kind: RecipeKind, overrides: Partial<TrainSettings> = {}): TrainSettings {
  return resolveSettings({ ...recipe(kind).settings, ...overrides });
}

// Per SIB family variant: trainer settings plus the family-model options (src/lib/sinn/families.ts). Integral
// variants train by the sandwich rule (full size on the labels, then the smallest and one random size, one
// fraction shared by every group, distilled from it); only the full-size pass moves batch-norm statistics.

/** Family-model options a SINN recipe sets (see FamilyOptions in sinn-families.ts). */
export interface SinnModelOptions {
  minFraction?: number;
  widthScale?: number;
  fullSizeProbability?: number;
  batchNormMomentum?: number;
  sandwich?: SandwichRule;
  sharedDrawProbability?: number;
}

export interface SinnRecipe {
  variant: "discrete" | "inn" | "sinn";
  model: SinnModelOptions;
  settings: RecipeSettings;
}

const SINN_BASE: RecipeSettings = { ...BASE, epochs: 1, batchSize: 64, learningRate: 0.003, lrGamma: 1 };

const SINN_INTEGRAL: SinnModelOptions = {
  minFraction: 0.25,
  batchNormMomentum: 0.2,
  sandwich: { draws: 1, smallest: true, labelWeight: 0.25 },
  sharedDrawProbability: 1,
};

export const SINN_RECIPES: Readonly<Record<"discrete" | "inn" | "sinn", SinnRecipe>> = {
  discrete: { variant: "discrete", model: { batchNormMomentum: 0.1 }, settings: { ...SINN_BASE } },
  inn: { variant: "inn", model: { ...SINN_INTEGRAL }, settings: { ...SINN_BASE, learningRate: 0.006 } },
  sinn: { variant: "sinn", model: { ...SINN_INTEGRAL }, settings: { ...SINN_BASE, learningRate: 0.006 } },
};

/** The SINN recipe of a variant (a copy), with a clear error for an unknown one. */
export function sinnRecipe(variant: string): SinnRecipe {
  return lookup(SINN_RECIPES, variant, "SINN variant");
}

// Per kernel-shape / grouped point-wise method: trainer settings, LHC's mask-stage epochs, and the dense reference
// trained the same way for the comparison. Adam, not SGD: structured layers have small fan-ins and per-layer
// gradient scales orders of magnitude apart, which Adam's normalisation absorbs.

export type MethodRecipeKind = "lhc" | "ssc" | "igpc";

export interface MethodRecipe {
  method: MethodRecipeKind;
  /** Trainer settings (LHC: of the frozen-mask fine-tune; the mask stage uses them with `maskEpochs`). */
  settings: RecipeSettings;
  /** LHC: epochs of the mask stage (regulariser ramped in, masks enabled gradually) before `settings.epochs`. */
  maskEpochs?: number;
  /** The dense net the method is compared with, trained with the same settings for the same total epochs. */
  dense: ModelSpec;
}

const METHOD_BASE: RecipeSettings = {
  ...BASE,
  optimizer: "adam",
  learningRate: 0.01,
  lrGamma: 0.5,
  lrStepEpochs: 1,
  epochs: 2,
};

export const METHOD_RECIPES: Readonly<Record<MethodRecipeKind, MethodRecipe>> = {
  lhc: { method: "lhc", settings: { ...METHOD_BASE }, maskEpochs: 2, dense: { name: "reference" } },
  ssc: { method: "ssc", settings: { ...METHOD_BASE }, dense: { name: "reference" } },
  igpc: { method: "igpc", settings: { ...METHOD_BASE }, dense: { name: "reference" } },
};

/** The recipe of a method (copies), with a clear error for an unknown one. */
export function methodRecipe(method: string): MethodRecipe {
  return lookup(METHOD_RECIPES, method, "method");
}
