/**
 * Interpolation kernels u(s): a continuous weight function is `W(x) = Σ_i λ_i u(t(x) − i)` over its
 * nodes λ. Each kernel exists twice: on plain numbers (to build interpolation matrices exactly, in
 * float64) and on tfjs tensors (so a matrix can be differentiated with respect to the points, which
 * grid tuning needs).
 */
import * as tf from "@tensorflow/tfjs-core";

export type InterpolationKernelName = "cubic" | "linear" | "nearest";

export interface InterpolationKernel {
  /** "cubic", "linear" or "nearest". */
  readonly name: InterpolationKernelName;
  /** Keys' parameter A (cubic only). */
  readonly a?: number;
  /** u(s) = 0 for |s| ≥ support, so at most 2·support nodes contribute to a point. */
  readonly support: number;
  /** u(s) on a plain number. */
  weight(s: number): number;
  /** u(s) elementwise on a tensor; differentiable in s (where u is). */
  weightTensor(s: tf.Tensor): tf.Tensor;
}

/**
 * A 0/1 mask of a predicate on x, with zero gradient. (Comparison ops have no gradient in tfjs, so a
 * `tf.where` on a condition computed from a differentiated tensor would break backprop.)
 */
function mask(predicate: (x: tf.Tensor) => tf.Tensor): (x: tf.Tensor) => tf.Tensor {
  return tf.customGrad((...inputs) => ({
    value: tf.cast(predicate(inputs[0] as tf.Tensor), "float32"),
    gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
  })) as (x: tf.Tensor) => tf.Tensor;
}

const withinOne = mask((x) => tf.lessEqual(x, 1));
const betweenOneAndTwo = mask((x) => tf.logicalAnd(tf.greater(x, 1), tf.less(x, 2)));
const nearestBox = mask((s) => tf.logicalAnd(tf.greater(s, -0.5), tf.lessEqual(s, 0.5)));

/** PyTorch's bicubic sampler (upstream's `grid_sample`) uses A = −0.75. */
export const PYTORCH_CUBIC_A = -0.75;

/**
 * Keys' cubic convolution kernel with parameter A:
 * `(A+2)|s|³ − (A+3)|s|² + 1` for |s| ≤ 1, `A|s|³ − 5A|s|² + 8A|s| − 4A` for 1 < |s| < 2, else 0.
 * A = −0.5 reproduces quadratics; A = −0.75 matches PyTorch.
 */
export function cubicKernel(a: number = PYTORCH_CUBIC_A): InterpolationKernel {
  if (!Number.isFinite(a)) throw new Error(`cubicKernel: parameter A must be finite, got ${a}`);
  return {
    name: "cubic",
    a,
    support: 2,
    weight(s: number): number {
      const x = Math.abs(s);
      if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
      if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
      return 0;
    },
    weightTensor(s: tf.Tensor): tf.Tensor {
      return tf.tidy(() => {
        const x = tf.abs(s);
        const x2 = tf.mul(x, x);
        const x3 = tf.mul(x2, x);
        const inner = tf.addN([tf.mul(x3, a + 2), tf.mul(x2, -(a + 3)), tf.onesLike(x)]);
        const outer = tf.addN([tf.mul(x3, a), tf.mul(x2, -5 * a), tf.mul(x, 8 * a), tf.fill(x.shape, -4 * a)]);
        return tf.add(tf.mul(withinOne(x), inner), tf.mul(betweenOneAndTwo(x), outer));
      });
    },
  };
}

/** Hat function 1 − |s| on |s| < 1: piecewise-linear interpolation. */
export const linearKernel: InterpolationKernel = {
  name: "linear",
  support: 1,
  weight: (s) => Math.max(0, 1 - Math.abs(s)),
  weightTensor: (s) => tf.tidy(() => tf.relu(tf.sub(1, tf.abs(s)))),
};

/**
 * Box on (−½, ½]: each point takes the value of exactly one node (ties go to the lower node, so the
 * kernel is still a partition of unity). Its derivative is zero almost everywhere.
 */
export const nearestKernel: InterpolationKernel = {
  name: "nearest",
  support: 1,
  weight: (s) => (s > -0.5 && s <= 0.5 ? 1 : 0),
  weightTensor: (s) => tf.tidy(() => nearestBox(s)),
};

/** A kernel by name; `a` is Keys' parameter for "cubic". */
export function interpolationKernel(name: InterpolationKernelName, options: { a?: number } = {}): InterpolationKernel {
  switch (name) {
    case "cubic":
      return cubicKernel(options.a ?? PYTORCH_CUBIC_A);
    case "linear":
      return linearKernel;
    case "nearest":
      return nearestKernel;
    default:
      throw new Error(`interpolationKernel: unknown kernel "${String(name)}" (expected cubic, linear or nearest)`);
  }
}

/**
 * How far a kernel is from reproducing straight lines: the largest |Σ_k k·u(s − k) − s| over s ∈ [0, 1] on an
 * unbounded grid, i.e. the error of interpolating nodes λ_k = k, in node spacings per unit slope. Zero for the
 * linear kernel and for cubic A = −0.5 only; a kernel that misses lines is first-order accurate at best.
 * Away from the borders: clamping the border nodes breaks line reproduction there for every kernel.
 */
export function lineReproductionError(kernel: InterpolationKernel, samples = 1000): number {
  let worst = 0;
  const reach = Math.ceil(kernel.support);
  for (let j = 0; j <= samples; j++) {
    const s = j / samples;
    let sum = 0;
    for (let k = -reach; k <= reach + 1; k++) sum += k * kernel.weight(s - k);
    worst = Math.max(worst, Math.abs(sum - s));
  }
  return worst;
}
