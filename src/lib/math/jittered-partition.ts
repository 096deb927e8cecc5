/**
 * A random but ordered partition of [-1, 1]: the uniform grid with every interior point moved by a random
 * fraction of its cell. The ends stay at ±1 and neighbours can never cross (|jitter| < 1 keeps every gap
 * at least (1 − jitter)·h), so rules that accept non-uniform partitions (Riemann, trapezoid) apply, and
 * the spacing still shrinks like 1/m — which is what a convergence study needs.
 */
import { mulberry32, type Random } from "../random.js";

export interface JitteredPartitionOptions {
  /** Largest move as a fraction of the uniform spacing h, in [0, 1) (default 0.8: moves in ±0.4·h). */
  jitter?: number;
  /** Random source; default mulberry32(seed). */
  random?: Random;
  /** Seed when no random source is given (default 1). */
  seed?: number;
}

export function jitteredPartition(m: number, options: JitteredPartitionOptions = {}): Float64Array {
  if (!Number.isInteger(m) || m < 2) throw new Error(`jitteredPartition: size must be an integer ≥ 2, got ${m}`);
  const jitter = options.jitter ?? 0.8;
  if (!(jitter >= 0 && jitter < 1)) throw new Error(`jitteredPartition: jitter must be in [0, 1), got ${jitter}`);
  const random = options.random ?? mulberry32(options.seed ?? 1);
  const h = 2 / (m - 1);
  const points = new Float64Array(m);
  points[0] = -1;
  points[m - 1] = 1;
  for (let i = 1; i < m - 1; i++) points[i] = -1 + h * (i + jitter * (random() - 0.5));
  return points;
}
