/**
 * Native AdamUpdate and SgdMomentumUpdate (src/lib/train/optimizers.ts names them) for the wasm backend: one
 * call per variable instead of a dozen element-wise kernels, with the same float32 operations in the same
 * order, so the update is the one the op composite computes.
 */
import * as tf from "@tensorflow/tfjs-core";
import { allFloat32, offsetOf } from "../wasm-heap.js";
import { anyEmpty, runNative, type NativeKernelFactory } from "./native-kernel.js";

const adamParams = new Float64Array(16);
const sgdParams = new Float64Array(9);

export const nativeAdamUpdate: NativeKernelFactory =
  (addon) =>
  ({ inputs, backend, attrs }) => {
    const { x, m, v, g } = inputs as Record<string, tf.TensorInfo>;
    const a = attrs as unknown as {
      beta1: number;
      beta2: number;
      epsilon: number;
      sqrtCorrection2: number;
      stepSize: number;
    };
    if (!allFloat32(x, m, v, g) || anyEmpty(x.shape)) return null;
    const shape = x.shape;
    return runNative(addon, "optimizerUpdate", backend, [shape, shape, shape], ([xo, mo, vo]) => {
      adamParams.set([
        0,
        tf.util.sizeFromShape(shape),
        a.beta1,
        1 - a.beta1,
        a.beta2,
        1 - a.beta2,
        a.sqrtCorrection2,
        a.epsilon,
        a.stepSize,
        ...[x, m, v, g, xo, mo, vo].map((t) => offsetOf(backend, t)),
      ]);
      return adamParams;
    });
  };

export const nativeSgdMomentumUpdate: NativeKernelFactory =
  (addon) =>
  ({ inputs, backend, attrs }) => {
    const { x, velocity, g } = inputs as Record<string, tf.TensorInfo>;
    const a = attrs as unknown as { momentum: number; learningRate: number };
    if (!allFloat32(x, velocity, g) || anyEmpty(x.shape)) return null;
    const shape = x.shape;
    return runNative(addon, "optimizerUpdate", backend, [shape, shape], ([xo, vo]) => {
      sgdParams.set([
        1,
        tf.util.sizeFromShape(shape),
        a.momentum,
        a.learningRate,
        ...[x, velocity, g, xo, vo].map((t) => offsetOf(backend, t)),
      ]);
      return sgdParams;
    });
  };
