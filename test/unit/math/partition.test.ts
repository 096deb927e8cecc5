import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
// tfjs-core's Node bundle registers no gradients; the tfjs union package does (into the shared registry).
import "@tensorflow/tfjs";
import { initBackend } from "../../../loaders/backend.js";
import {
  checkSizeRange,
  drawPartitionSize,
  TrainablePartition,
  uniformPartition,
} from "../../../src/lib/math/partition.js";
import { trapezoidWeightsTensor } from "../../../src/lib/math/quadrature.js";
import { mulberry32 } from "../../../src/lib/random.js";

before(async () => {
  await initBackend("cpu");
});

test("uniform partitions: ends at ±1, equal spacing, one point at 0", () => {
  assert.deepEqual(Array.from(uniformPartition(1)), [0]);
  assert.deepEqual(Array.from(uniformPartition(2)), [-1, 1]);
  const p = uniformPartition(9);
  assert.equal(p[0], -1);
  assert.equal(p[8], 1);
  for (let i = 1; i < 9; i++) assert.ok(Math.abs(p[i] - p[i - 1] - 0.25) < 1e-15);
  assert.throws(() => uniformPartition(0), /size must be a positive integer, got 0/);
});

test("random sizes: uniform over [min, max], the same for the same seed", () => {
  const draw = (seed: number) => {
    const r = mulberry32(seed);
    return Array.from({ length: 4000 }, () => drawPartitionSize(r, { min: 4, max: 16 }));
  };
  const a = draw(7);
  assert.deepEqual(a, draw(7));
  assert.notDeepEqual(a, draw(8));
  const counts = new Map<number, number>();
  for (const s of a) counts.set(s, (counts.get(s) ?? 0) + 1);
  assert.deepEqual(
    [...counts.keys()].sort((x, y) => x - y),
    [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16],
  );
  // 13 values, ≈ 308 each; a 5-sigma band.
  for (const [s, c] of counts) assert.ok(Math.abs(c - 4000 / 13) < 5 * Math.sqrt(4000 / 13), `size ${s}: ${c}`);
  assert.throws(() => checkSizeRange({ min: 0, max: 8 }, 16, "group conv1"), /group conv1: size range \[0, 8\]/);
  assert.throws(() => checkSizeRange({ min: 4, max: 20 }, 16, "g"), /max ≤ 16/);
});

test("trainable partition: starts where asked, stays strictly increasing, fixed ends stay at ±1", () => {
  const start = tf.memory().numTensors;
  const init = [-1, -0.7, -0.1, 0.2, 0.9, 1];
  const fixed = new TrainablePartition(init);
  fixed.pointsArray().forEach((v, i) => assert.ok(Math.abs(v - init[i]) < 1e-6, `point ${i}: ${v}`));
  const free = new TrainablePartition(init.slice(1, -1), { fixedEndpoints: false });
  free.pointsArray().forEach((v, i) => assert.ok(Math.abs(v - init[i + 1]) < 1e-6, `free point ${i}: ${v}`));
  const random = mulberry32(3);
  for (let trial = 0; trial < 20; trial++) {
    // Wild parameter values, as a large optimiser step could produce.
    for (const p of [fixed, free]) {
      const values = Float32Array.from({ length: p.raw.shape[0] }, () => (random() - 0.5) * 40);
      tf.tidy(() => p.raw.assign(tf.tensor1d(values)));
      const x = p.pointsArray();
      for (let i = 1; i < x.length; i++) assert.ok(x[i] > x[i - 1], `trial ${trial}: not increasing at ${i}: ${x}`);
      assert.ok(x[0] >= -1 && x[x.length - 1] <= 1);
    }
    const x = fixed.pointsArray();
    assert.equal(x[0], -1);
    assert.equal(x[x.length - 1], 1);
  }
  fixed.dispose();
  free.dispose();
  assert.equal(tf.memory().numTensors, start);
  assert.throws(() => new TrainablePartition([-1, 0.5, 0.2, 1]), /strictly increasing/);
  assert.throws(() => new TrainablePartition([-0.9, 1]), /must start at -1 and end at 1/);
});

test("trainable partition: gradients reach the raw parameters and match finite differences", () => {
  const p = new TrainablePartition(Array.from(uniformPartition(5)));
  const c = [0.3, -1.2, 0.8, 2.0, -0.4];
  // A loss depending on the points directly and through the trapezoid weights.
  const loss = () => {
    const x = p.points();
    return tf.add(tf.sum(tf.mul(tf.square(x), c)), tf.sum(tf.mul(trapezoidWeightsTensor(x), c)));
  };
  const start = tf.memory().numTensors;
  const { value: lossValue, grads } = tf.variableGrads(loss as () => tf.Scalar, [p.raw]);
  const g = Array.from(grads[p.raw.name].dataSync());
  tf.dispose([lossValue, grads]);
  assert.equal(tf.memory().numTensors, start);
  const raw = Array.from(p.raw.dataSync());
  const h = 1e-2;
  const value = (r: number[]) =>
    tf.tidy(() => {
      p.raw.assign(tf.tensor1d(r));
      return loss().dataSync()[0];
    });
  g.forEach((gi, i) => {
    const fd =
      (value(raw.map((v, j) => (j === i ? v + h : v))) - value(raw.map((v, j) => (j === i ? v - h : v)))) / (2 * h);
    assert.ok(Math.abs(gi - fd) < 2e-3 * (1 + Math.abs(fd)), `d/draw${i}: ${gi} vs ${fd}`);
  });
  assert.ok(g.some((v) => Math.abs(v) > 1e-2));
  p.dispose();
});
