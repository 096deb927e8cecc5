/**
 * The 2-opt search of the permutation page, one pass at a time, for its animation: the same first-improvement
 * moves as twoOptDescent (src/lib/compression/permutation.ts), with the order and its total variation recorded
 * after every full sweep over the segment ends (i, j). The last order is the one twoOptDescent reaches.
 */
import { reverseSegment, totalVariation, twoOptDelta, type DistanceMatrix } from "../compression/permutation.js";

export interface TwoOptPass {
  /** 0 is the starting order; pass p is the order after p sweeps. */
  pass: number;
  order: Int32Array;
  tv: number;
  /** Segments reversed during this pass. */
  moves: number;
}

export function twoOptPasses(D: DistanceMatrix, start: ArrayLike<number>): TwoOptPass[] {
  const order = Int32Array.from(start);
  const n = order.length;
  let scale = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) scale = Math.max(scale, D[i][j]);
  // The same tolerance as twoOptDescent, so the two stop at the same order.
  const tolerance = 1e-12 * scale;
  const passes: TwoOptPass[] = [{ pass: 0, order: order.slice(), tv: totalVariation(D, order), moves: 0 }];
  for (;;) {
    let moves = 0;
    for (let i = 0; i < n - 1; i++) {
      for (let j = i + 1; j < n; j++) {
        if (twoOptDelta(D, order, i, j) < -tolerance) {
          reverseSegment(order, i, j);
          moves++;
        }
      }
    }
    if (moves === 0) return passes;
    passes.push({ pass: passes.length, order: order.slice(), tv: totalVariation(D, order), moves });
  }
}

/**
 * The filter entry that varies most across channels (largest variance over the channels' slices): the one
 * weight whose zig-zag against channel index the reordering smooths most visibly.
 */
export function mostVaryingEntry(slices: readonly ArrayLike<number>[]): number {
  const n = slices.length;
  const length = slices[0]?.length ?? 0;
  let best = 0;
  let bestVariance = -1;
  for (let e = 0; e < length; e++) {
    let sum = 0;
    let sumSq = 0;
    for (const s of slices) {
      sum += s[e];
      sumSq += s[e] * s[e];
    }
    const variance = sumSq / n - (sum / n) ** 2;
    if (variance > bestVariance) [best, bestVariance] = [e, variance];
  }
  return best;
}
