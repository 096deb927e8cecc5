/**
 * A kernel-shape / grouped point-wise net (LHC, SSC, IGPC) trained with its method recipe: one trained
 * point on the reference family's chart.
 */
import { REFERENCE_SIZES } from "../../../src/lib/models/reference.js";
import { trainMethodNet, type MethodNetTask } from "../../method-nets.js";
import type { SweepTask, TaskResult, TaskContext } from "./types.js";
import { input, accuracy, Timer, train, referenceLadder, epochsFor } from "./common.js";

/** A kernel-shape / grouped point-wise net with its method recipe (loaders/method-nets.ts), one trained point. */
export async function methodNetTask(
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
    {
      limitTrain: m.limitTrain,
      epochs: epochsFor(m.epochs, m.limitTrain, ctx.dataset.train.count),
      maskEpochs: epochsFor(m.lhcMaskEpochs, m.limitTrain, ctx.dataset.train.count),
    },
    (model, settings, what) => train(model, settings, ctx, timer, what),
  );
  try {
    const full = accuracy(trained.net, ctx);
    const fullSizes = { ...REFERENCE_SIZES };
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
