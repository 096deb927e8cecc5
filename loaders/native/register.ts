/**
 * Registers the native kernels on the wasm backend, each in front of the kernel it replaces (the backend's
 * own, or the project's composite): a call the addon cannot run goes to that kernel, so the native engine
 * never computes less than the wasm one. `unregisterNativeKernels` puts the replaced kernels back.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { NativeAddon } from "./addon.js";
import type { WasmBackend } from "./wasm-heap.js";
import type { NativeKernelFactory } from "./kernels/native-kernel.js";
import {
  nativeConv2D,
  nativeConv2DBackpropFilter,
  nativeConv2DBackpropInput,
  nativeDepthwiseConv2D,
  nativeDepthwiseConv2DBackpropFilter,
  nativeDepthwiseConv2DBackpropInput,
} from "./kernels/convolution.js";
import { nativeAvgPool, nativeAvgPoolGrad, nativeMaxPoolGrad } from "./kernels/pooling.js";
import { nativeMatMul } from "./kernels/matmul.js";
import { nativeEdgePad, nativeEdgePadGrad } from "./kernels/edge-pad.js";
import { nativeSum } from "./kernels/sum.js";
import { nativeAdamUpdate, nativeSgdMomentumUpdate } from "./kernels/optimizer.js";
import { AdamUpdate, SgdMomentumUpdate } from "../../src/lib/train/optimizers.js";
import { EdgePad, EdgePadGrad } from "../../src/lib/ops/edge-pad.js";

const BACKEND = "wasm";

const NATIVE_KERNELS: Record<string, NativeKernelFactory> = {
  [tf.Conv2D]: nativeConv2D,
  [tf.FusedConv2D]: nativeConv2D,
  [tf.Conv2DBackpropInput]: nativeConv2DBackpropInput,
  [tf.Conv2DBackpropFilter]: nativeConv2DBackpropFilter,
  [tf.DepthwiseConv2dNative]: nativeDepthwiseConv2D,
  [tf.FusedDepthwiseConv2D]: nativeDepthwiseConv2D,
  [tf.DepthwiseConv2dNativeBackpropInput]: nativeDepthwiseConv2DBackpropInput,
  [tf.DepthwiseConv2dNativeBackpropFilter]: nativeDepthwiseConv2DBackpropFilter,
  [tf.AvgPool]: nativeAvgPool,
  [tf.AvgPoolGrad]: nativeAvgPoolGrad,
  [tf.MaxPoolGrad]: nativeMaxPoolGrad,
  [tf.BatchMatMul]: nativeMatMul,
  [tf._FusedMatMul]: nativeMatMul,
  [EdgePad]: nativeEdgePad,
  [EdgePadGrad]: nativeEdgePadGrad,
  [tf.Sum]: nativeSum,
  [AdamUpdate]: nativeAdamUpdate,
  [SgdMomentumUpdate]: nativeSgdMomentumUpdate,
};

/** Calls per kernel that the addon computed, and that went to the replaced kernel. */
export interface NativeKernelCalls {
  native: number;
  fallback: number;
}

const replaced = new Map<string, tf.KernelConfig | undefined>();
const calls = new Map<string, NativeKernelCalls>();

/** Names of the kernels the native engine provides. */
export function nativeKernelNames(): string[] {
  return Object.keys(NATIVE_KERNELS);
}

/** Whether the native kernels are registered. */
export function nativeKernelsActive(): boolean {
  return replaced.size > 0;
}

/** Call counts since registration (or the last reset), by kernel name. */
export function nativeKernelCalls(reset = false): Record<string, NativeKernelCalls> {
  const out = Object.fromEntries([...calls].map(([name, c]) => [name, { ...c }]));
  if (reset) for (const c of calls.values()) c.native = c.fallback = 0;
  return out;
}

function wrap(name: string, addon: NativeAddon, factory: NativeKernelFactory): tf.KernelFunc {
  const native = factory(addon);
  const count: NativeKernelCalls = { native: 0, fallback: 0 };
  calls.set(name, count);
  return (args) => {
    const out = native(args as unknown as Parameters<typeof native>[0] & { backend: WasmBackend });
    if (out !== null) {
      count.native++;
      return out;
    }
    count.fallback++;
    const previous = replaced.get(name);
    if (previous === undefined) {
      throw new Error(`${name}: the native kernel cannot run this case and the wasm backend has no kernel for it`);
    }
    return previous.kernelFunc(args);
  };
}

/** Register every native kernel on the wasm backend (idempotent). Call after registerTrainingKernels. */
export function registerNativeKernels(addon: NativeAddon): void {
  if (nativeKernelsActive()) return;
  for (const [name, factory] of Object.entries(NATIVE_KERNELS)) {
    const previous = tf.getKernel(name, BACKEND);
    replaced.set(name, previous);
    if (previous !== undefined) tf.unregisterKernel(name, BACKEND);
    tf.registerKernel({ kernelName: name, backendName: BACKEND, kernelFunc: wrap(name, addon, factory) });
  }
}

/** Put back the kernels the native ones replaced (tests and benchmarks compare both engines in one process). */
export function unregisterNativeKernels(): void {
  for (const [name, previous] of replaced) {
    tf.unregisterKernel(name, BACKEND);
    if (previous !== undefined) tf.registerKernel(previous);
  }
  replaced.clear();
  calls.clear();
}
