/**
 * Results for the reference MNIST net (docs/design.md §3), per seed and as mean ± spread:
 *  (a) the net trained discretely and as an integral net from scratch with random-size partitions,
 *      each with its recipe (loaders/recipes.ts), full-size test accuracy of both;
 *  (b) without fine-tuning, test accuracy at 100/75/50/35/25% of every hidden group for the integral net
 *      (resampled), and L1 / random channel pruning of the discrete twin at the same sizes;
 *  (c) the discrete net converted (TV-minimising reorder + exact node init): as converted, after a short
 *      random-size fine-tuning (INN-init), and with grid tuning (partition points only) at 50% and 25%.
 * Every integral net's training ranges, every recipe's resolved settings, parameter/FLOP compression,
 * dead ReLU channels and training throughput (integral vs discrete, same engine, same run) are recorded,
 * and the issue's targets are checked.
 *
 *   npx tsx loaders/studies/inn-results.ts [--seeds 2] [--first-seed 0] [--epochs N] [--inn-epochs N]
 *     [--finetune-epochs N] [--grid-images 4096] [--limit-train 0] [--limit-test 0] [--workers 2]
 *   (--epochs sets discrete and INN epochs together; absent = the recipes' own)
 *
 * Table and progress on stderr, JSON on stdout.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../backend.js";
import { loadDataset } from "../datasets.js";
import { readWeightsFile } from "../train-weights.js";
import { runTrainJob, type TrainJobResult } from "../train-job.js";
import { recipe, recipeSettings } from "../recipes.js";
import { batchImages, type Dataset } from "../../src/lib/data/dataset.js";
import type { InputShape, Model } from "../../src/lib/model.js";
import { ReferenceNet } from "../../src/lib/models/reference.js";
import { REFERENCE_INN_GROUPS, ReferenceInn } from "../../src/lib/models/reference-inn.js";
import { referenceInnOptionsFromSpec, referenceInnSpec } from "../../src/lib/models/reference-inn-spec.js";
import type { ModelSpec } from "../../src/lib/models/registry.js";
import { compressionAt } from "../../src/lib/integral/accounting.js";
import { sizesAtFraction } from "../../src/lib/integral/groups.js";
import { assignParameters, readParameters, type ParameterTensor } from "../../src/lib/compression/parameters.js";
import { convertReferenceNet, innDiscreteParameters } from "../../src/lib/compression/conversion.js";
import { GridTuning } from "../../src/lib/compression/grid-tuning.js";
import { deadChannels, pruneReferenceNet, PrunedReferenceNet } from "../../src/lib/compression/pruning.js";
import { evaluateSums, summarizeEvaluation } from "../../src/lib/train/evaluate.js";
import { trainInProcess } from "../../src/lib/train/local.js";
import type { TrainSettings } from "../../src/lib/train/settings.js";
import { mulberry32, deriveSeed } from "../../src/lib/random.js";

const FRACTIONS = [1, 0.75, 0.5, 0.35, 0.25];
const GRID_TUNING_FRACTIONS = [0.5, 0.25];
const RANDOM_PRUNING_RUNS = 3;
const log = (line: string) => process.stderr.write(line + "\n");

interface Options {
  seeds: number;
  firstSeed: number;
  /** Discrete and INN epochs (0 = the recipes'). */
  epochs: number;
  innEpochs: number;
  finetuneEpochs: number;
  gridImages: number;
  limitTrain: number;
  /** Evaluate on the first N test images (0 = all 10,000). */
  limitTest: number;
  workers: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    seeds: 2,
    firstSeed: 0,
    epochs: 0,
    innEpochs: 0,
    finetuneEpochs: -1,
    gridImages: 4096,
    limitTrain: 0,
    limitTest: 0,
    workers: 2,
  };
  const keys: Record<string, keyof Options> = {
    "--seeds": "seeds",
    "--first-seed": "firstSeed",
    "--epochs": "epochs",
    "--inn-epochs": "innEpochs",
    "--finetune-epochs": "finetuneEpochs",
    "--grid-images": "gridImages",
    "--limit-train": "limitTrain",
    "--limit-test": "limitTest",
    "--workers": "workers",
  };
  for (let i = 0; i < argv.length; i += 2) {
    const key = keys[argv[i]];
    const value = Number(argv[i + 1]);
    if (!key) throw new Error(`inn-results: unknown option "${argv[i]}" (known: ${Object.keys(keys).join(", ")})`);
    if (!Number.isInteger(value) || value < 0)
      throw new Error(`inn-results: ${argv[i]} needs a non-negative integer, got "${argv[i + 1]}"`);
    o[key] = value;
  }
  if (o.seeds < 1) throw new Error("inn-results: --seeds must be at least 1");
  if (o.workers < 1) throw new Error("inn-results: --workers must be at least 1");
  return o;
}

