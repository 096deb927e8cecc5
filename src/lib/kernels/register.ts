/**
 * Training kernels for tfjs 4.22's wasm backend, built from kernels it has (docs/design.md §2):
 * - missing ones (Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter/Input, UnsortedSegmentSum) are
 *   registered only when the backend has none, so a future tfjs that ships them wins;
 * - the backend's own Conv2DBackpropInput, AvgPoolGrad, Slice, SplitV, Identity and Cast are replaced by faster
 *   versions (XNNPACK Conv2D of the rotated filter; a broadcast Multiply; block copies; shared data instead of
 *   copies), switchable with `useComposedKernel` so `bench/kernel-profile.ts` can measure each against the original.
 */
import * as tf from "@tensorflow/tfjs-core";
import { conv2DBackpropFilterKernel, conv2DBackpropInputKernel } from "./conv-backprop.js";
import { depthwiseBackpropFilterKernel, depthwiseBackpropInputKernel } from "./depthwise-backprop.js";
import { unsortedSegmentSumKernel } from "./segment-sum.js";
import { makeAvgPoolGradKernel } from "./avg-pool-grad.js";
import { makeSliceKernel, makeSplitVKernel } from "./slice.js";
import { makeSharedCastKernel, sharedIdentityKernel } from "./identity.js";

const BACKEND = "wasm";

/** Kernels the wasm backend lacks, with their composite implementation. */
const missingKernels: tf.KernelConfig[] = [
  { kernelName: tf.Conv2DBackpropFilter, backendName: BACKEND, kernelFunc: conv2DBackpropFilterKernel },
  {
    kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
    backendName: BACKEND,
    kernelFunc: depthwiseBackpropFilterKernel,
  },
  { kernelName: tf.DepthwiseConv2dNativeBackpropInput, backendName: BACKEND, kernelFunc: depthwiseBackpropInputKernel },
  { kernelName: tf.UnsortedSegmentSum, backendName: BACKEND, kernelFunc: unsortedSegmentSumKernel },
];

/** The backend's own kernels, remembered when first replaced by a composite. */
const nativeKernels = new Map<string, tf.KernelConfig>();

/** Kernels the wasm backend has but slowly; replaced by composites measured faster (bench/kernel-profile.ts). */
const composedKernels = {
  Conv2DBackpropInput: conv2DBackpropInputKernel,
  AvgPoolGrad: makeAvgPoolGradKernel(() => nativeKernels.get(tf.AvgPoolGrad)?.kernelFunc),
  Slice: makeSliceKernel(() => nativeKernels.get(tf.Slice)?.kernelFunc),
  SplitV: makeSplitVKernel(() => nativeKernels.get(tf.SplitV)?.kernelFunc),
  Identity: sharedIdentityKernel,
  Cast: makeSharedCastKernel(() => nativeKernels.get(tf.Cast)?.kernelFunc),
} satisfies Record<string, tf.KernelFunc>;

export type ComposedKernelName = keyof typeof composedKernels;

const ours = new Set<tf.KernelFunc>([...missingKernels.map((c) => c.kernelFunc), ...Object.values(composedKernels)]);

/** Names of the kernels this module has registered (for reports and tests). */
export function registeredTrainingKernels(): string[] {
  return [...missingKernels.map((c) => c.kernelName), ...Object.keys(composedKernels)].filter((name) => {
    const k = tf.getKernel(name, BACKEND);
    return k !== undefined && ours.has(k.kernelFunc);
  });
}

/**
 * Register the training kernels for the wasm backend. Call after the wasm backend module is imported
 * (its kernels register on import). Idempotent: missing kernels already present — ours or a newer tfjs's —
 * are left alone. `composed: false` keeps the backend's own Conv2DBackpropInput and AvgPoolGrad.
 */
export function registerTrainingKernels(options: { composed?: boolean } = {}): void {
  for (const config of missingKernels) {
    if (tf.getKernel(config.kernelName, BACKEND) === undefined) tf.registerKernel(config);
  }
  for (const name of Object.keys(composedKernels) as ComposedKernelName[]) {
    useComposedKernel(name, options.composed ?? true);
  }
}

/** Switch one kernel between its composite and the backend's own. Returns whether the composite was active. */
export function useComposedKernel(name: ComposedKernelName, enabled: boolean): boolean {
  const current = tf.getKernel(name, BACKEND);
  const kernelFunc = composedKernels[name];
  const wasActive = current?.kernelFunc === kernelFunc;
  if (enabled === wasActive) return wasActive;
  if (current !== undefined) {
    if (!wasActive) nativeKernels.set(name, current);
    tf.unregisterKernel(name, BACKEND);
  }
  if (enabled) tf.registerKernel({ kernelName: name, backendName: BACKEND, kernelFunc });
  else {
    const native = nativeKernels.get(name);
    if (native !== undefined) tf.registerKernel(native);
  }
  return wasActive;
}
