/**
 * Convert a tfjs layers model into an integral network from the command line, and measure it: the JSON
 * result on stdout, progress on stderr.
 *
 *   npx tsx loaders/convert.ts --model path/model.json [--dataset mnist] [--fine-tune-epochs N] [--out file]
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "./backend.js";
import { loadDataset, type DatasetOptions } from "./datasets.js";
import { defaultWorkerCount, progressHooks } from "./train-job.js";
import { ParallelTrainer } from "./parallel/trainer.js";
import { recipe } from "./recipes.js";
import { writeWeightsFile } from "./train-weights.js";
import { UsageError } from "./train.js";
import {
  checkLayerWeightShapes,
  convertLayersModel,
  logitDifference,
  withLogitOutput,
} from "../src/lib/convert/convert.js";
import { artifactsFromFiles } from "../src/lib/convert/weights.js";
import { checkWeightsManifest } from "../src/lib/io/tfjs-manifest.js";
import { prunedPlanNet } from "../src/lib/compression/plan-pruning.js";
import { describePlan } from "../src/lib/graph/describe-plan.js";
import type { IntegralGraphNet } from "../src/lib/graph/graph-net.js";
import { CALIBRATION_IMAGES } from "../src/lib/live/graph-session.js";
import { batchImages, headOfSplit, type Dataset } from "../src/lib/data/dataset.js";
import { evaluateSums, summarizeEvaluation } from "../src/lib/train/evaluate.js";
import { trainInProcess } from "../src/lib/train/local.js";
import { trainLoop } from "../src/lib/train/loop.js";
import { resolveSettings, type TrainSettings } from "../src/lib/train/settings.js";
import { assignFlatWeights } from "../src/lib/train/gradients.js";
import { parameterNamesOf, statisticsOf } from "../src/lib/io/weights-file.js";
import { PLAN_MODEL } from "../src/lib/models/registry.js";
import type { GroupMemberDescription } from "../src/lib/integral/groups.js";
import type { CurvePoint } from "../src/lib/io/curves-schema.js";

export const USAGE = `Usage: npx tsx loaders/convert.ts --model <model.json> [options]

Converts a tfjs layers model (Sequential or functional, saved by tf.io or converted from Keras) into an
integral network, and prints JSON on stdout (progress on stderr): its groups with their sizes, the
parameters and FLOPs at full size and at 100/75/50/25% of every resizable group, the full-size max logit
difference against the model, and test accuracy at those sizes of the integral net and of the L1-pruned
original (both batch-norm calibrated at each reduced size on the first ${CALIBRATION_IMAGES} training images).

  --model <path>            model.json; its weight files are read from beside it, as its manifest names them
  --dataset <name>          mnist or a folder under data/ (default mnist); must match the model's input
  --data-dir <dir>          folder holding user datasets (default data/)
  --fine-tune-epochs <n>    then fine-tune the converted net on random sizes for n epochs (the INN-init
                            recipe) and measure again (default 0: no fine-tuning)
  --out <file>              write the integral net (fine-tuned when asked) as a weights file, with its
                            plan and batch-norm statistics, as the live page reads plan nets
  --seed <n>                seed of the fine-tune (default 0)
  --limit-train <n>         fine-tune on the first n training images only (0 = all)
  --limit-test <n>          evaluate on the first n test images only (0 = all)
  --workers <n>             data-parallel fine-tuning workers (default ${defaultWorkerCount()} here; 1 = this thread)
  --quiet                   no progress on stderr
  --help                    show this help
`;

export interface ConvertJobOptions {
  model: string;
  dataset: string;
  datasetOptions?: DatasetOptions;
  fineTuneEpochs: number;
  out?: string;
  seed: number;
  limitTrain: number;
  limitTest: number;
  workers?: number;
  log?: ((line: string) => void) | null;
}

/** The fractions of every resizable group the result reports. */
export const CONVERT_FRACTIONS = [1, 0.75, 0.5, 0.25] as const;

/** Images the full-size difference is measured on (the first test images). */
const DIFFERENCE_IMAGES = 256;

/** Images of the full-size statistics re-estimate after fine-tuning (as the sweep's). */
const STATISTICS_IMAGES = 1024;

