/**
 * Native BatchMatMul and _FusedMatMul (bias, activation) for the wasm backend, float32. The batch axes of
 * the two operands must be equal, or one of them hold a single matrix (broadcast); others fall back.
 */
import * as tf from "@tensorflow/tfjs-core";
import { allFloat32, offsetOf } from "../wasm-heap.js";
import { activationCode, anyEmpty, runNative, type NativeKernelFactory } from "./native-kernel.js";

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
  activation?: string;
  leakyreluAlpha?: number;
}

const params = new Float64Array(13);

export const nativeMatMul: NativeKernelFactory =
  (addon) =>
  ({ inputs, backend, attrs }) => {
    const { a, b, bias, preluActivationWeights } = inputs as Record<string, tf.TensorInfo | undefined>;
    const { transposeA, transposeB, activation, leakyreluAlpha } = attrs as unknown as MatMulAttrs;
    const code = activationCode(activation);
    if (a === undefined || b === undefined || !allFloat32(a, b, bias)) return null;
    if (a.shape.length < 2 || b.shape.length < 2 || preluActivationWeights !== undefined || code === undefined)
      return null;
    const ra = a.shape.length,
      rb = b.shape.length;
    const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
    const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
    const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
    const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
    if (k !== kb) return null;
    const outerA = a.shape.slice(0, -2),
      outerB = b.shape.slice(0, -2);
    const batchA = tf.util.sizeFromShape(outerA),
      batchB = tf.util.sizeFromShape(outerB);
    const sameBatch = tf.util.arraysEqual(outerA, outerB);
    if (!sameBatch && batchA !== 1 && batchB !== 1) return null;
    const outShape = [...tf.backend_util.assertAndGetBroadcastShape(outerA, outerB), m, n];
    if (bias !== undefined && tf.util.sizeFromShape(bias.shape) !== n) return null;
    if (anyEmpty(a.shape, b.shape, outShape)) return null;
    const outs = runNative(addon, "matmul", backend, [outShape], ([c]) => {
      params.set([
        batchA,
        batchB,
        m,
        k,
        n,
        transposeA ? 1 : 0,
        transposeB ? 1 : 0,
        code,
        leakyreluAlpha ?? 0.2,
        offsetOf(backend, a),
        offsetOf(backend, b),
        offsetOf(backend, c),
        bias ? offsetOf(backend, bias) : -1,
      ]);
      return params;
    });
    return outs?.[0] ?? null;
  };
