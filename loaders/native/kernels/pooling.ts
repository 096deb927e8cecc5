/**
 * Native 2-D pooling for the wasm backend: AvgPool, AvgPoolGrad and MaxPoolGrad (NHWC, float32); MaxPool
 * stays the wasm backend's (XNNPACK, faster). Average pooling excludes padded positions from the mean, as
 * TensorFlow does.
 */
import * as tf from "@tensorflow/tfjs-core";
import { allFloat32, offsetOf } from "../wasm-heap.js";
import { anyEmpty, runNative, type NativeKernelFactory } from "./native-kernel.js";

const { backend_util } = tf;

interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: "floor" | "round" | "ceil";
}

type Kind = "max" | "avg";

const params = new Float64Array(21);

function poolParams(
  backward: boolean,
  kind: Kind,
  info: tf.backend_util.Conv2DInfo,
  offsets: [number, number, number?],
): Float64Array {
  const p = info.padInfo;
  // oneDNN's size formula fixes the far padding (negative when TensorFlow leaves the last rows unread).
  const bottom = (info.outHeight - 1) * info.strideHeight + (info.filterHeight - 1) * info.dilationHeight + 1;
  const right = (info.outWidth - 1) * info.strideWidth + (info.filterWidth - 1) * info.dilationWidth + 1;
  params.set([
    backward ? 1 : 0,
    kind === "max" ? 0 : 1,
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    p.top,
    p.left,
    bottom - info.inHeight - p.top,
    right - info.inWidth - p.left,
    info.dilationHeight,
    info.dilationWidth,
    offsets[0],
    offsets[1],
    offsets[2] ?? -1,
  ]);
  return params;
}

function poolInfo(shape: number[], a: PoolAttrs) {
  return backend_util.computePool2DInfo(
    shape as [number, number, number, number],
    a.filterSize,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
    "channelsLast",
  );
}

function forward(kind: "avg"): NativeKernelFactory {
  return (addon) =>
    ({ inputs, backend, attrs }) => {
      const { x } = inputs as { x: tf.TensorInfo };
      const a = attrs as unknown as PoolAttrs;
      if (!allFloat32(x) || x.shape.length !== 4) return null;
      const info = poolInfo(x.shape, a);
      if (anyEmpty(x.shape, info.outShape)) return null;
      const outs = runNative(addon, "pooling", backend, [info.outShape], ([y]) =>
        poolParams(false, kind, info, [offsetOf(backend, x), offsetOf(backend, y)]),
      );
      return outs?.[0] ?? null;
    };
}

function backward(kind: Kind): NativeKernelFactory {
  return (addon) =>
    ({ inputs, backend, attrs }) => {
      const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
      const a = attrs as unknown as PoolAttrs;
      if (!allFloat32(dy, input) || input.shape.length !== 4) return null;
      const info = poolInfo(input.shape, a);
      if (!tf.util.arraysEqual(dy.shape, info.outShape) || anyEmpty(input.shape, dy.shape)) return null;
      const outs = runNative(addon, "pooling", backend, [input.shape], ([dx]) =>
        poolParams(true, kind, info, [
          offsetOf(backend, dy),
          offsetOf(backend, dx),
          kind === "max" ? offsetOf(backend, input) : undefined,
        ]),
      );
      return outs?.[0] ?? null;
    };
}

export const nativeAvgPool = forward("avg");
export const nativeAvgPoolGrad = backward("avg");
export const nativeMaxPoolGrad = backward("max");