const FLAG_KINDS: Record<string, "string" | "int" | "bool"> = {
  "--model": "string",
  "--dataset": "string",
  "--data-dir": "string",
  "--fine-tune-epochs": "int",
  "--out": "string",
  "--seed": "int",
  "--limit-train": "int",
  "--limit-test": "int",
  "--workers": "int",
  "--quiet": "bool",
};

/** Parse arguments; null means --help. */
export function parseConvertArgs(argv: string[]): ConvertJobOptions | null {
  const values = new Map<string, string | number | boolean>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf("=");
    const [name, inline] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    if (name === "--help" || name === "-h") return null;
    const kind = FLAG_KINDS[name];
    if (!kind) throw new UsageError(`unknown option "${arg}"`);
    if (kind === "bool") {
      values.set(name, true);
      continue;
    }
    const raw = inline ?? argv[++i];
    if (raw === undefined || (inline === undefined && raw.startsWith("--")))
      throw new UsageError(`${name} needs a value`);
    if (kind === "int") {
      const n = Number(raw);
      if (raw.trim() === "" || !Number.isInteger(n) || n < 0)
        throw new UsageError(`${name}: "${raw}" is not a non-negative integer`);
      values.set(name, n);
    } else values.set(name, raw);
  }
  const model = values.get("--model") as string | undefined;
  if (!model) throw new UsageError("--model is required");
  const workers = values.get("--workers") as number | undefined;
  if (workers !== undefined && workers < 1) throw new UsageError(`--workers: must be at least 1, got ${workers}`);
  const dataDir = values.get("--data-dir") as string | undefined;
  return {
    model,
    dataset: (values.get("--dataset") as string | undefined) ?? "mnist",
    ...(dataDir ? { datasetOptions: { dataDir } } : {}),
    fineTuneEpochs: (values.get("--fine-tune-epochs") as number | undefined) ?? 0,
    out: values.get("--out") as string | undefined,
    seed: (values.get("--seed") as number | undefined) ?? 0,
    limitTrain: (values.get("--limit-train") as number | undefined) ?? 0,
    limitTest: (values.get("--limit-test") as number | undefined) ?? 0,
    workers,
    log: values.get("--quiet") ? null : undefined,
  };
}

/** model.json and the weight files its manifest names (beside it), as tf.io artifacts. */
export function readLayersModelFiles(path: string): tf.io.ModelArtifacts {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  const files: Record<string, ArrayBuffer> = {};
  // The manifest is checked before any weights file is opened (artifactsFromFiles checks it against them).
  const manifest = (json as { weightsManifest?: unknown } | null)?.weightsManifest;
  for (const group of checkWeightsManifest(manifest, path))
    for (const p of group.paths) {
      const file = resolve(dirname(path), p);
      if (!existsSync(file)) throw new Error(`${path}: weights file "${p}" (named in the manifest) is not at ${file}`);
      const bytes = readFileSync(file);
      files[p] = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    }
  return artifactsFromFiles(json, files, path, (topology, specs) =>
    checkLayerWeightShapes(topology, specs, { source: path }),
  );
}

/** A point of the accuracy ladder: a curve point's sizes and costs, one accuracy per net. */
export interface ConvertPoint extends Pick<
  CurvePoint,
  "fraction" | "sizes" | "params" | "flops" | "paramsCompression" | "flopsCompression"
> {
  accuracy: { integral: number; l1: number; fineTuned?: number };
}

export interface ConvertResult {
  format: "integral-lab/conversion";
  version: 1;
  model: { path: string; name: string; outputSoftmax: boolean };
  dataset: { name: string; height: number; width: number; channels: number; classes: number; testCount: number };
  groups: {
    id: string;
    size: number;
    resizable: boolean;
    range?: { min: number; max: number };
    parts?: string[];
    members: GroupMemberDescription[];
  }[];
  fullSize: { params: number; flops: number; maxLogitDifference: number; relativeDifference: number; images: number };
  channelOrder: { group: string; tvBefore: number; tvAfter: number }[];
  points: ConvertPoint[];
  fineTune: { epochs: number; recipe: "innInit"; settings: TrainSettings; seconds: number } | null;
  calibrationImages: number;
  weightsPath: string | null;
}

function accuracy(net: IntegralGraphNet, dataset: Dataset, limitTest: number): number {
  const split =
    limitTest > 0 && limitTest < dataset.test.count ? headOfSplit(dataset.test, limitTest, dataset) : dataset.test;
  return summarizeEvaluation([evaluateSums(net, split, dataset)]).accuracy;
}

