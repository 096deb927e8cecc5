/**
 * The curves file (schema "integral-lab/curves", version 1; documented in README "Data files"): per-run
 * points from the sweep's tasks, aggregated per family and method over seeds. The sweep (loaders/) writes
 * it and the curves page reads it, so the shape is declared once, here. Types only the sweep knows (its
 * profile, its per-model reports) are parameters, opaque to readers.
 */
import type { ModelCost } from "./accounting.js";

export const CURVES_FORMAT = "integral-lab/curves";
export const CURVES_VERSION = 1;

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
