/**
 * SINN results: train every family's discrete / INN / SINN variant on MNIST for the same short budget
 * (in this thread, wasm), then report test accuracy at full size, params and FLOPs, and test accuracy
 * after resampling every hidden group to 50% of its channels without fine-tuning.
 *
 *   node --import tsx loaders/sinn-results.ts [--limit-train N] [--epochs E] [--limit-test N]
 *        [--families nin,vgg,...] [--seed S] [--json]
 *
 * Batch-norm statistics are re-estimated after training (full size, first 1,024 training images, the
 * same for every variant) before the test evaluations; the accuracy with the training-time EMA
 * statistics is reported alongside.
 * stdout: a Markdown table (or JSON with --json); progress on stderr.
 * "discrete" at 50% is resampled the same way (interpolated channels), but it was trained at one size
 * only — the comparison shows what random-size training buys.
 */
import "@tensorflow/tfjs"; // registers the gradients
import { initEngine } from "./engine.js";
import { loadDataset } from "./datasets.js";
import { createFamilyModel, SINN_FAMILIES, SINN_VARIANTS, type SinnFamily, type SinnVariant } from "../src/lib/models/sinn-families.js";
import { limitedSplits, trainInProcess } from "../src/lib/train/local.js";
import * as tf from "@tensorflow/tfjs-core";
import { batchImages } from "../src/lib/data/dataset.js";
import { evaluateSums, summarizeEvaluation } from "../src/lib/train/evaluate.js";
import { resolveSettings, type TrainSettings } from "../src/lib/train/settings.js";

export interface SinnResultRow {
  family: SinnFamily;
  variant: SinnVariant;
  params: number;
  flops: number;
  /** After re-estimating batch-norm statistics at full size on the first 1,024 training images. */
  testAccuracy: number;
  /** With the running (EMA) statistics as training left them. */
  testAccuracyEma: number;
  /** At 50% channels, statistics re-estimated at that size (no weight change, no fine-tuning). */
  halfAccuracy: number;
  /** At 50% channels, statistics interpolated from the full-size nodes. */
  halfAccuracyInterpolated: number;
  halfParams: number;
  halfFlops: number;
  trainSeconds: number;
}

export interface SinnResultsOptions {
  families?: readonly SinnFamily[];
  settings?: Partial<TrainSettings>;
  log?: (line: string) => void;
}

/** Defaults: one epoch over the first 20,000 training images, the whole test split. */
export const SINN_RESULTS_SETTINGS: Partial<TrainSettings> = { epochs: 1, limitTrain: 20000, batchSize: 64, learningRate: 0.003 };

export async function runSinnResults(options: SinnResultsOptions = {}): Promise<{ settings: TrainSettings; rows: SinnResultRow[] }> {
  await initEngine("wasm");
  const settings = resolveSettings({ ...SINN_RESULTS_SETTINGS, ...options.settings });
  const log = options.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const dataset = loadDataset("mnist");
  const input = { height: dataset.height, width: dataset.width, channels: dataset.channels, classes: dataset.classes };
  const { test } = limitedSplits(dataset, settings);
  const rows: SinnResultRow[] = [];
  for (const family of options.families ?? SINN_FAMILIES) {
    for (const variant of SINN_VARIANTS) {
      const model = createFamilyModel(family, variant, input, settings.seed);
      try {
        const full = model.describe();
        const loop = await trainInProcess(model, dataset, settings);
        // Deterministic statistics (same images for every variant), see src/lib/sinn/batch-norm.ts.
        const batches = [0, 1, 2, 3].map((k) => batchImages(dataset.train, Int32Array.from({ length: 256 }, (_, i) => 256 * k + i), dataset));
        model.estimateStatistics(batches);
        const testAccuracy = summarizeEvaluation([evaluateSums(model, test, dataset)]).accuracy;
        const halfSizes = model.fractionSizes(0.5);
        model.resample(halfSizes);
        const half = model.describe();
        const halfAccuracyInterpolated = summarizeEvaluation([evaluateSums(model, test, dataset)]).accuracy;
        // Per-size re-estimation of the statistics (no weight changes) on the same training images.
        model.estimateStatistics(batches, halfSizes);
        const halfAccuracy = summarizeEvaluation([evaluateSums(model, test, dataset)]).accuracy;
        tf.dispose(batches);
        rows.push({
          family, variant,
          params: full.params, flops: full.flops, testAccuracy, testAccuracyEma: loop.final.accuracy,
          halfParams: half.params, halfFlops: half.flops, halfAccuracy, halfAccuracyInterpolated,
          trainSeconds: loop.trainSeconds,
        });
        log(`${family}-${variant}: accuracy ${(100 * testAccuracy).toFixed(2)}% (EMA statistics ${(100 * loop.final.accuracy).toFixed(2)}%), at 50% ${(100 * halfAccuracy).toFixed(2)}% (interpolated statistics ${(100 * halfAccuracyInterpolated).toFixed(2)}%), ` +
          `${full.params} params, ${(full.flops / 1e6).toFixed(2)} MFLOPs, trained in ${loop.trainSeconds.toFixed(1)} s`);
      } finally {
        model.dispose();
      }
    }
  }
  return { settings, rows };
}

/** The results as a Markdown table, one line per family and variant, plus SINN/INN FLOP ratios. */
export function resultsTable(rows: readonly SinnResultRow[]): string {
  const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
  const m = (v: number) => (v / 1e6).toFixed(2);
  const lines = [
    "| family | variant | test acc | acc (EMA stats) | params | MFLOPs | acc @50% ch (no fine-tune) | acc @50% (interp. stats) | params @50% | MFLOPs @50% | SINN/INN FLOPs |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of rows) {
    const inn = rows.find((o) => o.family === r.family && o.variant === "inn");
    const ratio = r.variant === "sinn" && inn ? (r.flops / inn.flops).toFixed(3) : "";
    lines.push(`| ${r.family} | ${r.variant} | ${pct(r.testAccuracy)} | ${pct(r.testAccuracyEma)} | ${r.params} | ${m(r.flops)} | ${pct(r.halfAccuracy)} | ${pct(r.halfAccuracyInterpolated)} | ${r.halfParams} | ${m(r.halfFlops)} | ${ratio} |`);
  }
  return lines.join("\n");
}

function parseArgs(argv: string[]): { options: SinnResultsOptions; json: boolean } {
  const settings: Partial<TrainSettings> = {};
  let families: SinnFamily[] | undefined;
  let json = false;
  const number = (flag: string, value: string | undefined) => {
    const n = Number(value);
    if (value === undefined || !Number.isInteger(n) || n < 0) throw new Error(`sinn-results: ${flag} needs a non-negative integer, got ${value}`);
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
      for (const f of families) if (!(SINN_FAMILIES as readonly string[]).includes(f)) throw new Error(`sinn-results: unknown family "${f}" (known: ${SINN_FAMILIES.join(", ")})`);
    } else throw new Error(`sinn-results: unknown argument "${flag}" (known: --limit-train, --limit-test, --epochs, --seed, --families, --json)`);
  }
  return { options: { families, settings }, json };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const { options, json } = parseArgs(process.argv.slice(2));
    const started = performance.now();
    const result = await runSinnResults(options);
    process.stdout.write(json ? JSON.stringify(result, null, 2) + "\n" : resultsTable(result.rows) + "\n");
    process.stderr.write(`settings ${JSON.stringify(result.settings)}; total ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
