/**
 * The reference net (models/reference.ts) evaluated only where its output looks. The logits read the
 * last pooled map at position [0, 0] alone, so each conv needs only the top-left block of its input that
 * feeds that position: for a 28×28 image, 21×21 input pixels, conv1 on 20×20 positions (of 784), conv2 on
 * 8×8 (of 196), conv3 on 2×2 (of 49) — about 2.2 MFLOP per image instead of 10.5, with the same logits.
 *
 * Edge ("replicate") padding stays exact: the top and left pads are the true image border; at the bottom
 * and right we keep `pad` extra real rows/columns of input, so no output we keep ever sees a pad that is
 * not also in the full net (a block that reaches the true bottom border gets true edge padding there).
 *
 * Works on any channel widths (resampled integral net, pruned discrete twin), so the live page evaluates
 * both through this one function. The stages are exposed separately so an evaluator can keep the output
 * of layers that did not change (prefix reuse).
 */
import * as tf from "@tensorflow/tfjs-core";
import { REFERENCE_CONVS } from "../models/reference.js";

/** One conv layer's discrete tensors, tfjs layout: weight [k, k, in, out], bias [out]. */
export interface ConvWeights {
  weight: tf.Tensor4D;
  bias: tf.Tensor1D;
}

/** A discrete reference net at any widths: three convs and the dense layer [in, classes]. */
export interface ReferenceWeights {
  convs: readonly [ConvWeights, ConvWeights, ConvWeights];
  dense: { weight: tf.Tensor2D; bias: tf.Tensor1D };
}

/** What one conv stage computes: the real input block it reads and the conv output block it keeps. */
export interface CropStage {
  kernel: number;
  pad: number;
  /** Real input rows/columns read from the top-left (before padding). */
  inputRows: number;
  inputCols: number;
  /** Edge padding at the bottom/right that reaches past the true border (0 unless the block hits it). */
  bottomPad: number;
  rightPad: number;
  /** Conv output rows/columns kept (then average-pooled 2×2 into half as many). */
  outputRows: number;
  outputCols: number;
}

/** The crops for an input of `height` × `width`, computed backwards from the single read position. */
export function receptiveFieldPlan(height: number, width: number): CropStage[] {
  // Full-net input sizes of each conv stage: height, ⌊h/2⌋, ⌊h/4⌋.
  const heights = [height];
  const widths = [width];
  for (let s = 1; s < REFERENCE_CONVS.length; s++) {
    heights.push(Math.floor(heights[s - 1] / 2));
    widths.push(Math.floor(widths[s - 1] / 2));
  }
  if (Math.floor(heights[heights.length - 1] / 2) < 1 || Math.floor(widths[widths.length - 1] / 2) < 1) {
    throw new Error(`receptiveFieldPlan: input ${height}×${width} is too small for three 2×2 poolings`);
  }
  const stages: CropStage[] = [];
  let pooledRows = 1; // the dense layer reads pooled position [0, 0]
  let pooledCols = 1;
  for (let s = REFERENCE_CONVS.length - 1; s >= 0; s--) {
    const { kernel, pad } = REFERENCE_CONVS[s];
    const outputRows = 2 * pooledRows;
    const outputCols = 2 * pooledCols;
    const inputRows = Math.min(heights[s], outputRows + pad);
    const inputCols = Math.min(widths[s], outputCols + pad);
    stages.unshift({
      kernel,
      pad,
      inputRows,
      inputCols,
      outputRows,
      outputCols,
      bottomPad: Math.max(0, outputRows + pad - heights[s]),
      rightPad: Math.max(0, outputCols + pad - widths[s]),
    });
    pooledRows = inputRows;
    pooledCols = inputCols;
  }
  return stages;
}

/** Multiply-accumulates per image of the cropped evaluation at these conv widths (for reporting). */
export function receptiveFieldMacs(plan: readonly CropStage[], channels: readonly number[]): number {
  return plan.reduce(
    (sum, s, i) => sum + s.outputRows * s.outputCols * s.kernel * s.kernel * channels[i] * channels[i + 1],
    0,
  );
}

/**
 * The images as the first stage reads them: the top-left block, normalised (x − 0.5)/0.5 as the reference net
 * does. Do this once per evaluation set; `images` are [batch, h, w, c] in [0, 1].
 */
