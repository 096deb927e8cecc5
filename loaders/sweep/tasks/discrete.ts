/**
 * The discrete reference net: trained with its recipe, then pruned without fine-tuning (L1 and random)
 * at every size of the ladder; its trained parameters feed the conversion tasks.
 */
import { ReferenceNet } from "../../../src/lib/models/reference.js";
import { ReferenceInn } from "../../../src/lib/models/reference-inn.js";
import { referenceInnOptionsFromSpec } from "../../../src/lib/models/reference-inn-spec.js";
import { readParameters } from "../../../src/lib/compression/parameters.js";
import { pruneReferenceNet } from "../../../src/lib/compression/pruning.js";
import { deriveSeed, mulberry32 } from "../../../src/lib/random.js";
import type { SweepTask, RunPoint, TaskResult, TaskContext } from "./types.js";
import {
  input,
  accuracy,
  Timer,
  train,
  settingsFor,
  deadOf,
  referenceLadder,
  innSpec,
  modelFileBytes,
} from "./common.js";

export async function discreteTask(
  task: Extract<SweepTask, { kind: "discrete" }>,
  ctx: TaskContext,
): Promise<TaskResult> {
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
