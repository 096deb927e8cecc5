/**
 * Native Sum for the wasm backend when the summed axes are the leading ones (a bias gradient: NHWC summed
 * over batch, height and width) or the trailing ones, float32. The wasm Sum transposes the summed axes last
 * first; other axis sets still do.
 */
import * as tf from "@tensorflow/tfjs-core";
import { allFloat32, offsetOf } from "../wasm-heap.js";
import { anyEmpty, runNative, type NativeKernelFactory } from "./native-kernel.js";

const params = new Float64Array(5);

export const nativeSum: NativeKernelFactory =
  (addon) =>
  ({ inputs, backend, attrs }) => {
    const { x } = inputs as { x: tf.TensorInfo };
    const { axis, keepDims } = attrs as unknown as { axis: number | number[]; keepDims: boolean };
    if (!allFloat32(x) || x.shape.length === 0) return null;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
    const rank = x.shape.length;
    const leading = axes.every((a, i) => a === i);
    const trailing = axes.every((a, i) => a === rank - axes.length + i);
    if (axes.length === 0 || (!leading && !trailing)) return null;
    const [outShape] = tf.backend_util.computeOutAndReduceShapes(x.shape, axes);
    const shape = keepDims ? tf.backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
    const reduced = tf.util.sizeFromShape(axes.map((a) => x.shape[a]));
    const kept = tf.util.sizeFromShape(outShape);
    if (anyEmpty(x.shape)) return null;
    const outs = runNative(addon, "sum", backend, [shape], ([out]) => {
      params.set([
        leading ? 0 : 1,
        leading ? reduced : kept,
        leading ? kept : reduced,
        offsetOf(backend, x),
        offsetOf(backend, out),
      ]);
      return params;
    });
    return outs?.[0] ?? null;
  };
