import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs"; // registers the gradients (tfjs-core's Node bundle has none)
import { edgePad } from "../../../src/lib/ops/edge-pad.js";

await tf.setBackend("cpu");

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

test("edgePad repeats border pixels (hand-written 2×2 example)", () => {
  const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
  const y = edgePad(x, 1);
  assert.deepEqual(y.shape, [1, 4, 4, 1]);
  // prettier-ignore
  assert.deepEqual(Array.from(y.dataSync()), [
    1, 1, 2, 2,
    1, 1, 2, 2,
    3, 3, 4, 4,
    3, 3, 4, 4,
  ]);
  tf.dispose([x, y]);
});

test("edgePad with uneven padding matches index clamping, per batch and channel", () => {
  const [b, h, w, c] = [2, 3, 4, 2];
  const pad = { top: 2, bottom: 1, left: 0, right: 3 };
  const values = Array.from({ length: b * h * w * c }, (_, i) => i * 1.5 - 7);
  const x = tf.tensor4d(values, [b, h, w, c]);
  const y = edgePad(x, pad);
  const H = h + pad.top + pad.bottom,
    W = w + pad.left + pad.right;
  assert.deepEqual(y.shape, [b, H, W, c]);
  const got = y.dataSync();
  for (let n = 0; n < b; n++)
    for (let i = 0; i < H; i++)
      for (let j = 0; j < W; j++)
        for (let k = 0; k < c; k++) {
          const si = clamp(i - pad.top, 0, h - 1),
            sj = clamp(j - pad.left, 0, w - 1);
          assert.equal(got[((n * H + i) * W + j) * c + k], values[((n * h + si) * w + sj) * c + k]);
        }
  tf.dispose([x, y]);
});

test("edgePad gradient sums the upstream gradient over every copy of a pixel", () => {
  const [h, w] = [3, 3];
  const p = 2;
  const H = h + 2 * p,
    W = w + 2 * p;
  const upstream = Array.from({ length: H * W }, (_, i) => ((i * 7) % 11) - 5);
  const x = tf.tensor4d(
    Array.from({ length: h * w }, (_, i) => i),
    [1, h, w, 1],
  );
  const u = tf.tensor4d(upstream, [1, H, W, 1]);
  const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(edgePad(t as tf.Tensor4D, p), u)))(x);
  const expected = new Array(h * w).fill(0);
  for (let i = 0; i < H; i++)
    for (let j = 0; j < W; j++) {
      expected[clamp(i - p, 0, h - 1) * w + clamp(j - p, 0, w - 1)] += upstream[i * W + j];
    }
  assert.deepEqual(Array.from(grad.dataSync()), expected);
  // A corner pixel collects (p+1)² copies; with a unit upstream gradient it gets exactly that.
  const ones = tf.grad((t: tf.Tensor) => tf.sum(edgePad(t as tf.Tensor4D, p)))(x);
  assert.equal(ones.dataSync()[0], (p + 1) ** 2);
  assert.equal(ones.dataSync()[4], 1);
  tf.dispose([x, u, grad, ones]);
});

test("edgePad disposes its intermediates and rejects bad padding", () => {
  const x = tf.zeros([1, 5, 5, 3]) as tf.Tensor4D;
  const before = tf.memory().numTensors;
  const y = edgePad(x, { top: 1, bottom: 2, left: 3, right: 0 });
  assert.equal(tf.memory().numTensors, before + 1);
  y.dispose();
  assert.throws(() => edgePad(x, -1), /non-negative integer/);
  assert.throws(() => edgePad(x, 1.5), /non-negative integer/);
  x.dispose();
});
