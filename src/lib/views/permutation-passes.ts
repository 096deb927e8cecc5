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
 * The filter entry whose zig-zag against channel position the reordering shortens most (summed step between
 * neighbours, relative to the trained order), among the entries that vary at least as much as the median one:
 * the clearest single weight to show what the order does. Ties go to the lower index.
 */
export function smoothedEntry(slices: readonly ArrayLike<number>[], order: readonly number[]): number {
  const length = slices[0]?.length ?? 0;
  const steps = (e: number, o: readonly number[]) =>
    o.slice(1).reduce((s, c, k) => s + Math.abs((slices[c][e] as number) - (slices[o[k]][e] as number)), 0);
  const identity = slices.map((_, k) => k);
  const variance = (e: number) => {
    const values = slices.map((s) => s[e] as number);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    return values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
  };
  const variances = Array.from({ length }, (_, e) => variance(e));
  const median = [...variances].sort((a, b) => a - b)[Math.floor(length / 2)] ?? 0;
  let best = 0;
  let bestGain = -Infinity;
  for (let e = 0; e < length; e++) {
    if (variances[e] < median) continue;
    const before = steps(e, identity);
    const gain = before > 0 ? 1 - steps(e, order) / before : 0;
    if (gain > bestGain) [best, bestGain] = [e, gain];
  }
  return best;
}
