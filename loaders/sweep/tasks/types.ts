/**
 * What a sweep task is, what it returns, and what it runs with. Results depend only on the task and
 * the dataset (never on scheduling), so a sweep is deterministic.
 */
import type { Dataset } from "../../../src/lib/data/dataset.js";
import type { CurveModelReport, LhcMasks } from "../../../src/lib/io/curves-schema.js";
import { type SinnFamily, type SinnVariant } from "../../../src/lib/sinn/families.js";
import { type ModelCost } from "../../../src/lib/integral/accounting.js";
import { type ParameterTensor } from "../../../src/lib/compression/parameters.js";
import type { SweepProfile } from "../profiles.js";
import type { EngineRecord } from "../../engine.js";

export type SweepTask =
  | { id: string; kind: "discrete"; seed: number; saveModel: boolean }
  | { id: string; kind: "inn"; seed: number; saveModel: boolean }
  | { id: string; kind: "inn-init"; seed: number; after: string }
  | { id: string; kind: "grid"; seed: number; after: string }
  | { id: string; kind: "lhc"; seed: number; density: number }
  | { id: string; kind: "ssc"; seed: number }
  | { id: string; kind: "igpc"; seed: number; channelsPerGroup: number }
  | { id: string; kind: "family"; seed: number; family: SinnFamily; variant: SinnVariant; saveModel: boolean };

/** One evaluated point of one run: a fraction of channels, the group sizes, the cost and the accuracies. */
export interface RunPoint {
  fraction: number;
  sizes: Record<string, number>;
  params: number;
  flops: number;
  /** One accuracy per evaluation (several for random pruning draws). */
  accuracies: number[];
  /** Measured density of the kept weights (LHC). */
  weightDensity?: number;
  /** LHC: the learnt masks of every layer (first seed's; curves-schema.ts LhcMasks). */
  lhcMasks?: LhcMasks;
  /** Grid tuning: the partition points each hidden group learned at this size (on [−1, 1]). */
  partitions?: Record<string, number[]>;
}

/** One method's run on one seed. */
export interface MethodRun {
  family: string;
  method: string;
  seed: number;
  /** The full-size cost compression is measured against (the family's discrete net). */
  familyFull: ModelCost;
  model: Record<string, unknown>;
  training: Record<string, unknown>;
  points: RunPoint[];
}

/** A trained model's report, as the curves file stores it (nearChance set by buildCurves). */
export type ModelReport = CurveModelReport;

export interface TaskResult {
  id: string;
  runs: MethodRun[];
  models: ModelReport[];
  /** Output files (model files) by name. */
  files: Record<string, Uint8Array>;
  /** Trained discrete parameters (for the tasks that start from them). */
  discrete?: ParameterTensor[];
  /** Not part of the curves (timings are not deterministic). */
  timing: { seconds: number; trainSeconds: number; imagesPerSecond: number[] };
}

export interface TaskContext {
  dataset: Dataset;
  profile: SweepProfile;
  /** Results of the tasks this one runs after (by id). */
  inputs: Record<string, TaskResult>;
  log: (line: string) => void;
  /** The engine training runs on, recorded in the model files. */
  engine: EngineRecord;
}
