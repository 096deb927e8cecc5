/**
 * The sweep's training tasks. Each task trains one model in-process (one wasm thread; the sweep runs
 * several tasks at once on worker threads) and evaluates it at every fraction of channels, returning
 * raw per-run accuracies, group sizes and costs; curves.ts aggregates them over seeds. Results depend
 * only on the task and the dataset (never on scheduling), so a sweep is deterministic.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Dataset, Split } from "../../src/lib/data/dataset.js";
import { batchImages, batchLabels, headOfSplit } from "../../src/lib/data/dataset.js";
import type { InputShape, Model } from "../../src/lib/model.js";
import type { LhcMasks } from "../../src/lib/io/curves-schema.js";
import { ReferenceNet } from "../../src/lib/models/reference.js";
import {
  createReferenceInn,
  REFERENCE_INN_GROUPS,
  ReferenceInn,
  type ReferenceInnGroup,
} from "../../src/lib/models/reference-inn.js";
import { referenceInnOptionsFromSpec } from "../../src/lib/models/reference-inn-spec.js";
import { createFamilyModel, type SinnFamily, type SinnVariant } from "../../src/lib/sinn/families.js";
import { modelCost, sizesAtFraction, type ModelCost } from "../../src/lib/integral/accounting.js";
import {
  assignParameters,
  convertReferenceNet,
  GridTuning,
  innDiscreteParameters,
  readParameters,
  type ParameterTensor,
} from "../../src/lib/compression/conversion.js";
import { deadChannels, pruneReferenceNet, PrunedReferenceNet } from "../../src/lib/compression/pruning.js";
import { evaluateSums, summarizeEvaluation } from "../../src/lib/train/evaluate.js";
import { trainInProcess } from "../../src/lib/train/local.js";
import type { LoopResult } from "../../src/lib/train/loop.js";
import { resolveSettings, type TrainSettings } from "../../src/lib/train/settings.js";
import { encodeWeightsFile, statisticsOf } from "../../src/lib/io/weights-file.js";
import { deriveSeed, mulberry32 } from "../../src/lib/random.js";
import { encodeModelFile, saveContinuousModel } from "../../src/lib/io/model-file.js";
import { recipe, recipeSettings, sinnRecipe, type RecipeKind } from "../recipes.js";
import { progressHooks } from "../train-job.js";
import { trainMethodNet, type MethodNetTask } from "../method-nets.js";
import type { SweepProfile } from "./profiles.js";
import type { EngineRecord } from "../engine.js";

export type SweepTask =
  | { id: string; kind: "discrete"; seed: number; saveModel: boolean }
  | { id: string; kind: "inn"; seed: number; saveModel: boolean }
  | { id: string; kind: "inn-init"; seed: number; after: string }
  | { id: string; kind: "grid"; seed: number; after: string }
  | { id: string; kind: "lhc"; seed: number; density: number }
  | { id: string; kind: "ssc"; seed: number }
  | { id: string; kind: "igpc"; seed: number; channelsPerGroup: number }
  | { id: string; kind: "family"; seed: number; family: SinnFamily; variant: SinnVariant; saveModel: boolean };

/** One evaluated point of one run: a fraction of channels, the group sizes, the cost and the accuracies. */
export interface RunPoint {
  fraction: number;
  sizes: Record<string, number>;
  params: number;
  flops: number;
  /** One accuracy per evaluation (several for random pruning draws). */
  accuracies: number[];
  /** Measured density of the kept weights (LHC). */
  weightDensity?: number;
  /** LHC: the learnt masks of every layer (first seed's; curves-schema.ts LhcMasks). */
  lhcMasks?: LhcMasks;
  /** Grid tuning: the partition points each hidden group learned at this size (on [−1, 1]). */
  partitions?: Record<string, number[]>;
}

/** One method's run on one seed. */
export interface MethodRun {
  family: string;
  method: string;
  seed: number;
  /** The full-size cost compression is measured against (the family's discrete net). */
  familyFull: ModelCost;
  model: Record<string, unknown>;
  training: Record<string, unknown>;
  points: RunPoint[];
}

export interface ModelReport {
  family: string;
  model: string;
  seed: number;
  testAccuracy: number;
  /** Dead ReLU channels per conv layer (never positive on the probe images), when measurable. */
  deadChannels?: Record<string, number>;
}

