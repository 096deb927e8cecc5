/**
 * Gradients of a 2-D convolution (NHWC) as forward convolutions, so they run on the backend's fast
 * (XNNPACK) Conv2D instead of a slow or missing dedicated kernel.
 *
 * Forward: y[b,o,p,co] = Σ_{kh,kw,ci} x[b, o·s_h + kh − pad_t, p·s_w + kw − pad_l, ci] · W[kh,kw,ci,co].
 */
import * as tf from "@tensorflow/tfjs-core";
import { composite, type KernelComposer } from "./compose.js";

const { backend_util } = tf;

interface Conv2DGradAttrs {
  strides: number | [number, number];
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dataFormat?: "NHWC" | "NCHW";
  dimRoundingMode?: "floor" | "round" | "ceil";
}

function requireNHWC(kernel: string, dataFormat: string | undefined): void {
  if (dataFormat !== undefined && dataFormat !== "NHWC") {
    throw new Error(`${kernel} (wasm composite): dataFormat "${dataFormat}" is not supported, use "NHWC"`);
  }
}

/**
 * dW as one convolution: the batch becomes the channel axis being summed over.
 * dW[kh,kw,ci,co] = Σ_{b,o,p} xT[ci, kh + o·s_h − pad_t, kw + p·s_w − pad_l, b] · dyT[o,p,b,co],
 * i.e. Conv2D(xT = x^[3,1,2,0], filter = dy^[1,2,0,3], stride 1, dilation s) then transposed back.
 */
export function conv2DBackpropFilterComposite(
  k: KernelComposer,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  filterShape: [number, number, number, number],
  attrs: Conv2DGradAttrs,
): tf.TensorInfo {
  requireNHWC("Conv2DBackpropFilter", attrs.dataFormat);
  const [kh0, kw0, ci0] = filterShape;
  if (ci0 * kh0 * kw0 <= SMALL_PATCH) return conv2DBackpropFilterByPatches(k, x, dy, filterShape, attrs);
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, outHeight, outWidth } = info;
  const [, inH, inW] = x.shape;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  // Rows the dW convolution reaches: (kh−1) + (outHeight−1)·sh + 1; pad (or crop) the bottom/right to that.
  const bottom = kh - 1 + (outHeight - 1) * sh + 1 - inH - top;
  const right = kw - 1 + (outWidth - 1) * sw + 1 - inW - left;
  const xT = k.transpose(x, [3, 1, 2, 0]);
  const xCropped = k.padOrCrop(xT, [
    [0, 0],
    [0, Math.min(0, bottom)],
    [0, Math.min(0, right)],
    [0, 0],
  ]);
  const dyT = k.transpose(dy, [1, 2, 0, 3]);
  const dwT = k.run(
    "Conv2D",
    { x: xCropped, filter: dyT },
    {
      strides: [1, 1],
      dilations: [sh, sw],
      pad: [
        [0, 0],
        [top, Math.max(0, bottom)],
        [left, Math.max(0, right)],
        [0, 0],
      ],
      dataFormat: "NHWC",
    },
  );
  return k.transpose(dwT, [1, 2, 0, 3]);
}

/**
 * Patches of at most this many values (ci·kh·kw) are cheap to extract: the first conv of an image net (1 or 3
 * channels) then gets its dW as a single matrix product instead of a convolution whose "filter" is the
 * whole output gradient (which XNNPACK must repack on every call).
 */
const SMALL_PATCH = 32;

/**
 * dW = patchesᵀ · dy. Patches come from a depth-wise conv with one-hot filters (one output channel per tap,
 * same strides and padding as the forward conv): [B, OH, OW, ci·kh·kw], channel ci·kh·kw + tap.
 */
