/**
 * Discrete channel-pruning baselines (docs/design.md §3, "Pruning without fine-tuning"): keep the `keep`
 * channels with the largest filter L1 norms, or `keep` random channels. Both return kept channel
 * indices in ascending original order, so pruned tensors keep the channels' relative order.
 */
import type { Random } from "../random.js";

/** A weight tensor whose `axis` is the channel axis being pruned (default: the last axis, tfjs's out-channels). */
export interface ChannelWeights {
  weights: ArrayLike<number>;
  shape: number[];
  axis?: number;
}

/** L1 norm of every channel's slice (all values at that index of the channel axis). */
export function filterL1Norms(weights: ArrayLike<number>, shape: number[], axis = shape.length - 1): Float64Array {
  if (!Number.isInteger(axis) || axis < 0 || axis >= shape.length) {
    throw new Error(`filterL1Norms: channel axis ${axis} is outside shape [${shape.join(", ")}]`);
  }
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== weights.length) {
    throw new Error(`filterL1Norms: ${weights.length} values do not fill shape [${shape.join(", ")}] (${size})`);
  }
  const n = shape[axis];
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const norms = new Float64Array(n);
  for (let k = 0; k < size; k++) norms[Math.floor(k / inner) % n] += Math.abs(weights[k]);
  return norms;
}

function checkKeep(n: number, keep: number): void {
  if (!Number.isInteger(keep) || keep < 1 || keep > n) {
    throw new Error(`cannot keep ${keep} of ${n} channels: keep must be an integer in 1..${n}`);
  }
}

/** Indices of the `keep` largest-L1 channels (ties: lower index wins), ascending. */
export function selectByL1(source: ArrayLike<number> | ChannelWeights, keep: number): Int32Array {
  const norms = "weights" in source ? filterL1Norms(source.weights, source.shape, source.axis) : source;
  const n = norms.length;
  checkKeep(n, keep);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(norms[i]) || norms[i] < 0)
      throw new Error(`selectByL1: channel ${i} has norm ${norms[i]}; norms must be finite and non-negative`);
  }
  const ranked = Array.from({ length: n }, (_, i) => i).sort((a, b) => norms[b] - norms[a] || a - b);
  return Int32Array.from(ranked.slice(0, keep)).sort();
}

/** `keep` distinct channels of `n` drawn uniformly, ascending. */
export function selectRandom(n: number, keep: number, random: Random): Int32Array {
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`selectRandom: channel count must be a positive integer, got ${n}`);
  checkKeep(n, keep);
  // Partial Fisher–Yates: the first `keep` entries are a uniform sample without replacement.
  const pool = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < keep; i++) {
    const j = i + Math.floor(random() * (n - i));
    const t = pool[i];
    pool[i] = pool[j];
    pool[j] = t;
  }
  return pool.slice(0, keep).sort();
}
