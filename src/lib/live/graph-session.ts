/**
 * The live page's state for a network built from a plan (src/lib/sinn: SINN, or the same family as an
 * INN; or any converted tfjs model, src/lib/convert), loaded from a weights file (io/weights-file.ts, with
 * batch-norm statistics) or converted in the page. Resampling acts on the plan's hidden groups; batch-norm
 * statistics are re-estimated at every reduced configuration (`Model.calibrate`) on a fixed batch of
 * TRAINING images (the calibration set; test images would leak into the accuracy shown). At full size the
 * stored statistics are used as they are. Given the discrete original (a converted model's plan and
 * parameters), the session also keeps its L1-pruned twin at the same sizes, calibrated on the same images.
 * Only the current configuration's calibration and twin are kept, so the tensor count stays flat however
 * long a reader plays. Plain tfjs; the page, the benchmark and the tests drive it the same way.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { SizeRange } from "../math/partition.js";
import type { EvalSet } from "../data/evalset.js";
import { batchImages } from "../data/dataset.js";
import { createModel } from "../models/registry.js";
import { exportPlanTfjsLayersModel } from "../io/graph-tfjs-export.js";
import { IntegralGraphNet } from "../graph/graph-net.js";
import { assignStatistics, assignWeights, decodeWeightsFile } from "../io/weights-file.js";
import { compressionAt, type Compression } from "../integral/accounting.js";
import { checkInputFits, type FitTarget } from "./model-fit.js";
import type { NetworkPlan } from "../graph/plan.js";
import type { WeightsParameter } from "../io/weights-file.js";
import { prunedPlanNet } from "../compression/plan-pruning.js";
import { convertLayersModelAsync, type ConvertLayersAsyncOptions } from "../convert/convert.js";

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
  /** The L1-pruned original at these sizes, when the session has the original: the channels it kept per group. */
  twin?: { keep: Record<string, Int32Array> };
}

export interface PlanLiveSessionOptions {
  /** The discrete original (full-size parameters under the plan's names): enables the L1-pruned twin. */
  original?: { plan: NetworkPlan; params: readonly WeightsParameter[] };
  /** The original model ends with a softmax (the export adds it back). */
  outputSoftmax?: boolean;
}

/**
 * A plan network from a weights file's bytes (statistics required when it has batch norms: without them nothing
 * is calibrated at full size). With `fits`, a model whose input or class count differs from the page's data is
 * refused before it is built.
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
    // A plan without batch norms (a converted CNN, say) has no statistics to store.
    if (model.statisticsVariables.length > 0 && !assignStatistics(model, file.statistics, name))
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
  private readonly original?: PlanLiveSessionOptions["original"];
  private twin?: IntegralGraphNet;
  readonly outputSoftmax: boolean;

  /** Takes ownership of `model`; copies the calibration images it needs. */
  constructor(model: IntegralGraphNet, calibrationSet: EvalSet, options: PlanLiveSessionOptions = {}) {
    const { height, width, channels } = model.input;
    if (calibrationSet.height !== height || calibrationSet.width !== width || calibrationSet.channels !== channels) {
      throw new Error(
        `calibration set: images are ${calibrationSet.height}×${calibrationSet.width}×${calibrationSet.channels}, the model takes ${height}×${width}×${channels}`,
      );
    }
    this.calibration = calibrationBatch(calibrationSet);
    this.model = model;
    this.original = options.original;
    this.outputSoftmax = options.outputSoftmax ?? false;
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
    let twin: PreparedPlanNet["twin"];
    if (this.original) {
      this.twin?.dispose();
      this.twin = undefined;
      const pruned = prunedPlanNet(this.original.plan, this.original.params, sizes, "l1");
      this.twin = pruned.net;
      // The same calibration: none at full size (stored statistics), the same images otherwise.
      if (!full) this.twin.calibrate([this.calibration]);
      twin = { keep: pruned.keep };
    }
    this.current = {
      sizes: { ...sizes },
      compression: compressionAt(this.model, sizes),
      calibrated: !full,
      calibrationMs,
      ...(twin ? { twin } : {}),
    };
    return this.current;
  }

  /** Logits at the prepared configuration. */
  logits(images: tf.Tensor4D): tf.Tensor2D {
    return this.model.apply(images, { training: false });
  }

  /**
   * Class probabilities of one image (pixels [height, width, channels] in [0, 1]) at the prepared sizes, by
   * the integral net or by its L1-pruned twin.
   */
  classify(image: Float32Array, net: "integral" | "twin" = "integral"): Float32Array {
    const { height, width, channels } = this.model.input;
    return tf.tidy(() => {
      const x = tf.tensor4d(image, [1, height, width, channels]);
      return tf.softmax(net === "twin" ? this.twinLogits(x) : this.logits(x)).dataSync();
    }) as Float32Array;
  }

  /** True when the session keeps the L1-pruned original beside the integral net. */
  get hasTwin(): boolean {
    return this.original !== undefined;
  }

  /** Logits of the L1-pruned original at the prepared sizes. */
  twinLogits(images: tf.Tensor4D): tf.Tensor2D {
    if (!this.twin) throw new Error("PlanLiveSession: no L1-pruned twin (no original given, or nothing prepared yet)");
    return this.twin.apply(images, { training: false });
  }

  /** The integral net at the prepared sizes as a tfjs layers model (model.json + weights via tfjsModelFiles). */
  exportLayersModel(): tf.io.ModelArtifacts {
    return exportPlanTfjsLayersModel(this.model, { outputSoftmax: this.outputSoftmax });
  }

  dispose(): void {
    this.calibration.dispose();
    this.model.dispose();
    this.twin?.dispose();
    this.twin = undefined;
    this.current = undefined;
  }
}

/**
 * A session for a dropped tfjs layers model: converted (with progress lines and pauses, so a page can show
 * them), the original kept for the L1-pruned twin. The model's images must match the calibration set's.
 */
export async function planSessionFromLayersModel(
  artifacts: tf.io.ModelArtifacts,
  calibrationSet: EvalSet,
  options: ConvertLayersAsyncOptions = {},
): Promise<PlanLiveSession> {
  const input = {
    height: calibrationSet.height,
    width: calibrationSet.width,
    channels: calibrationSet.channels,
    classes: calibrationSet.classes,
  };
  const converted = await convertLayersModelAsync(artifacts, { input, ...options });
  try {
    converted.net.resample(converted.net.fractionSizes(1));
    return new PlanLiveSession(converted.net, calibrationSet, {
      original: { plan: converted.plan, params: converted.params },
      outputSoftmax: converted.outputSoftmax,
    });
  } catch (e) {
    converted.net.dispose();
    throw e;
  }
}
