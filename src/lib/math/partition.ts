/**
 * Partitions of the channel segment [-1, 1]: where a continuous weight function is sampled to get a
 * discrete layer of a given size. Uniform (the default), random size per training step (what makes a
 * function robust to resampling), and trainable ("grid tuning") — kept strictly increasing by
 * construction, which the upstream implementation does not guarantee.
 */
import * as tf from "@tensorflow/tfjs-core";
import { randomInt, type Random } from "../random.js";

/** m equally spaced points from -1 to 1 (a single point sits at 0). */
export function uniformPartition(m: number): Float64Array {
  if (!Number.isInteger(m) || m < 1) throw new Error(`uniformPartition: size must be a positive integer, got ${m}`);
  if (m === 1) return Float64Array.of(0);
  return Float64Array.from({ length: m }, (_, i) => (i === m - 1 ? 1 : -1 + (2 * i) / (m - 1)));
}

/** The sizes a channel group is trained on: drawn uniformly from [min, max] each step. */
export interface SizeRange {
  min: number;
  max: number;
}

/** Throw unless `range` is a valid integer range inside [1, full]. */
export function checkSizeRange(range: SizeRange, full: number, where: string): void {
  const { min, max } = range;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max < min || max > full) {
    throw new Error(`${where}: size range [${min}, ${max}] must be integers with 1 ≤ min ≤ max ≤ ${full}`);
  }
}

/** One random partition size: uniform over the integers of [min, max]. */
export function drawPartitionSize(random: Random, range: SizeRange): number {
  return randomInt(random, range.min, range.max);
}

export interface TrainablePartitionOptions {
  /**
   * true (default): x_0 = −1 and x_{m−1} = 1 stay fixed and only the interior moves.
   * false: the ends move too, strictly inside (−1, 1): two extra trainable gaps before the first and after
   * the last point, initialised to at least `endGap` (a fraction of the mean spacing).
   */
  fixedEndpoints?: boolean;
  /** Initial end gaps as a fraction of the mean spacing when the ends are free (default 0.05). */
  endGap?: number;
  /** Smallest gap as a fraction of the uniform gap (default 0.01): keeps points distinct in float32. */
  minGap?: number;
  /** Variable name prefix (tfjs variable names must be unique). */
  name?: string;
}

let partitionCounter = 0;

/**
 * A trainable ordered partition. Raw parameters r (one per gap) give the gaps
 * `g_k = 2 · (δ + (1 − n·δ) · softmax(r)_k)` (n gaps, floor δ = `minGap`/n), and the points are their
 * cumulative sum from −1. The gaps are positive and sum to 2 whatever r is, so the points are strictly
 * increasing and stay in [-1, 1] whatever the optimiser does — even in float32, thanks to the floor
 * (a plain cumulative softplus loses tiny increments to rounding).
 */
export class TrainablePartition {
  readonly size: number;
  readonly fixedEndpoints: boolean;
  /** Raw gap parameters: m − 1 with fixed ends, m + 1 with free ends. */
  readonly raw: tf.Variable<tf.Rank.R1>;
  /** Smallest possible gap, as a fraction of the uniform gap 2/n. */
  readonly minGap: number;

  constructor(initial: ArrayLike<number>, options: TrainablePartitionOptions = {}) {
    const m = initial.length;
    if (m < 2) throw new Error(`TrainablePartition: needs at least 2 points, got ${m}`);
    for (let i = 0; i < m; i++) {
      if (!(initial[i] >= -1 && initial[i] <= 1))
        throw new Error(`TrainablePartition: point ${i} is ${initial[i]}, outside [-1, 1]`);
      if (i > 0 && !(initial[i] > initial[i - 1]))
        throw new Error(`TrainablePartition: points must be strictly increasing (x[${i}] = ${initial[i]})`);
    }
    this.size = m;
    this.fixedEndpoints = options.fixedEndpoints ?? true;
    this.minGap = options.minGap ?? 0.01;
    if (!(this.minGap > 0 && this.minGap < 1))
      throw new Error(`TrainablePartition: minGap must be in (0, 1), got ${this.minGap}`);
    const gaps: number[] = [];
    for (let i = 1; i < m; i++) gaps.push(initial[i] - initial[i - 1]);
    if (this.fixedEndpoints) {
      if (Math.abs(initial[0] + 1) > 1e-9 || Math.abs(initial[m - 1] - 1) > 1e-9) {
        throw new Error(
          `TrainablePartition: with fixed endpoints the points must start at -1 and end at 1, got ${initial[0]} … ${initial[m - 1]}`,
        );
      }
    } else {
      const end = (options.endGap ?? 0.05) * (2 / (m - 1));
      if (!(end > 0)) throw new Error(`TrainablePartition: endGap must be positive, got ${options.endGap}`);
      gaps.unshift(Math.max(initial[0] + 1, end));
      gaps.push(Math.max(1 - initial[m - 1], end));
    }
    // Invert g = 2(δ + (1 − nδ) s) for the softmax s (log s up to a constant); gaps below the floor are lifted.
    const n = gaps.length;
    const delta = this.minGap / n;
    const total = gaps.reduce((a, b) => a + b, 0);
    const raw = Float32Array.from(gaps, (g) => Math.log(Math.max((g / total - delta) / (1 - n * delta), 1e-6)));
    const name = `${options.name ?? "partition"}_${partitionCounter++}`;
    this.raw = tf.tidy(() => tf.variable(tf.tensor1d(raw), true, name));
  }

  /** The points as a tensor [m], differentiable with respect to `raw`. */
  points(): tf.Tensor1D {
    return tf.tidy(() => {
      const n = this.raw.shape[0];
      const delta = this.minGap / n;
      const gaps = tf.add(tf.mul(tf.softmax(this.raw), 2 * (1 - n * delta)), 2 * delta);
      const inner = tf.add(tf.cumsum(gaps), -1);
      if (this.fixedEndpoints) {
        // The ends are written exactly (the cumulative sum reaches 1 only up to rounding).
        const last = tf.slice(inner, 0, this.size - 2);
        return tf.concat([tf.tensor1d([-1]), last, tf.tensor1d([1])]) as tf.Tensor1D;
      }
      return tf.slice(inner, 0, this.size) as tf.Tensor1D;
    });
  }

  /** The current points as plain numbers. */
  pointsArray(): Float64Array {
    const p = this.points();
    const out = Float64Array.from(p.dataSync());
    p.dispose();
    return out;
  }

  get variables(): tf.Variable[] {
    return [this.raw];
  }

  dispose(): void {
    this.raw.dispose();
  }
}