export interface TaskResult {
  id: string;
  runs: MethodRun[];
  models: ModelReport[];
  /** Output files (model files) by name. */
  files: Record<string, Uint8Array>;
  /** Trained discrete parameters (for the tasks that start from them). */
  discrete?: ParameterTensor[];
  /** Not part of the curves (timings are not deterministic). */
  timing: { seconds: number; trainSeconds: number; imagesPerSecond: number[] };
}

export interface TaskContext {
  dataset: Dataset;
  profile: SweepProfile;
  /** Results of the tasks this one runs after (by id). */
  inputs: Record<string, TaskResult>;
  log: (line: string) => void;
  /** The engine training runs on, recorded in the model files. */
  engine: EngineRecord;
}

const PROBE_IMAGES = 2000;

function input(dataset: Dataset): InputShape {
  return { height: dataset.height, width: dataset.width, channels: dataset.channels, classes: dataset.classes };
}

function testSplit(ctx: TaskContext): Split {
  const n = ctx.profile.limitTest;
  return n > 0 && n < ctx.dataset.test.count ? headOfSplit(ctx.dataset.test, n, ctx.dataset) : ctx.dataset.test;
}

function accuracy(model: Model, ctx: TaskContext): number {
  return summarizeEvaluation([evaluateSums(model, testSplit(ctx), ctx.dataset)]).accuracy;
}

class Timer {
  private readonly start = performance.now();
  trainSeconds = 0;
  readonly rates: number[] = [];
  record(loop: LoopResult, images: number): void {
    this.trainSeconds += loop.trainSeconds;
    this.rates.push(images / Math.max(loop.trainSeconds, 1e-9));
  }
  done() {
    return {
      seconds: (performance.now() - this.start) / 1000,
      trainSeconds: this.trainSeconds,
      imagesPerSecond: this.rates,
    };
  }
}

async function train(
  model: Model,
  settings: TrainSettings,
  ctx: TaskContext,
  timer: Timer,
  what: string,
): Promise<LoopResult> {
  const count =
    settings.limitTrain > 0 ? Math.min(settings.limitTrain, ctx.dataset.train.count) : ctx.dataset.train.count;
  ctx.log(
    `training ${what}: ${settings.epochs} epoch(s) × ${count} images, ${settings.optimizer} lr ${settings.learningRate}`,
  );
  const hooks = progressHooks((line) => ctx.log(`${what}: ${line}`), 10);
  // Evaluation during training is not needed by the sweep: evaluate on a tiny split.
  const loop = await trainInProcess(
    model,
    ctx.dataset,
    { ...settings, limitTest: Math.min(settings.limitTest || 500, 500) },
    hooks,
  );
  timer.record(loop, count * settings.epochs);
  return loop;
}

function settingsFor(
  kind: RecipeKind,
  ctx: TaskContext,
  seed: number,
  overrides: Partial<TrainSettings> = {},
): TrainSettings {
  const epochs = ctx.profile.epochs[kind];
  return recipeSettings(kind, {
    seed,
    limitTrain: ctx.profile.limitTrain,
    ...(epochs ? { epochs } : {}),
    ...overrides,
  });
}

function probe(ctx: TaskContext): tf.Tensor4D {
  const n = Math.min(PROBE_IMAGES, ctx.dataset.test.count);
  return batchImages(
    ctx.dataset.test,
    Int32Array.from({ length: n }, (_, i) => i),
    ctx.dataset,
  );
}

function deadOf(params: ParameterTensor[], ctx: TaskContext): Record<string, number> {
  const net = new PrunedReferenceNet(input(ctx.dataset), params);
  const images = probe(ctx);
  try {
    const dead = deadChannels(net, images);
    return Object.fromEntries(REFERENCE_INN_GROUPS.map((g, i) => [g, dead[i].length]));
  } finally {
    images.dispose();
    net.dispose();
  }
}

/** The reference family's size ladder and costs (an untrained ReferenceInn only describes). */
function referenceLadder(
  ctx: TaskContext,
): { sizes: Record<ReferenceInnGroup, number>; cost: ModelCost; fraction: number }[] & { full: ModelCost } {
  const skeleton = new ReferenceInn(input(ctx.dataset));
  try {
    const ladder = ctx.profile.fractions.map((fraction) => {
      const sizes = sizesAtFraction(skeleton.groups.fullSizes, REFERENCE_INN_GROUPS, fraction) as Record<
        ReferenceInnGroup,
        number
      >;
      return { fraction, sizes, cost: modelCost(skeleton, sizes) };
    });
    return Object.assign(ladder, { full: modelCost(skeleton) });
  } finally {
    skeleton.dispose();
  }
}

