/**
 * What every native kernel shares: it computes into a wasm-backend output, or returns null when it cannot
 * run the case (a dtype, layout or attribute it does not support, or one oneDNN has no implementation for),
 * and the registration then calls the kernel it replaced.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { NativeAddon } from "../addon.js";
import { heapOf, type WasmBackend } from "../wasm-heap.js";

export type NativeKernel = (args: {
  inputs: tf.NamedTensorInfoMap;
  backend: WasmBackend;
  attrs: tf.NamedAttrMap;
}) => tf.TensorInfo | tf.TensorInfo[] | null;

export type NativeKernelFactory = (addon: NativeAddon) => NativeKernel;

export type AddonEntry = "convolution" | "pooling" | "matmul" | "edgePad" | "sum" | "optimizerUpdate";

/**
 * Allocate float32 outputs of `shapes`, then run `entry` with the parameters `params` returns for them
 * (their offsets exist only now). On false, free the outputs and return null.
 */
export function runNative(
  addon: NativeAddon,
  entry: AddonEntry,
  backend: WasmBackend,
  shapes: number[][],
  params: (outs: tf.TensorInfo[]) => Float64Array,
): tf.TensorInfo[] | null {
  const outs = shapes.map((shape) => backend.makeOutput(shape, "float32"));
  const block = params(outs);
  if (addon[entry](heapOf(backend), block)) return outs;
  for (const o of outs) (backend as unknown as tf.KernelBackend).disposeData(o.dataId);
  return null;
}

/** TensorFlow.js's fused activations, by the code native/src/activation.h uses; undefined: not supported. */
export function activationCode(activation: string | undefined): number | undefined {
  return { linear: 0, relu: 1, relu6: 2, leakyrelu: 3, sigmoid: 4, elu: 5 }[activation ?? "linear"];
}

/** Whether any tensor has a zero-sized axis (the addon computes only non-empty tensors). */
export function anyEmpty(...shapes: number[][]): boolean {
  return shapes.some((shape) => shape.some((d) => d === 0));
}
