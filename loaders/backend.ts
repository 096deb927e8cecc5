/**
 * tfjs in Node: the wasm backend (SIMD, one thread per engine) with the project's training kernels
 * registered, and on the native engine the oneDNN kernels in front of them. Every Node entry point (CLI,
 * loaders, workers, tests, benchmarks) starts here.
 */
import * as tf from "@tensorflow/tfjs-core";
// tfjs-core alone registers no gradients. Its ESM gradient modules cannot be imported by Node (directory
// imports), but the @tensorflow/tfjs Node bundle registers them all into the shared registry.
import "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { registerTrainingKernels } from "../src/lib/kernels/register.js";
import { chooseEngineAndReport, engineRecord, nativeThreadsPer, type Engine, type EngineRecord } from "./engine.js";
import { loadNativeAddon } from "./native/addon.js";
import { registerNativeKernels, unregisterNativeKernels } from "./native/register.js";

export type NodeBackend = "wasm" | "cpu";

export interface BackendOptions {
  /** Default: INTEGRAL_LAB_ENGINE, else native when the addon loads (chooseEngine). Only the wasm backend has one. */
  engine?: Engine;
  /** oneDNN threads of this thread's native kernels (default: all cores). */
  threads?: number;
}

let active: { backend: string; engine: Engine | null; threads: number | null } | undefined;

/**
 * Select a backend, wait for it, register the training kernels (and on the native engine the native ones).
 * Returns the backend name; `activeEngine()` tells the engine.
 */
export async function initBackend(backend: NodeBackend = "wasm", options: BackendOptions = {}): Promise<string> {
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend "${backend}" failed to initialise`);
  await tf.ready();
  unregisterNativeKernels();
  registerTrainingKernels();
  let engine: Engine | null = null;
  let threads: number | null = null;
  if (backend === "wasm") {
    engine = chooseEngineAndReport(options.engine);
    if (engine === "native") {
      const { addon } = loadNativeAddon();
      threads = options.threads ?? nativeThreadsPer(1);
      addon!.setThreads(threads);
      registerNativeKernels(addon!);
    }
  }
  active = { backend: tf.getBackend(), engine, threads };
  return active.backend;
}

/** The engine the last initBackend set up ("native" | "wasm"; null on the cpu backend or before any). */
export function activeEngine(): Engine | null {
  return active?.engine ?? null;
}

/** The engine the last initBackend set up, as result files record it (null on the cpu backend or before any). */
export function activeEngineRecord(): EngineRecord | null {
  return active?.engine ? engineRecord(active.engine, active.threads ?? 0) : null;
}
