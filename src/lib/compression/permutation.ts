/**
 * Channel reordering for converting a trained discrete network into an integral one (docs/design.md §3,
 * "Three ways", b). A continuous weight function can only fit the channels well if neighbouring
 * channels have similar weights, so each linked group's channels are reordered to minimise the total
 * variation: the summed mean-L1 distance between consecutive channel slices. That is an open
 * travelling-salesman path, solved by 2-opt with random restarts.
 *
 * The upstream implementation's 2-opt counts a boundary term twice; here a move's gain is exactly the
 * change of the two boundary edges of the reversed segment (tested against a recomputation).
 */
import { mulberry32, permutation, type Random } from "../random.js";
import { drainSteps, runCooperatively, type CooperativeOptions } from "./steps.js";

/** Symmetric distances between channels: D[i][j]. */
export type DistanceMatrix = Float64Array[];

/** One tensor's share of a group: row-major `data` of `shape`, whose axis `axis` is the channel axis. */
export interface ChannelTensor {
  data: ArrayLike<number>;
  shape: number[];
  axis: number;
}

/**
 * The slice of every channel of a group: for channel c, the concatenation (in `parts` order) of every
 * tensor's values at index c along its channel axis. All parts must have the same channel count.
 */
export function groupChannelSlices(parts: ChannelTensor[]): Float32Array[] {
  if (parts.length === 0) throw new Error("groupChannelSlices: a group needs at least one tensor");
  const n = parts[0].shape[parts[0].axis];
  let length = 0;
  parts.forEach((p, k) => {
    if (!Number.isInteger(p.axis) || p.axis < 0 || p.axis >= p.shape.length) {
      throw new Error(`groupChannelSlices: part ${k} has channel axis ${p.axis} outside shape [${p.shape.join(", ")}]`);
    }
    const size = p.shape.reduce((a, b) => a * b, 1);
    if (size !== p.data.length) {
      throw new Error(
        `groupChannelSlices: part ${k} has ${p.data.length} values but shape [${p.shape.join(", ")}] needs ${size}`,
      );
    }
    if (p.shape[p.axis] !== n) {
      throw new Error(
        `groupChannelSlices: part ${k} has ${p.shape[p.axis]} channels on axis ${p.axis}, part 0 has ${n}`,
      );
    }
    length += size / n;
  });
  const slices = Array.from({ length: n }, () => new Float32Array(length));
  let offset = 0;
  for (const p of parts) {
    const outer = p.shape.slice(0, p.axis).reduce((a, b) => a * b, 1);
    const inner = p.shape.slice(p.axis + 1).reduce((a, b) => a * b, 1);
    for (let c = 0; c < n; c++) {
      const s = slices[c];
      let k = offset;
      for (let o = 0; o < outer; o++) {
        const base = (o * n + c) * inner;
        for (let i = 0; i < inner; i++) s[k++] = p.data[base + i];
      }
    }
    offset += outer * inner;
  }
  return slices;
}

/** D[i][j] = mean |slice_i − slice_j| over the slice elements. */
export function channelDistanceMatrix(slices: ArrayLike<number>[]): DistanceMatrix {
  const n = slices.length;
  if (n === 0) throw new Error("channelDistanceMatrix: no channels");
  const len = slices[0].length;
  if (len === 0) throw new Error("channelDistanceMatrix: channel slices are empty");
  slices.forEach((s, i) => {
    if (s.length !== len)
      throw new Error(`channelDistanceMatrix: slice ${i} has ${s.length} values, slice 0 has ${len}`);
  });
  const D = Array.from({ length: n }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    const a = slices[i];
    for (let j = i + 1; j < n; j++) {
      const b = slices[j];
      let sum = 0;
      for (let k = 0; k < len; k++) sum += Math.abs(a[k] - b[k]);
      const d = sum / len;
      if (!Number.isFinite(d))
        throw new Error(
          `channelDistanceMatrix: distance between channels ${i} and ${j} is ${d} (NaN or infinite weights)`,
        );
      D[i][j] = d;
      D[j][i] = d;
    }
  }
  return D;
}

function checkOrder(n: number, order: ArrayLike<number>): void {
  if (order.length !== n)
    throw new Error(`channel order has ${order.length} entries, the distance matrix has ${n} channels`);
  const seen = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const c = order[k];
    if (!Number.isInteger(c) || c < 0 || c >= n || seen[c]) {
      throw new Error(`channel order is not a permutation of 0..${n - 1}: entry ${k} is ${c}`);
    }
    seen[c] = 1;
  }
}

/** TV(order) = Σ_k D[order_k][order_k+1] over the open path. */
export function totalVariation(D: DistanceMatrix, order: ArrayLike<number>): number {
  checkOrder(D.length, order);
  let tv = 0;
  for (let k = 0; k + 1 < order.length; k++) tv += D[order[k]][order[k + 1]];
  return tv;
}

/**
 * Change of TV when positions i..j (0 ≤ i < j < n) of the open path are reversed. Only the edge into
 * the segment (if i > 0) and the edge out of it (if j < n − 1) change; inner edges are reversed, and
 * D is symmetric, so they cost the same.
 */
export function twoOptDelta(D: DistanceMatrix, order: ArrayLike<number>, i: number, j: number): number {
  const a = order[i];
  const b = order[j];
  let delta = 0;
  if (i > 0) {
    const prev = order[i - 1];
    delta += D[prev][b] - D[prev][a];
  }
  if (j < order.length - 1) {
    const next = order[j + 1];
    delta += D[a][next] - D[b][next];
  }
  return delta;
}

