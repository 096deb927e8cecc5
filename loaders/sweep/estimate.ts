/**
 * How long a sweep will take, before it starts: each task's trained images times its kind's measured
 * seconds per image (native engine, one oneDNN thread per worker; wasm is slower by a measured factor),
 * scheduled over the workers the way run-sweep.ts schedules them (first ready task to the first free worker).
 * The rates come from a full-profile sweep's timings.json (docs/experiments.md, "Build time").
 */
import { recipe } from "../recipes.js";
import type { Engine } from "../engine.js";
import type { SweepProfile } from "./profiles.js";
import { planTasks, type SweepTask } from "./tasks/index.js";
import { epochsFor } from "./tasks/common.js";

/**
 * Seconds per trained image on the native engine, 2 workers × 1 thread on 2 cores, by cost kind: each task's wall
 * time (training and its evaluations) over the images it trained, in the full build of 2026-12-07.
 */
export const NATIVE_SECONDS_PER_IMAGE: Readonly<Record<string, number>> = {
  discrete: 0.00103,
  inn: 0.00165,
  "inn-init": 0.00092,
  grid: 0.0013,
  lhc: 0.00075,
  ssc: 0.0038,
  igpc: 0.0021,
  "family-discrete": 0.0028,
  "family-inn": 0.0044,
  "family-sinn": 0.0046,
};

/** The wasm engine against the native one on the reference net (bench/train-throughput.ts: 1,193 vs 306 img/s). */
export const WASM_SLOWDOWN = 3.9;

/**
 * The from-scratch INN's passes a step under `profile` over those of its recipe, which the INN rate was measured
 * with: the sandwich rule runs the full size, the smallest if asked, and `sandwichDraws` random sizes.
 */
export function innPassScale(profile: SweepProfile): number {
  type Sandwich = { sandwich?: unknown; sandwichSmallest?: unknown; sandwichDraws?: unknown };
  const passes = (s: Sandwich) => (s.sandwich ? 1 + (s.sandwichSmallest ? 1 : 0) + Number(s.sandwichDraws ?? 1) : 1);
  const own = recipe("inn").model as Sandwich;
  return passes({ ...own, ...profile.innTraining }) / passes(own);
}

/** The cost kind whose rate a task is charged at. */
export function costKind(task: SweepTask): string {
  return task.kind === "family" ? `family-${task.variant}` : task.kind;
}

/** Images a task trains on (images × epochs, over every training stage it runs). */
export function trainedImages(task: SweepTask, profile: SweepProfile, trainCount: number): number {
  const limit = (n: number) => (n > 0 ? Math.min(n, trainCount) : trainCount);
  /** Images × epochs of `limitTrain` images for `epochs` (topped up as the tasks top up a small dataset). */
  const images = (limitTrain: number, epochs: number) => limit(limitTrain) * epochsFor(epochs, limitTrain, trainCount);
  const reference = (kind: "discrete" | "inn" | "innInit" | "gridTuning", limitTrain = profile.limitTrain) =>
    images(limitTrain, profile.epochs[kind] ?? recipe(kind).settings.epochs);
  const m = profile.methodNets;
  switch (task.kind) {
    case "discrete":
      return reference("discrete");
    case "inn":
      return reference("inn");
    case "inn-init":
      return reference("innInit");
    case "grid":
      return reference("gridTuning", profile.gridTuningImages) * profile.fractions.length;
    case "family":
      return images(profile.families.limitTrain, profile.families.epochs);
    case "lhc":
      return images(m.limitTrain, m.epochs) + images(m.limitTrain, m.lhcMaskEpochs);
    case "ssc":
    case "igpc":
      return images(m.limitTrain, m.epochs);
  }
}

export interface SweepEstimate {
  /** Wall-clock seconds of the whole sweep. */
  seconds: number;
  /** Each task's own estimated seconds. */
  tasks: Record<string, number>;
}

/** The estimated time of `profile`'s sweep on `engine` with `workers` workers over `trainCount` training images. */
export function estimateSweep(
  profile: SweepProfile,
  engine: Engine,
  trainCount: number,
  workers = profile.workers,
): SweepEstimate {
  const tasks = planTasks(profile);
  const slowdown = engine === "wasm" ? WASM_SLOWDOWN : 1;
  const innScale = innPassScale(profile);
  const own = Object.fromEntries(
    tasks.map((t) => [
      t.id,
      trainedImages(t, profile, trainCount) *
        NATIVE_SECONDS_PER_IMAGE[costKind(t)] *
        (t.kind === "inn" ? innScale : 1) *
        slowdown,
    ]),
  );
  // The scheduler of run-sweep.ts: the first free worker takes the first task whose dependency has finished.
  const finish = new Map<string, number>();
  const free = Array.from({ length: Math.max(1, Math.min(workers, tasks.length)) }, () => 0);
  const pending = [...tasks];
  while (pending.length > 0) {
    const w = free.indexOf(Math.min(...free));
    const readyAt = (t: SweepTask) => ("after" in t && t.after ? (finish.get(t.after) ?? Infinity) : 0);
    let i = pending.findIndex((t) => readyAt(t) <= free[w]);
    // Nothing ready yet: wait for the earliest dependency to finish.
    if (i < 0) i = pending.reduce((best, t, k) => (readyAt(t) < readyAt(pending[best]) ? k : best), 0);
    const [task] = pending.splice(i, 1);
    const start = Math.max(free[w], readyAt(task));
    free[w] = start + own[task.id];
    finish.set(task.id, free[w]);
  }
  return { seconds: Math.max(...free), tasks: own };
}
