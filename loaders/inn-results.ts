/**
 * Issue 3's results for the reference MNIST net (DESIGN.md §3):
 *  (a) the net trained discretely and as an integral net from scratch with random-size partitions
 *      (every hidden group drawn from 25–100% each step), same settings, full-size test accuracy of both;
 *  (b) without fine-tuning, test accuracy at 100/75/50/35/25% of every hidden group for the integral net
 *      (resampled), and L1 / random channel pruning of the discrete twin at the same sizes;
 *  (c) INN-init: the discrete net converted (TV-minimising reorder + exact node init) and briefly
 *      fine-tuned with random sizes, at the same sizes; also the converted net before fine-tuning.
 * Training ranges, settings, parameter/FLOP compression, dead ReLU channels and training throughput
 * (integral vs discrete, same engine, same run) are recorded with the results.
 *
 *   npx tsx loaders/inn-results.ts [--epochs 2] [--finetune-epochs 1] [--limit-train 0] [--workers 2] [--seed 0] [--lr-1e4 10]
 *   (--lr-1e4 10 = learning rate 0.001; default: the trainer's 0.003)
 *
 * Table and progress on stderr, JSON on stdout.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import * as tf from "@tensorflow/tfjs-core";
import { initEngine } from "./engine.js";
import { loadDataset } from "./datasets.js";
import { readWeightsFile } from "./train-weights.js";
import { runTrainJob, type TrainJobResult } from "./train-job.js";
import { batchImages } from "../src/lib/data/dataset.js";
import type { Model } from "../src/lib/model.js";
import { ReferenceNet } from "../src/lib/models/reference.js";
import { REFERENCE_INN_GROUPS, ReferenceInn } from "../src/lib/models/reference-inn.js";
import { referenceInnOptionsFromSpec, referenceInnSpec } from "../src/lib/models/reference-inn-spec.js";
import { compressionAt, sizesAtFraction } from "../src/lib/accounting.js";
import { assignParameters, convertReferenceNet, innDiscreteParameters, readParameters, type ParameterTensor } from "../src/lib/conversion.js";
import { deadChannels, pruneReferenceNet, PrunedReferenceNet } from "../src/lib/pruning.js";
import { evaluateSums, summarizeEvaluation } from "../src/lib/train/evaluate.js";
import { resolveSettings, type TrainSettings } from "../src/lib/train/settings.js";
import { mulberry32, deriveSeed } from "../src/lib/random.js";
import type { Dataset } from "../src/lib/data/dataset.js";

const FRACTIONS = [1, 0.75, 0.5, 0.35, 0.25];
const RANDOM_PRUNING_SEEDS = 3;
const log = (line: string) => process.stderr.write(line + "\n");

interface Options {
  epochs: number;
  finetuneEpochs: number;
  limitTrain: number;
  workers: number;
  seed: number;
  /** Learning rate in 1e-4 units (integer flag), 0 = the trainer's default. */
  lr: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { epochs: 2, finetuneEpochs: 1, limitTrain: 0, workers: 2, seed: 0, lr: 0 };
  const keys: Record<string, keyof Options> = { "--epochs": "epochs", "--finetune-epochs": "finetuneEpochs", "--limit-train": "limitTrain", "--workers": "workers", "--seed": "seed", "--lr-1e4": "lr" };
  for (let i = 0; i < argv.length; i += 2) {
    const key = keys[argv[i]];
    const value = Number(argv[i + 1]);
    if (!key) throw new Error(`inn-results: unknown option "${argv[i]}" (known: ${Object.keys(keys).join(", ")})`);
    if (!Number.isInteger(value) || value < 0) throw new Error(`inn-results: ${argv[i]} needs a non-negative integer, got "${argv[i + 1]}"`);
    o[key] = value;
  }
  return o;
}

function accuracy(model: Model, dataset: Dataset): number {
  return summarizeEvaluation([evaluateSums(model, dataset.test, dataset)]).accuracy;
}

function flatWeights(params: readonly ParameterTensor[]): Float32Array {
  const out = new Float32Array(params.reduce((n, p) => n + p.values.length, 0));
  let offset = 0;
  for (const p of params) { out.set(p.values, offset); offset += p.values.length; }
  return out;
}

