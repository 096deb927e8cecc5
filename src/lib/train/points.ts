/**
 * Training on 2-D points (the playground's toy sets): batches as the Model contract's [batch, 1, 1, 2]
 * tensors with one-hot labels, and a seeded stream of batches whose size may change from one step to the
 * next. The stream walks the epochs' permutations (train/seeds.ts's epochOrder) end to end, so any
 * sequence of batch sizes gives the same items to every net that reads the same stream.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ToyPoints } from "../data/toy-2d.js";
import { epochOrder } from "./seeds.js";

/** Points `indices` of `split` as [n, 1, 1, 2] and their one-hot labels [n, classes]. */
export function pointBatch(
  split: ToyPoints,
  indices: ArrayLike<number>,
  classes = 2,
): { points: tf.Tensor4D; oneHot: tf.Tensor2D } {
  const n = indices.length;
  const xy = new Float32Array(2 * n);
  const hot = new Float32Array(n * classes);
  for (let k = 0; k < n; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= split.count)
      throw new Error(`pointBatch: index ${i} (position ${k}) is out of range for ${split.count} points`);
    xy[2 * k] = split.xy[2 * i];
    xy[2 * k + 1] = split.xy[2 * i + 1];
    hot[k * classes + split.labels[i]] = 1;
  }
  return { points: tf.tensor4d(xy, [n, 1, 1, 2]), oneHot: tf.tensor2d(hot, [n, classes]) };
}

/** All points of a split as [n, 2] (for evaluation). */
export function pointTensor(split: ToyPoints): tf.Tensor2D {
  return tf.tensor2d(split.xy, [split.count, 2]);
}

/** Batches drawn in order from the concatenated epoch permutations of `count` items. */
export class BatchStream {
  private epoch = 0;
  private offset = 0;
  private order: Int32Array;

  constructor(
    private readonly seed: number,
    private readonly count: number,
  ) {
    if (!Number.isInteger(count) || count < 1) throw new Error(`BatchStream: needs at least one item, got ${count}`);
    this.order = epochOrder(seed, 0, count);
  }

  /** The next `size` items (crossing into the next epoch's order when this one runs out). */
  next(size: number): Int32Array {
    if (!Number.isInteger(size) || size < 1) throw new Error(`BatchStream: batch size must be ≥ 1, got ${size}`);
    const out = new Int32Array(size);
    for (let k = 0; k < size; k++) {
      if (this.offset === this.count) {
        this.epoch++;
        this.offset = 0;
        this.order = epochOrder(this.seed, this.epoch, this.count);
      }
      out[k] = this.order[this.offset++];
    }
    return out;
  }

  /** Items handed out so far. */
  get position(): number {
    return this.epoch * this.count + this.offset;
  }
}
