/**
 * Sampling a grid of nodes at arbitrary points of [-1, 1]. Because interpolation is separable, sampling
 * along one axis is a matrix product with a small interpolation matrix M [points, nodes]:
 * `M[r, j] = Σ_{k : clamp(k) = j} u(t(x_r) − k)`, with the align-corners map `t(x) = (x + 1)/2 · (N − 1)`
 * and taps beyond the ends clamped to the border node — exactly PyTorch's `grid_sample(mode="bicubic",
 * padding_mode="border", align_corners=True)`, which the upstream implementation uses.
 * A 2-D (or n-D) sample is one such product per axis.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { InterpolationKernel } from "./interpolation.js";

/** Align-corners map from x ∈ [-1, 1] to the node index scale [0, N − 1]. */
export function nodeCoordinate(x: number, nodes: number): number {
  return ((x + 1) / 2) * (nodes - 1);
}

function checkNodes(nodes: number, where: string): void {
  if (!Number.isInteger(nodes) || nodes < 1)
    throw new Error(`${where}: node count must be a positive integer, got ${nodes}`);
}

/**
 * Interpolation matrix [points.length, nodes], row-major, computed in float64. Points must lie in
 * [-1, 1] (a little slack for rounding is allowed).
 */
export function interpolationMatrix(
  nodes: number,
  points: ArrayLike<number>,
  kernel: InterpolationKernel,
): Float64Array {
  checkNodes(nodes, "interpolationMatrix");
  const m = points.length;
  const out = new Float64Array(m * nodes);
  for (let r = 0; r < m; r++) {
    const x = points[r];
    if (!(x >= -1 - 1e-6 && x <= 1 + 1e-6)) {
      throw new Error(`interpolationMatrix: point ${r} is ${x}, outside [-1, 1]`);
    }
    const t = nodeCoordinate(x, nodes);
    const lo = Math.floor(t - kernel.support);
    const hi = Math.ceil(t + kernel.support);
    for (let k = lo; k <= hi; k++) {
      const w = kernel.weight(t - k);
      if (w === 0) continue;
      const j = k < 0 ? 0 : k > nodes - 1 ? nodes - 1 : k;
      out[r * nodes + j] += w;
    }
  }
  return out;
}

/** Same as `interpolationMatrix`, as a float32 tensor [m, nodes] (a constant: no gradient to points). */
export function interpolationMatrixConstant(
  nodes: number,
  points: ArrayLike<number>,
  kernel: InterpolationKernel,
): tf.Tensor2D {
  return tf.tensor2d(Float32Array.from(interpolationMatrix(nodes, points, kernel)), [points.length, nodes]);
}

/**
 * The interpolation matrix as a tfjs expression of the points, differentiable with respect to them
 * (grid tuning). Built as U · F: U holds u(t_r − k) for the node indices k ∈ [−p, N − 1 + p]
 * (p = the kernel's support) and the constant 0/1 matrix F folds the out-of-range taps onto the
 * border nodes.
 */
export function interpolationMatrixTensor(
  nodes: number,
  points: tf.Tensor1D,
  kernel: InterpolationKernel,
): tf.Tensor2D {
  checkNodes(nodes, "interpolationMatrixTensor");
  if (points.rank !== 1)
    throw new Error(`interpolationMatrixTensor: points must be rank 1, got shape [${points.shape}]`);
  const pad = Math.ceil(kernel.support);
  const extended = nodes + 2 * pad;
  const fold = new Float32Array(extended * nodes);
  const indices = new Float32Array(extended);
  for (let c = 0; c < extended; c++) {
    const k = c - pad;
    indices[c] = k;
    fold[c * nodes + Math.min(nodes - 1, Math.max(0, k))] = 1;
  }
  return tf.tidy(() => {
    const t = tf.mul(tf.add(points, 1), (nodes - 1) / 2);
    const s = tf.sub(tf.expandDims(t, 1), tf.tensor2d(indices, [1, extended]));
    const u = kernel.weightTensor(s) as tf.Tensor2D;
    return tf.matMul(u, tf.tensor2d(fold, [extended, nodes]));
  });
}

/**
 * Contract `axis` of `values` with an interpolation matrix [m, N]: the result has size m on that axis,
 * `out[…, r, …] = Σ_j matrix[r, j] · values[…, j, …]`.
 */
export function sampleAxis<T extends tf.Tensor>(values: T, axis: number, matrix: tf.Tensor2D): T {
  const rank = values.rank;
  const ax = axis < 0 ? axis + rank : axis;
  if (ax < 0 || ax >= rank) throw new Error(`sampleAxis: axis ${axis} out of range for shape [${values.shape}]`);
  const [m, n] = matrix.shape;
  if (values.shape[ax] !== n) {
    throw new Error(
      `sampleAxis: axis ${axis} of shape [${values.shape}] has size ${values.shape[ax]}, the matrix expects ${n}`,
    );
  }
  return tf.tidy(() => {
    // Move the axis first, flatten the rest, multiply, and move it back.
    const perm = [ax, ...Array.from({ length: rank }, (_, i) => i).filter((i) => i !== ax)];
    const moved = ax === 0 ? values : tf.transpose(values, perm);
    const rest = moved.shape.slice(1);
    const flat = tf.reshape(moved, [n, rest.reduce((a, b) => a * b, 1)]);
    const sampled = tf.reshape(tf.matMul(matrix, flat as tf.Tensor2D), [m, ...rest]);
    if (ax === 0) return sampled as T;
    const inverse = new Array<number>(rank);
    perm.forEach((p, i) => (inverse[p] = i));
    return tf.transpose(sampled, inverse) as T;
  });
}
