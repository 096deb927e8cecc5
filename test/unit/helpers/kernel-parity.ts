/**
 * Kernel parity helpers: run one kernel through the engine on a backend (checking it leaves no tensor or
 * backend data behind) and compare with the cpu backend to 1e-4 of the reference's largest magnitude.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { mulberry32 } from "../../../src/lib/random.js";

export type Pad = "same" | "valid" | number | [[number, number], [number, number], [number, number], [number, number]];

export interface Input {
  values: Float32Array | Int32Array;
  shape: number[];
  dtype?: "float32" | "int32";
}

export interface Output {
  values: Float32Array;
  shape: number[];
}

export function randomArray(n: number, seed: number): Float32Array {
  const next = mulberry32(seed);
  return Float32Array.from({ length: n }, () => next() * 2 - 1);
}

/** Uniform values in [−1, 1) of `shape` from `seed`. */
export function input(shape: number[], seed: number): Input {
  return {
    values: randomArray(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  };
}

/** Run a kernel on `backend` and return its values and shape; asserts it leaves no tensor or data behind. */
export function runOn(backend: string, kernel: string, inputs: Record<string, Input>, attrs: object): Output {
  tf.setBackend(backend);
  const tensors = Object.fromEntries(
    Object.entries(inputs).map(([k, v]) => [k, tf.tensor(v.values, v.shape, v.dtype ?? "float32")]),
  );
  const tensorsBefore = tf.memory().numTensors;
  const buffersBefore = tf.engine().backend.numDataIds();
  const out = tf.engine().runKernel(kernel, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
  const result = { values: Float32Array.from(out.dataSync()), shape: out.shape };
  out.dispose();
  assert.equal(tf.memory().numTensors, tensorsBefore, `${kernel} on ${backend} leaked tensors`);
  assert.equal(tf.engine().backend.numDataIds(), buffersBefore, `${kernel} on ${backend} leaked backend data`);
  tf.dispose(Object.values(tensors));
  return result;
}

/** Every element within 1e-4 × max |expected| (which must not be 0). */
export function assertClose(actual: Output, expected: Output, label: string): void {
  assert.deepEqual(actual.shape, expected.shape, `${label}: shape`);
  let scale = 0;
  for (const v of expected.values) scale = Math.max(scale, Math.abs(v));
  assert.ok(scale > 0, `${label}: the reference is all zeros, the comparison would prove nothing`);
  for (let i = 0; i < expected.values.length; i++) {
    const err = Math.abs(actual.values[i] - expected.values[i]);
    if (!(err <= 1e-4 * scale)) {
      assert.fail(`${label}: element ${i} is ${actual.values[i]}, cpu gives ${expected.values[i]} (scale ${scale})`);
    }
  }
}

/** Output shape of a conv as tfjs computes it (for building dy of the right shape). */
export function convOutShape(
  xShape: number[],
  filterShape: number[],
  strides: [number, number],
  pad: Pad,
  depthwise: boolean,
  dilations: [number, number] = [1, 1],
): number[] {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    dilations,
    pad,
    undefined,
    depthwise,
  ).outShape;
}
