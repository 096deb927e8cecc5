/**
 * Partitions learned by grid tuning, as the curves file publishes them (schema v2, `partitions` on the
 * points of method "inn-grid-tuned"): one entry per (family, group, size) with the seed and network size
 * they came from, how far they moved from the uniform grid, and quadrature studies on them. Pure data
 * shaping and arithmetic; the points themselves come from the file.
 */
import type { CurvesFile } from "../io/curves-schema.js";
import { applyRule, studyOnPoints, type RefinementStudy } from "../math/quadrature-study.js";
import { gaussLegendre, type QuadratureRule } from "../math/quadrature.js";

export interface LearnedPartition {
  /** `${group}-${size}` (prefixed by the family when it is not "reference"): unique, URL-safe. */
  id: string;
  family: string;
  method: string;
  /** The method's model spec (e.g. { name: "reference-inn", … }). */
  model: Record<string, unknown>;
  /** The seed whose tuning this is (the point's first run). */
  seed: number;
  /** Fraction of every hidden group's channels the net was tuned at, and the sizes of all groups. */
  fraction: number;
  sizes: Record<string, number>;
  group: string;
  /** Channels of the group at this size (= points.length) and at full size. */
  size: number;
  fullSize: number;
  /** Test accuracy of that seed's tuned net at this size. */
  accuracy: number;
  /** The learned points on [−1, 1], increasing. */
  points: Float64Array;
}

/** Every learned partition in the file, by family, group and decreasing size (first occurrence of an id wins). */
export function learnedPartitions(curves: Pick<CurvesFile, "families">): LearnedPartition[] {
  const out: LearnedPartition[] = [];
  const seen = new Set<string>();
  for (const f of curves.families) {
    for (const m of f.methods) {
      const full = m.points.reduce<Record<string, number>>((acc, p) => {
        for (const [g, s] of Object.entries(p.sizes)) acc[g] = Math.max(acc[g] ?? 0, s);
        return acc;
      }, {});
      for (const p of m.points) {
        if (!p.partitions) continue;
        const run = p.runs[0];
        for (const [group, xs] of Object.entries(p.partitions)) {
          const id = `${f.id === "reference" ? "" : `${f.id}-`}${group}-${xs.length}`;
          if (seen.has(id)) continue;
          seen.add(id);
          out.push({
            id,
            family: f.id,
            method: m.id,
            model: m.model,
            seed: run?.seed ?? m.seeds[0],
            fraction: p.fraction,
            sizes: p.sizes,
            group,
            size: xs.length,
            fullSize: full[group] ?? xs.length,
            accuracy: run?.accuracies[0] ?? p.accuracy.mean,
            points: Float64Array.from(xs),
          });
        }
      }
    }
  }
  const groupOrder = [...new Set(out.map((p) => `${p.family}/${p.group}`))];
  return out.sort(
    (a, b) =>
      groupOrder.indexOf(`${a.family}/${a.group}`) - groupOrder.indexOf(`${b.family}/${b.group}`) || b.size - a.size,
  );
}

/** How far a partition is from the uniform grid of the same size: largest and mean |x_i − u_i|, and the gaps. */
export function partitionDeparture(points: ArrayLike<number>): {
  maxShift: number;
  meanShift: number;
  minGap: number;
  maxGap: number;
  uniformGap: number;
} {
  const m = points.length;
  if (m < 2) throw new Error(`partitionDeparture: needs at least 2 points, got ${m}`);
  const h = 2 / (m - 1);
  let maxShift = 0,
    sum = 0,
    minGap = Infinity,
    maxGap = 0;
  for (let i = 0; i < m; i++) {
    const d = Math.abs(points[i] - (-1 + i * h));
    maxShift = Math.max(maxShift, d);
    sum += d;
    if (i > 0) {
      const g = points[i] - points[i - 1];
      minGap = Math.min(minGap, g);
      maxGap = Math.max(maxGap, g);
    }
  }
  return { maxShift, meanShift: sum / m, minGap, maxGap, uniformGap: h };
}

/**
 * A rule's errors on a family of given partitions (e.g. one group's learned partitions at every size),
 * with the fitted order against the mean spacing 2/(n − 1). Gauss–Legendre takes its own n nodes. A rule
 * that refuses a partition (Simpson on unequal spacing) is reported as not applicable.
 */
export function partitionStudy(
  rule: QuadratureRule,
  f: (x: number) => number,
  exact: number,
  partitions: readonly ArrayLike<number>[],
  options: { floor?: number } = {},
): RefinementStudy {
  const sorted = [...partitions].sort((a, b) => a.length - b.length);
  const points = (n: number, i: number) =>
    rule === "gauss-legendre" ? gaussLegendre(n).nodes : Float64Array.from(sorted[i]);
  return studyOnPoints(
    rule,
    f,
    exact,
    sorted.map((xs) => xs.length),
    points,
    options.floor,
  );
}

export interface LearnedVersusUniformRow {
  n: number;
  /** |estimate − exact| of the rule on the learned partition and on the uniform one of the same size. */
  learnedError: number;
  uniformError: number;
}

/** The rule's error on each learned partition next to its error on the uniform partition with as many points. */
export function learnedVersusUniform(
  rule: QuadratureRule,
  f: (x: number) => number,
  exact: number,
  partitions: readonly ArrayLike<number>[],
): LearnedVersusUniformRow[] {
  if (rule === "gauss-legendre" || rule === "simpson")
    throw new Error(`learnedVersusUniform: the ${rule} rule does not use a given partition`);
  return [...partitions]
    .sort((a, b) => a.length - b.length)
    .map((xs) => {
      const n = xs.length;
      const uniform = Float64Array.from({ length: n }, (_, i) => -1 + (2 * i) / (n - 1));
      return {
        n,
        learnedError: Math.abs(applyRule(rule, f, Float64Array.from(xs)).estimate - exact),
        uniformError: Math.abs(applyRule(rule, f, uniform).estimate - exact),
      };
    });
}
