import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { SuperSparseConv2d, SscModule, sscChannelTaps, shiftChannels } from "../../../src/lib/kernel-shapes/ssc.js";
import { maxAbsDiff, randomTensor, useCpuEngineWithGradients } from "../helpers/tensors.js";

useCpuEngineWithGradients();

test("shift moves each channel by its tap, zero fill", () => {
  const x = tf.tensor4d(
    Array.from({ length: 9 * 9 }, (_, i) => i + 1),
    [1, 3, 3, 9],
  ); // 9 channels, one group of 9
  const y = shiftChannels(x, 3, 9);
  const xv = x.arraySync() as number[][][][],
    yv = y.arraySync() as number[][][][];
  const taps = sscChannelTaps(9, 3, 9);
  assert.equal(taps[0], 4); // centre first
  assert.deepEqual(
    [...taps].sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 5, 6, 7, 8],
  );
  for (let c = 0; c < 9; c++) {
    const dr = Math.floor(taps[c] / 3) - 1,
      ds = (taps[c] % 3) - 1;
    for (let h = 0; h < 3; h++)
      for (let w = 0; w < 3; w++) {
        const sh = h + dr,
          sw = w + ds;
        const expect = sh >= 0 && sh < 3 && sw >= 0 && sw < 3 ? xv[0][sh][sw][c] : 0;
        assert.equal(yv[0][h][w][c], expect, `c ${c} at ${h},${w}`);
      }
  }
  tf.dispose([x, y]);
});

test("SSC (shift + grouped point-wise) equals a dense conv with the one-non-zero-per-channel kernel", () => {
  const before = tf.memory().numTensors;
  for (const [cin, cout, k, g] of [
    [18, 12, 3, 9],
    [12, 9, 3, 4],
    [25, 10, 5, 25],
    [6, 6, 3, 3],
  ]) {
    const layer = new SuperSparseConv2d({ inChannels: cin, outChannels: cout, kernelSize: k, groupSize: g, seed: cin });
    tf.tidy(() => layer.bias!.assign(randomTensor([cout], 2) as tf.Tensor1D));
    const mask = layer.denseMask();
    // Each (input, output) kernel of a connected pair has exactly one tap; within a filter the taps of a group differ.
    for (let o = 0; o < cout; o++) {
      const tapsSeen = new Set<number>();
      let connected = 0;
      for (let c = 0; c < cin; c++) {
        let n = 0,
          tap = -1;
        for (let t = 0; t < k * k; t++)
          if (mask[(t * cin + c) * cout + o]) {
            n++;
            tap = t;
          }
        assert.ok(n <= 1);
        if (n === 1) {
          connected++;
          assert.ok(!tapsSeen.has(tap), "distinct positions");
          tapsSeen.add(tap);
        }
      }
      assert.equal(connected, g);
    }
    const x = randomTensor([2, 7, 6, cin], 3) as tf.Tensor4D;
    const y = layer.apply(x);
    const kernel = layer.denseKernel();
    const ref = tf.tidy(() => tf.add(tf.conv2d(x, kernel, 1, "same"), layer.bias!));
    assert.ok(maxAbsDiff(y, ref) < 1e-5, `${cin}→${cout} k${k} g${g}`);
    // The dense kernel's non-zeros sit exactly on the mask.
    const kv = kernel.dataSync();
    for (let i = 0; i < kv.length; i++) if (kv[i] !== 0) assert.equal(mask[i], 1);
    const c = layer.cost();
    assert.equal(c.macsPerPixel, g * cout);
    tf.dispose([x, y, kernel, ref]);
    layer.dispose();
  }
  assert.equal(tf.memory().numTensors, before);
});

test("SSC gradients match the dense conv's", () => {
  const before = tf.memory().numTensors;
  const layer = new SuperSparseConv2d({ inChannels: 9, outChannels: 6, seed: 4, useBias: false });
  const x = randomTensor([1, 5, 5, 9], 5) as tf.Tensor4D;
  const gx = tf.grad((a: tf.Tensor) => tf.sum(tf.square(layer.apply(a as tf.Tensor4D))))(x);
  const kernel = layer.denseKernel();
  const rx = tf.grad((a: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, kernel, 1, "same"))))(x);
  assert.ok(maxAbsDiff(gx, rx) < 1e-4);
  tf.dispose([x, gx, kernel, rx]);
  layer.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test("SSC errors name the bad value", () => {
  assert.throws(
    () => new SuperSparseConv2d({ inChannels: 10, outChannels: 4, groupSize: 9 }),
    /inChannels 10 is not a multiple of groupSize 9/,
  );
  assert.throws(
    () => new SuperSparseConv2d({ inChannels: 18, outChannels: 4, groupSize: 10 }),
    /groupSize must be an integer in 1..9/,
  );
  assert.throws(
    () => new SuperSparseConv2d({ inChannels: 18, outChannels: 5 }),
    /outChannels 5 is not a multiple of the 2 groups/,
  );
  assert.throws(
    () => new SuperSparseConv2d({ inChannels: 8, outChannels: 8, kernelSize: 2 }),
    /kernelSize must be odd/,
  );
});

test("SSC module: identity shortcut, shuffle, trains without leaks", () => {
  const before = tf.memory().numTensors;
  const m = new SscModule(18, { seed: 3 });
  assert.ok(m.shuffle, "two groups → a shuffle");
  const x = tf.tidy(() => tf.relu(randomTensor([2, 4, 4, 18], 6))) as tf.Tensor4D;
  const y = m.apply(x);
  assert.deepEqual(y.shape, [2, 4, 4, 18]);
  // With the second SSC layer zeroed the module is relu(x) = x for x ≥ 0: the shortcut is the identity.
  const saved = tf.clone(m.second.weights);
  tf.tidy(() => m.second.weights.assign(tf.zerosLike(m.second.weights)));
  const id = m.apply(x);
  assert.ok(maxAbsDiff(id, x) < 1e-6);
  tf.tidy(() => m.second.weights.assign(saved));
  const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(m.apply(x))), m.trainableVariables);
  assert.equal(Object.keys(grads).length, m.trainableVariables.length);
  assert.equal(m.cost().macsPerPixel, 18 * 18 + 2 * 9 * 18);
  tf.dispose([x, y, saved, id, value, ...Object.values(grads)]);
  m.dispose();
  assert.equal(tf.memory().numTensors, before);
});
