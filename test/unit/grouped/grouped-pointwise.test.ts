import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../../loaders/backend.js";
import { groupedPointwiseConv, groupedToDenseFilter } from "../../../src/lib/grouped/grouped-pointwise.js";
import { unevenGroupedPlan, UnevenGroupedPointwise } from "../../../src/lib/grouped/uneven-grouped-pointwise.js";
import { interleavePermutation, ChannelPermutation } from "../../../src/lib/grouped/interleave.js";
import { InterleavedGroupedPointwise } from "../../../src/lib/grouped/igpc.js";
import { mulberry32, gaussian } from "../../../src/lib/random.js";

before(async () => {
  await initBackend("cpu");
  // tfjs-core registers no gradients by itself; borrow them from the union package if the engine has not.
  if (!tf.getGradient("Sum")) await import("@tensorflow/tfjs");
});

function randomTensor(shape: number[], seed: number): tf.Tensor {
  const r = mulberry32(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => gaussian(r)),
    shape,
  );
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

test("grouped 1×1 conv: every strategy equals a dense conv with the block-diagonal filter, values and gradients", () => {
  const before = tf.memory().numTensors;
  const x = randomTensor([2, 3, 4, 12], 1) as tf.Tensor4D;
  const w = randomTensor([3, 4, 5], 2) as tf.Tensor3D;
  const dense = tf.tidy(() => tf.conv2d(x, groupedToDenseFilter(w), 1, "valid"));
  // Hand check of one entry: output channel 5 = group 1, filter 0, reads input channels 4..7.
  const xv = x.arraySync() as number[][][][],
    wv = w.arraySync() as number[][][];
  let expect = 0;
  for (let i = 0; i < 4; i++) expect += xv[1][2][3][4 + i] * wv[1][i][0];
  assert.ok(Math.abs((dense.arraySync() as number[][][][])[1][2][3][5] - expect) < 1e-5);
  for (const strategy of ["batched", "blockDiagonal", "blockDiagonalConv", "auto"] as const) {
    const y = groupedPointwiseConv(x, w, { strategy });
    assert.deepEqual(y.shape, [2, 3, 4, 15]);
    assert.ok(maxAbsDiff(y, dense) < 1e-5, strategy);
    y.dispose();
    const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.square(groupedPointwiseConv(a as tf.Tensor4D, b as tf.Tensor3D, { strategy }))),
    )([x, w]);
    const [dx, dfilter] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, groupedToDenseFilter(b as tf.Tensor3D), 1, "valid"))),
    )([x, w]);
    assert.ok(maxAbsDiff(gx, dx) < 1e-4, `${strategy} dx`);
    assert.ok(maxAbsDiff(gw, dfilter) < 1e-4, `${strategy} dw`);
    tf.dispose([gx, gw, dx, dfilter]);
  }
  tf.dispose([x, w, dense]);
  assert.equal(tf.memory().numTensors, before);
});

test("grouped 1×1 conv rejects mismatched shapes with a clear message", () => {
  const x = tf.zeros([1, 2, 2, 10]) as tf.Tensor4D;
  const w = tf.zeros([3, 4, 2]) as tf.Tensor3D;
  assert.throws(() => groupedPointwiseConv(x, w), /10 channels but weights expect 3 groups × 4 = 12/);
  tf.dispose([x, w]);
});

