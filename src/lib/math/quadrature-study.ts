/**
 * A quadrature rule applied to a function, and a refinement study of it: the error at growing point counts
 * and the fitted order (src/lib/math/convergence.ts). The rules themselves are src/lib/math/quadrature.ts; this
 * module only chooses their points (uniform, jittered, or Gauss–Legendre's own nodes) and sums.
 */
import { gaussLegendre, quadratureWeights, type QuadratureRule } from "./quadrature.js";
import { uniformPartition } from "./partition.js";
import { jitteredPartition } from "./jittered-partition.js";
import { convergenceOrder } from "./convergence.js";

export type PartitionKind = "uniform" | "jittered";

export const PARTITION_KINDS: readonly PartitionKind[] = ["uniform", "jittered"];

/**
 * The points a rule uses for n points: Gauss–Legendre always takes its own nodes (the partition kind does
 * not apply); the others take the uniform or the jittered partition (seeded, so a study is repeatable).
 */
export function rulePoints(rule: QuadratureRule, n: number, partition: PartitionKind, seed = 1): Float64Array {
  if (rule === "gauss-legendre") return gaussLegendre(n).nodes;
  if (partition === "uniform") return uniformPartition(n);
  if (partition === "jittered") return jitteredPartition(n, { seed });
  throw new Error(`rulePoints: unknown partition "${String(partition)}" (expected ${PARTITION_KINDS.join(" or ")})`);
}

export interface QuadratureEstimate {
  points: Float64Array;
  weights: Float64Array;
  /** f at the points. */
  values: Float64Array;
  /** Σ q_i f(x_i). */
  estimate: number;
}

/** Σ q_i f(x_i) with the rule's weights on the given points. */
export function applyRule(rule: QuadratureRule, f: (x: number) => number, points: Float64Array): QuadratureEstimate {
  const weights = quadratureWeights(rule, points);
  const values = points.map(f);
  let estimate = 0;
  for (let i = 0; i < points.length; i++) estimate += weights[i] * values[i];
  return { points, weights, values, estimate };
}

export interface StudyRow {
  n: number;
  /** Mean spacing: 2/(n − 1) for partition rules, 2/n for Gauss–Legendre (n cells of its nodes). */
  spacing: number;
  estimate: number;
  /** |estimate − exact|. */
  error: number;
}

export interface RefinementStudy {
  rule: QuadratureRule;
  rows: StudyRow[];
  /** Fitted order (error ∝ spacing^order), null when too few errors sit above rounding level. */
  order: number | null;
  /** Points that entered the fit. */
  fitted: number;
  /** Why the rule does not apply (e.g. Simpson on a jittered partition); rows are empty then. */
  notApplicable?: string;
}

/** Errors of `rule` for each n in `sizes`, and the fitted order. */
export function refinementStudy(
  rule: QuadratureRule,
  f: (x: number) => number,
  exact: number,
  sizes: readonly number[],
  options: { partition?: PartitionKind; seed?: number; floor?: number } = {},
): RefinementStudy {
  const partition = options.partition ?? "uniform";
  return studyOnPoints(rule, f, exact, sizes, (n) => rulePoints(rule, n, partition, options.seed), options.floor);
}

/**
 * Errors of `rule` on the points `pointsAt(n, i)` for each n = sizes[i], and the fitted order. A rule
 * that refuses a set of points (Simpson on unequal spacing) makes the study "not applicable".
 */
export function studyOnPoints(
  rule: QuadratureRule,
  f: (x: number) => number,
  exact: number,
  sizes: readonly number[],
  pointsAt: (n: number, index: number) => Float64Array,
  floor?: number,
): RefinementStudy {
  const rows: StudyRow[] = [];
  try {
    sizes.forEach((n, i) => {
      const { estimate } = applyRule(rule, f, pointsAt(n, i));
      rows.push({
        n,
        spacing: rule === "gauss-legendre" ? 2 / n : 2 / (n - 1),
        estimate,
        error: Math.abs(estimate - exact),
      });
    });
  } catch (error) {
    return {
      rule,
      rows: [],
      order: null,
      fitted: 0,
      notApplicable: error instanceof Error ? error.message : String(error),
    };
  }
  const fit = convergenceOrder(
    rows.map((r) => r.spacing),
    rows.map((r) => r.error),
    { floor },
  );
  return { rule, rows, order: fit.order, fitted: fit.used };
}