/** First `count` training images in batches of CALIBRATION_IMAGES (caller disposes). */
function trainingBatches(dataset: Dataset, count: number): tf.Tensor4D[] {
  const n = Math.min(count, dataset.train.count);
  const batches: tf.Tensor4D[] = [];
  for (let from = 0; from < n; from += CALIBRATION_IMAGES) {
    const size = Math.min(CALIBRATION_IMAGES, n - from);
    batches.push(
      batchImages(
        dataset.train,
        Int32Array.from({ length: size }, (_, k) => from + k),
        dataset,
      ),
    );
  }
  return batches;
}

export async function runConvertJob(options: ConvertJobOptions): Promise<ConvertResult> {
  const log = options.log === undefined ? (line: string) => process.stderr.write(line + "\n") : options.log;
  const path = resolve(options.model);
  await initBackend("wasm");
  const artifacts = readLayersModelFiles(options.model);
  const dataset = loadDataset(options.dataset, options.datasetOptions);
  const input = { height: dataset.height, width: dataset.width, channels: dataset.channels, classes: dataset.classes };
  const innInit = recipe("innInit");
  const converted = convertLayersModel(artifacts, {
    source: options.model,
    input,
    minFraction: innInit.model.minFraction as number,
    net: { fullSizeProbability: innInit.model.fullSizeProbability as number },
    onProgress: (m) => log?.(`convert: ${m}`),
  });
  const { net, plan, params } = converted;
  const [calibration] = trainingBatches(dataset, CALIBRATION_IMAGES) as [tf.Tensor4D];
  try {
    // Full size: the converted net against tfjs's own evaluation of the model (logits: any softmax removed).
    const original = await tf.loadLayersModel(tf.io.fromMemory(withLogitOutput(artifacts, options.model)));
    const count = Math.min(DIFFERENCE_IMAGES, dataset.test.count);
    const x = batchImages(
      dataset.test,
      Int32Array.from({ length: count }, (_, k) => k),
      dataset,
    );
    const expected = original.predict(x) as tf.Tensor;
    const got = net.apply(x, { training: false });
    const difference = logitDifference(expected, got);
    tf.dispose([x, expected, got]);
    original.dispose();
    log?.(
      `full size: max |logit difference| ${difference.maxAbs.toExponential(2)} (relative ${difference.relative.toExponential(2)})`,
    );

    const full = describePlan(plan);
    const ladder = CONVERT_FRACTIONS.map((fraction) => ({ fraction, sizes: net.fractionSizes(fraction) }));
    /** The integral net's accuracy at every size, calibrated at the reduced ones. */
    const integralLadder = (label: string) =>
      ladder.map(({ fraction, sizes }) => {
        net.clearCalibrations();
        net.resample(sizes);
        if (fraction < 1) net.calibrate([calibration]);
        const a = accuracy(net, dataset, options.limitTest);
        log?.(`${label} at ${Math.round(100 * fraction)}%: ${(100 * a).toFixed(2)}%`);
        return a;
      });
    const integral = integralLadder("integral (converted)");
    const l1 = ladder.map(({ fraction, sizes }) => {
      const pruned = prunedPlanNet(plan, params, sizes, "l1").net;
      try {
        if (fraction < 1) pruned.calibrate([calibration]);
        const a = accuracy(pruned, dataset, options.limitTest);
        log?.(`L1-pruned original at ${Math.round(100 * fraction)}%: ${(100 * a).toFixed(2)}%`);
        return a;
      } finally {
        pruned.dispose();
      }
    });

    let fineTune: ConvertResult["fineTune"] = null;
    let fineTuned: number[] | undefined;
    if (options.fineTuneEpochs > 0) {
      net.clearCalibrations();
      net.resample(net.fractionSizes(1));
      const settings = resolveSettings({
        ...innInit.settings,
        epochs: options.fineTuneEpochs,
        seed: options.seed,
        limitTrain: options.limitTrain,
        limitTest: Math.min(options.limitTest || 500, 500),
      });
      const started = performance.now();
      const hooks = log ? progressHooks((line) => log(`fine-tune: ${line}`), 10) : {};
      const workers = options.workers ?? defaultWorkerCount();
      log?.(
        `fine-tuning on random sizes (${settings.epochs} epoch(s), ${settings.optimizer} lr ${settings.learningRate}, ${workers} worker(s))`,
      );
      if (workers === 1) await trainInProcess(net, dataset, settings, hooks);
      else {
        const trainer = await ParallelTrainer.start({
          workers,
          backend: "wasm",
          model: { name: PLAN_MODEL, plan, fullSizeProbability: net.fullSizeProbability },
          dataset: options.dataset,
          datasetOptions: options.datasetOptions ?? {},
          settings,
          initialWeights: Float32Array.from(net.trainableVariables.flatMap((v) => Array.from(v.dataSync()))),
        });
        try {
          await trainLoop(settings, trainer, hooks);
          assignFlatWeights(net.trainableVariables, await trainer.weights());
          net.invalidate();
        } finally {
          await trainer.close();
        }
      }
      // Full-size statistics re-estimated deterministically (workers' running averages are their own).
      if (net.statisticsVariables.length > 0) {
        const batches = trainingBatches(dataset, STATISTICS_IMAGES);
        net.estimateStatistics(batches);
        tf.dispose(batches);
      }
      fineTune = {
        epochs: settings.epochs,
        recipe: "innInit",
        settings,
        seconds: (performance.now() - started) / 1000,
      };
      fineTuned = integralLadder("integral (fine-tuned)");
    }

    let weightsPath: string | null = null;
    if (options.out) {
      net.clearCalibrations();
      net.resample(net.fractionSizes(1));
      weightsPath = resolve(options.out);
      writeWeightsFile(weightsPath, {
        model: { name: PLAN_MODEL, plan, fullSizeProbability: net.fullSizeProbability },
        input,
        seed: options.seed,
        parameters: net.trainableVariables.map((v, i) => ({
          name: parameterNamesOf(net)[i] as string,
          shape: v.shape.slice(),
          values: v.dataSync().slice() as Float32Array,
        })),
        statistics: statisticsOf(net),
      });
      log?.(`integral net written to ${weightsPath}`);
    }

    const described = full.groups;
    return {
      format: "integral-lab/conversion",
      version: 1,
      model: { path, name: plan.name, outputSoftmax: converted.outputSoftmax },
      dataset: {
        name: options.dataset,
        ...input,
        testCount: options.limitTest > 0 ? Math.min(options.limitTest, dataset.test.count) : dataset.test.count,
      },
      groups: described.map((g) => ({
        id: g.id,
        size: g.nodes,
        resizable: plan.hidden.includes(g.id),
        ...(plan.hidden.includes(g.id) && g.range ? { range: { ...g.range } } : {}),
        ...(g.parts ? { parts: [...g.parts] } : {}),
        members: g.members ?? [],
      })),
      fullSize: {
        params: full.params,
        flops: full.flops,
        maxLogitDifference: difference.maxAbs,
        relativeDifference: difference.relative,
        images: count,
      },
      channelOrder: converted.groups.map((g) => ({ group: g.group, tvBefore: g.tvBefore, tvAfter: g.tvAfter })),
      points: ladder.map(({ fraction, sizes }, k) => {
        const d = describePlan(plan, sizes);
        return {
          fraction,
          sizes,
          params: d.params,
          flops: d.flops,
          paramsCompression: 1 - d.params / full.params,
          flopsCompression: 1 - d.flops / full.flops,
          accuracy: {
            integral: integral[k] as number,
            l1: l1[k] as number,
            ...(fineTuned ? { fineTuned: fineTuned[k] as number } : {}),
          },
        };
      }),
      fineTune,
      calibrationImages: CALIBRATION_IMAGES,
      weightsPath,
    };
  } finally {
    calibration.dispose();
    net.dispose();
  }
}

async function main(argv: string[]): Promise<number> {
  let options: ConvertJobOptions | null;
  try {
    options = parseConvertArgs(argv);
  } catch (e) {
    process.stderr.write(`convert: ${(e as Error).message}\nRun with --help for usage.\n`);
    return 2;
  }
  if (!options) {
    process.stdout.write(USAGE);
    return 0;
  }
  try {
    const result = await runConvertJob(options);
    process.stdout.write(JSON.stringify(result, null, 2) + "\n");
    return 0;
  } catch (e) {
    process.stderr.write(`convert: ${(e as Error).message}\n`);
    return 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  process.exitCode = await main(process.argv.slice(2));
}
