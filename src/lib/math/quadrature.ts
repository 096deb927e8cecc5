/**
 * Quadrature rules `∫_a^b f ≈ Σ q_i f(x_i)` over a partition a = x_0 < … < x_{m−1} = b (the partition's
 * own ends are the integration limits). An integral layer multiplies its weights along the integrated
 * axis by these q. Computed in float64 on plain arrays; the trapezoid rule also exists as a tfjs
 * expression so trainable partitions (grid tuning) get gradients through it.
 *
 * Unlike the upstream implementation (whose "Riemann" rule is numerically the trapezoid rule and
 * whose Simpson rule silently assumes uniform spacing), each rule here is what its name says and
 * Simpson rejects non-uniform partitions.
 */
import * as tf from "@tensorflow/tfjs-core";

export type QuadratureRule = "left-riemann" | "right-riemann" | "trapezoid" | "simpson" | "gauss-legendre";

export const QUADRATURE_RULES: readonly QuadratureRule[] = [
  "left-riemann",
  "right-riemann",
  "trapezoid",
  "simpson",
  "gauss-legendre",
];

function checkPartition(points: ArrayLike<number>, where: string, minPoints: number): void {
  if (points.length < minPoints) throw new Error(`${where}: needs at least ${minPoints} points, got ${points.length}`);
  for (let i = 0; i < points.length; i++) {
    if (!Number.isFinite(points[i])) throw new Error(`${where}: point ${i} is ${points[i]}`);
    if (i > 0 && !(points[i] > points[i - 1])) {
      throw new Error(
        `${where}: points must be strictly increasing, but x[${i}] = ${points[i]} ≤ x[${i - 1}] = ${points[i - 1]}`,
      );
    }
  }
}

/** Left Riemann sum: q_i = x_{i+1} − x_i, the last point gets 0. First order. */
export function leftRiemannWeights(points: ArrayLike<number>): Float64Array {
  checkPartition(points, "leftRiemannWeights", MIN_POINTS["left-riemann"]);
  const q = new Float64Array(points.length);
  for (let i = 0; i + 1 < points.length; i++) q[i] = points[i + 1] - points[i];
  return q;
}

/** Right Riemann sum: q_i = x_i − x_{i−1}, the first point gets 0. First order. */
export function rightRiemannWeights(points: ArrayLike<number>): Float64Array {
  checkPartition(points, "rightRiemannWeights", MIN_POINTS["right-riemann"]);
  const q = new Float64Array(points.length);
  for (let i = 1; i < points.length; i++) q[i] = points[i] - points[i - 1];
  return q;
}

/**
 * Trapezoid rule on any (non-uniform) partition: q_i = (x_{i+1} − x_{i−1})/2 inside, half an interval
 * at the ends. Second order. A single point is treated as the midpoint rule on [-1, 1] (q = 2), so a
 * channel group resampled to one channel still has a defined scale.
 */
export function trapezoidWeights(points: ArrayLike<number>): Float64Array {
  if (points.length === 1) {
    checkPartition(points, "trapezoidWeights", 1);
    return Float64Array.of(2);
  }
  checkPartition(points, "trapezoidWeights", MIN_POINTS.trapezoid);
  const m = points.length;
  const q = new Float64Array(m);
  for (let i = 0; i + 1 < m; i++) {
    const half = (points[i + 1] - points[i]) / 2;
    q[i] += half;
    q[i + 1] += half;
  }
  return q;
}

/**
 * Composite Simpson rule on a uniform partition. Fourth order. An odd number of points is the classic
 * 1-4-2-4-…-4-1 rule; an even number (odd count of intervals, at least 3) uses Simpson on all but the
 * last three intervals and Simpson's 3/8 rule on those (also fourth order). Non-uniform spacing is an error.
 */
