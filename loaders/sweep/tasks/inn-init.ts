/**
 * The discrete net converted (no fine-tuning), then fine-tuned on random sizes (INN-init).
 */
import { innDiscreteParameters } from "../../../src/lib/compression/conversion.js";
import type { SweepTask, TaskResult, TaskContext } from "./types.js";
import {
  accuracy,
  Timer,
  train,
  settingsFor,
  deadOf,
  referenceLadder,
  innSpec,
  evaluateInnLadder,
  converted,
} from "./common.js";

export async function innInitTask(
  task: Extract<SweepTask, { kind: "inn-init" }>,
  ctx: TaskContext,
): Promise<TaskResult> {
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
