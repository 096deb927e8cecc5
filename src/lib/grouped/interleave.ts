/**
 * Channel interleave ("channel shuffle"): output channel k takes input channel perm[k], where perm lists
 * the channels s, s + step, s + 2·step, … for s = 0, 1, …, step − 1 (the kEffNet `InterleaveChannels`).
 * With step = filters per group, output neighbours come from different groups of the previous layer.
 */
import * as tf from "@tensorflow/tfjs-core";

/** perm[k] = the input channel that lands at position k. Works for any channel count (no divisibility). */
export function interleavePermutation(channels: number, step: number): number[] {
  if (!Number.isInteger(channels) || channels <= 0)
    throw new Error(`interleavePermutation: channels must be a positive integer, got ${channels}`);
  if (!Number.isInteger(step) || step <= 0)
    throw new Error(`interleavePermutation: step must be a positive integer, got ${step}`);
  const perm: number[] = [];
  for (let s = 0; s < Math.min(step, channels); s++) for (let j = s; j < channels; j += step) perm.push(j);
  return perm;
}

export function inversePermutation(perm: number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, k) => {
    inv[p] = k;
  });
  return inv;
}

/**
 * Reorders channels of NHWC tensors by a fixed permutation. The gradient is the inverse gather (not the
 * scatter-add tfjs would derive), which the wasm backend runs without UnsortedSegmentSum.
 */
export class ChannelPermutation {
  readonly perm: number[];
  private readonly forwardIndex: tf.Tensor1D;
  private readonly inverseIndex: tf.Tensor1D;
  private readonly op: (x: tf.Tensor) => tf.Tensor;

  constructor(perm: number[]) {
    const seen = new Set(perm);
    if (seen.size !== perm.length || perm.some((p) => !Number.isInteger(p) || p < 0 || p >= perm.length)) {
      throw new Error(`ChannelPermutation: not a permutation of 0..${perm.length - 1}`);
    }
    this.perm = perm.slice();
    this.forwardIndex = tf.tensor1d(perm, "int32");
    this.inverseIndex = tf.tensor1d(inversePermutation(perm), "int32");
    const fwd = this.forwardIndex,
      inv = this.inverseIndex;
    // customGrad's typing passes (...inputs, save); this op has one input.
    this.op = tf.customGrad(((x: tf.Tensor) => ({
      value: tf.gather(x, fwd, x.rank - 1),
      gradFunc: (dy: tf.Tensor | tf.Tensor[]) => [tf.gather(dy as tf.Tensor, inv, (dy as tf.Tensor).rank - 1)],
    })) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor) => tf.Tensor;
  }

  apply<T extends tf.Tensor>(x: T): T {
    if (x.shape[x.rank - 1] !== this.perm.length) {
      throw new Error(`ChannelPermutation: expected ${this.perm.length} channels, got ${x.shape[x.rank - 1]}`);
    }
    return this.op(x) as T;
  }

  dispose(): void {
    this.forwardIndex.dispose();
    this.inverseIndex.dispose();
  }
}