/** Model spec of the integral reference net a recipe trains (inn: from scratch; innInit: converted). */
function innSpec(kind: "inn" | "innInit" = "inn"): { name: string; [option: string]: unknown } {
  return recipe(kind).model;
}

function evaluateInnLadder(
  inn: ReferenceInn,
  ctx: TaskContext,
  ladder: ReturnType<typeof referenceLadder>,
): RunPoint[] {
  const points = ladder.map(({ fraction, sizes, cost }) => {
    inn.resample(sizes);
    return { fraction, sizes, params: cost.params, flops: cost.flops, accuracies: [accuracy(inn, ctx)] };
  });
  const full = inn.groups.fullSizes;
  inn.resample({ conv1: full.conv1, conv2: full.conv2, conv3: full.conv3 });
  return points;
}

function modelFileBytes(inn: ReferenceInn, training: Record<string, unknown>, ctx: TaskContext): Uint8Array {
  const { manifest, blob } = saveContinuousModel(inn);
  return encodeModelFile({ ...manifest, training: { ...training, engine: ctx.engine } }, blob);
}

async function discreteTask(task: Extract<SweepTask, { kind: "discrete" }>, ctx: TaskContext): Promise<TaskResult> {
  const timer = new Timer();
  const ladder = referenceLadder(ctx);
  const settings = settingsFor("discrete", ctx, task.seed);
  const net = new ReferenceNet(input(ctx.dataset), task.seed);
  try {
    await train(net, settings, ctx, timer, `reference (discrete, seed ${task.seed})`);
    const params = readParameters(net);
    const full = accuracy(net, ctx);
    const l1: RunPoint[] = [];
    const random: RunPoint[] = [];
    for (const { fraction, sizes, cost } of ladder) {
      const pruned = pruneReferenceNet(net, sizes, { method: "l1" });
      l1.push({ fraction, sizes, params: cost.params, flops: cost.flops, accuracies: [accuracy(pruned.model, ctx)] });
      pruned.model.dispose();
      const draws = Array.from({ length: ctx.profile.randomPruningDraws }, (_, k) => {
        const r = pruneReferenceNet(net, sizes, { method: "random", random: mulberry32(deriveSeed(task.seed, 77, k)) });
        const a = accuracy(r.model, ctx);
        r.model.dispose();
        return a;
      });
      random.push({ fraction, sizes, params: cost.params, flops: cost.flops, accuracies: draws });
    }
    const training = { recipe: "discrete", settings };
    const files: Record<string, Uint8Array> = {};
    if (task.saveModel) {
      // The discrete twin as a continuous model (nodes = its channels, exact at full size), channel order kept.
      const twin = ReferenceInn.fromDiscrete(net, referenceInnOptionsFromSpec(innSpec("innInit")));
      files["reference.model"] = modelFileBytes(
        twin,
        { trainedAs: "discrete", recipe: "discrete", seed: task.seed, settings, testAccuracy: full },
        ctx,
      );
      twin.dispose();
    }
    ctx.log(
      `reference (discrete, seed ${task.seed}): ${(100 * full).toFixed(2)}%; L1 pruning: ${l1.map((p) => `${Math.round(100 * p.fraction)}% → ${(100 * p.accuracies[0]).toFixed(2)}%`).join(", ")}`,
    );
    return {
      id: task.id,
      runs: [
        {
          family: "reference",
          method: "discrete-l1",
          seed: task.seed,
          familyFull: ladder.full,
          model: { name: "reference" },
          training,
          points: l1,
        },
        {
          family: "reference",
          method: "discrete-random",
          seed: task.seed,
          familyFull: ladder.full,
          model: { name: "reference" },
          training: { ...training, draws: ctx.profile.randomPruningDraws },
          points: random,
        },
      ],
      models: [
        {
          family: "reference",
          model: "reference",
          seed: task.seed,
          testAccuracy: full,
          deadChannels: deadOf(params, ctx),
        },
      ],
      files,
      discrete: params,
      timing: timer.done(),
    };
  } finally {
    net.dispose();
  }
}