test("uneven plan: the worked example 1020 channels, Ch = 16, 250 filters", () => {
  const p = unevenGroupedPlan(1020, 250, 16);
  assert.equal(p.paddedChannels, 1024);
  assert.equal(p.groups, 64);
  assert.equal(p.filtersPerGroup, 3);
  assert.equal(p.mainFilters, 192);
  assert.equal(p.oneFilterGroups, 58);
  assert.deepEqual(p.replicated, [
    { padded: 1020, source: 0 },
    { padded: 1021, source: 1 },
    { padded: 1022, source: 2 },
    { padded: 1023, source: 3 },
  ]);
  assert.equal(p.wiring.length, 64 + 58);
  assert.equal(p.wiring.filter((g) => g.oneFilter).length, 58);
  // The last main group reads channels 1008..1019 and the copies of 0..3.
  assert.deepEqual(p.wiring[63].inputs, [...Array.from({ length: 12 }, (_, i) => 1008 + i), 0, 1, 2, 3]);
  assert.deepEqual(p.wiring[63].outputs, [189, 190, 191]);
  // One-filter group e reads the channels of main group e and writes output 192 + e.
  assert.deepEqual(
    p.wiring[64 + 57].inputs,
    Array.from({ length: 16 }, (_, i) => 57 * 16 + i),
  );
  assert.deepEqual(p.wiring[64 + 57].outputs, [249]);
  const allOutputs = p.wiring.flatMap((g) => g.outputs).sort((a, b) => a - b);
  assert.deepEqual(
    allOutputs,
    Array.from({ length: 250 }, (_, i) => i),
  );
  assert.equal(p.weightCount, 250 * 16);
});

test("uneven plan: group count capped at the filter count widens the groups", () => {
  const p = unevenGroupedPlan(40, 3, 8); // 5 groups wanted, only 3 filters → 3 groups of ceil(40/3) = 14
  assert.equal(p.groups, 3);
  assert.equal(p.channelsPerGroup, 14);
  assert.equal(p.paddedChannels, 42);
  assert.equal(p.filtersPerGroup, 1);
  assert.equal(p.oneFilterGroups, 0);
});

test("uneven plan: clear errors for Ch ≤ 0, Ch > channels, non-integers", () => {
  assert.throws(() => unevenGroupedPlan(64, 32, 0), /channelsPerGroup \(Ch\) must be a positive integer, got 0/);
  assert.throws(() => unevenGroupedPlan(64, 32, -4), /positive integer, got -4/);
  assert.throws(() => unevenGroupedPlan(64, 32, 65), /Ch\) = 65 exceeds the 64 input channels/);
  assert.throws(() => unevenGroupedPlan(64, 32, 2.5), /positive integer, got 2.5/);
  assert.throws(() => unevenGroupedPlan(64.5, 32, 4), /inChannels must be a positive integer/);
  assert.throws(() => unevenGroupedPlan(64, NaN, 4), /filters must be a positive integer, got NaN/);
});

test("uneven layer equals a dense 1×1 conv with its block-sparse matrix (non-divisible case)", () => {
  const before = tf.memory().numTensors;
  const layer = new UnevenGroupedPointwise(21, 11, 4, { seed: 3 }); // 6 groups, pad 21→24, 1 filter each + 5 one-filter groups
  assert.equal(layer.plan.groups, 6);
  assert.equal(layer.plan.oneFilterGroups, 5);
  tf.tidy(() => layer.bias!.assign(randomTensor([11], 9) as tf.Tensor1D));
  const x = randomTensor([2, 3, 3, 21], 4) as tf.Tensor4D;
  const m = layer.denseMatrix();
  // Block-sparse: output 0 (group 0) sees only inputs 0..3.
  for (let i = 4; i < 21; i++) assert.equal(m[i * 11 + 0], 0);
  assert.notEqual(m[0 * 11 + 0], 0);
  // Output 5 (group 5) reads 20 and the copies of 0, 1, 2: rows 0..2 hold its weights, rows 3..19 are zero.
  for (let i = 3; i < 20; i++) assert.equal(m[i * 11 + 5], 0);
  const y = layer.apply(x);
  const ref = tf.tidy(() => tf.add(tf.conv2d(x, tf.tensor4d(m, [1, 1, 21, 11]), 1, "valid"), layer.bias!));
  assert.ok(maxAbsDiff(y, ref) < 1e-5);
  tf.dispose([x, y, ref]);
  layer.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test("interleave permutation and its gradient", () => {
  assert.deepEqual(interleavePermutation(7, 3), [0, 3, 6, 1, 4, 2, 5]);
  assert.deepEqual(interleavePermutation(6, 2), [0, 2, 4, 1, 3, 5]);
  const before = tf.memory().numTensors;
  const p = new ChannelPermutation(interleavePermutation(7, 3));
  const x = randomTensor([1, 2, 2, 7], 5);
  const y = p.apply(x);
  const xv = x.arraySync() as number[][][][],
    yv = y.arraySync() as number[][][][];
  assert.equal(yv[0][1][0][2], xv[0][1][0][6]);
  const coeff = randomTensor([1, 2, 2, 7], 6);
  const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(p.apply(a), coeff)))(x);
  // d/dx[c] of Σ_k coeff[k]·x[perm[k]] = coeff[inv[c]]: channel 6 sits at position 2.
  assert.ok(
    Math.abs((g.arraySync() as number[][][][])[0][1][1][6] - (coeff.arraySync() as number[][][][])[0][1][1][2]) < 1e-6,
  );
  tf.dispose([x, y, coeff, g]);
  p.dispose();
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => new ChannelPermutation([0, 0, 1]), /not a permutation/);
});

