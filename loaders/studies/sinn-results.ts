/**
 * The SIB families' study: each family's INN and SINN variants trained with their SINN recipes and resampled
 * with batch-norm statistics re-estimated at every fraction — the sweep's family tasks under these amounts.
 *
 *   npx tsx loaders/studies/sinn-results.ts [--families nin,vgg,inception,resnet18,resnet50] [--epochs N]
 *     [--limit-train N] [--limit-test N] [--workers 2] [--dataset mnist]
 */
import { SINN_FAMILIES } from "../../src/lib/sinn/families.js";
import { studyMain, wholeNumber } from "./study.js";

studyMain(
  "study-sinn",
  import.meta.url,
  { families: { type: "string", default: SINN_FAMILIES.join(",") }, epochs: { type: "string" } },
  (v, profile) => {
    const names = (v.families as string).split(",").filter(Boolean);
    for (const f of names)
      if (!(SINN_FAMILIES as readonly string[]).includes(f))
        throw new Error(`unknown family "${f}" (known: ${SINN_FAMILIES.join(", ")})`);
    const full = { ...profile.families };
    return {
      ...profile,
      families: {
        names,
        limitTrain: profile.limitTrain || full.limitTrain,
        epochs: wholeNumber("--epochs", v.epochs as string | undefined, 1) ?? full.epochs,
      },
    };
  },
);
