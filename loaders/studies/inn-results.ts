/**
 * The reference net's study: discrete and integral nets per seed with their recipes, L1 / random pruning,
 * conversion, INN-init and grid tuning at every fraction — the sweep's reference tasks under these amounts.
 *
 *   npx tsx loaders/studies/inn-results.ts [--seeds 1] [--first-seed 0] [--epochs N] [--inn-epochs N]
 *     [--finetune-epochs N] [--grid-images N] [--limit-train N] [--limit-test N] [--workers 2] [--dataset mnist]
 *   (--epochs sets the discrete and INN epochs together; absent = the recipes' own; 0 limits = all images)
 */
import { studyMain, wholeNumber } from "./study.js";

studyMain(
  "study-inn",
  import.meta.url,
  {
    seeds: { type: "string", default: "1" },
    "first-seed": { type: "string", default: "0" },
    epochs: { type: "string" },
    "inn-epochs": { type: "string" },
    "finetune-epochs": { type: "string" },
    "grid-images": { type: "string" },
  },
  (v, profile) => {
    const seeds = wholeNumber("--seeds", v.seeds as string, 1)!;
    const first = wholeNumber("--first-seed", v["first-seed"] as string)!;
    const epochs = wholeNumber("--epochs", v.epochs as string | undefined, 1);
    const innEpochs = wholeNumber("--inn-epochs", v["inn-epochs"] as string | undefined, 1) ?? epochs;
    const finetune = wholeNumber("--finetune-epochs", v["finetune-epochs"] as string | undefined, 1);
    return {
      ...profile,
      seeds: Array.from({ length: seeds }, (_, i) => first + i),
      epochs: {
        ...(epochs !== undefined ? { discrete: epochs } : {}),
        ...(innEpochs !== undefined ? { inn: innEpochs } : {}),
        ...(finetune !== undefined ? { innInit: finetune } : {}),
      },
      gridTuningImages:
        wholeNumber("--grid-images", v["grid-images"] as string | undefined, 1) ?? profile.gridTuningImages,
    };
  },
);
