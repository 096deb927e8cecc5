/**
 * Integral batch-norm over one atomic channel group: γ, β and the running mean and variance are 1-D functions of
 * the channel coordinate (one node per full-size channel), interpolated with the group's sampling and never
 * integrated, so every size reads them at its own coordinates. Evaluation folds the four into one cached
 * per-channel affine per size.
 *
 * Running statistics describe the full-size network: only a training pass with every group at full size moves
 * them (PyTorch's EMA); reduced sizes normalise with batch statistics during training, and at evaluation read the
 * full-size statistics at their coordinates or, better, a per-size calibration (`estimateStatistics`; US-Nets'
 * batch-norm calibration). Why not average all sizes into one function: docs/design.md, "Batch norm".
 */
import * as tf from "@tensorflow/tfjs-core";
import { linearKernel } from "../math/interpolation.js";
import { sampleAxis, interpolationMatrix } from "../math/sampling.js";
import type { ChannelGroups, GroupSizes } from "./groups.js";

export interface IntegralBatchNormOptions {
  id: string;
  /** The atomic group of the normalised channels. */
  group: string;
  /** EMA factor of the running statistics (PyTorch's default 0.1). */
  momentum?: number;
  /**
   * Which training passes move the running statistics: "full-size" (default) only passes with every
   * atomic group at its full size; "every-size" also reduced-size passes, pushed back through the
   * transposed interpolation (only right when statistics do not depend on the sizes; docs/design.md).
   */
  statisticsUpdate?: "full-size" | "every-size";
  epsilon?: number;
}

let counter = 0;

function variable(name: string, init: () => tf.Tensor, trainable: boolean): tf.Variable {
  return tf.tidy(() => tf.variable(init(), trainable, `${name}_${counter++}`));
}

export class IntegralBatchNorm {
  readonly kind = "batch-norm" as const;
  readonly id: string;
  readonly group: string;
  readonly momentum: number;
  readonly epsilon: number;
  readonly statisticsUpdate: "full-size" | "every-size";
  /** γ nodes [N] (trainable, init 1). */
  readonly gammaNodes: tf.Variable;
  /** β nodes [N] (trainable, init 0). */
  readonly betaNodes: tf.Variable;
  /** Running mean nodes [N] (not trainable, init 0). */
  readonly meanNodes: tf.Variable;
  /** Running (unbiased) variance nodes [N] (not trainable, init 1). */
  readonly varianceNodes: tf.Variable;
  private readonly groups: ChannelGroups;
  private cachedAffine?: { key: string; data: object[]; scale: tf.Tensor1D; shift: tf.Tensor1D };
  private readonly scatterCache = new Map<string, tf.Tensor2D>();
  /** Cumulative-average state of `estimateStatistics` (batches seen), undefined when not estimating. */
  private estimating?: {
    batches: number;
    size?: number;
    sizesKey?: string;
    full?: boolean;
    mean?: tf.Tensor1D;
    variance?: tf.Tensor1D;
  };
  /** Statistics re-estimated at a reduced size (by size); dropped by the next training step. */
  /**
   * Keyed by the sizes of ALL atomic groups, not just this one: a channel's statistics depend on the
   * upstream groups' sizes too (the quadrature over their channels), so a calibration only holds for
   * the exact configuration it was measured at.
   */
  private readonly calibrations = new Map<string, { size: number; mean: tf.Tensor1D; variance: tf.Tensor1D }>();

  constructor(groups: ChannelGroups, options: IntegralBatchNormOptions) {
    if (!groups.has(options.group)) throw new Error(`${options.id}: unknown channel group "${options.group}"`);
    // points() throws for composite groups: batch-norm needs one partition to push statistics back through.
    groups.points(options.group);
    const momentum = options.momentum ?? 0.1;
    if (!(momentum > 0 && momentum <= 1)) throw new Error(`${options.id}: momentum must be in (0, 1], got ${momentum}`);
    const epsilon = options.epsilon ?? 1e-5;
    if (!(epsilon > 0)) throw new Error(`${options.id}: epsilon must be positive, got ${epsilon}`);
    this.groups = groups;
    this.id = options.id;
    this.group = options.group;
    this.momentum = momentum;
    this.epsilon = epsilon;
    const update = options.statisticsUpdate ?? "full-size";
    if (update !== "full-size" && update !== "every-size")
      throw new Error(
        `${options.id}: statisticsUpdate must be "full-size" or "every-size", got ${JSON.stringify(update)}`,
      );
    this.statisticsUpdate = update;
    const n = groups.nodesOf(options.group);
    this.gammaNodes = variable(`${options.id}_gamma`, () => tf.ones([n]), true);
    this.betaNodes = variable(`${options.id}_beta`, () => tf.zeros([n]), true);
    this.meanNodes = variable(`${options.id}_mean`, () => tf.zeros([n]), false);
    this.varianceNodes = variable(`${options.id}_variance`, () => tf.ones([n]), false);
  }