let testLimit = 0;
function accuracy(model: Model, dataset: Dataset): number {
  const end = testLimit > 0 ? Math.min(testLimit, dataset.test.count) : dataset.test.count;
  return summarizeEvaluation([evaluateSums(model, dataset.test, dataset, { end })]).accuracy;
}

function flatWeights(params: readonly ParameterTensor[]): Float32Array {
  const out = new Float32Array(params.reduce((n, p) => n + p.values.length, 0));
  let offset = 0;
  for (const p of params) {
    out.set(p.values, offset);
    offset += p.values.length;
  }
  return out;
}

function summary(job: TrainJobResult) {
  return {
    settings: job.settings,
    testAccuracy: job.final.testAccuracy,
    testLoss: job.final.testLoss,
    epochs: job.epochs.map((e) => ({
      epoch: e.epoch,
      learningRate: e.learningRate,
      testAccuracy: e.testAccuracy,
      trainLoss: e.trainLoss,
    })),
    trainSeconds: job.timing.trainSeconds,
    imagesPerSecond: job.timing.imagesPerSecond,
  };
}

/** Dead ReLU channels per conv layer (count and indices) on the first 2,000 test images. */
function deadOf(
  params: readonly ParameterTensor[],
  input: InputShape,
  dataset: Dataset,
): { counts: number[]; channels: number[][] } {
  const probe = batchImages(
    dataset.test,
    Int32Array.from({ length: 2000 }, (_, i) => i),
    dataset,
  );
  const net = new PrunedReferenceNet(input, params);
  try {
    const channels = deadChannels(net, probe);
    return { counts: channels.map((d) => d.length), channels };
  } finally {
    net.dispose();
    probe.dispose();
  }
}

interface SeedRow {
  fraction: number;
  sizes: Record<string, number>;
  inTrainedRange: boolean;
  paramsCompression: number;
  flopsCompression: number;
  params: number;
  flops: number;
  inn: number;
  l1: number;
  random: number;
  randomRuns: number[];
  convertedNoFinetune: number;
  innInit: number | null;
  gridTuned: number | null;
}