function summary(job: TrainJobResult) {
  return { testAccuracy: job.final.testAccuracy, testLoss: job.final.testLoss, epochs: job.epochs.map((e) => ({ epoch: e.epoch, testAccuracy: e.testAccuracy, trainLoss: e.trainLoss })), trainSeconds: job.timing.trainSeconds, imagesPerSecond: job.timing.imagesPerSecond };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const backend = await initEngine();
  const dataset = loadDataset("mnist");
  const input = { height: dataset.height, width: dataset.width, channels: dataset.channels, classes: dataset.classes };
  const settings: TrainSettings = resolveSettings({ seed: options.seed, epochs: options.epochs, limitTrain: options.limitTrain, ...(options.lr > 0 ? { learningRate: options.lr * 1e-4 } : {}) });
  const dir = mkdtempSync(join(tmpdir(), "inn-results-"));
  const innSpec = { name: "reference-inn", minFraction: 0.25 };
  try {
    // (a) Discrete and integral training, same settings, both through the data-parallel trainer.
    const train = (name: string, model: { name: string; [k: string]: unknown }, s: TrainSettings, initialWeights?: Float32Array) => {
      log(`— training ${name}`);
      return runTrainJob({ model, dataset: "mnist", settings: s, workers: options.workers, initialWeights, out: join(dir, `${name}.json`), progressInterval: 20 });
    };
    const discreteJob = await train("discrete", { name: "reference" }, settings);
    const innJob = await train("inn", innSpec, settings);

    const discrete = new ReferenceNet(input, 0);
    assignParameters(discrete, readWeightsFile(join(dir, "discrete.json")).parameters);
    const inn = new ReferenceInn(input, referenceInnOptionsFromSpec(innSpec));
    assignParameters(inn, readWeightsFile(join(dir, "inn.json")).parameters);

    // Dead ReLU channels on 2,000 test images (discrete net, and the integral net at full size).
    const probe = batchImages(dataset.test, Int32Array.from({ length: 2000 }, (_, i) => i), dataset);
    const discreteAsPruned = new PrunedReferenceNet(input, readParameters(discrete));
    const innAsDiscrete = new PrunedReferenceNet(input, innDiscreteParameters(inn));
    const dead = { discrete: deadChannels(discreteAsPruned, probe).map((d) => d.length), inn: deadChannels(innAsDiscrete, probe).map((d) => d.length) };
    tf.dispose(probe);
    discreteAsPruned.dispose();
    innAsDiscrete.dispose();
    log(`dead ReLU channels (conv1/conv2/conv3): discrete ${dead.discrete.join("/")}, integral ${dead.inn.join("/")}`);

    // (c) INN-init: convert the trained discrete net, fine-tune with random sizes (same ranges).
    const conversion = convertReferenceNet(discrete, { inn: referenceInnOptionsFromSpec(innSpec) });
    const converted = conversion.inn;
    conversion.permuted.dispose();
    for (const g of conversion.groups) log(`conversion ${g.group}: TV ${g.tvBefore.toFixed(4)} → ${g.tvAfter.toFixed(4)}`);
    const finetuneSettings = resolveSettings({ ...settings, epochs: options.finetuneEpochs, learningRate: settings.learningRate * settings.lrGamma ** settings.epochs });
    const convertedFlat = flatWeights(converted.trainableVariables.map((v, i) => ({ name: converted.parameterNames[i], shape: v.shape, values: v.dataSync() as Float32Array })));
    const finetuneJob = options.finetuneEpochs > 0 ? await train("inn-init", innSpec, finetuneSettings, convertedFlat) : null;
    const innInit = new ReferenceInn(input, referenceInnOptionsFromSpec(innSpec));
    if (finetuneJob) assignParameters(innInit, readWeightsFile(join(dir, "inn-init.json")).parameters);

    // (b, c) Accuracy at each fraction without fine-tuning.
    log("— evaluating at 100/75/50/35/25% of every hidden group");
    const rows = [];
    for (const fraction of FRACTIONS) {
      const sizes = sizesAtFraction(inn.groups.fullSizes, REFERENCE_INN_GROUPS, fraction);
      const compression = compressionAt(inn, sizes);
      const evalInn = (m: ReferenceInn) => { m.resample(sizes); return accuracy(m, dataset); };
      const l1 = pruneReferenceNet(discrete, sizes, { method: "l1" });
      const l1Accuracy = accuracy(l1.model, dataset);
      l1.model.dispose();
      const randomAccuracies = Array.from({ length: RANDOM_PRUNING_SEEDS }, (_, k) => {
        const r = pruneReferenceNet(discrete, sizes, { method: "random", random: mulberry32(deriveSeed(options.seed, 77, k)) });
        const a = accuracy(r.model, dataset);
        r.model.dispose();
        return a;
      });
      const inRange = REFERENCE_INN_GROUPS.every((g) => sizes[g] >= inn.groups.range(g).min);
      const row = {
        fraction, sizes, inTrainedRange: inRange,
        paramsCompression: compression.params, flopsCompression: compression.flops, params: compression.after.params, flops: compression.after.flops,
        inn: evalInn(inn),
        l1: l1Accuracy,
        random: randomAccuracies.reduce((a, b) => a + b, 0) / randomAccuracies.length,
        randomRuns: randomAccuracies,
        convertedNoFinetune: evalInn(converted),
        innInit: finetuneJob ? evalInn(innInit) : null,
      };
      rows.push(row);
      log(`${(100 * fraction).toFixed(0)}%: inn ${(100 * row.inn).toFixed(2)}, l1 ${(100 * row.l1).toFixed(2)}, random ${(100 * row.random).toFixed(2)}, converted ${(100 * row.convertedNoFinetune).toFixed(2)}${row.innInit !== null ? `, inn-init ${(100 * row.innInit).toFixed(2)}` : ""}`);
    }

    const pct = (v: number | null) => (v === null ? "—" : (100 * v).toFixed(2).padStart(6));
    const table = [
      "| channels | sizes (conv1/2/3) | params compr. | FLOPs compr. | INN (scratch) | L1 pruning | random pruning | converted, no FT | INN-init |",
      "|---|---|---|---|---|---|---|---|---|",
      ...rows.map((r) => `| ${(100 * r.fraction).toFixed(0)}% | ${r.sizes.conv1}/${r.sizes.conv2}/${r.sizes.conv3} | ${(100 * r.paramsCompression).toFixed(1)}% | ${(100 * r.flopsCompression).toFixed(1)}% | ${pct(r.inn)} | ${pct(r.l1)} | ${pct(r.random)} | ${pct(r.convertedNoFinetune)} | ${pct(r.innInit)} |`),
    ].join("\n");
    log("\n" + table + "\n");
    log(`full size: discrete ${(100 * discreteJob.final.testAccuracy).toFixed(2)}%, integral from scratch ${(100 * innJob.final.testAccuracy).toFixed(2)}%; ` +
      `training throughput integral/discrete ${(innJob.timing.imagesPerSecond / discreteJob.timing.imagesPerSecond).toFixed(2)}× (${Math.round(innJob.timing.imagesPerSecond)} vs ${Math.round(discreteJob.timing.imagesPerSecond)} img/s)`);

    const result = {
      command: `npx tsx loaders/inn-results.ts ${process.argv.slice(2).join(" ")}`.trim(),
      backend, workers: options.workers, settings, finetuneSettings: finetuneJob ? finetuneSettings : null,
      model: referenceInnSpec(inn),
      trainingRanges: inn.trainingRanges,
      discrete: summary(discreteJob),
      inn: summary(innJob),
      innInit: finetuneJob ? summary(finetuneJob) : null,
      throughputRatioInnOverDiscrete: innJob.timing.imagesPerSecond / discreteJob.timing.imagesPerSecond,
      deadReluChannels: dead,
      conversion: conversion.groups.map((g) => ({ group: g.group, channels: g.channels, tvBefore: g.tvBefore, tvAfter: g.tvAfter })),
      rows, table,
      totalSeconds: (performance.now() - started) / 1000,
    };
    process.stdout.write(JSON.stringify(result, null, 2) + "\n");
    for (const m of [discrete, inn, converted, innInit]) m.dispose();
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
