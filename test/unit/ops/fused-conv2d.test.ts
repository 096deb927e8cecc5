/**
 * trainableConv2d (src/lib/ops/fused-conv2d.ts): one FusedConv2D kernel whose registered gradient equals
 * autodiff through tf.fused.conv2d (which unfuses itself in training), on cpu and on wasm with both engines;
 * only the gradients asked for are computed (no input gradient for a first layer); nothing left behind.
 */
import "@tensorflow/tfjs"; // registers the gradients
import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { initBackend } from "../../../loaders/backend.js";
import { trainableConv2d, type FusedConvActivation } from "../../../src/lib/ops/fused-conv2d.js";

const SETUPS = [
  { backend: "cpu", engine: undefined },
  { backend: "wasm", engine: "wasm" },
  { backend: "wasm", engine: "native" },
] as const;

const CASES: { x: [number, number, number, number]; k: number; out: number; strides: number; pad: "same" | "valid" }[] =
  [
    { x: [3, 12, 12, 4], k: 5, out: 6, strides: 1, pad: "valid" },
    { x: [2, 9, 8, 3], k: 3, out: 5, strides: 2, pad: "same" },
    { x: [2, 7, 7, 8], k: 1, out: 4, strides: 1, pad: "valid" },
  ];

function relativeError(actual: tf.Tensor, expected: tf.Tensor): number {
  return tf.tidy(() => {
    const scale = tf.max(tf.abs(expected)).dataSync()[0];
    assert.ok(scale > 0, "the reference is all zeros");
    return tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0] / scale;
  });
}

for (const { backend, engine } of SETUPS) {
  describe(`trainableConv2d on ${backend}${engine ? `, ${engine} engine` : ""}`, () => {
    test("forward and gradients equal autodiff through tf.fused.conv2d", async () => {
      await initBackend(backend, { engine });
      for (const c of CASES) {
        for (const activation of ["relu", "linear"] as FusedConvActivation[]) {
          for (const withBias of [true, false]) {
            const x = tf.randomNormal(c.x, 0, 1, "float32", 1) as tf.Tensor4D;
            const filter = tf.randomNormal([c.k, c.k, c.x[3], c.out], 0, 0.3, "float32", 2) as tf.Tensor4D;
            const bias = tf.randomNormal([c.out], 0, 0.3, "float32", 3) as tf.Tensor1D;
            const before = tf.memory().numTensors;
            const args = (xx: tf.Tensor, ff: tf.Tensor, bb?: tf.Tensor) => ({
              x: xx as tf.Tensor4D,
              filter: ff as tf.Tensor4D,
              bias: bb as tf.Tensor1D | undefined,
              strides: c.strides,
              pad: c.pad,
              activation,
            });
            const upstream = tf.tidy(() => tf.randomNormal(trainableConv2d(args(x, filter)).shape, 0, 1, "float32", 4));
            const loss =
              (f: (a: ReturnType<typeof args>) => tf.Tensor) =>
              (...t: tf.Tensor[]) =>
                tf.sum(tf.mul(f(args(t[0], t[1], t[2])), upstream));
            const inputs = withBias ? [x, filter, bias] : [x, filter];
            const expected = tf.grads(loss((a) => tf.fused.conv2d(a)))(inputs);
            const actual = tf.grads(loss(trainableConv2d))(inputs);
            const what = `${JSON.stringify(c)} ${activation}${withBias ? " + bias" : ""}`;
            const y = trainableConv2d(args(x, filter, withBias ? bias : undefined));
            const yRef = tf.fused.conv2d(args(x, filter, withBias ? bias : undefined));
            assert.ok(relativeError(y, yRef) < 1e-6, `${what}: forward`);
            ["x", "filter", "bias"].slice(0, inputs.length).forEach((name, i) => {
              const err = relativeError(actual[i], expected[i]);
              assert.ok(err < 1e-5, `${what}: d${name} relative error ${err}`);
            });
            tf.dispose([...expected, ...actual, y, yRef, upstream]);
            assert.equal(tf.memory().numTensors, before, `${what}: tensors left behind`);
            tf.dispose([x, filter, bias]);
          }
        }
      }
    });

    test("gradients of the filter and bias alone run no input-gradient kernel", async () => {
      await initBackend(backend, { engine });
      const x = tf.randomNormal([2, 10, 10, 1], 0, 1, "float32", 5) as tf.Tensor4D;
      const filter = tf.randomNormal([3, 3, 1, 4], 0, 0.3, "float32", 6) as tf.Tensor4D;
      const bias = tf.zeros([4]) as tf.Tensor1D;
      const profile = await tf.profile(() => {
        const g = tf.grads((f: tf.Tensor, b: tf.Tensor) =>
          tf.sum(
            trainableConv2d({ x, filter: f as tf.Tensor4D, bias: b as tf.Tensor1D, pad: "same", activation: "relu" }),
          ),
        )([filter, bias]);
        tf.dispose(g);
      });
      const kernels = profile.kernels.map((k) => k.name);
      assert.ok(kernels.includes("Conv2DBackpropFilter"), kernels.join(", "));
      assert.ok(!kernels.includes("Conv2DBackpropInput"), kernels.join(", "));
      tf.dispose([x, filter, bias]);
    });
  });
}
