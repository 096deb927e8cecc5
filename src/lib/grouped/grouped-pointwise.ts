/**
 * Grouped 1×1 convolution for NHWC tensors. tfjs `conv2d` has no `groups` argument, so a grouped
 * point-wise layer is written as matrix products: every pixel is a row, and group g maps input
 * channels [g·ci, (g+1)·ci) to output channels [g·co, (g+1)·co).
 *
 * Two differentiable strategies (bench/grouped-conv.ts measures them against a dense 1×1 conv):
 * - "batched": [N, G, ci] → [G, N, ci] × [G, ci, co] → [G, N, co] → [N, G·co]: one batched matMul,
 *   cost N·G·ci·co, plus two transposes of the activations.
 * - "blockDiagonal": expand the weights into the dense block-diagonal [G·ci, G·co] matrix and do one
 *   plain matMul: cost N·G²·ci·co (G× the useful work) but no activation transposes; wins when G is small.
 * - "blockDiagonalConv": the same block-diagonal matrix as a [1, 1, Cin, Cout] filter of the backend's
 *   (highly tuned) conv2d: dense cost, dense speed; the floor any grouped layer is compared against.
 */
import * as tf from "@tensorflow/tfjs-core";

export type GroupedStrategy = "batched" | "blockDiagonal" | "blockDiagonalConv" | "auto";

export interface GroupedPointwiseOptions {
  /** Default "auto": block-diagonal conv for few groups, batched otherwise (see `chooseGroupedStrategy`). */
  strategy?: GroupedStrategy;
}

/**
 * Strategy for a shape, from bench/grouped-conv.ts on the wasm backend (forward+backward, time ratio to a
 * dense 1×1 conv of the same in/out shape): the block-diagonal filter through conv2d costs ≈1.0× dense at
 * every G; the batched matMul costs 1.3–2.8× dense for G ≤ 8 but 0.9× at G = 16 and 0.25× at G = 64.
 * The plain block-diagonal matMul is 4–12× dense in training (wasm matMul gradients) and is never chosen.
 */
export function chooseGroupedStrategy(
  groups: number,
  _inPerGroup: number,
  _outPerGroup: number,
): Exclude<GroupedStrategy, "auto"> {
  return groups >= BATCHED_MIN_GROUPS ? "batched" : "blockDiagonalConv";
}

/** Smallest group count for which "auto" picks the batched matMul (from the bench on wasm). */
export const BATCHED_MIN_GROUPS = 16;

function checkShapes(x: tf.Tensor, weights: tf.Tensor): { groups: number; ci: number; co: number } {
  if (x.rank !== 4) throw new Error(`groupedPointwiseConv: input must be NHWC rank 4, got shape [${x.shape}]`);
  if (weights.rank !== 3)
    throw new Error(
      `groupedPointwiseConv: weights must be [groups, inPerGroup, outPerGroup], got shape [${weights.shape}]`,
    );
  const [groups, ci, co] = weights.shape as [number, number, number];
  if (x.shape[3] !== groups * ci) {
    throw new Error(
      `groupedPointwiseConv: input has ${x.shape[3]} channels but weights expect ${groups} groups × ${ci} = ${groups * ci}`,
    );
  }
  return { groups, ci, co };
}

/** Dense [G·ci, G·co] block-diagonal matrix of grouped weights [G, ci, co] (differentiable). */
export function blockDiagonal(weights: tf.Tensor3D): tf.Tensor2D {
  const [groups, ci, co] = weights.shape;
  return tf.tidy(() => {
    if (groups === 1) return tf.reshape(weights, [ci, co]) as tf.Tensor2D;
    const eye = tf.reshape(tf.eye(groups), [groups, 1, groups, 1]);
    const blocks = tf.mul(tf.reshape(weights, [groups, ci, 1, co]), eye); // [G, ci, G, co], zero off the diagonal
    return tf.reshape(blocks, [groups * ci, groups * co]) as tf.Tensor2D;
  });
}

/**
 * Grouped 1×1 convolution: x [B, H, W, G·ci], weights [G, ci, co] → [B, H, W, G·co].
 * Output channel g·co + j is the dot product of group g's inputs with weights[g, :, j].
 */
export function groupedPointwiseConv(
  x: tf.Tensor4D,
  weights: tf.Tensor3D,
  options: GroupedPointwiseOptions = {},
): tf.Tensor4D {
  const { groups, ci, co } = checkShapes(x, weights);
  const strategy =
    options.strategy === undefined || options.strategy === "auto"
      ? chooseGroupedStrategy(groups, ci, co)
      : options.strategy;
  const [b, h, w] = x.shape;
  const n = b * h * w;
  return tf.tidy(() => {
    if (strategy === "blockDiagonalConv") {
      const m = blockDiagonal(weights);
      return tf.conv2d(x, tf.reshape(m, [1, 1, m.shape[0], m.shape[1]]) as tf.Tensor4D, 1, "valid");
    }
    if (strategy === "blockDiagonal") {
      const y = tf.matMul(tf.reshape(x, [n, groups * ci]) as tf.Tensor2D, blockDiagonal(weights));
      return tf.reshape(y, [b, h, w, groups * co]) as tf.Tensor4D;
    }
    const xg = tf.transpose(tf.reshape(x, [n, groups, ci]), [1, 0, 2]) as tf.Tensor3D; // [G, N, ci]
    const yg = tf.matMul(xg, weights); // [G, N, co]
    return tf.reshape(tf.transpose(yg, [1, 0, 2]), [b, h, w, groups * co]) as tf.Tensor4D;
  });
}

/** Dense [1, 1, G·ci, G·co] conv filter equal to grouped weights (for tests and drawings). */
export function groupedToDenseFilter(weights: tf.Tensor3D): tf.Tensor4D {
  return tf.tidy(() => {
    const m = blockDiagonal(weights);
    return tf.reshape(m, [1, 1, m.shape[0], m.shape[1]]) as tf.Tensor4D;
  });
}

/** Multiply–accumulates of a grouped 1×1 conv per output pixel (× H·W for the layer). */
export function groupedPointwiseMacsPerPixel(groups: number, inPerGroup: number, outPerGroup: number): number {
  return groups * inPerGroup * outPerGroup;
}
