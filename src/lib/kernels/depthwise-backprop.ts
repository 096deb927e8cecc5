/**
 * Gradients of a depth-wise 2-D convolution (NHWC, channel multiplier M) as forward depth-wise convolutions.
 *
 * Forward: y[b,o,p,c·M+m] = Σ_{kh,kw} x[b, o·s_h + kh·d_h − pad_t, p·s_w + kw·d_w − pad_l, c] · W[kh,kw,c,m].
 */
import * as tf from "@tensorflow/tfjs-core";
import { composite, type KernelComposer } from "./compose.js";

const { backend_util } = tf;

interface DepthwiseGradAttrs {
  strides: number | [number, number];
  dilations?: number | [number, number];
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: "floor" | "round" | "ceil";
}

/**
 * dW with the batch folded into channels: xT = x^[1,2,0,3] as one image of B·C channels, filter =
 * dy^[1,2,0,3] as [OH, OW, B·C, M]; a depth-wise conv with stride d and dilation s gives [1, KH, KW, B·C·M],
 * which summed over the batch is dW.
 */
export function depthwiseBackpropFilterComposite(
  k: KernelComposer,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  filterShape: [number, number, number, number],
  attrs: DepthwiseGradAttrs,
): tf.TensorInfo {
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { filterHeight: kh, filterWidth: kw, outHeight, outWidth } = info;
  const [b, inH, inW, c] = x.shape;
  const m = filterShape[3];
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const bottom = (kh - 1) * dh + (outHeight - 1) * sh + 1 - inH - top;
  const right = (kw - 1) * dw + (outWidth - 1) * sw + 1 - inW - left;
  const xT = k.reshape(k.transpose(x, [1, 2, 0, 3]), [1, inH, inW, b * c]);
  const xCropped = k.padOrCrop(xT, [
    [0, 0],
    [0, Math.min(0, bottom)],
    [0, Math.min(0, right)],
    [0, 0],
  ]);
  const dyT = k.reshape(k.transpose(dy, [1, 2, 0, 3]), [outHeight, outWidth, b * c, m]);
  const perImage = k.run(
    "DepthwiseConv2dNative",
    { x: xCropped, filter: dyT },
    {
      strides: [dh, dw],
      dilations: [sh, sw],
      pad: [
        [0, 0],
        [top, Math.max(0, bottom)],
        [left, Math.max(0, right)],
        [0, 0],
      ],
    },
  );
  const summed = k.run("Sum", { x: k.reshape(perImage, [kh, kw, b, c * m]) }, { axis: [2], keepDims: false });
  return k.reshape(summed, [kh, kw, c, m]);
}

/**
 * dX = depth-wise conv of the stride-dilated dy (C·M channels) with the 180°-rotated filter as [KH, KW, C·M, 1],
 * "full" padding and the forward dilation; then the M multiplier channels of each input channel are summed.
 */
export function depthwiseBackpropInputComposite(
  k: KernelComposer,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  inputShape: [number, number, number, number],
  attrs: DepthwiseGradAttrs,
): tf.TensorInfo {
  const filterShape = filter.shape as [number, number, number, number];
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filterShape,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { effectiveFilterHeight: ekh, effectiveFilterWidth: ekw, inHeight, inWidth } = info;
  const [b, , , c] = inputShape;
  const [kh, kw, , m] = filterShape;
  const rotated = k.reshape(k.run("Reverse", { x: filter }, { dims: [0, 1] }), [kh, kw, c * m, 1]);
  const dyDilated = k.dilateSpatial(dy, sh, sw);
  const [, lh, lw] = dyDilated.shape;
  const top = ekh - 1 - info.padInfo.top;
  const left = ekw - 1 - info.padInfo.left;
  const bottom = inHeight + ekh - 1 - top - lh;
  const right = inWidth + ekw - 1 - left - lw;
  const source = k.padOrCrop(dyDilated, [
    [0, 0],
    [Math.min(0, top), Math.min(0, bottom)],
    [Math.min(0, left), Math.min(0, right)],
    [0, 0],
  ]);
  const perMultiplier = k.run(
    "DepthwiseConv2dNative",
    { x: source, filter: rotated },
    {
      strides: [1, 1],
      dilations: [dh, dw],
      pad: [
        [0, 0],
        [Math.max(0, top), Math.max(0, bottom)],
        [Math.max(0, left), Math.max(0, right)],
        [0, 0],
      ],
    },
  );
  if (m === 1) return perMultiplier;
  const summed = k.run(
    "Sum",
    { x: k.reshape(perMultiplier, [b, inHeight, inWidth, c, m]) },
    { axis: [4], keepDims: false },
  );
  return summed;
}

export const depthwiseBackpropFilterKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as DepthwiseGradAttrs & { filterShape: [number, number, number, number] };
  return composite(backend as tf.KernelBackend, "wasm", (k) =>
    depthwiseBackpropFilterComposite(k, x, dy, a.filterShape, a),
  );
};

export const depthwiseBackpropInputKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const a = attrs as unknown as DepthwiseGradAttrs & { inputShape: [number, number, number, number] };
  return composite(backend as tf.KernelBackend, "wasm", (k) =>
    depthwiseBackpropInputComposite(k, dy, filter, a.inputShape, a),
  );
};
