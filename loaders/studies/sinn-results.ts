/**
 * SINN results: train every family's discrete / INN / SINN variant on MNIST with its recipe
 * (loaders/recipes.ts, SINN_RECIPES), in this thread (wasm), then report test accuracy at full size,
 * params and FLOPs, and test accuracy after resampling every hidden group to 50% of its channels
 * without fine-tuning.
 *
 *   node --import tsx loaders/studies/sinn-results.ts [--limit-train N] [--epochs E] [--limit-test N]
 *        [--families nin,vgg,...] [--seed S] [--json]
 *
 * Batch-norm (src/lib/integral/batch-norm.ts): the headline accuracy uses the running statistics training
 * left (EMA of full-size steps; no calibration). Also reported: full size after re-estimating the
 * statistics on the first 1,024 training images; 50% with the full-size statistics interpolated (no
 * data); 50% after calibrating at that size on the first 256 training images (the live page's budget).
 * stdout: a Markdown table (or JSON with --json); progress on stderr.
 * "discrete" at 50% is resampled the same way (interpolated channels), but it was trained at one size
 * only — the comparison shows what random-size training buys.
 */
import "@tensorflow/tfjs"; // registers the gradients
import { initBackend } from "../backend.js";
import { loadDataset } from "../datasets.js";
import { sinnRecipe } from "../recipes.js";
import {
  createFamilyModel,
  SINN_FAMILIES,
  SINN_VARIANTS,
  type SinnFamily,
  type SinnVariant,
} from "../../src/lib/sinn/families.js";
import { limitedSplits, trainInProcess } from "../../src/lib/train/local.js";
import * as tf from "@tensorflow/tfjs-core";
import { batchImages } from "../../src/lib/data/dataset.js";
import { evaluateSums, summarizeEvaluation } from "../../src/lib/train/evaluate.js";
import { resolveSettings, type TrainSettings } from "../../src/lib/train/settings.js";

export interface SinnResultRow {
  family: SinnFamily;
  variant: SinnVariant;
  /** Resolved trainer settings and model options of the recipe used. */
  settings: TrainSettings;
  modelOptions: Record<string, number | undefined>;
  params: number;
  flops: number;
  /** Running (EMA) statistics as training left them — no calibration. */
  testAccuracy: number;
  /** After re-estimating the statistics at full size on the first 1,024 training images. */
  testAccuracyReestimated: number;
  /** At 50% channels, statistics interpolated from the full-size running statistics (no data, no fine-tuning). */
  halfAccuracyInterpolated: number;
  /** At 50% channels after calibrating the statistics at that size on 256 training images (no weight change). */
  halfAccuracyCalibrated: number;
  /** Wall time of that calibration (ms). */
  calibrationMs: number;
  halfParams: number;
  halfFlops: number;
  trainSeconds: number;
}

export interface SinnResultsOptions {
  families?: readonly SinnFamily[];
  /** Overrides of every recipe's trainer settings (epochs, limits, seed). */
  settings?: Partial<TrainSettings>;
  log?: (line: string) => void;
}

export async function runSinnResults(options: SinnResultsOptions = {}): Promise<{ rows: SinnResultRow[] }> {
  await initBackend("wasm");
  const log = options.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const dataset = loadDataset("mnist");
  const input = { height: dataset.height, width: dataset.width, channels: dataset.channels, classes: dataset.classes };
  const rows: SinnResultRow[] = [];
  const trainBatches = (count: number) =>
    Array.from({ length: count / 256 }, (_, k) =>
      batchImages(
        dataset.train,
        Int32Array.from({ length: 256 }, (_, i) => 256 * k + i),
        dataset,
      ),
    );
  for (const family of options.families ?? SINN_FAMILIES) {
    for (const variant of SINN_VARIANTS) {
      const recipe = sinnRecipe(variant);
      const settings = resolveSettings({ ...recipe.settings, ...options.settings });
      const { test } = limitedSplits(dataset, settings);
      const model = createFamilyModel(family, variant, input, settings.seed, recipe.model);
      const accuracy = () => summarizeEvaluation([evaluateSums(model, test, dataset)]).accuracy;
      try {
        const full = model.describe();
        const loop = await trainInProcess(model, dataset, settings);
        const testAccuracy = accuracy();
        const halfSizes = model.fractionSizes(0.5);
        model.resample(halfSizes);
        const half = model.describe();
        const halfAccuracyInterpolated = accuracy();
        const calibration = trainBatches(256);
        const started = performance.now();
        model.calibrate(calibration);
        const calibrationMs = performance.now() - started;
        const halfAccuracyCalibrated = accuracy();
        tf.dispose(calibration);
        model.resample(model.fractionSizes(1));
        const estimation = trainBatches(1024);
        model.estimateStatistics(estimation);
        const testAccuracyReestimated = accuracy();
        tf.dispose(estimation);
        rows.push({
          family,
          variant,
          settings,
          modelOptions: { ...recipe.model },
          params: full.params,
          flops: full.flops,
          testAccuracy,
          testAccuracyReestimated,
          halfParams: half.params,
          halfFlops: half.flops,
          halfAccuracyInterpolated,
          halfAccuracyCalibrated,
          calibrationMs,
          trainSeconds: loop.trainSeconds,
        });
        const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
        log(
          `${family}-${variant}: accuracy ${pct(testAccuracy)} (re-estimated statistics ${pct(testAccuracyReestimated)}), at 50% ${pct(halfAccuracyInterpolated)} ` +
            `(calibrated on 256 images in ${calibrationMs.toFixed(0)} ms: ${pct(halfAccuracyCalibrated)}), ${full.params} params, ${(full.flops / 1e6).toFixed(2)} MFLOPs, trained in ${loop.trainSeconds.toFixed(1)} s`,
        );
      } finally {
        model.dispose();
      }
    }
  }
  return { rows };
}

