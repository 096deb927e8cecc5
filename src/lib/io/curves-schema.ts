/**
 * The curves file (schema "integral-lab/curves", version 2; documented in README "Data files"): per-run
 * points from the sweep's tasks, aggregated per family and method over seeds. The sweep (loaders/) writes
 * it and the curves page reads it, so the shape is declared once, here. The sweep's profile is a type
 * parameter, opaque to readers.
 */
import type { ModelCost } from "../integral/accounting.js";

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
  /** LHC trained points (methods "lhc-<density>"): the learnt kernel shapes of every layer (see LhcMasks). */
  lhcMasks?: LhcMasks;
}

/** One LHC layer's learnt masks: one k×k shape per tile of cgi input × cgo output channels. */
export interface LhcMaskLayer {
  /** "conv1" … (the reference skeleton's stage). */
  name: string;
  kernelSize: number;
  inChannels: number;
  outChannels: number;
  cgi: number;
  cgo: number;
  shapes: "free" | "rigid";
  /** ceil(inChannels / cgi), ceil(outChannels / cgo). */
  tilesIn: number;
  tilesOut: number;
  /**
   * tilesOut × tilesIn strings, tile (input tile i, output tile o) at index o·tilesIn + i; each k² characters
   * "0"/"1", the kernel's taps row-major (character r·k + c is tap (row r, column c)), "1" = kept.
   */
  tiles: string[];
  /** Kept / all weights of the layer, and kept / all multiply–accumulates (equal for a conv layer). */
  weightDensity: number;
  flopDensity: number;
  keptWeights: number;
  totalWeights: number;
  /**
   * Distinct shapes over all inChannels × outChannels kernels: code = Σ 2^(r·k + c) over kept taps, its
   * number of kernels and of taps; the `top` most frequent (count desc, code asc), the kernels of all
   * other shapes together, and kernels per number of taps (tapCounts[n], n = 0 … k²).
   */
  shapeHistogram: {
    kernels: number;
    distinct: number;
    top: { code: number; count: number; taps: number }[];
    otherKernels: number;
    tapCounts: number[];
  };
}

/** LHC masks of one trained point (from the seed `seed`, the first of the point's runs). */
export interface LhcMasks {
  seed: number;
  /** Over all LHC layers: kept / all weights, kept / all multiply–accumulates (output-area weighted). */
  weightDensity: number;
  flopDensity: number;
  layers: LhcMaskLayer[];
}

/** What is wrong with a point's LHC masks (null when nothing is). */
export function lhcMasksProblem(masks: unknown): string | null {
  if (!masks || typeof masks !== "object" || Array.isArray(masks)) return "lhcMasks must be an object";
  const m = masks as LhcMasks;
  const density = (x: unknown) => typeof x === "number" && x >= 0 && x <= 1;
  if (!Number.isInteger(m.seed)) return `lhcMasks.seed must be an integer, got ${JSON.stringify(m.seed)}`;
  if (!density(m.weightDensity) || !density(m.flopDensity))
    return "lhcMasks.weightDensity and flopDensity must be numbers in [0, 1]";
  if (!Array.isArray(m.layers) || m.layers.length === 0) return "lhcMasks.layers must be a non-empty list";
  for (const [n, l] of m.layers.entries()) {
    const where = `lhcMasks.layers[${n}]${l && typeof l.name === "string" ? ` (${l.name})` : ""}`;
    if (!l || typeof l.name !== "string") return `${where} lacks a name`;
    for (const key of ["kernelSize", "inChannels", "outChannels", "cgi", "cgo", "tilesIn", "tilesOut"] as const) {
      if (!Number.isInteger(l[key]) || l[key] < 1)
        return `${where}.${key} must be a positive integer, got ${JSON.stringify(l[key])}`;
    }
    if (l.tilesIn !== Math.ceil(l.inChannels / l.cgi) || l.tilesOut !== Math.ceil(l.outChannels / l.cgo))
      return `${where}: tilesIn/tilesOut do not match the channels and tile sizes`;
    if (!Array.isArray(l.tiles) || l.tiles.length !== l.tilesIn * l.tilesOut)
      return `${where}.tiles must hold tilesIn × tilesOut = ${l.tilesIn * l.tilesOut} masks`;
    const pattern = new RegExp(`^[01]{${l.kernelSize * l.kernelSize}}$`);
    const bad = l.tiles.findIndex((t) => typeof t !== "string" || !pattern.test(t));
    if (bad >= 0)
      return `${where}.tiles[${bad}] is ${JSON.stringify(l.tiles[bad])}, not ${l.kernelSize * l.kernelSize} characters 0/1`;
    if (!density(l.weightDensity) || !density(l.flopDensity))
      return `${where}: weightDensity and flopDensity must be numbers in [0, 1]`;
    const h = l.shapeHistogram;
    if (
      !h ||
      !Array.isArray(h.top) ||
      !Array.isArray(h.tapCounts) ||
      h.tapCounts.length !== l.kernelSize * l.kernelSize + 1
    )
      return `${where}.shapeHistogram must have top and k² + 1 tapCounts`;
    const kernels = l.inChannels * l.outChannels;
    if (h.kernels !== kernels || h.tapCounts.reduce((a, b) => a + b, 0) !== kernels)
      return `${where}.shapeHistogram does not count the layer's ${kernels} kernels`;
    if (h.top.reduce((a, t) => a + t.count, 0) + h.otherKernels !== kernels)
      return `${where}.shapeHistogram: top + otherKernels ≠ ${kernels}`;
  }
  return null;
}

