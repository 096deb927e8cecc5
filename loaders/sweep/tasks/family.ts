/**
 * A SIB family's variant, trained with its SINN recipe: the INN and SINN are resampled at every fraction, the
 * discrete net is L1-pruned there; batch-norm statistics are re-estimated at each size for all three, and
 * compression is measured against the family's discrete net.
 */
import * as tf from "@tensorflow/tfjs-core";
import { batchImages } from "../../../src/lib/data/dataset.js";
import { createFamilyModel } from "../../../src/lib/sinn/families.js";
import type { IntegralGraphNet } from "../../../src/lib/graph/graph-net.js";
import { readParameters } from "../../../src/lib/compression/parameters.js";
import { prunedPlanNet } from "../../../src/lib/compression/plan-pruning.js";
import { resolveSettings } from "../../../src/lib/train/settings.js";
import { encodeWeightsFile, statisticsOf } from "../../../src/lib/io/weights-file.js";
import { sinnRecipe } from "../../recipes.js";
import type { SweepTask, RunPoint, TaskResult, TaskContext } from "./types.js";
import { input, accuracy, Timer, train, epochsFor } from "./common.js";

export async function familyTask(task: Extract<SweepTask, { kind: "family" }>, ctx: TaskContext): Promise<TaskResult> {
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
    const settings = resolveSettings({
      ...r.settings,
      seed: task.seed,
      limitTrain: f.limitTrain,
      epochs: epochsFor(f.epochs, f.limitTrain, ctx.dataset.train.count),
    });
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
    const points: RunPoint[] =
      task.variant === "discrete" ? l1Points(model, batches, ctx) : resampledPoints(model, batches, ctx);
    const method = { discrete: "discrete-l1", inn: "inn-scratch", sinn: "sinn" }[task.variant];
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

/** The integral variants: resampled at every fraction, statistics re-estimated at the reduced sizes. */
function resampledPoints(model: IntegralGraphNet, batches: tf.Tensor4D[], ctx: TaskContext): RunPoint[] {
  return ctx.profile.fractions.map((fraction) => {
    const sizes = model.fractionSizes(fraction);
    model.resample(sizes);
    if (fraction !== 1) model.estimateStatistics(batches, sizes);
    const d = model.describe({ ...model.fullSizes, ...sizes });
    return { fraction, sizes, params: d.params, flops: d.flops, accuracies: [accuracy(model, ctx)] };
  });
}

/**
 * The discrete variant: each group's lowest-L1 channels removed, statistics re-estimated at every size (full size
 * too, as the integral variants are: the running averages lag the weights after a short schedule).
 */
function l1Points(model: IntegralGraphNet, batches: tf.Tensor4D[], ctx: TaskContext): RunPoint[] {
  const params = readParameters({
    parameterNames: [...model.parameterNames, ...model.stateNames],
    trainableVariables: [...model.trainableVariables, ...model.stateVariables],
  });
  return ctx.profile.fractions.map((fraction) => {
    const sizes = model.fractionSizes(fraction);
    const pruned = prunedPlanNet(model.plan, params, sizes, "l1").net;
    try {
      pruned.estimateStatistics(batches);
      const d = model.describe({ ...model.fullSizes, ...sizes });
      return { fraction, sizes, params: d.params, flops: d.flops, accuracies: [accuracy(pruned, ctx)] };
    } finally {
      pruned.dispose();
    }
  });
}
