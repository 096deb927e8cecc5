/**
 * Sweep profiles: how much a sweep trains (measurements behind the amounts: docs/experiments.md). `quick` keeps `npm test`'s end-to-end build within a few
 * minutes; `full` (the default of `npm run build`) trains the reference net on ≥ 3 seeds. How each model
 * is trained (optimizer, learning rate, schedule) comes from loaders/recipes.ts; a profile only says how
 * many images, epochs, seeds and which variants. Chosen by INTEGRAL_LAB_PROFILE.
 */

import { SINN_FAMILIES } from "../../src/lib/sinn/families.js";

export interface SweepProfile {
  name: string;
  /** Seeds of the reference net's discrete / INN / INN-init / grid-tuned runs. */
  seeds: number[];
  /** Fractions of every hidden group's channels at which resampled and pruned nets are evaluated. */
  fractions: number[];
  /** Train on the first N training images (0 = all) — reference-net runs. */
  limitTrain: number;
  /** Evaluate on the first N test images (0 = all). */
  limitTest: number;
  /** Epoch overrides per recipe kind (absent = the recipe's own). */
  epochs: Partial<Record<"discrete" | "inn" | "innInit" | "gridTuning", number>>;
  /** Overrides of the from-scratch INN recipe's training options for this budget (absent = the recipe's own). */
  innTraining: { sandwichLabelWeight?: number; sandwichDraws?: number };
  /** Random-pruning draws per seed and fraction. */
  randomPruningDraws: number;
  /** Training images per grid-tuning run (one run per fraction). */
  gridTuningImages: number;
  /** Kernel-shape and grouped point-wise nets (trained points). */
  methodNets: {
    limitTrain: number;
    epochs: number;
    lhcDensities: number[];
    /** LHC: epochs of the first stage (mask regulariser, gradual mask enabling); then `epochs` with frozen masks. */
    lhcMaskEpochs: number;
    igpcChannelsPerGroup: number[];
    ssc: boolean;
  };
  /** SIB families trained as INN and SINN and resampled. */
  families: { names: string[]; limitTrain: number; epochs: number };
  /** Worker threads running independent training tasks. */
  workers: number;
}

const FRACTIONS = [1, 0.875, 0.75, 0.625, 0.5, 0.35, 0.25];

export const PROFILES: Readonly<Record<string, SweepProfile>> = {
  quick: {
    name: "quick",
    seeds: [0],
    fractions: FRACTIONS,
    limitTrain: 16000,
    limitTest: 2000,
    // The quick INN must beat L1 pruning of its discrete twin at 50% on 16,000 images: 4 epochs, half the smaller
    // nets' targets from the labels (the full size is a poor teacher early on, and this run is mostly early), and
    // three random sizes a step, so the middle sizes train three times as often (docs/experiments.md, "More random
    // sizes a step").
    epochs: { discrete: 2, inn: 4, innInit: 1, gridTuning: 1 },
    innTraining: { sandwichLabelWeight: 0.5, sandwichDraws: 3 },
    randomPruningDraws: 2,
    gridTuningImages: 1024,
    methodNets: {
      limitTrain: 6000,
      epochs: 1,
      lhcDensities: [0.3],
      lhcMaskEpochs: 1,
      igpcChannelsPerGroup: [8],
      ssc: true,
    },
    families: { names: ["resnet18"], limitTrain: 8000, epochs: 1 },
    workers: 2,
  },
  full: {
    name: "full",
    seeds: [0, 1, 2],
    fractions: FRACTIONS,
    limitTrain: 0,
    limitTest: 0,
    // All 60,000 images: the INN its recipe's 4 epochs, the discrete net 2, within the build's 25 minutes on 2
    // cores (docs/experiments.md, "Full profile on all images").
    epochs: { discrete: 2, inn: 4 },
    innTraining: {},
    randomPruningDraws: 2,
    gridTuningImages: 2048,
    methodNets: {
      limitTrain: 12000,
      epochs: 1,
      lhcDensities: [0.5, 0.3, 0.15],
      lhcMaskEpochs: 1,
      igpcChannelsPerGroup: [2, 4, 8],
      ssc: true,
    },
    families: { names: [...SINN_FAMILIES], limitTrain: 8000, epochs: 1 },
    workers: 2,
  },
};

/** The profile called `name` (default: INTEGRAL_LAB_PROFILE, else "full"), with a clear error for an unknown one. */
export function sweepProfile(name: string = process.env.INTEGRAL_LAB_PROFILE || "full"): SweepProfile {
  const p = (PROFILES as Record<string, SweepProfile | undefined>)[name];
  if (!p)
    throw new Error(
      `unknown sweep profile "${name}" (known: ${Object.keys(PROFILES).join(", ")}); set INTEGRAL_LAB_PROFILE`,
    );
  return structuredClone(p);
}
