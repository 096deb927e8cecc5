/**
 * Setup and tensor helpers shared by unit tests that train through tfjs kernels: the cpu engine with the
 * gradient registrations, seeded Gaussian tensors, and the largest absolute difference of two tensors.
 */
import { before } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../../loaders/backend.js";
import { gaussian, mulberry32 } from "../../../src/lib/random.js";

/** Register a `before` hook: cpu engine, plus the full tfjs gradient set when Sum's gradient is missing. */
export function useCpuEngineWithGradients(): void {
  before(async () => {
    await initBackend("cpu");
    if (!tf.getGradient("Sum")) await import("@tensorflow/tfjs");
  });
}

/** A tensor of standard-normal values from a seeded generator. */
export function randomTensor(shape: number[], seed: number): tf.Tensor {
  const r = mulberry32(seed);
  return tf.tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => gaussian(r)),
    shape,
  );
}

/** max |a − b| over all elements. */
export const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

/** A batch of seeded uniform 16×16×1 images (the small input the model-file and pruning tests use). */
export function uniformImages(seed: number, batch: number, size = 16): tf.Tensor4D {
  const random = mulberry32(seed);
  return tf.tensor4d(
    Float32Array.from({ length: batch * size * size }, () => random()),
    [batch, size, size, 1],
  );
}
