/**
 * Native EdgePad and EdgePadGrad (src/lib/ops/edge-pad.ts names them) for the wasm backend: replicate
 * padding of an NHWC float32 tensor in one pass, and its gradient (each border pixel gets the sum of the
 * gradients of its copies).
 */
import type * as tf from "@tensorflow/tfjs-core";
import { allFloat32, offsetOf } from "../wasm-heap.js";
import { anyEmpty, runNative, type NativeKernelFactory } from "./native-kernel.js";

interface EdgePadAttrs {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

const params = new Float64Array(11);

function run(backward: boolean): NativeKernelFactory {
  return (addon) =>
    ({ inputs, backend, attrs }) => {
      const source = (backward ? inputs.dy : inputs.x) as tf.TensorInfo;
      const { top, bottom, left, right } = attrs as unknown as EdgePadAttrs;
      if (!allFloat32(source) || source.shape.length !== 4) return null;
      const [n, h, w, c] = source.shape;
      const small = backward ? [n, h - top - bottom, w - left - right, c] : source.shape;
      const big = backward ? source.shape : [n, h + top + bottom, w + left + right, c];
      if (small[1] < 1 || small[2] < 1 || anyEmpty(small, big)) return null;
      const outs = runNative(addon, "edgePad", backend, [backward ? small : big], ([out]) => {
        params.set([
          backward ? 1 : 0,
          ...small,
          top,
          bottom,
          left,
          right,
          offsetOf(backend, source),
          offsetOf(backend, out),
        ]);
        return params;
      });
      return outs?.[0] ?? null;
    };
}

export const nativeEdgePad = run(false);
export const nativeEdgePadGrad = run(true);