async function innTask(task: Extract<SweepTask, { kind: "inn" }>, ctx: TaskContext): Promise<TaskResult> {
  const timer = new Timer();
  const ladder = referenceLadder(ctx);
  const settings = settingsFor("inn", ctx, task.seed);
  const spec = { ...innSpec(), ...ctx.profile.innTraining };
  const inn = createReferenceInn(input(ctx.dataset), task.seed, referenceInnOptionsFromSpec(spec as { name: string }));
  try {
    await train(inn, settings, ctx, timer, `reference-inn (from scratch, seed ${task.seed})`);
    const full = accuracy(inn, ctx);
    const points = evaluateInnLadder(inn, ctx, ladder);
    const training = { recipe: "inn", settings, trainingRanges: inn.trainingRanges };
    const files: Record<string, Uint8Array> = {};
    if (task.saveModel)
      files["reference-inn.model"] = modelFileBytes(
        inn,
        { trainedAs: "inn-scratch", recipe: "inn", seed: task.seed, settings, testAccuracy: full },
        ctx,
      );
    return {
      id: task.id,
      runs: [
        {
          family: "reference",
          method: "inn-scratch",
          seed: task.seed,
          familyFull: ladder.full,
          model: spec,
          training,
          points,
        },
      ],
      models: [
        {
          family: "reference",
          model: "reference-inn",
          seed: task.seed,
          testAccuracy: full,
          deadChannels: deadOf(innDiscreteParameters(inn), ctx),
        },
      ],
      files,
      timing: timer.done(),
    };
  } finally {
    inn.dispose();
  }
}

/** The trained discrete net of `after`, converted (TV-minimising reorder + exact node init). */
function converted(
  after: string,
  ctx: TaskContext,
  seed: number,
): { inn: ReferenceInn; tv: { group: string; before: number; after: number }[] } {
  const params = ctx.inputs[after]?.discrete;
  if (!params) throw new Error(`sweep: task needs the discrete weights of "${after}"`);
  const net = new ReferenceNet(input(ctx.dataset), seed);
  try {
    assignParameters(net, params, "sweep conversion");
    const conversion = convertReferenceNet(net, { inn: referenceInnOptionsFromSpec(innSpec("innInit")) });
    conversion.permuted.dispose();
    return {
      inn: conversion.inn,
      tv: conversion.groups.map((g) => ({ group: g.group, before: g.tvBefore, after: g.tvAfter })),
    };
  } finally {
    net.dispose();
  }
}

async function innInitTask(task: Extract<SweepTask, { kind: "inn-init" }>, ctx: TaskContext): Promise<TaskResult> {
  const timer = new Timer();
  const ladder = referenceLadder(ctx);
  const { inn, tv } = converted(task.after, ctx, task.seed);
  try {
    const before = evaluateInnLadder(inn, ctx, ladder);
    const settings = settingsFor("innInit", ctx, task.seed);
    await train(inn, settings, ctx, timer, `reference-inn (INN-init fine-tune, seed ${task.seed})`);
    const after = evaluateInnLadder(inn, ctx, ladder);
    const spec = innSpec("innInit");
    return {
      id: task.id,
      runs: [
        {
          family: "reference",
          method: "converted",
          seed: task.seed,
          familyFull: ladder.full,
          model: spec,
          training: { from: "discrete", conversion: tv },
          points: before,
        },
        {
          family: "reference",
          method: "inn-init",
          seed: task.seed,
          familyFull: ladder.full,
          model: spec,
          training: {
            from: "discrete",
            conversion: tv,
            recipe: "innInit",
            settings,
            trainingRanges: inn.trainingRanges,
          },
          points: after,
        },
      ],
      models: [
        {
          family: "reference",
          model: "reference-inn (INN-init)",
          seed: task.seed,
          testAccuracy: after[0].fraction === 1 ? after[0].accuracies[0] : accuracy(inn, ctx),
          deadChannels: deadOf(innDiscreteParameters(inn), ctx),
        },
      ],
      files: {},
      timing: timer.done(),
    };
  } finally {
    inn.dispose();
  }
}

