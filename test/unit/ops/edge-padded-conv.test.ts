/**
 * The edge-padded convolution's folded gradients (src/lib/ops/edge-padded-conv.ts) against autodiff through
 * edgePad + fused conv2d, on the cpu backend and on wasm with the project's training kernels (wasm and native
 * engines): the same
 * forward, the same gradients in x, filter and bias (to 1e-5 of the largest magnitude), for the reference net's
 * shapes and edge cases (one-row inputs, pads wider than ⌊k/2⌋, k = 1), and no tensor left behind.
 */
import "@tensorflow/tfjs"; // registers the gradients (tfjs-core's Node bundle has none)
import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { initBackend } from "../../../loaders/backend.js";
import { edgePad } from "../../../src/lib/ops/edge-pad.js";
import { edgePaddedConv2d, type ConvActivation } from "../../../src/lib/ops/edge-padded-conv.js";

interface Case {
  shape: [number, number, number, number];
  k: number;
  pad: number;
  out: number;
}

const CASES: Case[] = [
  { shape: [2, 14, 14, 4], k: 5, pad: 2, out: 6 }, // the reference net's conv2 (fewer channels)
  { shape: [2, 7, 7, 3], k: 5, pad: 2, out: 4 }, // its conv3
  { shape: [2, 5, 6, 2], k: 3, pad: 1, out: 3 }, // not square
  { shape: [1, 2, 2, 2], k: 3, pad: 1, out: 2 },
  { shape: [2, 3, 4, 2], k: 5, pad: 2, out: 3 }, // smaller than the kernel
  { shape: [2, 1, 5, 2], k: 3, pad: 1, out: 2 }, // one row: top and bottom fold into the same row
  { shape: [1, 6, 6, 2], k: 3, pad: 2, out: 2 }, // output larger than the input
  { shape: [1, 8, 8, 2], k: 5, pad: 1, out: 2 }, // output smaller than the input
  { shape: [1, 4, 4, 2], k: 1, pad: 0, out: 2 }, // no padding at all
  { shape: [1, 4, 4, 2], k: 1, pad: 1, out: 2 }, // pad = k
  { shape: [1, 4, 4, 2], k: 1, pad: 2, out: 2 }, // pad > k: autodiff through the pad
];

function relativeError(actual: tf.Tensor, expected: tf.Tensor): number {
  return tf.tidy(() => {
    const scale = tf.max(tf.abs(expected)).dataSync()[0] || 1;
    return tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0] / scale;
  });
}

function compare(
  { shape, k, pad, out }: Case,
  activation: ConvActivation,
  withBias: boolean,
  foldedGradient = true,
): void {
  const x = tf.randomNormal(shape, 0, 1, "float32", 1) as tf.Tensor4D;
  const filter = tf.randomNormal([k, k, shape[3], out], 0, 0.3, "float32", 2) as tf.Tensor4D;
  const bias = tf.randomNormal([out], 0, 0.3, "float32", 3) as tf.Tensor1D;
  const outShape = [shape[0], shape[1] + 2 * pad - k + 1, shape[2] + 2 * pad - k + 1, out];
  const upstream = tf.randomNormal(outShape, 0, 1, "float32", 4);
  const before = tf.memory().numTensors;
  const reference = (xx: tf.Tensor4D, ff: tf.Tensor4D, bb?: tf.Tensor1D) =>
    tf.fused.conv2d({ x: edgePad(xx, pad), filter: ff, strides: 1, pad: "valid", bias: bb, activation });
  const folded = (xx: tf.Tensor4D, ff: tf.Tensor4D, bb?: tf.Tensor1D) =>
    edgePaddedConv2d({ x: xx, filter: ff, bias: bb, pad, activation, foldedGradient });
  const loss = (f: typeof folded) => (xx: tf.Tensor, ff: tf.Tensor, bb?: tf.Tensor) =>
    tf.sum(tf.mul(f(xx as tf.Tensor4D, ff as tf.Tensor4D, bb as tf.Tensor1D | undefined), upstream));
  const inputs = withBias ? [x, filter, bias] : [x, filter];
  const expected = tf.grads(loss(reference) as (...t: tf.Tensor[]) => tf.Tensor)(inputs);
  const actual = tf.grads(loss(folded) as (...t: tf.Tensor[]) => tf.Tensor)(inputs);
  const yExpected = tf.tidy(() => reference(x, filter, withBias ? bias : undefined));
  const beforeForward = tf.memory().numTensors;
  const yActual = folded(x, filter, withBias ? bias : undefined);
  assert.equal(tf.memory().numTensors, beforeForward + 1, "the forward pass leaves only its output");
  const what = `[${shape}] k${k} pad ${pad} ${activation}${withBias ? " + bias" : ""}${foldedGradient ? "" : " (autodiff)"}`;
  assert.deepEqual(yActual.shape, yExpected.shape, what);
  assert.ok(relativeError(yActual, yExpected) === 0, `${what}: forward differs`);
  ["x", "filter", "bias"].slice(0, inputs.length).forEach((name, i) => {
    const err = relativeError(actual[i], expected[i]);
    assert.ok(err < 1e-5, `${what}: d${name} relative error ${err}`);
  });
  tf.dispose([...expected, ...actual, yExpected, yActual]);
  assert.equal(tf.memory().numTensors, before, `${what}: tensors left behind`);
  tf.dispose([x, filter, bias, upstream]);
}

// The wasm engine folds the input gradient; the native engine (single-kernel edge pad) takes autodiff.
const SETUPS = [
  { backend: "cpu", engine: undefined },
  { backend: "wasm", engine: "wasm" },
  { backend: "wasm", engine: "native" },
] as const;

for (const { backend, engine } of SETUPS) {
  describe(`edgePaddedConv2d on ${backend}${engine ? `, ${engine} engine` : ""}`, () => {
    test("forward and gradients equal autodiff through edgePad + conv2d", async () => {
      await initBackend(backend, { engine });
      for (const c of CASES) {
        compare(c, "relu", true);
        compare(c, "linear", false);
      }
      compare(CASES[0], "relu", true, false); // foldedGradient: false, the first layer's path
    });
  });
}

test("edgePaddedConv2d rejects a bad pad or a non-square filter, naming the value", async () => {
  await initBackend("cpu");
  const x = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
  const square = tf.zeros([3, 3, 1, 2]) as tf.Tensor4D;
  const wide = tf.zeros([3, 5, 1, 2]) as tf.Tensor4D;
  assert.throws(() => edgePaddedConv2d({ x, filter: square, pad: -1 }), /pad must be a non-negative integer, got -1/);
  assert.throws(() => edgePaddedConv2d({ x, filter: square, pad: 1.5 }), /pad must be a non-negative integer, got 1.5/);
  assert.throws(() => edgePaddedConv2d({ x, filter: wide, pad: 1 }), /filter must be square, got 3×5/);
  tf.dispose([x, square, wide]);
});