export function simpsonWeights(points: ArrayLike<number>): Float64Array {
  checkPartition(points, "simpsonWeights", MIN_POINTS.simpson);
  const m = points.length;
  const h = (points[m - 1] - points[0]) / (m - 1);
  for (let i = 1; i < m; i++) {
    const d = points[i] - points[i - 1];
    if (Math.abs(d - h) > 1e-6 * Math.abs(h)) {
      throw new Error(
        `simpsonWeights: needs a uniform partition, but interval ${i - 1} is ${d} and the mean spacing is ${h} (use the trapezoid rule for non-uniform partitions)`,
      );
    }
  }
  const intervals = m - 1;
  if (intervals === 1) throw new Error("simpsonWeights: needs at least 3 points");
  const q = new Float64Array(m);
  const simpsonIntervals = intervals % 2 === 0 ? intervals : intervals - 3;
  for (let i = 0; i < simpsonIntervals; i += 2) {
    q[i] += h / 3;
    q[i + 1] += (4 * h) / 3;
    q[i + 2] += h / 3;
  }
  if (simpsonIntervals < intervals) {
    const s = simpsonIntervals;
    q[s] += (3 * h) / 8;
    q[s + 1] += (9 * h) / 8;
    q[s + 2] += (9 * h) / 8;
    q[s + 3] += (3 * h) / 8;
  }
  return q;
}

/** Legendre polynomial P_n(x) and its derivative, by the three-term recurrence. */
function legendre(n: number, x: number): { p: number; dp: number } {
  let p0 = 1;
  let p1 = x;
  if (n === 0) return { p: 1, dp: 0 };
  for (let k = 2; k <= n; k++) {
    const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
    p0 = p1;
    p1 = p2;
  }
  return { p: p1, dp: (n * (x * p1 - p0)) / (x * x - 1) };
}

/**
 * Gauss–Legendre rule with n points on [-1, 1] (ascending nodes): exact for polynomials up to degree
 * 2n − 1. Nodes by Newton's method on P_n from Tricomi's initial guesses.
 */
export function gaussLegendre(n: number): { nodes: Float64Array; weights: Float64Array } {
  if (!Number.isInteger(n) || n < 1) throw new Error(`gaussLegendre: point count must be a positive integer, got ${n}`);
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < Math.ceil(n / 2); i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 1;
    for (let iter = 0; iter < 100; iter++) {
      const l = legendre(n, x);
      dp = l.dp;
      const dx = l.p / l.dp;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    dp = legendre(n, x).dp;
    const w = 2 / ((1 - x * x) * dp * dp);
    // Symmetric pairs, stored ascending.
    nodes[i] = -x;
    nodes[n - 1 - i] = x;
    weights[i] = w;
    weights[n - 1 - i] = w;
  }
  if (n % 2 === 1) nodes[(n - 1) / 2] = 0;
  return { nodes, weights };
}

/** Fewest points a rule's composite form accepts (Gauss–Legendre: one node is the midpoint rule). */
export const MIN_POINTS: Readonly<Record<QuadratureRule, number>> = {
  "left-riemann": 2,
  "right-riemann": 2,
  trapezoid: 2,
  simpson: 3,
  "gauss-legendre": 1,
};

/**
 * Weights of `rule` for a partition. Gauss–Legendre has its own nodes: the partition must be
 * `gaussLegendre(m).nodes` (on [-1, 1]); other point sets are rejected.
 */
export function quadratureWeights(rule: QuadratureRule, points: ArrayLike<number>): Float64Array {
  switch (rule) {
    case "left-riemann":
      return leftRiemannWeights(points);
    case "right-riemann":
      return rightRiemannWeights(points);
    case "trapezoid":
      return trapezoidWeights(points);
    case "simpson":
      return simpsonWeights(points);
    case "gauss-legendre": {
      const gl = gaussLegendre(points.length);
      for (let i = 0; i < points.length; i++) {
        if (Math.abs(points[i] - gl.nodes[i]) > 1e-6) {
          throw new Error(
            `quadratureWeights: gauss-legendre needs its own nodes; point ${i} is ${points[i]}, the node is ${gl.nodes[i]}`,
          );
        }
      }
      return gl.weights;
    }
    default:
      throw new Error(`quadratureWeights: unknown rule "${String(rule)}" (expected ${QUADRATURE_RULES.join(", ")})`);
  }
}

/** Trapezoid weights as a tfjs expression of the points (differentiable; for trainable partitions). */
export function trapezoidWeightsTensor(points: tf.Tensor1D): tf.Tensor1D {
  if (points.rank !== 1) throw new Error(`trapezoidWeightsTensor: points must be rank 1, got shape [${points.shape}]`);
  const m = points.shape[0];
  if (m === 1) return tf.tensor1d([2]);
  return tf.tidy(() => {
    const d = tf.sub(tf.slice(points, 1, m - 1), tf.slice(points, 0, m - 1));
    return tf.mul(tf.add(tf.pad(d, [[1, 0]]), tf.pad(d, [[0, 1]])), 0.5) as tf.Tensor1D;
  });
}