async function gridTask(task: Extract<SweepTask, { kind: "grid" }>, ctx: TaskContext): Promise<TaskResult> {
  const timer = new Timer();
  const ladder = referenceLadder(ctx);
  const { inn } = converted(task.after, ctx, task.seed);
  const settings = settingsFor("gridTuning", ctx, task.seed, { limitTrain: ctx.profile.gridTuningImages });
  try {
    const points: RunPoint[] = [];
    for (const { fraction, sizes, cost } of ladder) {
      inn.resample(sizes);
      const tuning = new GridTuning(inn);
      await train(tuning, settings, ctx, timer, `grid tuning at ${Math.round(100 * fraction)}% (seed ${task.seed})`);
      points.push({
        fraction,
        sizes,
        params: cost.params,
        flops: cost.flops,
        accuracies: [accuracy(inn, ctx)],
        partitions: tuning.points(),
      });
      tuning.reset();
    }
    return {
      id: task.id,
      runs: [
        {
          family: "reference",
          method: "inn-grid-tuned",
          seed: task.seed,
          familyFull: ladder.full,
          model: innSpec("innInit"),
          training: {
            from: "converted",
            recipe: "gridTuning",
            settings,
            tuned: "partition points of every hidden group, weights frozen, one run per size",
          },
          points,
        },
      ],
      models: [],
      files: {},
      timing: timer.done(),
    };
  } finally {
    inn.dispose();
  }
}

/** A kernel-shape / grouped point-wise net with its method recipe (loaders/method-nets.ts), one trained point. */
async function methodNetTask(
  task: Extract<SweepTask, { kind: "lhc" | "ssc" | "igpc" }>,
  ctx: TaskContext,
): Promise<TaskResult> {
  const timer = new Timer();
  const inp = input(ctx.dataset);
  const ladder = referenceLadder(ctx);
  const m = ctx.profile.methodNets;
  const net: MethodNetTask =
    task.kind === "lhc"
      ? { kind: "lhc", density: task.density }
      : task.kind === "igpc"
        ? { kind: "igpc", channelsPerGroup: task.channelsPerGroup }
        : { kind: "ssc" };
  const trained = await trainMethodNet(
    net,
    inp,
    task.seed,
    { limitTrain: m.limitTrain, epochs: m.epochs, maskEpochs: m.lhcMaskEpochs },
    (model, settings, what) => train(model, settings, ctx, timer, what),
  );
  try {
    const full = accuracy(trained.net, ctx);
    const fullSizes = Object.fromEntries(REFERENCE_INN_GROUPS.map((g, i) => [g, [16, 32, 64][i]]));
    const { cost, weightDensity, lhcMasks } = trained;
    return {
      id: task.id,
      runs: [
        {
          family: "reference",
          method: trained.method,
          seed: task.seed,
          familyFull: ladder.full,
          model: trained.spec,
          training: trained.training,
          points: [
            {
              fraction: 1,
              sizes: fullSizes,
              params: cost.params,
              flops: cost.flops,
              accuracies: [full],
              ...(weightDensity !== undefined ? { weightDensity } : {}),
              ...(lhcMasks ? { lhcMasks } : {}),
            },
          ],
        },
      ],
      models: [{ family: "reference", model: trained.method, seed: task.seed, testAccuracy: full }],
      files: {},
      timing: timer.done(),
    };
  } finally {
    trained.net.dispose();
  }
}

