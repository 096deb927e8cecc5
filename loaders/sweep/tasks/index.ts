/**
 * The sweep's training tasks, one module per kind: each trains one model in-process (one wasm thread;
 * the sweep runs several tasks at once on worker threads) and evaluates it at every fraction of channels,
 * returning raw per-run accuracies, group sizes and costs; curves.ts aggregates them over seeds.
 */
import type { SinnFamily } from "../../../src/lib/sinn/families.js";
import type { SweepProfile } from "../profiles.js";
import type { SweepTask, TaskContext, TaskResult } from "./types.js";
import { discreteTask } from "./discrete.js";
import { innTask } from "./inn.js";
import { innInitTask } from "./inn-init.js";
import { gridTask } from "./grid.js";
import { methodNetTask } from "./method-net.js";
import { familyTask } from "./family.js";

export type * from "./types.js";

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
    for (const variant of ["discrete", "inn", "sinn"] as const)
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