/**
 * What is wrong with a point's learned partitions (null when nothing is): per group a list of sizes[group]
 * finite, strictly increasing numbers in [−1, 1]; no group the point has no size for.
 */
export function partitionsProblem(partitions: unknown, sizes: Record<string, number>): string | null {
  if (!partitions || typeof partitions !== "object" || Array.isArray(partitions))
    return "partitions must be an object of group → points";
  for (const [group, points] of Object.entries(partitions as Record<string, unknown>)) {
    const size = sizes?.[group];
    if (size === undefined) return `partitions has group "${group}", which the point has no size for`;
    if (!Array.isArray(points)) return `partitions.${group} must be a list of numbers`;
    if (points.length !== size)
      return `partitions.${group} has ${points.length} points, but the group has ${size} channels`;
    for (let i = 0; i < points.length; i++) {
      const x = points[i];
      if (typeof x !== "number" || !Number.isFinite(x) || x < -1 || x > 1)
        return `partitions.${group}[${i}] is ${JSON.stringify(x)}, not a number in [-1, 1]`;
      if (i > 0 && !(x > points[i - 1]))
        return `partitions.${group} is not strictly increasing at ${i} (${points[i - 1]} then ${x})`;
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

/** A trained model's report: its full-size test accuracy and dead ReLU channels, flagged when near chance. */
export interface CurveModelReport {
  family: string;
  model: string;
  seed: number;
  testAccuracy: number;
  /** Set when testAccuracy is near chance (nearChance below): too little data or training. Absent in older files. */
  nearChance?: true;
  /** Dead ReLU channels per conv layer (never positive on the probe images), when measurable. */
  deadChannels?: Record<string, number>;
}

/** Accuracy less than a tenth of the way from chance (1/classes) to perfect: the model learnt (almost) nothing. */
export function nearChance(accuracy: number, classes: number): boolean {
  return accuracy < 1 / classes + 0.1 * (1 - 1 / classes);
}

/** What is wrong with a model report of a dataset with `classes` classes (null when nothing is). */
export function modelReportProblem(report: unknown, classes: number): string | null {
  if (!report || typeof report !== "object" || Array.isArray(report)) return "a model report must be an object";
  const r = report as CurveModelReport;
  if (typeof r.model !== "string") return `a model report has model ${JSON.stringify(r.model)}, not a name`;
  const where = `model "${r.model}"`;
  if (!Number.isInteger(r.seed)) return `${where}: seed must be an integer, got ${JSON.stringify(r.seed)}`;
  if (typeof r.testAccuracy !== "number" || !(r.testAccuracy >= 0 && r.testAccuracy <= 1))
    return `${where} (seed ${r.seed}): testAccuracy must be a number in [0, 1], got ${JSON.stringify(r.testAccuracy)}`;
  if (r.nearChance !== undefined && r.nearChance !== true)
    return `${where} (seed ${r.seed}): nearChance must be true when present, got ${JSON.stringify(r.nearChance)}`;
  // A flag the accuracy contradicts would put a false warning on the page.
  if (r.nearChance && !nearChance(r.testAccuracy, classes))
    return `${where} (seed ${r.seed}): nearChance is set, but ${(100 * r.testAccuracy).toFixed(1)}% is not near chance on ${classes} classes`;
  return null;
}

export interface CurveFamily<Report = CurveModelReport> {
  id: string;
  /** Cost of the family's full-size discrete net: compression is measured against it. */
  full: ModelCost;
  methods: CurveMethod[];
  /** Every trained model: its full-size test accuracy and dead ReLU channels (near-chance ones flagged). */
  models: Report[];
}

export interface CurvesFile<Profile = { name: string; [key: string]: unknown }, Report = CurveModelReport> {
  format: string;
  version: number;
  profile: Profile;
  /**
   * The compute engine that trained every model: "native" (oneDNN, with its version, instruction set and
   * threads per trainer, on which its sums' order depends) or "wasm". Absent in files written before it.
   */
  engine?: { name: string; onednn?: string; isa?: string; threads?: number };
  dataset: {
    name: string;
    height: number;
    width: number;
    channels: number;
    classes: number;
    trainCount: number;
    testCount: number;
  };
  fractions: number[];
  families: CurveFamily<Report>[];
}
