/**
 * Grid tuning of the converted net: partition points trained at each size with the weights frozen.
 */
import { GridTuning } from "../../../src/lib/compression/grid-tuning.js";
import type { SweepTask, RunPoint, TaskResult, TaskContext } from "./types.js";
import { accuracy, Timer, train, settingsFor, referenceLadder, innSpec, converted } from "./common.js";

export async function gridTask(task: Extract<SweepTask, { kind: "grid" }>, ctx: TaskContext): Promise<TaskResult> {
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