  /** Trainable variables: γ then β. */
  get variables(): tf.Variable[] {
    return [this.gammaNodes, this.betaNodes];
  }

  /** Running statistics (not trainable): mean then variance. */
  get statistics(): tf.Variable[] {
    return [this.meanNodes, this.varianceNodes];
  }

  /** P [N, m]: transpose of the linear interpolation matrix at the current partition, rows summing to 1 (or 0). */
  private scatter(size: number): tf.Tensor2D {
    const key = `${size}:${this.groups.partitionRevision}`;
    let p = this.scatterCache.get(key);
    if (!p) {
      const n = this.groups.nodesOf(this.group);
      const l = interpolationMatrix(n, this.groups.points(this.group, size), linearKernel);
      const out = new Float32Array(n * size);
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let r = 0; r < size; r++) sum += l[r * n + j];
        if (sum > 1e-9) for (let r = 0; r < size; r++) out[j * size + r] = l[r * n + j] / sum;
      }
      p = tf.keep(tf.tensor2d(out, [n, size]));
      this.scatterCache.set(key, p);
    }
    return p;
  }

  /** y = γ (x − μ)/√(σ² + ε) + β over the channel axis (last) of x [batch, h, w, c]. */
  apply(x: tf.Tensor4D, sizes: GroupSizes, training: boolean): tf.Tensor4D {
    const size = this.groups.sizeOf(this.group, sizes);
    if (x.shape[3] !== size)
      throw new Error(`${this.id}: input has ${x.shape[3]} channels, group "${this.group}" has size ${size}`);
    if (!training) {
      const { scale, shift } = this.affine(sizes);
      return tf.tidy(() => tf.add(tf.mul(x, scale), shift));
    }
    this.invalidate();
    // Weights are about to change: per-size calibrations go stale (estimation passes change nothing).
    if (!this.estimating) this.dropCalibrations();
    return tf.tidy(() => {
      const matrix = this.groups.sampling(this.group, sizes).matrix;
      const gamma = sampleAxis(this.gammaNodes as tf.Tensor1D, 0, matrix);
      const beta = sampleAxis(this.betaNodes as tf.Tensor1D, 0, matrix);
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      const count = x.shape[0] * x.shape[1] * x.shape[2];
      this.updateStatistics(
        mean as tf.Tensor1D,
        tf.mul(variance, count / Math.max(count - 1, 1)) as tf.Tensor1D,
        size,
        matrix,
        sizes,
      );
      const y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.epsilon)));
      return tf.add(tf.mul(y, gamma), beta) as tf.Tensor4D;
    });
  }

  /** Signature of a configuration: the sizes of every atomic group, in declaration order. */
  private sizesKey(sizes: GroupSizes): string {
    return this.groups.atomicIds.map((g) => sizes[g]).join(",");
  }

  /** True when every atomic group of `sizes` is at its full size (the whole network is the full-size net). */
  private atFullSize(sizes: GroupSizes): boolean {
    const full = this.groups.fullSizes;
    return Object.keys(full).every((g) => sizes[g] === full[g]);
  }

  private updateStatistics(
    mean: tf.Tensor1D,
    variance: tf.Tensor1D,
    size: number,
    matrix: tf.Tensor2D,
    sizes: GroupSizes,
  ): void {
    if (this.estimating) {
      const e = this.estimating;
      const sizesKey = this.sizesKey(sizes);
      if (e.sizesKey !== undefined && e.sizesKey !== sizesKey)
        throw new Error(
          `${this.id}: one estimation needs one size, got passes at ${e.size} and ${size}${e.size === size ? " (other groups differ)" : ""}`,
        );
      // Cumulative average: deterministic and independent of the batch order.
      const k = e.batches + 1;
      const next = tf.tidy(() => ({
        mean: tf.keep(e.mean ? tf.add(tf.mul(e.mean, (k - 1) / k), tf.div(mean, k)) : tf.clone(mean)) as tf.Tensor1D,
        variance: tf.keep(
          e.variance ? tf.add(tf.mul(e.variance, (k - 1) / k), tf.div(variance, k)) : tf.clone(variance),
        ) as tf.Tensor1D,
      }));
      tf.dispose([e.mean, e.variance].filter((t): t is tf.Tensor1D => t !== undefined));
      this.estimating = { batches: k, size, sizesKey, full: this.atFullSize(sizes), ...next };
      return;
    }
    if (this.statisticsUpdate === "full-size" && !this.atFullSize(sizes)) return;
    const p = this.scatter(size);
    tf.tidy(() => {
      for (const [nodes, batch] of [
        [this.meanNodes, mean],
        [this.varianceNodes, variance],
      ] as const) {
        const residual = tf.sub(batch, sampleAxis(nodes as tf.Tensor1D, 0, matrix));
        nodes.assign(
          tf.add(nodes, tf.mul(tf.squeeze(tf.matMul(p, tf.reshape(residual, [-1, 1])), [1]), this.momentum)),
        );
      }
    });
  }

  /** Evaluation-time per-channel affine at `sizes` (cached; do not dispose). */
  affine(sizes: GroupSizes): { scale: tf.Tensor1D; shift: tf.Tensor1D } {
    const key = `${this.sizesKey(sizes)}/${this.groups.partitionRevision}`;
    // Variable.assign swaps a variable's data buffer: keying on the buffers catches values loaded from
    // a file (or assigned by hand) without an explicit invalidate().
    const data = [this.gammaNodes, this.betaNodes, this.meanNodes, this.varianceNodes].map((v) => v.dataId);
    if (this.cachedAffine?.key !== key || this.cachedAffine.data.some((d, i) => d !== data[i])) {
      this.invalidate();
      const { scale, shift } = tf.tidy(() => {
        const matrix = this.groups.sampling(this.group, sizes).matrix;
        const at = (v: tf.Variable) => sampleAxis(v as tf.Tensor1D, 0, matrix);
        const calibrated = this.calibrations.get(this.sizesKey(sizes));
        const mean = calibrated ? calibrated.mean : at(this.meanNodes);
        // Cubic interpolation can overshoot below zero between nodes of a variance; clamp it.
        const variance = calibrated ? calibrated.variance : tf.relu(at(this.varianceNodes));
        const scale = tf.mul(at(this.gammaNodes), tf.rsqrt(tf.add(variance, this.epsilon))) as tf.Tensor1D;
        const shift = tf.sub(at(this.betaNodes), tf.mul(mean, scale)) as tf.Tensor1D;
        return { scale: tf.keep(scale), shift: tf.keep(shift) };
      });
      this.cachedAffine = { key, data, scale, shift };
    }
    return { scale: this.cachedAffine.scale, shift: this.cachedAffine.shift };
  }

  /** Drop the cached evaluation affine (after editing nodes by hand). */
  invalidate(): void {
    if (this.cachedAffine) {
      tf.dispose([this.cachedAffine.scale, this.cachedAffine.shift]);
      this.cachedAffine = undefined;
    }
  }

  /**
   * Start a deterministic re-estimation: training-mode passes (all at one size) now accumulate a
   * cumulative average instead of moving the EMA.
   */
  beginEstimation(): void {
    this.endEstimation(false);
    this.estimating = { batches: 0 };
  }

  /**
   * Finish a re-estimation (if `commit` and any batch was seen). With every group at full size (M = I)
   * the averages become the running-statistics nodes. Otherwise they are kept as the calibration of
   * that configuration (all groups' sizes), used by evaluation there until the next training step.
   */
  endEstimation(commit = true): void {
    const e = this.estimating;
    if (!e) return;
    this.estimating = undefined;
    if (commit && e.batches > 0 && e.mean && e.variance && e.size !== undefined && e.sizesKey !== undefined) {
      if (e.full) {
        this.meanNodes.assign(e.mean);
        this.varianceNodes.assign(e.variance);
        tf.dispose([e.mean, e.variance]);
      } else {
        const old = this.calibrations.get(e.sizesKey);
        if (old) tf.dispose([old.mean, old.variance]);
        this.calibrations.set(e.sizesKey, { size: e.size, mean: e.mean, variance: e.variance });
      }
      this.invalidate();
      return;
    }
    tf.dispose([e.mean, e.variance].filter((t): t is tf.Tensor1D => t !== undefined));
  }

  /** Sizes with their own re-estimated statistics. */
  get calibratedSizes(): number[] {
    return [...this.calibrations.values()].map((c) => c.size);
  }

  /** Forget every per-size calibration (and the evaluation affine that may use one). */
  clearCalibrations(): void {
    this.dropCalibrations();
    this.invalidate();
  }

  private dropCalibrations(): void {
    for (const c of this.calibrations.values()) tf.dispose([c.mean, c.variance]);
    this.calibrations.clear();
  }

  /** Plain numbers for drawing and accounting: γ and β count as parameters; FLOPs 0 (foldable). */
  parameterCount(sizes: GroupSizes): number {
    return 2 * this.groups.sizeOf(this.group, sizes);
  }

  dispose(): void {
    this.endEstimation(false);
    this.dropCalibrations();
    this.invalidate();
    for (const p of this.scatterCache.values()) p.dispose();
    this.scatterCache.clear();
    tf.dispose([...this.variables, ...this.statistics]);
  }
}
