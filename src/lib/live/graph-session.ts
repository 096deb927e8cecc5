/**
 * The live page's state for a network built from a plan (src/lib/sinn: SINN, or the same family as an
 * INN), loaded from a weights file (io/weights-file.ts, with batch-norm statistics). Resampling acts
 * on the plan's hidden groups; batch-norm statistics are re-estimated at every reduced configuration
 * (`Model.calibrate`) on a fixed batch of TRAINING images (the calibration set; test images would leak
 * into the accuracy shown). At full size the file's statistics are used as stored (the sweep estimated
 * them on 1,024 training images). Only the current configuration's calibration is kept, so the tensor
 * count stays flat however long a reader plays. Plain tfjs; the page, the benchmark and the tests drive
 * it the same way.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { SizeRange } from "../math/partition.js";
import type { EvalSet } from "../data/evalset.js";
import { batchImages } from "../data/dataset.js";
import { createModel } from "../models/registry.js";
import { IntegralGraphNet } from "../graph/graph-net.js";
import { assignStatistics, assignWeights, decodeWeightsFile } from "../io/weights-file.js";
import { compressionAt, type Compression } from "../integral/accounting.js";
import { checkInputFits, type FitTarget } from "./model-fit.js";

/** Images of the calibration batch (the loaders' sinn-results calibrate on the same count). */
export const CALIBRATION_IMAGES = 256;

export interface PlanGroupControl {
  id: string;
  full: number;
  range: SizeRange;
}

export interface PreparedPlanNet {
  sizes: Record<string, number>;
  /** Params/FLOPs at these sizes and compression vs full size. */
  compression: Compression;
  /** True when the batch-norm statistics were re-estimated for these sizes (false at full size). */
  calibrated: boolean;
  /** Wall time of the calibration (ms; 0 when none ran). */
  calibrationMs: number;
}

/**
 * A plan network from a weights file's bytes (statistics required: without them nothing is calibrated at
 * full size). With `fits`, a model whose input or class count differs from the page's data is refused
 * before it is built.
 */
export function planNetFromBytes(bytes: Uint8Array, name: string, fits?: FitTarget): IntegralGraphNet {
  const file = decodeWeightsFile(new TextDecoder().decode(bytes), name);
  if (fits) checkInputFits(file.input, fits, name);
  let model;
  try {
    model = createModel(file.model, file.input, file.seed);
  } catch (e) {
    throw new Error(`${name}: ${(e as Error).message}`);
  }
  if (!(model instanceof IntegralGraphNet)) {
    model.dispose();
    throw new Error(
      `${name}: model "${file.model.name}" is not a plan network (SINN family); the live page reads it only as such`,
    );
  }
  try {
    assignWeights(model, file.parameters, name);
    if (!assignStatistics(model, file.statistics, name))
      throw new Error(`${name}: the file stores no batch-norm statistics`);
    model.resample(model.fractionSizes(1));
    return model;
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** The first `count` images of a calibration set as one batch in [0, 1]. */
export function calibrationBatch(set: EvalSet, count = CALIBRATION_IMAGES): tf.Tensor4D {
  if (set.count < count) throw new Error(`calibration set: ${set.count} images, the live page calibrates on ${count}`);
  return batchImages(
    set,
    Int32Array.from({ length: count }, (_, i) => i),
    set,
  );
}

export class PlanLiveSession {
  readonly model: IntegralGraphNet;
  readonly groups: PlanGroupControl[];
  private readonly calibration: tf.Tensor4D;
  private current?: PreparedPlanNet;

  /** Takes ownership of `model`; copies the calibration images it needs. */
  constructor(model: IntegralGraphNet, calibrationSet: EvalSet) {
    const { height, width, channels } = model.input;
    if (calibrationSet.height !== height || calibrationSet.width !== width || calibrationSet.channels !== channels) {
      throw new Error(
        `calibration set: images are ${calibrationSet.height}×${calibrationSet.width}×${calibrationSet.channels}, the model takes ${height}×${width}×${channels}`,
      );
    }
    this.calibration = calibrationBatch(calibrationSet);
    this.model = model;
    const full = model.fullSizes;
    const ranges = model.trainingRanges;
    this.groups = model.hiddenGroups.map((id) => ({ id, full: full[id], range: { ...ranges[id] } }));
  }

  get fullSizes(): Record<string, number> {
    return Object.fromEntries(this.groups.map((g) => [g.id, g.full]));
  }

  get prepared(): PreparedPlanNet | undefined {
    return this.current;
  }

  /** Sizes keeping `fraction` of every hidden group (at least 2). */
  fractionSizes(fraction: number): Record<string, number> {
    return this.model.fractionSizes(fraction);
  }

  /** The problem with `sizes` as a sentence, or undefined. */
  problem(sizes: Readonly<Record<string, number>>): string | undefined {
    for (const g of this.groups) {
      const size = sizes[g.id];
      if (!Number.isInteger(size) || size < 2 || size > g.full)
        return `${g.id} size must be an integer in [2, ${g.full}], got ${size}`;
    }
    const unknown = Object.keys(sizes).filter((k) => !this.groups.some((g) => g.id === k));
    if (unknown.length) return `unknown group${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}`;
    return undefined;
  }

  /** Resample to `sizes` and calibrate the batch-norm statistics there (unless at full size). */
  prepare(sizes: Readonly<Record<string, number>>): PreparedPlanNet {
    const problem = this.problem(sizes);
    if (problem) throw new Error(`PlanLiveSession: ${problem}`);
    const full = this.groups.every((g) => sizes[g.id] === g.full);
    this.model.clearCalibrations();
    this.model.resample(sizes);
    let calibrationMs = 0;
    if (!full) {
      const started = performance.now();
      this.model.calibrate([this.calibration]);
      calibrationMs = performance.now() - started;
    }
    this.current = {
      sizes: { ...sizes },
      compression: compressionAt(this.model, sizes),
      calibrated: !full,
      calibrationMs,
    };
    return this.current;
  }

  /** Logits at the prepared configuration. */
  logits(images: tf.Tensor4D): tf.Tensor2D {
    return this.model.apply(images, { training: false });
  }

  /** Class probabilities of one image (pixels [height, width, channels] in [0, 1]) at the prepared sizes. */
  classify(image: Float32Array): Float32Array {
    const { height, width, channels } = this.model.input;
    return tf.tidy(() =>
      tf.softmax(this.logits(tf.tensor4d(image, [1, height, width, channels]))).dataSync(),
    ) as Float32Array;
  }

  dispose(): void {
    this.calibration.dispose();
    this.model.dispose();
    this.current = undefined;
  }
}
