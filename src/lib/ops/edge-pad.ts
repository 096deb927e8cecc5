/**
 * Replicate ("edge") padding of NHWC tensors: border pixels are repeated outward, as PyTorch's
 * `padding_mode="replicate"`. tf.mirrorPad only offers reflect/symmetric, so this is built from
 * slices and concatenations, which every backend has and which tfjs differentiates (the gradient of
 * a repeated border row is the sum of the gradients of its copies).
 *
 * Not repeated one-pixel symmetric `tf.mirrorPad`s (live/receptive-field.ts's evaluation-only edgePadByMirror),
 * although on wasm they run forward + backward in 45–65% of this time: tfjs 4.22's MirrorPad gradient only
 * slices the centre out of dy and drops the copies' share, so training through it is wrong (test/unit/ops/edge-pad.test.ts
 * catches it). Where an edge pad feeds a stride-1 convolution in training, ops/edge-padded-conv.ts skips
 * this pad's gradient altogether: it folds the border into the convolution's input gradient.
 */
import * as tf from "@tensorflow/tfjs-core";

/**
 * Kernel names of an optional single-kernel edge pad and its gradient (attrs: top, bottom, left, right).
 * A backend that registers both (the native engine in Node) gets one kernel each way instead of the
 * slices and concatenations; every other backend keeps the composite below.
 */
export const EdgePad = "EdgePad";
export const EdgePadGrad = "EdgePadGrad";

tf.registerGradient({
  kernelName: EdgePad,
  gradFunc: (dy, _saved, attrs) => ({
    x: () => tf.engine().runKernel(EdgePadGrad, { dy: dy as tf.Tensor }, attrs) as tf.Tensor,
  }),
});

/** Padding per side, in pixels. */
export interface EdgePadding {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

function checkPadding(padding: EdgePadding): void {
  for (const [side, value] of Object.entries(padding)) {
    if (!Number.isInteger(value) || value < 0) {
      throw new Error(`edgePad: padding.${side} must be a non-negative integer, got ${value}`);
    }
  }
}

/** `count` references to one border slice (concat copies them; the gradient sums over them). */
function repeatAlong(slice: tf.Tensor4D, count: number): tf.Tensor4D[] {
  return new Array<tf.Tensor4D>(count).fill(slice);
}

/** Pad the height and width of `x` [batch, height, width, channels] by repeating its border pixels. */
export function edgePad(x: tf.Tensor4D, padding: number | EdgePadding): tf.Tensor4D {
  const p: EdgePadding =
    typeof padding === "number" ? { top: padding, bottom: padding, left: padding, right: padding } : padding;
  checkPadding(p);
  if (x.rank !== 4) throw new Error(`edgePad: expected a rank-4 NHWC tensor, got shape [${x.shape}]`);
  const [batch, height, width, channels] = x.shape;
  if ((p.top > 0 || p.bottom > 0) && height === 0) throw new Error("edgePad: cannot edge-pad an empty height");
  if ((p.left > 0 || p.right > 0) && width === 0) throw new Error("edgePad: cannot edge-pad an empty width");
  if (p.top + p.bottom + p.left + p.right === 0) return x.clone();
  if (x.dtype === "float32" && tf.getKernel(EdgePad, tf.getBackend()) !== undefined) {
    return tf.engine().runKernel(EdgePad, { x }, { ...p }) as tf.Tensor4D;
  }
  return tf.tidy(() => {
    let rows: tf.Tensor4D = x;
    if (p.top > 0 || p.bottom > 0) {
      const first = tf.slice(x, [0, 0, 0, 0], [batch, 1, width, channels]);
      const last = tf.slice(x, [0, height - 1, 0, 0], [batch, 1, width, channels]);
      rows = tf.concat([...repeatAlong(first, p.top), x, ...repeatAlong(last, p.bottom)], 1);
    }
    if (p.left === 0 && p.right === 0) return rows;
    const paddedHeight = height + p.top + p.bottom;
    const first = tf.slice(rows, [0, 0, 0, 0], [batch, paddedHeight, 1, channels]);
    const last = tf.slice(rows, [0, 0, width - 1, 0], [batch, paddedHeight, 1, channels]);
    return tf.concat([...repeatAlong(first, p.left), rows, ...repeatAlong(last, p.right)], 2);
  });
}
