/**
 * tfjs in Node: the wasm backend (SIMD, one thread per engine) with the project's training kernels
 * registered. Every Node entry point (CLI, loaders, workers, tests, benchmarks) starts here.
 */
import * as tf from "@tensorflow/tfjs-core";
// tfjs-core alone registers no gradients. Its ESM gradient modules cannot be imported by Node (directory
// imports), but the @tensorflow/tfjs Node bundle registers them all into the shared registry.
import "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { registerTrainingKernels } from "../src/lib/kernels/register.js";

export type NodeBackend = "wasm" | "cpu";

/** Select a backend, wait for it, register the missing training kernels. Returns the backend name. */
export async function initBackend(backend: NodeBackend = "wasm"): Promise<string> {
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend "${backend}" failed to initialise`);
  await tf.ready();
  registerTrainingKernels();
  return tf.getBackend();
}