async function runSeed(seed: number, options: Options, dataset: Dataset, input: InputShape, dir: string) {
  const epochs = (kind: "discrete" | "inn" | "innInit") => {
    if (kind === "innInit") return options.finetuneEpochs >= 0 ? { epochs: options.finetuneEpochs } : {};
    const e = kind === "inn" && options.innEpochs > 0 ? options.innEpochs : options.epochs;
    return e > 0 ? { epochs: e } : {};
  };
  const settingsOf = (kind: "discrete" | "inn" | "innInit") =>
    recipeSettings(kind, { seed, limitTrain: options.limitTrain, limitTest: options.limitTest, ...epochs(kind) });
  const train = (name: string, model: ModelSpec, s: TrainSettings, initialWeights?: Float32Array) => {
    log(
      `— seed ${seed}: training ${name} (${s.optimizer} lr ${s.learningRate}, ×${s.lrGamma} every ${s.lrStepEpochs} epoch(s), ${s.epochs} epochs, batch ${s.batchSize})`,
    );
    return runTrainJob({
      model,
      dataset: "mnist",
      settings: s,
      workers: options.workers,
      initialWeights,
      out: join(dir, `${name}-${seed}.json`),
      progressInterval: 30,
    });
  };
  const innSpec = recipe("inn").model;
  const innInitSpec = recipe("innInit").model;

  const discreteJob = await train("discrete", recipe("discrete").model, settingsOf("discrete"));
  const innJob = await train("inn", innSpec, settingsOf("inn"));
  const discrete = new ReferenceNet(input, seed);
  assignParameters(discrete, readWeightsFile(join(dir, `discrete-${seed}.json`)).parameters);
  const inn = new ReferenceInn(input, referenceInnOptionsFromSpec(innSpec));
  assignParameters(inn, readWeightsFile(join(dir, `inn-${seed}.json`)).parameters);
  const dead = {
    discrete: deadOf(readParameters(discrete), input, dataset),
    inn: deadOf(innDiscreteParameters(inn), input, dataset),
  };
  log(
    `seed ${seed}: dead ReLU channels (conv1/conv2/conv3): discrete ${dead.discrete.counts.join("/")}, integral ${dead.inn.counts.join("/")}`,
  );
  const roughness = tf.tidy(() => inn.roughness().dataSync()[0]);
  log(
    `seed ${seed}: roughness of the integral net's nodes along the hidden channel axes ${roughness.toFixed(2)} (white noise ≈ 18)`,
  );

  // Conversion, then INN-init fine-tuning with random sizes from the converted weights.
  const conversion = convertReferenceNet(discrete, { inn: referenceInnOptionsFromSpec(innInitSpec) });
  const converted = conversion.inn;
  conversion.permuted.dispose();
  const finetuneSettings = settingsOf("innInit");
  const convertedFlat = flatWeights(readParameters(converted));
  const finetuneJob =
    finetuneSettings.epochs > 0 ? await train("inn-init", innInitSpec, finetuneSettings, convertedFlat) : null;
  const innInit = new ReferenceInn(input, referenceInnOptionsFromSpec(innInitSpec));
  if (finetuneJob) assignParameters(innInit, readWeightsFile(join(dir, `inn-init-${seed}.json`)).parameters);

  // Grid tuning of the converted net at some sizes (in this thread: only partition points train).
  const gridSettings = recipeSettings("gridTuning", { seed, limitTrain: options.gridImages });
  const gridTuned = new Map<number, number>();
  const gridPoints: Record<string, Record<string, number[]>> = {};
  for (const fraction of GRID_TUNING_FRACTIONS) {
    converted.resample(sizesAtFraction(converted.groups.fullSizes, REFERENCE_INN_GROUPS, fraction));
    const tuning = new GridTuning(converted);
    log(
      `— seed ${seed}: grid tuning the converted net at ${Math.round(100 * fraction)}% (${gridSettings.limitTrain} images, ${gridSettings.epochs} epoch(s))`,
    );
    await trainInProcess(tuning, dataset, gridSettings);
    gridTuned.set(fraction, accuracy(converted, dataset));
    gridPoints[String(fraction)] = tuning.points();
    tuning.reset();
  }

  log(`— seed ${seed}: evaluating at ${FRACTIONS.map((f) => `${100 * f}%`).join("/")} of every hidden group`);
  const rows: SeedRow[] = [];
  for (const fraction of FRACTIONS) {
    const sizes = sizesAtFraction(inn.groups.fullSizes, REFERENCE_INN_GROUPS, fraction);
    const compression = compressionAt(inn, sizes);
    const evalInn = (m: ReferenceInn) => {
      m.resample(sizes);
      return accuracy(m, dataset);
    };
    const l1 = pruneReferenceNet(discrete, sizes, { method: "l1" });
    const l1Accuracy = accuracy(l1.model, dataset);
    l1.model.dispose();
    const randomRuns = Array.from({ length: RANDOM_PRUNING_RUNS }, (_, k) => {
      const r = pruneReferenceNet(discrete, sizes, { method: "random", random: mulberry32(deriveSeed(seed, 77, k)) });
      const a = accuracy(r.model, dataset);
      r.model.dispose();
      return a;
    });
    const row: SeedRow = {
      fraction,
      sizes,
      inTrainedRange: REFERENCE_INN_GROUPS.every((g) => sizes[g] >= inn.groups.range(g).min),
      paramsCompression: compression.params,
      flopsCompression: compression.flops,
      params: compression.after.params,
      flops: compression.after.flops,
      inn: evalInn(inn),
      l1: l1Accuracy,
      random: mean(randomRuns),
      randomRuns,
      convertedNoFinetune: evalInn(converted),
      innInit: finetuneJob ? evalInn(innInit) : null,
      gridTuned: gridTuned.get(fraction) ?? null,
    };
    rows.push(row);
    log(
      `seed ${seed} ${(100 * fraction).toFixed(0)}%: inn ${pct(row.inn)}, l1 ${pct(row.l1)}, random ${pct(row.random)}, converted ${pct(row.convertedNoFinetune)}, inn-init ${pct(row.innInit)}, grid-tuned ${pct(row.gridTuned)}`,
    );
  }
  const result = {
    seed,
    discrete: { ...summary(discreteJob), model: recipe("discrete").model, deadReluChannels: dead.discrete },
    inn: {
      ...summary(innJob),
      model: innSpec,
      trainingRanges: inn.trainingRanges,
      deadReluChannels: dead.inn,
      channelRoughness: roughness,
    },
    innInit: finetuneJob
      ? { ...summary(finetuneJob), model: referenceInnSpec(innInit), trainingRanges: innInit.trainingRanges }
      : null,
    gridTuning: {
      settings: gridSettings,
      from: "converted (no fine-tuning)",
      fractions: GRID_TUNING_FRACTIONS,
      points: gridPoints,
    },
    conversion: conversion.groups.map((g) => ({
      group: g.group,
      channels: g.channels,
      tvBefore: g.tvBefore,
      tvAfter: g.tvAfter,
    })),
    throughputRatioInnOverDiscrete: innJob.timing.imagesPerSecond / discreteJob.timing.imagesPerSecond,
    rows,
  };
  for (const m of [discrete, inn, converted, innInit]) m.dispose();
  return result;
}

