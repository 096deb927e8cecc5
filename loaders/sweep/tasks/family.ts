/**
 * A SIB family's INN or SINN variant: trained with its SINN recipe, resampled at every fraction with
 * batch-norm statistics re-estimated at each size; compression against the family's discrete net.
 */
import * as tf from "@tensorflow/tfjs-core";
import { batchImages } from "../../../src/lib/data/dataset.js";
import { createFamilyModel } from "../../../src/lib/sinn/families.js";
import { readParameters } from "../../../src/lib/compression/parameters.js";
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