/** The results as a Markdown table, one line per family and variant, plus SINN/INN FLOP ratios. */
export function resultsTable(rows: readonly SinnResultRow[]): string {
  const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
  const m = (v: number) => (v / 1e6).toFixed(2);
  const lines = [
    "| family | variant | test acc (EMA stats) | acc (re-estimated stats) | params | MFLOPs | acc @50% ch (interp. stats) | acc @50% (calibrated, 256 img) | params @50% | MFLOPs @50% | SINN/INN FLOPs |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of rows) {
    const inn = rows.find((o) => o.family === r.family && o.variant === "inn");
    const ratio = r.variant === "sinn" && inn ? (r.flops / inn.flops).toFixed(3) : "";
    lines.push(
      `| ${r.family} | ${r.variant} | ${pct(r.testAccuracy)} | ${pct(r.testAccuracyReestimated)} | ${r.params} | ${m(r.flops)} | ${pct(r.halfAccuracyInterpolated)} | ${pct(r.halfAccuracyCalibrated)} | ${r.halfParams} | ${m(r.halfFlops)} | ${ratio} |`,
    );
  }
  return lines.join("\n");
}

function parseArgs(argv: string[]): { options: SinnResultsOptions; json: boolean } {
  const settings: Partial<TrainSettings> = {};
  let families: SinnFamily[] | undefined;
  let json = false;
  const number = (flag: string, value: string | undefined) => {
    const n = Number(value);
    if (value === undefined || !Number.isInteger(n) || n < 0)
      throw new Error(`sinn-results: ${flag} needs a non-negative integer, got ${value}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === "--json") json = true;
    else if (flag === "--limit-train") settings.limitTrain = number(flag, argv[++i]);
    else if (flag === "--limit-test") settings.limitTest = number(flag, argv[++i]);
    else if (flag === "--epochs") settings.epochs = number(flag, argv[++i]);
    else if (flag === "--seed") settings.seed = number(flag, argv[++i]);
    else if (flag === "--families") {
      families = (argv[++i] ?? "").split(",").filter(Boolean) as SinnFamily[];
      for (const f of families)
        if (!(SINN_FAMILIES as readonly string[]).includes(f))
          throw new Error(`sinn-results: unknown family "${f}" (known: ${SINN_FAMILIES.join(", ")})`);
    } else
      throw new Error(
        `sinn-results: unknown argument "${flag}" (known: --limit-train, --limit-test, --epochs, --seed, --families, --json)`,
      );
  }
  return { options: { families, settings }, json };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const { options, json } = parseArgs(process.argv.slice(2));
    const started = performance.now();
    const result = await runSinnResults(options);
    process.stdout.write(json ? JSON.stringify(result, null, 2) + "\n" : resultsTable(result.rows) + "\n");
    const recipes = [...new Set(result.rows.map((r) => r.variant))].map((v) => {
      const r = result.rows.find((o) => o.variant === v)!;
      return `${v}: ${JSON.stringify({ ...r.settings, ...r.modelOptions })}`;
    });
    process.stderr.write(
      `recipes ${recipes.join("; ")}; total ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
    );
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
