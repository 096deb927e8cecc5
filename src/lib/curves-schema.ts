/**
 * The curves file (schema "integral-lab/curves", version 2; documented in README "Data files"): per-run
 * points from the sweep's tasks, aggregated per family and method over seeds. The sweep (loaders/) writes
 * it and the curves page reads it, so the shape is declared once, here. Types only the sweep knows (its
 * profile, its per-model reports) are parameters, opaque to readers.
 */
import type { ModelCost } from "./accounting.js";

export const CURVES_FORMAT = "integral-lab/curves";
/** 2: points may carry learned grid-tuning partitions (and LHC masks); 1: without them. */
export const CURVES_VERSION = 2;

export interface AccuracyStats {
  mean: number;
  /** Sample standard deviation over all evaluations (0 for one). */
  std: number;
  min: number;
  max: number;
  /** Number of evaluations (seeds × draws). */
  n: number;
}

export interface CurvePoint {
  fraction: number;
  sizes: Record<string, number>;
  params: number;
  flops: number;
  /** 1 − params / params of the family's full discrete net. */
  paramsCompression: number;
  flopsCompression: number;
  accuracy: AccuracyStats;
  /** Per seed, each evaluation's accuracy. */
  runs: { seed: number; accuracies: number[] }[];
  weightDensity?: number;
  /**
   * Grid tuning (method "inn-grid-tuned"): the partition points each hidden group learned at this size, on
   * the channel axis [−1, 1], strictly increasing, one per channel (sizes[group] of them). From the first
   * seed of `runs` (runs[0].seed).
   */
  partitions?: Record<string, number[]>;
}

/**
 * What is wrong with a point's learned partitions (null when nothing is): per group a list of sizes[group]
 * finite, strictly increasing numbers in [−1, 1]; no group the point has no size for.
 */
export function partitionsProblem(partitions: unknown, sizes: Record<string, number>): string | null {
  if (!partitions || typeof partitions !== "object" || Array.isArray(partitions)) return "partitions must be an object of group → points";
  for (const [group, points] of Object.entries(partitions as Record<string, unknown>)) {
    const size = sizes?.[group];
    if (size === undefined) return `partitions has group "${group}", which the point has no size for`;
    if (!Array.isArray(points)) return `partitions.${group} must be a list of numbers`;
    if (points.length !== size) return `partitions.${group} has ${points.length} points, but the group has ${size} channels`;
    for (let i = 0; i < points.length; i++) {
      const x = points[i];
      if (typeof x !== "number" || !Number.isFinite(x) || x < -1 || x > 1) return `partitions.${group}[${i}] is ${JSON.stringify(x)}, not a number in [-1, 1]`;
      if (i > 0 && !(x > points[i - 1])) return `partitions.${group} is not strictly increasing at ${i} (${points[i - 1]} then ${x})`;
    }
  }
  return null;
}

/** Training settings of one seed (recipe, optimizer, epochs …; for integral nets the random-size training ranges). */
export interface CurveTraining {
  seed: number;
  trainingRanges?: Record<string, { min: number; max: number }>;
  [key: string]: unknown;
}

export interface CurveMethod {
  id: string;
  label: string;
  /** "pruned": a discrete net cut without fine-tuning; "resampled": a continuous net sampled at each size; "tuned": per-size tuning; "trained": a separately trained model (one point). */
  kind: "pruned" | "resampled" | "tuned" | "trained";
  model: Record<string, unknown>;
  seeds: number[];
  training: CurveTraining[];
  points: CurvePoint[];
}

export interface CurveFamily<Report = unknown> {
  id: string;
  /** Cost of the family's full-size discrete net: compression is measured against it. */
  full: ModelCost;
  methods: CurveMethod[];
  /** Every trained model: its full-size test accuracy and dead ReLU channels. */
  models: Report[];
}

export interface CurvesFile<Profile = { name: string; [key: string]: unknown }, Report = unknown> {
  format: string;
  version: number;
  profile: Profile;
  dataset: { name: string; height: number; width: number; channels: number; classes: number; trainCount: number; testCount: number };
  fractions: number[];
  families: CurveFamily<Report>[];
}