async function familyTask(task: Extract<SweepTask, { kind: "family" }>, ctx: TaskContext): Promise<TaskResult> {
  const timer = new Timer();
  const inp = input(ctx.dataset);
  const f = ctx.profile.families;
  const r = sinnRecipe(task.variant);
  const discrete = createFamilyModel(task.family, "discrete", inp, 0);
  const familyFull = (() => {
    const d = discrete.describe(discrete.fullSizes);
    return { params: d.params, flops: d.flops };
  })();
  discrete.dispose();
  const model = createFamilyModel(task.family, task.variant, inp, task.seed, r.model);
  const name = `${task.family}-${task.variant}`;
  // The structure (what the registry rebuilds); training-only options are recorded with the settings.
  const spec = {
    name,
    ...(r.model.minFraction !== undefined ? { minFraction: r.model.minFraction } : {}),
    ...(r.model.widthScale !== undefined ? { widthScale: r.model.widthScale } : {}),
  };
  const batches: tf.Tensor4D[] = [];
  try {
    const settings = resolveSettings({ ...r.settings, seed: task.seed, limitTrain: f.limitTrain, epochs: f.epochs });
    await train(model, settings, ctx, timer, name);
    // Deterministic batch-norm statistics: the same first 1,024 training images at every size.
    for (let k = 0; k < 4; k++)
      batches.push(
        batchImages(
          ctx.dataset.train,
          Int32Array.from({ length: 256 }, (_, i) => 256 * k + i),
          ctx.dataset,
        ),
      );
    model.estimateStatistics(batches);
    const training = {
      recipe: `sinn:${task.variant}`,
      modelOptions: r.model,
      settings,
      trainingRanges: model.trainingRanges,
      statistics: "batch-norm statistics re-estimated at each size on the first 1,024 training images",
    };
    const files: Record<string, Uint8Array> = {};
    if (task.saveModel) {
      const text = encodeWeightsFile({
        model: spec,
        input: inp,
        seed: task.seed,
        parameters: readParameters(model),
        statistics: statisticsOf(model),
        training: { ...training, engine: ctx.engine },
      });
      files[`sinn-${task.family}.model`] = new TextEncoder().encode(text);
    }
    const points: RunPoint[] = [];
    for (const fraction of ctx.profile.fractions) {
      const sizes =
        fraction === 1
          ? Object.fromEntries(model.hiddenGroups.map((g) => [g, model.fullSizes[g]]))
          : model.fractionSizes(fraction);
      model.resample(sizes);
      if (fraction !== 1) model.estimateStatistics(batches, sizes);
      const d = model.describe({ ...model.fullSizes, ...sizes });
      points.push({ fraction, sizes, params: d.params, flops: d.flops, accuracies: [accuracy(model, ctx)] });
    }
    const method = task.variant === "sinn" ? "sinn" : "inn-scratch";
    return {
      id: task.id,
      runs: [{ family: task.family, method, seed: task.seed, familyFull, model: spec, training, points }],
      models: [{ family: task.family, model: name, seed: task.seed, testAccuracy: points[0].accuracies[0] }],
      files,
      timing: timer.done(),
    };
  } finally {
    tf.dispose(batches);
    model.dispose();
  }
}

export async function runTask(task: SweepTask, ctx: TaskContext): Promise<TaskResult> {
  switch (task.kind) {
    case "discrete":
      return discreteTask(task, ctx);
    case "inn":
      return innTask(task, ctx);
    case "inn-init":
      return innInitTask(task, ctx);
    case "grid":
      return gridTask(task, ctx);
    case "lhc":
    case "ssc":
    case "igpc":
      return methodNetTask(task, ctx);
    case "family":
      return familyTask(task, ctx);
  }
}

/** The tasks of a profile, in a fixed order (longest first, so two workers finish together). */
export function planTasks(profile: SweepProfile): SweepTask[] {
  const tasks: SweepTask[] = [];
  for (const seed of profile.seeds) {
    tasks.push({ id: `discrete-${seed}`, kind: "discrete", seed, saveModel: seed === profile.seeds[0] });
    tasks.push({ id: `inn-${seed}`, kind: "inn", seed, saveModel: seed === profile.seeds[0] });
  }
  for (const family of profile.families.names) {
    for (const variant of ["inn", "sinn"] as const)
      tasks.push({
        id: `${family}-${variant}`,
        kind: "family",
        seed: 0,
        family: family as SinnFamily,
        variant,
        saveModel: variant === "sinn",
      });
  }
  for (const density of profile.methodNets.lhcDensities)
    tasks.push({ id: `lhc-${density}`, kind: "lhc", seed: 0, density });
  if (profile.methodNets.ssc) tasks.push({ id: "ssc", kind: "ssc", seed: 0 });
  for (const ch of profile.methodNets.igpcChannelsPerGroup)
    tasks.push({ id: `igpc-${ch}`, kind: "igpc", seed: 0, channelsPerGroup: ch });
  for (const seed of profile.seeds) {
    tasks.push({ id: `inn-init-${seed}`, kind: "inn-init", seed, after: `discrete-${seed}` });
    tasks.push({ id: `grid-${seed}`, kind: "grid", seed, after: `discrete-${seed}` });
  }
  return tasks;
}