export function cropInput(images: tf.Tensor4D, plan: readonly CropStage[]): tf.Tensor4D {
  const { inputRows, inputCols } = plan[0];
  return tf.tidy(() => {
    const [batch, , , channels] = images.shape;
    return tf.sub(tf.mul(tf.slice(images, [0, 0, 0, 0], [batch, inputRows, inputCols, channels]), 2), 1);
  });
}

/**
 * Edge ("replicate") padding as repeated one-pixel symmetric mirror pads: a one-pixel symmetric pad
 * repeats the border pixel, so k rounds equal edge padding by k. Same values as ops/edge-pad.ts, but
 * MirrorPad is one native kernel on the wasm backend, where edgePad's strided slices and concatenations
 * copy element by element in JavaScript (a third of the live page's evaluation time, measured by
 * bench/live-resample.ts). Evaluation only (no gradient needed here).
 */
export function edgePadByMirror(
  x: tf.Tensor4D,
  padding: { top: number; bottom: number; left: number; right: number },
): tf.Tensor4D {
  const left = { ...padding };
  for (const [side, value] of Object.entries(left)) {
    if (!Number.isInteger(value) || value < 0)
      throw new Error(`edgePadByMirror: padding.${side} must be a non-negative integer, got ${value}`);
  }
  return tf.tidy(() => {
    let h = x;
    while (left.top + left.bottom + left.left + left.right > 0) {
      const [t, b, l, r] = [left.top, left.bottom, left.left, left.right].map((v) => Math.min(1, v));
      h = tf.mirrorPad(
        h,
        [
          [0, 0],
          [t, b],
          [l, r],
          [0, 0],
        ],
        "symmetric",
      );
      left.top -= t;
      left.bottom -= b;
      left.left -= l;
      left.right -= r;
    }
    return h === x ? tf.clone(x) : h;
  });
}

/** Stage `index`'s input block edge-padded as its conv reads it (x: the stage's cropped input). */
export function padStageInput(x: tf.Tensor4D, stageIndex: number, plan: readonly CropStage[]): tf.Tensor4D {
  const s = plan[stageIndex];
  return tf.tidy(() => {
    const [batch, rows, cols, channels] = x.shape;
    const block =
      rows === s.inputRows && cols === s.inputCols
        ? x
        : tf.slice(x, [0, 0, 0, 0], [batch, s.inputRows, s.inputCols, channels]);
    return edgePadByMirror(block, { top: s.pad, left: s.pad, bottom: s.bottomPad, right: s.rightPad });
  });
}

/**
 * Conv stage `index` (0-based) on its cropped input: edge pad, conv + ReLU, 2×2 average pool. With
 * `padded`, x is already `padStageInput`'s output (a fixed input padded once, e.g. a test chunk).
 */
export function applyStage(
  x: tf.Tensor4D,
  stageIndex: number,
  plan: readonly CropStage[],
  conv: ConvWeights,
  padded = false,
): tf.Tensor4D {
  return tf.tidy(() => {
    const p = padded ? x : padStageInput(x, stageIndex, plan);
    const y = tf.fused.conv2d({
      x: p,
      filter: conv.weight,
      strides: 1,
      pad: "valid",
      bias: conv.bias,
      activation: "relu",
    });
    return tf.avgPool(y, 2, 2, "valid");
  });
}

/** Logits from the last stage's pooled output ([batch, 1, 1, channels]). */
export function applyHead(x: tf.Tensor4D, dense: ReferenceWeights["dense"]): tf.Tensor2D {
  return tf.tidy(() => {
    const [batch, , , channels] = x.shape;
    const features = tf.reshape(tf.slice(x, [0, 0, 0, 0], [batch, 1, 1, channels]), [batch, channels]) as tf.Tensor2D;
    return tf.add(tf.matMul(features, dense.weight), dense.bias) as tf.Tensor2D;
  });
}

/**
 * Logits of the reference net for input already cropped by `cropInput` (or, with `fromStage` > 0, the
 * cached output of stage `fromStage − 1`). Caller disposes the result.
 */
export function receptiveFieldLogits(
  x: tf.Tensor4D,
  weights: ReferenceWeights,
  plan: readonly CropStage[],
  fromStage = 0,
): tf.Tensor2D {
  return tf.tidy(() => {
    let h = x;
    for (let s = fromStage; s < plan.length; s++) h = applyStage(h, s, plan, weights.convs[s]);
    return applyHead(h, weights.dense);
  });
}
