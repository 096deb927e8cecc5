/**
 * Native 2-D convolutions for the wasm backend: Conv2D and FusedConv2D, their two backprops, and the
 * depth-wise family (DepthwiseConv2dNative, FusedDepthwiseConv2D and its backprops). NHWC, float32; a
 * PReLU activation, a bias that is not one value per output channel, or NCHW data falls back.
 */
import * as tf from "@tensorflow/tfjs-core";
import { allFloat32, offsetOf, type WasmBackend } from "../wasm-heap.js";
import { convolutionParams, ConvPass } from "./convolution-params.js";
import { activationCode, anyEmpty, runNative, type NativeKernelFactory } from "./native-kernel.js";
import type { NativeAddon } from "../addon.js";

const { backend_util } = tf;

interface ConvAttrs {
  strides: number | [number, number];
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dataFormat?: "NHWC" | "NCHW";
  dilations?: number | [number, number];
  dimRoundingMode?: "floor" | "round" | "ceil";
  activation?: string;
  leakyreluAlpha?: number;
  inputShape?: [number, number, number, number];
  filterShape?: [number, number, number, number];
}

type Shape4 = [number, number, number, number];

function convInfo(xShape: number[], filterShape: number[], a: ConvAttrs, depthwise: boolean) {
  return backend_util.computeConv2DInfo(
    xShape as Shape4,
    filterShape as Shape4,
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    depthwise,
    "channelsLast",
  );
}

function run(
  addon: NativeAddon,
  backend: WasmBackend,
  pass: ConvPass,
  info: tf.backend_util.Conv2DInfo,
  depthwise: boolean,
  inputs: [tf.TensorInfo, tf.TensorInfo],
  outShape: number[],
  bias?: tf.TensorInfo,
  activation = 0,
  alpha = 0,
): tf.TensorInfo | null {
  const outs = runNative(addon, "convolution", backend, [outShape], ([out]) =>
    convolutionParams(
      pass,
      info,
      depthwise,
      [
        offsetOf(backend, inputs[0]),
        offsetOf(backend, inputs[1]),
        offsetOf(backend, out),
        bias ? offsetOf(backend, bias) : -1,
      ],
      activation,
      alpha,
    ),
  );
  return outs?.[0] ?? null;
}

/** Forward: x ⊛ filter (+ bias, activation). `depthwise`: filter [kh, kw, C, M]. */
function forward(depthwise: boolean): NativeKernelFactory {
  return (addon) =>
    ({ inputs, backend, attrs }) => {
      const { x, filter, bias, preluActivationWeights } = inputs as Record<string, tf.TensorInfo | undefined>;
      const a = attrs as unknown as ConvAttrs;
      const activation = activationCode(a.activation);
      if (x === undefined || filter === undefined || !allFloat32(x, filter, bias)) return null;
      if ((a.dataFormat ?? "NHWC") !== "NHWC" || preluActivationWeights !== undefined || activation === undefined)
        return null;
      const info = convInfo(x.shape, filter.shape, a, depthwise);
      if (bias !== undefined && tf.util.sizeFromShape(bias.shape) !== info.outChannels) return null;
      if (anyEmpty(x.shape, filter.shape, info.outShape)) return null;
      return run(
        addon,
        backend,
        ConvPass.Forward,
        info,
        depthwise,
        [x, filter],
        info.outShape,
        bias,
        activation,
        a.leakyreluAlpha ?? 0.2,
      );
    };
}

/** dx from dy and the filter, for an input of attrs.inputShape. */
function backwardData(depthwise: boolean): NativeKernelFactory {
  return (addon) =>
    ({ inputs, backend, attrs }) => {
      const { dy, filter } = inputs as Record<string, tf.TensorInfo>;
      const a = attrs as unknown as ConvAttrs;
      if (!allFloat32(dy, filter) || (a.dataFormat ?? "NHWC") !== "NHWC" || a.inputShape === undefined) return null;
      const info = convInfo(a.inputShape, filter.shape, a, depthwise);
      if (!tf.util.arraysEqual(dy.shape, info.outShape) || anyEmpty(a.inputShape, filter.shape, dy.shape)) return null;
      return run(addon, backend, ConvPass.BackwardData, info, depthwise, [dy, filter], [...a.inputShape]);
    };
}

/** dfilter (of attrs.filterShape) from x and dy. */
function backwardWeights(depthwise: boolean): NativeKernelFactory {
  return (addon) =>
    ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as Record<string, tf.TensorInfo>;
      const a = attrs as unknown as ConvAttrs;
      if (!allFloat32(x, dy) || (a.dataFormat ?? "NHWC") !== "NHWC" || a.filterShape === undefined) return null;
      const info = convInfo(x.shape, a.filterShape, a, depthwise);
      if (!tf.util.arraysEqual(dy.shape, info.outShape) || anyEmpty(x.shape, a.filterShape, dy.shape)) return null;
      return run(addon, backend, ConvPass.BackwardWeights, info, depthwise, [x, dy], [...a.filterShape]);
    };
}

export const nativeConv2D = forward(false);
export const nativeConv2DBackpropInput = backwardData(false);
export const nativeConv2DBackpropFilter = backwardWeights(false);
export const nativeDepthwiseConv2D = forward(true);
export const nativeDepthwiseConv2DBackpropInput = backwardData(true);
export const nativeDepthwiseConv2DBackpropFilter = backwardWeights(true);
