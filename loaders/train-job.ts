/**
 * One training run from the command line or a data loader: picks in-process or data-parallel
 * training, prints progress to stderr, optionally writes the weights, and returns a JSON-able result.
 */
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import "@tensorflow/tfjs"; // registers the gradients (tfjs-core's Node bundle has none)
import { activeEngineRecord, initBackend, type NodeBackend } from "./backend.js";
import { chooseEngineAndReport, nativeThreadsPer, type Engine, type EngineRecord } from "./engine.js";
import { loadDataset, type DatasetOptions } from "./datasets.js";
import { ParallelTrainer } from "./parallel/trainer.js";
import { checkWritable, writeWeightsFile } from "./train-weights.js";
import { createModel, type ModelSpec } from "../src/lib/models/registry.js";
import type { InputShape } from "../src/lib/model.js";
import { LocalTrainer } from "../src/lib/train/local.js";
import { trainLoop, type EpochResult, type StepProgress, type TrainHooks } from "../src/lib/train/loop.js";
import { resolveSettings, type TrainSettings } from "../src/lib/train/settings.js";
import { parameterNamesOf, type WeightsParameter } from "../src/lib/io/weights-file.js";
import { assignFlatWeights } from "../src/lib/train/gradients.js";

export interface TrainJobOptions {
  model: ModelSpec;
  dataset: string;
  datasetOptions?: DatasetOptions;
  settings?: Partial<TrainSettings>;
  /** Worker threads (default min(2, cores)); 1 trains in this thread. */
  workers?: number;
  backend?: NodeBackend;
  /** Compute engine of the wasm backend (default: INTEGRAL_LAB_ENGINE, else native when it loads). */
  engine?: Engine;
  /** oneDNN threads per worker on the native engine (default: the cores shared among the workers). */
  threads?: number;
  /** Modules (file URLs) imported before the model is built, in every worker (e.g. to register models). */
  preload?: string[];
  /** Start from these weights (flat, in trainable-variable order) instead of the seed's initialisation. */
  initialWeights?: Float32Array;
  /** Write the trained weights here (atomically). */
  out?: string;
  /** Where progress lines go (default stderr); null for silence. */
  log?: ((line: string) => void) | null;
  /** Seconds between progress lines (default 2). */
  progressInterval?: number;
}

export interface TrainJobResult {
  model: ModelSpec;
  dataset: { name: string } & InputShape & { trainCount: number; testCount: number };
  settings: TrainSettings;
  seed: number;
  workers: number;
  backend: string;
  /** The engine that trained (null on the cpu backend). */
  engine: EngineRecord | null;
  epochs: EpochResult[];
  final: { testAccuracy: number; testLoss: number; testCount: number };
  timing: {
    totalSeconds: number;
    startupSeconds: number;
    trainSeconds: number;
    evalSeconds: number;
    imagesPerSecond: number;
  };
  memory: { peakRssBytes: number };
  weightsPath: string | null;
}

export function defaultWorkerCount(): number {
  return Math.min(2, availableParallelism());
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

/** Progress hooks that print at most one step line per `interval` seconds, plus every epoch's summary. */
export function progressHooks(log: (line: string) => void, interval: number): TrainHooks {
  let last = -Infinity;
  return {
    onStep(p: StepProgress) {
      const now = performance.now();
      if (now - last < interval * 1000 && p.step !== p.stepsPerEpoch - 1) return;
      last = now;
      log(
        `epoch ${p.epoch + 1}/${p.epochs} step ${p.step + 1}/${p.stepsPerEpoch} loss ${p.loss.toFixed(4)} ` +
          `${Math.round(p.imagesPerSecond)} img/s ETA ${formatDuration(p.etaSeconds)}`,
      );
    },
    onEpoch(r: EpochResult) {
      log(
        `epoch ${r.epoch + 1} done: train loss ${r.trainLoss.toFixed(4)}, test loss ${r.testLoss.toFixed(4)}, ` +
          `test accuracy ${(100 * r.testAccuracy).toFixed(2)}%, ${r.trainSeconds.toFixed(1)} s, ${Math.round(r.imagesPerSecond)} img/s`,
      );
    },
  };
}

function splitWeights(flat: Float32Array, names: string[], shapes: number[][]): WeightsParameter[] {
  let offset = 0;
  return shapes.map((shape, i) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = flat.slice(offset, offset + size);
    offset += size;
    return { name: names[i], shape, values };
  });
}

/** "native engine (oneDNN 2.6.3, avx2, 1 thread)" or "wasm engine", for progress lines. */
export function describeEngine(engine: EngineRecord | null): string {
  if (!engine) return "no engine (cpu backend)";
  if (engine.name === "wasm") return "wasm engine";
  return `native engine (oneDNN ${engine.onednn}, ${engine.isa}, ${engine.threads} thread${engine.threads === 1 ? "" : "s"})`;
}

