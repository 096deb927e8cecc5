/**
 * Training kernels for tfjs 4.22's wasm backend, built from kernels it has (see DESIGN.md §2):
 * - missing ones (Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter/Input, UnsortedSegmentSum) are
 *   registered only when the backend has none, so a future tfjs that ships them wins;
 * - the backend's own Conv2DBackpropInput is replaced by a composite on its XNNPACK Conv2D (≈4× faster on
 *   the reference net; `bench/kernel-profile.ts` measures it), switchable for comparison.
 */
import * as tf from "@tensorflow/tfjs-core";
import { conv2DBackpropFilterKernel, conv2DBackpropInputKernel } from "./conv-backprop.js";
import { depthwiseBackpropFilterKernel, depthwiseBackpropInputKernel } from "./depthwise-backprop.js";
import { unsortedSegmentSumKernel } from "./segment-sum.js";

const BACKEND = "wasm";

/** Kernels the wasm backend lacks, with their composite implementation. */
const missingKernels: tf.KernelConfig[] = [
  { kernelName: tf.Conv2DBackpropFilter, backendName: BACKEND, kernelFunc: conv2DBackpropFilterKernel },
  { kernelName: tf.DepthwiseConv2dNativeBackpropFilter, backendName: BACKEND, kernelFunc: depthwiseBackpropFilterKernel },
  { kernelName: tf.DepthwiseConv2dNativeBackpropInput, backendName: BACKEND, kernelFunc: depthwiseBackpropInputKernel },
  { kernelName: tf.UnsortedSegmentSum, backendName: BACKEND, kernelFunc: unsortedSegmentSumKernel },
];

const composedBackpropInput: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: BACKEND,
  kernelFunc: conv2DBackpropInputKernel,
};

/** The backend's own Conv2DBackpropInput, remembered when we first replace it. */
let nativeBackpropInput: tf.KernelConfig | undefined;

/** Names of the kernels this module registered (for reports and tests). */
export function registeredTrainingKernels(): string[] {
  const ours = new Set<tf.KernelFunc>([...missingKernels, composedBackpropInput].map((c) => c.kernelFunc));
  return [...missingKernels, composedBackpropInput]
    .map((c) => c.kernelName)
    .filter((name) => {
      const k = tf.getKernel(name, BACKEND);
      return k !== undefined && ours.has(k.kernelFunc);
    });
}

/**
 * Register the training kernels for the wasm backend. Call after the wasm backend module is imported
 * (its kernels register on import). Idempotent: kernels already present — ours or tfjs's — are left alone.
 */
export function registerTrainingKernels(options: { composedConv2DBackpropInput?: boolean } = {}): void {
  for (const config of missingKernels) {
    if (tf.getKernel(config.kernelName, BACKEND) === undefined) tf.registerKernel(config);
  }
  useComposedConv2DBackpropInput(options.composedConv2DBackpropInput ?? true);
}

/**
 * Switch Conv2DBackpropInput between the composite (XNNPACK Conv2D of the rotated filter) and the backend's
 * own kernel. Returns whether the composite is now active.
 */
export function useComposedConv2DBackpropInput(enabled: boolean): boolean {
  const current = tf.getKernel(tf.Conv2DBackpropInput, BACKEND);
  const active = current?.kernelFunc === composedBackpropInput.kernelFunc;
  if (enabled === active) return active;
  if (enabled) {
    if (current !== undefined) {
      nativeBackpropInput = current;
      tf.unregisterKernel(tf.Conv2DBackpropInput, BACKEND);
    }
    tf.registerKernel(composedBackpropInput);
    return true;
  }
  tf.unregisterKernel(tf.Conv2DBackpropInput, BACKEND);
  if (nativeBackpropInput !== undefined) tf.registerKernel(nativeBackpropInput);
  return false;
}