function conv2DBackpropFilterByPatches(
  k: KernelComposer,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  filterShape: [number, number, number, number],
  attrs: Conv2DGradAttrs,
): tf.TensorInfo {
  const [kh, kw, ci, co] = filterShape;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { strideHeight: sh, strideWidth: sw, outHeight, outWidth } = info;
  const taps = kh * kw;
  const oneHot = new Float32Array(taps * ci * taps);
  for (let t = 0; t < taps; t++) for (let c = 0; c < ci; c++) oneHot[(t * ci + c) * taps + t] = 1;
  const selector = k.adopt({
    dataId: k.backend.write(oneHot, [kh, kw, ci, taps], "float32"),
    shape: [kh, kw, ci, taps],
    dtype: "float32",
  });
  // Explicit padding that yields exactly dy's spatial size (negative: crop), never tfjs's numeric `pad`.
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const bottom = (outHeight - 1) * sh + kh - x.shape[1] - top;
  const right = (outWidth - 1) * sw + kw - x.shape[2] - left;
  const source = k.padOrCrop(x, [
    [0, 0],
    [Math.min(0, top), Math.min(0, bottom)],
    [Math.min(0, left), Math.min(0, right)],
    [0, 0],
  ]);
  const patches = k.run(
    "DepthwiseConv2dNative",
    { x: source, filter: selector },
    {
      strides: [sh, sw],
      pad: [
        [0, 0],
        [Math.max(0, top), Math.max(0, bottom)],
        [Math.max(0, left), Math.max(0, right)],
        [0, 0],
      ],
      dilations: [1, 1],
    },
  );
  const n = dy.shape[0] * dy.shape[1] * dy.shape[2];
  // The wasm BatchMatMul is slow with transposeA; an explicit transpose is cheaper.
  const patchesT = k.transpose(k.reshape(patches, [n, ci * taps]), [1, 0]);
  const product = k.run(
    "BatchMatMul",
    { a: k.reshape(patchesT, [1, ci * taps, n]), b: k.reshape(dy, [1, n, co]) },
    {
      transposeA: false,
      transposeB: false,
    },
  );
  return k.transpose(k.reshape(product, [ci, kh, kw, co]), [1, 2, 0, 3]);
}

/**
 * dX as one convolution of the (stride-dilated) output gradient with the filter rotated 180° and its
 * in/out channel axes swapped: dX = Conv2D(dilate(dy), W[::-1, ::-1]^[0,1,3,2]) with "full" padding.
 */
export function conv2DBackpropInputComposite(
  k: KernelComposer,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  inputShape: [number, number, number, number],
  attrs: Conv2DGradAttrs,
): tf.TensorInfo {
  requireNHWC("Conv2DBackpropInput", attrs.dataFormat);
  const filterShape = filter.shape as [number, number, number, number];
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, inHeight, inWidth } = info;
  const rotated = k.run("Reverse", { x: filter }, { dims: [0, 1] });
  const flipped = k.transpose(rotated, [0, 1, 3, 2]);
  const dyDilated = k.dilateSpatial(dy, sh, sw);
  const [, dh, dw] = dyDilated.shape;
  const top = kh - 1 - info.padInfo.top;
  const left = kw - 1 - info.padInfo.left;
  const bottom = inHeight + kh - 1 - top - dh;
  const right = inWidth + kw - 1 - left - dw;
  const needsCrop = top < 0 || left < 0 || bottom < 0 || right < 0;
  const source = needsCrop
    ? k.padOrCrop(dyDilated, [
        [0, 0],
        [Math.min(0, top), Math.min(0, bottom)],
        [Math.min(0, left), Math.min(0, right)],
        [0, 0],
      ])
    : dyDilated;
  return k.run(
    "Conv2D",
    { x: source, filter: flipped },
    {
      strides: [1, 1],
      dilations: [1, 1],
      pad: [
        [0, 0],
        [Math.max(0, top), Math.max(0, bottom)],
        [Math.max(0, left), Math.max(0, right)],
        [0, 0],
      ],
      dataFormat: "NHWC",
    },
  );
}

export const conv2DBackpropFilterKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as Conv2DGradAttrs & { filterShape: [number, number, number, number] };
  return composite(backend as tf.KernelBackend, "wasm", (k) =>
    conv2DBackpropFilterComposite(k, x, dy, a.filterShape, a),
  );
};

export const conv2DBackpropInputKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const a = attrs as unknown as Conv2DGradAttrs & { inputShape: [number, number, number, number] };
  return composite(backend as tf.KernelBackend, "wasm", (k) =>
    conv2DBackpropInputComposite(k, dy, filter, a.inputShape, a),
  );
};