export async function runTrainJob(options: TrainJobOptions): Promise<TrainJobResult> {
  const started = performance.now();
  const settings = resolveSettings(options.settings);
  const workers = options.workers ?? defaultWorkerCount();
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`workers must be a positive integer, got ${workers}`);
  const backendName = options.backend ?? "wasm";
  // Chosen once here, so every worker trains on the same engine and a fallback is reported once.
  const engine = backendName === "wasm" ? chooseEngineAndReport(options.engine) : undefined;
  const threads = options.threads ?? nativeThreadsPer(workers);
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`threads must be a positive integer, got ${threads}`);
  const log = options.log === undefined ? (line: string) => process.stderr.write(line + "\n") : options.log;
  const hooks = log ? progressHooks(log, options.progressInterval ?? 2) : {};
  const datasetOptions = options.datasetOptions ?? {};
  const outPath = options.out !== undefined ? resolve(options.out) : null;
  if (options.out !== undefined) checkWritable(options.out, "--out");

  let loop;
  let backend: string;
  let engineUsed: EngineRecord | null;
  let input: InputShape;
  let testCount: number;
  let trainCount: number;
  let startupSeconds: number;
  let weights: WeightsParameter[];
  if (workers === 1) {
    backend = await initBackend(backendName, { engine, threads });
    engineUsed = activeEngineRecord();
    for (const url of options.preload ?? []) await import(url);
    const dataset = loadDataset(options.dataset, datasetOptions);
    input = { height: dataset.height, width: dataset.width, channels: dataset.channels, classes: dataset.classes };
    const model = createModel(options.model, input, settings.seed);
    if (options.initialWeights) assignFlatWeights(model.trainableVariables, options.initialWeights);
    const trainer = new LocalTrainer(model, dataset, settings);
    trainCount = trainer.trainCount;
    testCount = settings.limitTest > 0 ? Math.min(settings.limitTest, dataset.test.count) : dataset.test.count;
    startupSeconds = (performance.now() - started) / 1000;
    log?.(
      `training ${options.model.name} on ${options.dataset} (${trainCount} images) in this thread, ${backend} backend, ${describeEngine(engineUsed)}`,
    );
    try {
      loop = await trainLoop(settings, trainer, hooks);
      const names = parameterNamesOf(model);
      weights = model.trainableVariables.map((v, i) => ({
        name: names[i],
        shape: v.shape.slice(),
        values: v.dataSync().slice() as Float32Array,
      }));
    } finally {
      trainer.dispose();
      model.dispose();
    }
  } else {
    const trainer = await ParallelTrainer.start({
      workers,
      backend: backendName,
      engine,
      threads,
      model: options.model,
      dataset: options.dataset,
      datasetOptions,
      settings,
      preload: options.preload,
      initialWeights: options.initialWeights,
    });
    try {
      backend = trainer.backend;
      engineUsed = trainer.engine;
      input = trainer.input;
      trainCount = trainer.trainCount;
      testCount = trainer.testCount;
      startupSeconds = (performance.now() - started) / 1000;
      log?.(
        `training ${options.model.name} on ${options.dataset} (${trainCount} images) on ${workers} workers, ${backend} backend, ${describeEngine(engineUsed)}`,
      );
      loop = await trainLoop(settings, trainer, hooks);
      weights = splitWeights(await trainer.weights(), trainer.parameterNames, trainer.parameterShapes);
    } finally {
      await trainer.close();
    }
  }
  if (outPath) {
    writeWeightsFile(outPath, {
      model: options.model,
      input,
      seed: settings.seed,
      parameters: weights,
      training: { settings, engine: engineUsed },
    });
    log?.(`weights written to ${outPath}`);
  }
  const trainImages = trainCount * settings.epochs;
  return {
    model: options.model,
    dataset: { name: options.dataset, ...input, trainCount, testCount },
    settings,
    seed: settings.seed,
    workers,
    backend,
    engine: engineUsed,
    epochs: loop.epochs,
    final: { testAccuracy: loop.final.accuracy, testLoss: loop.final.loss, testCount: loop.final.count },
    timing: {
      totalSeconds: (performance.now() - started) / 1000,
      startupSeconds,
      trainSeconds: loop.trainSeconds,
      evalSeconds: loop.evalSeconds,
      imagesPerSecond: trainImages / Math.max(loop.trainSeconds, 1e-9),
    },
    memory: { peakRssBytes: process.resourceUsage().maxRSS * 1024 },
    weightsPath: outPath,
  };
}
