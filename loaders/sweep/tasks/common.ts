/**
 * What the task kinds share: the model's input shape, the test split and its accuracy, training with
 * progress and timing, recipe settings under a profile, the reference family's size ladder, dead-channel
 * probes, model files and the conversion of a trained discrete net.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Dataset, Split } from "../../../src/lib/data/dataset.js";
import { batchImages, headOfSplit } from "../../../src/lib/data/dataset.js";
import type { InputShape, Model } from "../../../src/lib/model.js";
import { ReferenceNet } from "../../../src/lib/models/reference.js";
import { REFERENCE_INN_GROUPS, ReferenceInn, type ReferenceInnGroup } from "../../../src/lib/models/reference-inn.js";
import { referenceInnOptionsFromSpec } from "../../../src/lib/models/reference-inn-spec.js";
import { modelCost, type ModelCost } from "../../../src/lib/integral/accounting.js";
import { sizesAtFraction } from "../../../src/lib/integral/groups.js";
import { assignParameters, type ParameterTensor } from "../../../src/lib/compression/parameters.js";
import { convertReferenceNet } from "../../../src/lib/compression/conversion.js";
import { deadChannels, PrunedReferenceNet } from "../../../src/lib/compression/pruning.js";
import { evaluateSums, summarizeEvaluation } from "../../../src/lib/train/evaluate.js";
import { trainInProcess } from "../../../src/lib/train/local.js";
import type { LoopResult } from "../../../src/lib/train/loop.js";
import { type TrainSettings } from "../../../src/lib/train/settings.js";
import { encodeModelFile, saveContinuousModel } from "../../../src/lib/io/model-file.js";
import { recipe, recipeSettings, type RecipeKind } from "../../recipes.js";
import { progressHooks } from "../../train-job.js";
import type { RunPoint, TaskContext } from "./types.js";

const PROBE_IMAGES = 2000;

export function input(dataset: Dataset): InputShape {
  return { height: dataset.height, width: dataset.width, channels: dataset.channels, classes: dataset.classes };
}

export function testSplit(ctx: TaskContext): Split {
  const n = ctx.profile.limitTest;
  return n > 0 && n < ctx.dataset.test.count ? headOfSplit(ctx.dataset.test, n, ctx.dataset) : ctx.dataset.test;
}

export function accuracy(model: Model, ctx: TaskContext): number {
  return summarizeEvaluation([evaluateSums(model, testSplit(ctx), ctx.dataset)]).accuracy;
}

export class Timer {
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

export async function train(
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

/**
 * Epochs that show a dataset as many images as the profile plans: a profile's amounts are images per epoch
 * (`limitTrain`, 0 = all) × epochs, so a dataset smaller than `limitTrain` gets proportionally more epochs
 * instead of a handful of optimizer steps. Unchanged when the dataset has the planned images.
 */
export function epochsFor(epochs: number, limitTrain: number, trainCount: number): number {
  if (!(limitTrain > trainCount)) return epochs;
  return Math.ceil((epochs * limitTrain) / trainCount);
}

export function settingsFor(
  kind: RecipeKind,
  ctx: TaskContext,
  seed: number,
  overrides: Partial<TrainSettings> = {},
): TrainSettings {
  const planned = recipeSettings(kind, {
    seed,
    limitTrain: ctx.profile.limitTrain,
    ...(ctx.profile.epochs[kind] ? { epochs: ctx.profile.epochs[kind] } : {}),
    ...overrides,
  });
  return recipeSettings(kind, {
    ...planned,
    epochs: epochsFor(planned.epochs, planned.limitTrain, ctx.dataset.train.count),
  });
}

// The curves schema defines the flag's rule; the sweep's tests reach it here too.
export { nearChance } from "../../../src/lib/io/curves-schema.js";

export function probe(ctx: TaskContext): tf.Tensor4D {
  const n = Math.min(PROBE_IMAGES, ctx.dataset.test.count);
  return batchImages(
    ctx.dataset.test,
    Int32Array.from({ length: n }, (_, i) => i),
    ctx.dataset,
  );
}

export function deadOf(params: ParameterTensor[], ctx: TaskContext): Record<string, number> {
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
export function referenceLadder(
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
export function innSpec(kind: "inn" | "innInit" = "inn"): { name: string; [option: string]: unknown } {
  return recipe(kind).model;
}

export function evaluateInnLadder(
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

export function modelFileBytes(inn: ReferenceInn, training: Record<string, unknown>, ctx: TaskContext): Uint8Array {
  const { manifest, blob } = saveContinuousModel(inn);
  return encodeModelFile({ ...manifest, training: { ...training, engine: ctx.engine } }, blob);
}

/** The trained discrete net of `after`, converted (TV-minimising reorder + exact node init). */
export function converted(
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