/** Reverse positions i..j of `order` in place. */
export function reverseSegment(order: Int32Array, i: number, j: number): void {
  for (let l = i, r = j; l < r; l++, r--) {
    const t = order[l];
    order[l] = order[r];
    order[r] = t;
  }
}

/** Apply improving 2-opt moves (first improvement) until none is left. Mutates `order`. */
export function twoOptDescent(D: DistanceMatrix, order: Int32Array): void {
  drainSteps(twoOptDescentSteps(D, order, undefined));
}

/** twoOptDescent, yielding `checkpoint` after every row of a sweep (O(n) work) so a caller can pause there. */
function* twoOptDescentSteps<P>(D: DistanceMatrix, order: Int32Array, checkpoint: P): Generator<P, void> {
  const n = order.length;
  let scale = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) scale = Math.max(scale, D[i][j]);
  // A move must gain more than rounding noise, or equal-cost reversals could cycle forever.
  const tolerance = 1e-12 * scale;
  let improved = true;
  while (improved) {
    improved = false;
    for (let i = 0; i < n - 1; i++) {
      if (improveRow(D, order, i, tolerance)) improved = true;
      yield checkpoint;
    }
  }
}

/** Every improving move (i, j) for j > i, in order; true if any was made. A plain function: the hot loop stays out of the generator. */
function improveRow(D: DistanceMatrix, order: Int32Array, i: number, tolerance: number): boolean {
  let improved = false;
  for (let j = i + 1; j < order.length; j++) {
    if (twoOptDelta(D, order, i, j) < -tolerance) {
      reverseSegment(order, i, j);
      improved = true;
    }
  }
  return improved;
}

function checkDistanceMatrix(D: DistanceMatrix): void {
  const n = D.length;
  if (n === 0) throw new Error("distance matrix is empty");
  for (let i = 0; i < n; i++) {
    if (D[i].length !== n) throw new Error(`distance matrix row ${i} has ${D[i].length} entries, expected ${n}`);
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const d = D[i][j];
      if (!Number.isFinite(d) || d < 0)
        throw new Error(`distance matrix entry [${i}][${j}] is ${d}; distances must be finite and non-negative`);
      if (j > i && Math.abs(d - D[j][i]) > 1e-9 * Math.max(1, Math.abs(d))) {
        throw new Error(`distance matrix is not symmetric: [${i}][${j}] = ${d} but [${j}][${i}] = ${D[j][i]}`);
      }
    }
  }
}

export interface MinimizeTotalVariationOptions {
  /** Random starting orders besides the identity (default 100, as in the reference). */
  restarts?: number;
  /** Source of the random starts (default mulberry32(0), so results are reproducible). */
  random?: Random;
}

export interface ChannelOrder {
  /** order[k] = the original channel placed at position k. */
  order: Int32Array;
  /** TV of the identity order. */
  before: number;
  /** TV of `order`; never more than `before`. */
  after: number;
}

/** Channel order with (locally) minimal total variation: 2-opt from the identity and `restarts` random starts. */
export function minimizeTotalVariation(D: DistanceMatrix, options: MinimizeTotalVariationOptions = {}): ChannelOrder {
  return drainSteps(minimizeTotalVariationSteps(D, options));
}

/**
 * minimizeTotalVariation without blocking a page: the same search (so the same order), pausing through
 * `options.yieldFn` every `sliceMs`; `onPause` sees which start the search is at.
 */
export function minimizeTotalVariationAsync(
  D: DistanceMatrix,
  options: MinimizeTotalVariationOptions & CooperativeOptions<TvSearchProgress> = {},
): Promise<ChannelOrder> {
  return runCooperatively(minimizeTotalVariationSteps(D, options), options);
}

/** Where a TV search is: at start `start` (0: the identity) of `starts` (1 + restarts). */
export interface TvSearchProgress {
  readonly start: number;
  readonly starts: number;
}

/** minimizeTotalVariation as steps: yields a checkpoint after every row of every 2-opt sweep. */
export function* minimizeTotalVariationSteps(
  D: DistanceMatrix,
  options: MinimizeTotalVariationOptions = {},
): Generator<TvSearchProgress, ChannelOrder> {
  checkDistanceMatrix(D);
  const restarts = options.restarts ?? 100;
  if (!Number.isInteger(restarts) || restarts < 0)
    throw new Error(`restarts must be a non-negative integer, got ${restarts}`);
  const random = options.random ?? mulberry32(0);
  const n = D.length;
  const starts = restarts + 1;
  const identity = Int32Array.from({ length: n }, (_, i) => i);
  const before = totalVariation(D, identity);
  let best: Int32Array = identity.slice();
  yield* twoOptDescentSteps(D, best, { start: 0, starts });
  let bestTv = totalVariation(D, best);
  for (let r = 0; r < restarts; r++) {
    const candidate = permutation(random, n);
    yield* twoOptDescentSteps(D, candidate, { start: r + 1, starts });
    const tv = totalVariation(D, candidate);
    if (tv < bestTv) {
      best = candidate;
      bestTv = tv;
    }
  }
  // 2-opt from the identity only lowers TV, so this holds; keep it explicit against rounding.
  if (bestTv > before) {
    best = identity;
    bestTv = before;
  }
  return { order: best, before, after: bestTv };
}

/** inverse[order[k]] = k: where each original channel ended up. */
export function invertPermutation(order: ArrayLike<number>): Int32Array {
  checkOrder(order.length, order);
  const inv = new Int32Array(order.length);
  for (let k = 0; k < order.length; k++) inv[order[k]] = k;
  return inv;
}