const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const pct = (v: number | null) => (v === null ? "—" : (100 * v).toFixed(2));

/** Mean and (half) range over seeds of one column; null when any seed lacks it. */
function across(values: readonly (number | null)[]): { mean: number; min: number; max: number } | null {
  if (values.some((v) => v === null)) return null;
  const v = values as number[];
  return { mean: mean(v), min: Math.min(...v), max: Math.max(...v) };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  testLimit = options.limitTest;
  const started = performance.now();
  const backend = await initBackend();
  const dataset = loadDataset("mnist");
  const input = { height: dataset.height, width: dataset.width, channels: dataset.channels, classes: dataset.classes };
  const dir = mkdtempSync(join(tmpdir(), "inn-results-"));
  try {
    const seeds = Array.from({ length: options.seeds }, (_, k) => options.firstSeed + k);
    const perSeed: Awaited<ReturnType<typeof runSeed>>[] = [];
    for (const seed of seeds) perSeed.push(await runSeed(seed, options, dataset, input, dir));

    const columns = ["inn", "l1", "random", "convertedNoFinetune", "innInit", "gridTuned"] as const;
    const rows = FRACTIONS.map((fraction, i) => {
      const first = perSeed[0].rows[i];
      const stats = Object.fromEntries(columns.map((c) => [c, across(perSeed.map((s) => s.rows[i][c]))])) as Record<
        (typeof columns)[number],
        ReturnType<typeof across>
      >;
      return {
        fraction,
        sizes: first.sizes,
        inTrainedRange: first.inTrainedRange,
        paramsCompression: first.paramsCompression,
        flopsCompression: first.flopsCompression,
        params: first.params,
        flops: first.flops,
        ...stats,
      };
    });
    const cell = (a: ReturnType<typeof across>) =>
      a === null ? "—" : seeds.length > 1 ? `${pct(a.mean)} (${pct(a.min)}–${pct(a.max)})` : pct(a.mean);
    const table = [
      `| channels | sizes (conv1/2/3) | params compr. | FLOPs compr. | INN (scratch) | L1 pruning | random pruning | converted, no FT | INN-init | grid-tuned (converted) |`,
      "|---|---|---|---|---|---|---|---|---|---|",
      ...rows.map((r) => {
        const s = r.sizes;
        return `| ${(100 * r.fraction).toFixed(0)}% | ${s.conv1}/${s.conv2}/${s.conv3} | ${(100 * r.paramsCompression).toFixed(1)}% | ${(100 * r.flopsCompression).toFixed(1)}% | ${columns.map((c) => cell(r[c])).join(" | ")} |`;
      }),
    ].join("\n");

    // The issue's targets, on the means over seeds.
    const discreteFull = mean(perSeed.map((s) => s.discrete.testAccuracy));
    const innFull = rows[0].inn!.mean;
    // At 100% L1 "pruning" is the discrete net itself: that size is the 0.5-point target, not this one.
    const inRange = rows.filter((r) => r.inTrainedRange && r.fraction < 1);
    const targets = {
      innFullWithinHalfPointOfDiscrete: {
        discrete: discreteFull,
        inn: innFull,
        gapPoints: 100 * (discreteFull - innFull),
        holds: discreteFull - innFull <= 0.005,
      },
      innBeatsL1InsideTrainedRange: {
        sizes: inRange.map((r) => ({
          fraction: r.fraction,
          inn: r.inn!.mean,
          l1: r.l1!.mean,
          holds: r.inn!.mean > r.l1!.mean,
        })),
        holds: inRange.every((r) => r.inn!.mean > r.l1!.mean),
      },
      innWithinOnePointOfFullDownTo50: {
        sizes: rows
          .filter((r) => r.fraction >= 0.5)
          .map((r) => ({ fraction: r.fraction, inn: r.inn!.mean, dropPoints: 100 * (innFull - r.inn!.mean) })),
        holds: rows.filter((r) => r.fraction >= 0.5).every((r) => innFull - r.inn!.mean <= 0.01),
      },
    };
    log("\n" + table + "\n");
    log(
      `full size (mean over seeds ${seeds.join(", ")}): discrete ${pct(discreteFull)}%, integral from scratch ${pct(innFull)}%`,
    );
    log(
      `dead ReLU channels (conv1/conv2/conv3) per seed: discrete ${perSeed.map((s) => s.discrete.deadReluChannels.counts.join("/")).join(", ")}; integral ${perSeed.map((s) => s.inn.deadReluChannels.counts.join("/")).join(", ")}`,
    );
    log(
      `targets: INN within 0.5 pt of discrete: ${targets.innFullWithinHalfPointOfDiscrete.holds} (gap ${targets.innFullWithinHalfPointOfDiscrete.gapPoints.toFixed(2)} pt); ` +
        `INN > L1 at every size in range: ${targets.innBeatsL1InsideTrainedRange.holds}; INN within 1 pt of full down to 50%: ${targets.innWithinOnePointOfFullDownTo50.holds}`,
    );
    log(
      `training throughput integral/discrete: ${perSeed.map((s) => s.throughputRatioInnOverDiscrete.toFixed(2)).join(", ")}×`,
    );

    const result = {
      command: `npx tsx loaders/studies/inn-results.ts ${process.argv.slice(2).join(" ")}`.trim(),
      backend,
      workers: options.workers,
      seeds,
      recipes: {
        discrete: recipe("discrete"),
        inn: recipe("inn"),
        innInit: recipe("innInit"),
        gridTuning: recipe("gridTuning"),
      },
      trainingRanges: perSeed[0].inn.trainingRanges,
      perSeed,
      rows,
      table,
      targets,
      totalSeconds: (performance.now() - started) / 1000,
    };
    process.stdout.write(JSON.stringify(result, null, 2) + "\n");
    log(`total ${(result.totalSeconds / 60).toFixed(1)} min`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((e: Error) => {
    process.stderr.write(`inn-results: ${e.message}\n`);
    process.exitCode = 1;
  });
}
