/**
 * The oneDNN addon (native/, the optional package `integral-lab-native`, built by node-gyp at install time).
 * Loading never throws: a missing or broken build is reported as the reason, and training stays on wasm.
 *
 * Each kernel entry point takes the wasm backend's heap and a Float64Array of parameters (byte offsets into
 * the heap and sizes; layouts documented in native/src/*.cc) and computes in place, returning false when
 * oneDNN has no implementation for that case.
 */
import { createRequire } from "node:module";

export interface NativeAddon {
  convolution(heap: ArrayBuffer, params: Float64Array): boolean;
  pooling(heap: ArrayBuffer, params: Float64Array): boolean;
  matmul(heap: ArrayBuffer, params: Float64Array): boolean;
  edgePad(heap: ArrayBuffer, params: Float64Array): boolean;
  sum(heap: ArrayBuffer, params: Float64Array): boolean;
  optimizerUpdate(heap: ArrayBuffer, params: Float64Array): boolean;
  /** OpenMP threads for oneDNN calls made from the calling JS thread. */
  setThreads(threads: number): void;
  threads(): number;
  /** oneDNN's implementation name of the last successful call (e.g. "jit:avx2"). */
  lastImplementation(): string;
  /** Why the last call that returned false could not run. */
  lastFailure(): string;
  /** Primitives cached on this thread (one per kernel and shape). */
  cachedPrimitives(): number;
  version(): { onednn: string; isa: string; threading: string };
}

export type NativeAddonLoad = { addon: NativeAddon; reason?: undefined } | { addon: null; reason: string };

let loaded: NativeAddonLoad | undefined;

/**
 * The addon, or why it is unavailable. `INTEGRAL_LAB_NATIVE_ADDON` names another module to load instead
 * (tests point it at a path that does not exist to exercise the fallback).
 */
export function loadNativeAddon(): NativeAddonLoad {
  if (loaded) return loaded;
  const specifier = process.env.INTEGRAL_LAB_NATIVE_ADDON || "integral-lab-native";
  try {
    const addon = createRequire(import.meta.url)(specifier) as NativeAddon;
    if (typeof addon.convolution !== "function") throw new Error(`${specifier} is not the Integral Lab addon`);
    loaded = { addon };
  } catch (e) {
    const message = (e as Error).message.split("\n")[0];
    loaded = { addon: null, reason: `the native addon did not load (${message})` };
  }
  return loaded;
}