test("IGPC equals a dense 1×1 conv with its equivalent matrix; wiring and costs", () => {
  const before = tf.memory().numTensors;
  const layer = new InterleavedGroupedPointwise(40, 24, 8, { seed: 7 }); // K: 5 groups (4 filters + 4 one-filter); L: 24→24, 3 groups × 8
  assert.ok(layer.l, "L present for a non-expanding layer");
  tf.tidy(() => {
    layer.k.bias!.assign(randomTensor([24], 10) as tf.Tensor1D);
    layer.l!.bias!.assign(randomTensor([24], 11) as tf.Tensor1D);
  });
  const x = randomTensor([2, 3, 3, 40], 8) as tf.Tensor4D;
  const { matrix, bias } = layer.denseEquivalent();
  const y = layer.apply(x);
  const ref = tf.tidy(() => tf.add(tf.conv2d(x, tf.tensor4d(matrix, [1, 1, 40, 24]), 1, "valid"), tf.tensor1d(bias)));
  assert.ok(maxAbsDiff(y, ref) < 1e-4);
  const w = layer.wiring();
  assert.deepEqual(w.interleave, interleavePermutation(24, 3));
  // L group 0 reads L positions 0..7 = K outputs 0, 3, 6, … (one from each K group block).
  assert.deepEqual(w.l!.groups[0].inputs, [0, 3, 6, 9, 12, 15, 18, 21]);
  const c = layer.cost();
  assert.equal(c.macsPerPixel, (40 * 24) / 5 + 24 * 8); // K: every filter reads 8 channels; L: every filter reads 8
  assert.equal(c.params, c.macsPerPixel + 48);
  assert.equal(c.denseMacsPerPixel, 960);
  // Trains: gradient reaches every variable.
  const { grads, value } = tf.variableGrads(() => tf.sum(tf.square(layer.apply(x))), layer.trainableVariables);
  assert.equal(Object.keys(grads).length, layer.trainableVariables.length);
  for (const g of Object.values(grads)) assert.ok(tf.tidy(() => tf.sum(tf.abs(g)).dataSync()[0]) > 0);
  tf.dispose([x, y, ref, value, ...Object.values(grads)]);
  layer.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test("IGPC on the worked example: K's plan, L's plan, and expansion skips L", () => {
  const layer = new InterleavedGroupedPointwise(1020, 250, 16, { seed: 1, useBias: false });
  const w = layer.wiring();
  assert.equal(w.k.paddedChannels, 1024);
  assert.equal(w.k.groups.filter((g) => !g.oneFilter).length, 64);
  assert.equal(w.k.groups.filter((g) => g.oneFilter).length, 58);
  assert.equal(layer.l!.plan.paddedChannels, 256); // 250 → 16 groups × 16
  assert.equal(layer.l!.plan.oneFilterGroups, 250 % 16);
  assert.equal(layer.cost().macsPerPixel, 250 * 16 + 250 * 16);
  layer.dispose();
  const expanding = new InterleavedGroupedPointwise(32, 64, 8);
  assert.equal(expanding.l, null);
  expanding.dispose();
  assert.throws(() => new InterleavedGroupedPointwise(8, 16, 8, { interGroup: "always" }), /layer L impossible/);
});
