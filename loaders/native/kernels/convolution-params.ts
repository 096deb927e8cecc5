/** The parameter block of the addon's `convolution` entry (layout in native/src/convolution.cc). */
import type * as tf from "@tensorflow/tfjs-core";

export const enum ConvPass {
  Forward = 0,
  BackwardData = 1,
  BackwardWeights = 2,
}

/** How the addon lays out activations for oneDNN: NHWC in place, or its blocked layout behind reorders. */
export type ConvLayout = "nhwc" | "blocked";
let layout: ConvLayout = "nhwc";

/** Choose the activation layout of native convolutions (for benchmarks); returns the previous one. */
export function setConvLayout(next: ConvLayout): ConvLayout {
  const previous = layout;
  layout = next;
  return previous;
}

const params = new Float64Array(26);

/**
 * Fill the parameter block for `info` (from backend_util.computeConv2DInfo). The bottom/right padding is the
 * one oneDNN's size formula needs, (out − 1)·stride + (k − 1)·dilation + 1 − in − pad_before, which differs
 * from TensorFlow's when the last rows are never read (it is then negative).
 */
export function convolutionParams(
  pass: ConvPass,
  info: tf.backend_util.Conv2DInfo,
  depthwise: boolean,
  offsets: [number, number, number, number?],
  activation = 0,
  alpha = 0,
): Float64Array {
  const { padInfo: p } = info;
  const bottom = (info.outHeight - 1) * info.strideHeight + (info.filterHeight - 1) * info.dilationHeight + 1;
  const right = (info.outWidth - 1) * info.strideWidth + (info.filterWidth - 1) * info.dilationWidth + 1;
  params.set([
    pass,
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    p.top,
    p.left,
    bottom - info.inHeight - p.top,
    right - info.inWidth - p.left,
    depthwise ? info.inChannels : 1,
    activation,
    alpha,
    layout === "nhwc" ? 0 : 1,
    offsets[0],
    offsets[1],
    offsets[2],
    offsets[3] ?? -1,
  ]);
  return params;
}
