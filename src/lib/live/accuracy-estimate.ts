/**
 * Accuracy measured on the first n images of a random order of a test set of N: an estimate of the
 * full-set accuracy with its standard error. Sampling is without replacement, so the finite-population
 * correction applies and the uncertainty shrinks to exactly zero when n = N (then the number is final).
 */
export interface AccuracyEstimate {
  /** Correct predictions among the evaluated images. */
  correct: number;
  /** Images evaluated so far. */
  evaluated: number;
  /** Size of the whole set. */
  total: number;
  /** correct / evaluated. */
  accuracy: number;
  /** Standard error of `accuracy` as an estimate of the whole set's accuracy. */
  standardError: number;
  /** 95% interval (Wilson score, finite-population corrected), clipped to [0, 1]. */
  low: number;
  high: number;
  /** True when every image was evaluated. */
  final: boolean;
}

export function accuracyEstimate(correct: number, evaluated: number, total: number): AccuracyEstimate {
  if (!Number.isInteger(total) || total < 1)
    throw new Error(`accuracyEstimate: total must be a positive integer, got ${total}`);
  if (!Number.isInteger(evaluated) || evaluated < 1 || evaluated > total)
    throw new Error(`accuracyEstimate: evaluated must be an integer in [1, ${total}], got ${evaluated}`);
  if (!Number.isInteger(correct) || correct < 0 || correct > evaluated)
    throw new Error(`accuracyEstimate: correct must be an integer in [0, ${evaluated}], got ${correct}`);
  const p = correct / evaluated;
  const fpc = total > 1 ? (total - evaluated) / (total - 1) : 0;
  const standardError = Math.sqrt(((p * (1 - p)) / evaluated) * fpc);
  let low = p;
  let high = p;
  if (fpc > 0) {
    // Wilson score interval with the effective sample size n / fpc (finite population).
    const z = 1.96;
    const n = evaluated / fpc;
    const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
    const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
    low = Math.max(0, centre - half);
    high = Math.min(1, centre + half);
  }
  return { correct, evaluated, total, accuracy: p, standardError, low, high, final: evaluated === total };
}
