/**
 * The integral reference net trained from scratch on random sizes, resampled at every size of the ladder.
 */
import { createReferenceInn } from "../../../src/lib/models/reference-inn.js";
import { referenceInnOptionsFromSpec } from "../../../src/lib/models/reference-inn-spec.js";
import { innDiscreteParameters } from "../../../src/lib/compression/conversion.js";
import type { SweepTask, TaskResult, TaskContext } from "./types.js";
import {
  input,
  accuracy,
  Timer,
  train,
  settingsFor,
  deadOf,
  referenceLadder,
  innSpec,
  evaluateInnLadder,
  modelFileBytes,
} from "./common.js";

export async function innTask(task: Extract<SweepTask, { kind: "inn" }>, ctx: TaskContext): Promise<TaskResult> {
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
