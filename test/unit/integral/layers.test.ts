import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
// tfjs-core's Node bundle registers no gradients; the tfjs union package does (into the shared registry).
import "@tensorflow/tfjs";
import { initBackend } from "../../../loaders/backend.js";
import { ChannelGroups } from "../../../src/lib/integral/groups.js";
import {
  IntegralConv2d,
  IntegralDense,
  IntegralDepthwiseConv2d,
  IntegralPointwiseConv2d,
  type IntegralLayer,
} from "../../../src/lib/integral/layers.js";
import { edgePad } from "../../../src/lib/ops/edge-pad.js";
import { mulberry32, type Random } from "../../../src/lib/random.js";

before(async () => {
  await initBackend("cpu");
});

function randomTensor(random: Random, shape: number[]): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => random() * 2 - 1),
    shape,
  );
}

function maxRelativeDiff(a: tf.Tensor, b: tf.Tensor): number {
  assert.deepEqual(a.shape, b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < x.length; i++) {
    diff = Math.max(diff, Math.abs(x[i] - y[i]));
    scale = Math.max(scale, Math.abs(y[i]));
  }
  return diff / scale;
}

test("full-size integral layers reproduce the discrete layers they were initialised from", () => {
  const random = mulberry32(21);
  const start = tf.memory().numTensors;
  const groups = new ChannelGroups([
    { id: "image", size: 1 },
    { id: "a", size: 8, range: { min: 2, max: 8 } },
    { id: "b", size: 6, range: { min: 2, max: 6 } },
    { id: "rgb", size: 3 },
  ]);
  const sizes = groups.sizes;
  const cases: [
    string,
    IntegralLayer,
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
    (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  ][] = [];
  const add = (
    label: string,
    layer: IntegralLayer,
    wShape: number[],
    xShape: number[],
    ref: (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  ) => {
    const w = randomTensor(random, wShape);
    const b = randomTensor(random, [wShape[wShape.length - 1] === 1 ? wShape[2] : wShape[wShape.length - 1]]);
    layer.setFromDiscrete(w, b);
    cases.push([label, layer, w, b, randomTensor(random, xShape), ref]);
  };
  add(
    "conv 3×3 image→a (no quadrature), edge pad",
    new IntegralConv2d(groups, { id: "c1", inGroup: "image", outGroup: "a", kernelSize: 3 }),
    [3, 3, 1, 8],
    [2, 7, 7, 1],
    (x, w, b) => tf.add(tf.conv2d(edgePad(x as tf.Tensor4D, 1), w as tf.Tensor4D, 1, "valid"), b),
  );
  add(
    "conv 5×5 a→b (trapezoid), edge pad 2, relu",
    new IntegralConv2d(groups, { id: "c2", inGroup: "a", outGroup: "b", kernelSize: 5, activation: "relu" }),
    [5, 5, 8, 6],
    [2, 9, 9, 8],
    (x, w, b) => tf.relu(tf.add(tf.conv2d(edgePad(x as tf.Tensor4D, 2), w as tf.Tensor4D, 1, "valid"), b)),
  );
  add(
    "conv 3×3 rgb→a stride 2 same",
    new IntegralConv2d(groups, { id: "c3", inGroup: "rgb", outGroup: "a", stride: 2, padding: "same" }),
    [3, 3, 3, 8],
    [1, 8, 8, 3],
    (x, w, b) => tf.add(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, "same"), b),
  );
  add(
    "point-wise a→b",
    new IntegralPointwiseConv2d(groups, { id: "pw", inGroup: "a", outGroup: "b" }),
    [1, 1, 8, 6],
    [2, 4, 4, 8],
    (x, w, b) => tf.add(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "valid"), b),
  );
  add(
    "depth-wise 3×3 on a",
    new IntegralDepthwiseConv2d(groups, { id: "dw", group: "a" }),
    [3, 3, 8, 1],
    [2, 6, 6, 8],
    (x, w, b) => tf.add(tf.depthwiseConv2d(edgePad(x as tf.Tensor4D, 1), w as tf.Tensor4D, 1, "valid"), b),
  );
  add("dense a→b", new IntegralDense(groups, { id: "fc", inGroup: "a", outGroup: "b" }), [8, 6], [5, 8], (x, w, b) =>
    tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b),
  );

  for (const [label, layer, w, b, x, ref] of cases) {
    const discrete = layer.discreteWeights(sizes, false);
    assert.ok(maxRelativeDiff(discrete.weight, w) < 1e-6, `${label}: weights`);
    assert.ok(maxRelativeDiff(discrete.bias!, b) < 1e-6, `${label}: bias`);
    const got = tf.tidy(() => (layer as IntegralConv2d).apply(x as tf.Tensor4D, sizes, false));
    const want = tf.tidy(() => ref(x, w, b));
    const d = maxRelativeDiff(got, want);
    assert.ok(d < 1e-6, `${label}: outputs differ by ${d} (relative)`);
    tf.dispose([got, want, w, b, x]);
    layer.dispose();
  }
  groups.dispose();
  assert.equal(tf.memory().numTensors, start);
});

test("a resampled layer keeps scale: interior weights of a constant function grow by (n − 1)/(m − 1)", () => {
  const groups = new ChannelGroups([
    { id: "in", size: 9 },
    { id: "out", size: 4 },
  ]);
  const layer = new IntegralDense(groups, {
    id: "fc",
    inGroup: "in",
    outGroup: "out",
    bias: false,
    initialWeight: new Float32Array(36).fill(0.5),
  });
  groups.resample({ in: 5 });
  const w = layer.discreteWeights(groups.sizes, false).weight;
  assert.deepEqual(w.shape, [5, 4]);
  const v = w.arraySync() as number[][];
  for (let o = 0; o < 4; o++) {
    for (let i = 1; i < 4; i++)
      assert.ok(Math.abs(v[i][o] - 0.5 * (8 / 4)) < 1e-6, `interior [${i}, ${o}] = ${v[i][o]}`);
    assert.ok(Math.abs(v[0][o] - 0.5) < 1e-6 && Math.abs(v[4][o] - 0.5) < 1e-6, "ends carry half a trapezoid");
  }
  // Σ_i W_d[i, o] approximates V · ∫ W dx = 4 · 0.5 · 2 = 4 at every size.
  for (const m of [2, 3, 9]) {
    groups.resample({ in: m });
    const sum = tf.tidy(() => tf.sum(layer.discreteWeights(groups.sizes, false).weight, 0).dataSync());
    sum.forEach((s) => assert.ok(Math.abs(s - 4) < 1e-5, `m=${m}: column sum ${s}`));
  }
  layer.dispose();
  groups.dispose();
});

test("cached discrete weights: reused at equal sizes, replaced on resample, dropped in training; no leaks", () => {
  const random = mulberry32(22);
  const start = tf.memory().numTensors;
  const groups = new ChannelGroups([
    { id: "in", size: 6, range: { min: 2, max: 6 } },
    { id: "out", size: 5, range: { min: 2, max: 5 } },
  ]);
  const initial = randomTensor(random, [3, 3, 6, 5]);
  const layer = new IntegralConv2d(groups, { id: "c", inGroup: "in", outGroup: "out", initialWeight: initial });
  initial.dispose();
  const a = layer.discreteWeights(groups.sizes, false);
  assert.equal(layer.discreteWeights(groups.sizes, false).weight, a.weight);
  groups.resample({ in: 3, out: 4 });
  const b = layer.discreteWeights(groups.sizes, false);
  assert.notEqual(b.weight, a.weight);
  assert.deepEqual(b.weight.shape, [3, 3, 3, 4]);
  assert.ok(a.weight.isDisposed);
  const x = randomTensor(random, [1, 5, 5, 3]) as tf.Tensor4D;
  const y = layer.apply(x, groups.sizes, true);
  assert.deepEqual(y.shape, [1, 5, 5, 4]);
  assert.ok(b.weight.isDisposed, "a training pass drops the cache");
  tf.dispose([x, y]);
  layer.dispose();
  groups.dispose();
  assert.equal(tf.memory().numTensors, start);
  assert.throws(() => groups.resample({ in: 7 }), /group "in" size must be an integer in \[1, 6\], got 7/);
});

test("the cache keys a concatenated group on every part's size, not their sum", () => {
  const random = mulberry32(23);
  const start = tf.memory().numTensors;
  const groups = new ChannelGroups(
    [
      { id: "p", size: 8, range: { min: 2, max: 8 } },
      { id: "q", size: 8, range: { min: 2, max: 8 } },
      { id: "out", size: 3 },
    ],
    [{ id: "cat", parts: ["p", "q"] }],
  );
  const initial = randomTensor(random, [16, 3]);
  const layer = new IntegralDense(groups, { id: "d", inGroup: "cat", outGroup: "out", initialWeight: initial });
  initial.dispose();
  layer.discreteWeights({ p: 4, q: 8, out: 3 }, false);
  const cached = layer.discreteWeights({ p: 8, q: 4, out: 3 }, false).weight.clone();
  const fresh = tf.tidy(() => tf.keep(layer.discreteWeights({ p: 8, q: 4, out: 3 }, true).weight));
  assert.equal(maxRelativeDiff(cached, fresh), 0);
  tf.dispose([cached, fresh]);
  layer.dispose();
  groups.dispose();
  assert.equal(tf.memory().numTensors, start);
});

test("assigning new nodes (a loaded file, an optimizer step) replaces cached discrete weights", () => {
  const random = mulberry32(24);
  const start = tf.memory().numTensors;
  const groups = new ChannelGroups([
    { id: "in", size: 6, range: { min: 2, max: 6 } },
    { id: "out", size: 5 },
  ]);
  const initial = randomTensor(random, [6, 5]);
  const layer = new IntegralDense(groups, { id: "d", inGroup: "in", outGroup: "out", initialWeight: initial });
  const before = layer.discreteWeights({ in: 4, out: 5 }, false).weight;
  const old = before.clone();
  const other = randomTensor(random, [6, 5]);
  layer.weightNodes.assign(other);
  const after = layer.discreteWeights({ in: 4, out: 5 }, false).weight.clone();
  assert.ok(before.isDisposed, "the stale weights are freed");
  const fresh = tf.tidy(() => tf.keep(layer.discreteWeights({ in: 4, out: 5 }, true).weight));
  assert.equal(maxRelativeDiff(after, fresh), 0);
  assert.ok(maxRelativeDiff(old, fresh) > 0.1, "the new nodes give other weights");
  tf.dispose([initial, other, fresh, old, after]);
  layer.dispose();
  groups.dispose();
  assert.equal(tf.memory().numTensors, start);
});

test("a Simpson group refuses fewer than 3 channels at construction, in its range and at resample", () => {
  const groups = new ChannelGroups([{ id: "s", size: 8, range: { min: 3, max: 8 }, quadrature: "simpson" }]);
  assert.throws(
    () => groups.resample({ s: 2 }),
    /ChannelGroups.resample: group "s" uses the simpson rule, which needs at least 3 channels, got 2/,
  );
  groups.resample({ s: 3 });
  assert.equal(groups.sizes.s, 3);
  assert.throws(
    () => new ChannelGroups([{ id: "s", size: 8, range: { min: 2, max: 8 }, quadrature: "simpson" }]),
    /group "s" uses the simpson rule, which needs at least 3 channels, but its training range starts at 2/,
  );
  assert.throws(
    () => new ChannelGroups([{ id: "t", size: 1, quadrature: "trapezoid" }]),
    /group "t" uses the trapezoid rule, which needs at least 2 channels, but has 1 nodes/,
  );
  groups.dispose();
});

test("gradients to weight nodes, bias nodes and trainable partition points match finite differences", () => {
  const random = mulberry32(23);
  const start0 = tf.memory().numTensors;
  const groups = new ChannelGroups([
    { id: "in", size: 7 },
    { id: "out", size: 5 },
  ]);
  const [w0, b0] = [randomTensor(random, [3, 3, 7, 5]), randomTensor(random, [5])];
  const layer = new IntegralConv2d(groups, {
    id: "c",
    inGroup: "in",
    outGroup: "out",
    kernelSize: 3,
    initialWeight: w0,
    initialBias: b0,
  });
  tf.dispose([w0, b0]);
  groups.resample({ in: 4, out: 3 });
  const partition = groups.enableTrainablePartition("in");
  tf.tidy(() => partition.raw.assign(tf.tensor1d([0.3, -0.2, 0.1])));
  const x = randomTensor(random, [2, 4, 4, 4]) as tf.Tensor4D;
  const c = randomTensor(random, [2, 4, 4, 3]);
  const loss = () => tf.sum(tf.mul(layer.apply(x, groups.sizes, true), c)) as tf.Scalar;
  const vars = [layer.weightNodes, layer.biasNodes!, partition.raw];
  tf.tidy(() => {
    loss();
  }); // warm the groups' cache of constant samplings
  const start = tf.memory().numTensors;
  const { value, grads } = tf.variableGrads(loss, vars);
  const g = vars.map((v) => Array.from(grads[v.name].dataSync()));
  tf.dispose([value, grads]);
  assert.equal(tf.memory().numTensors, start);
  const evaluate = () => tf.tidy(() => loss().dataSync()[0]);
  vars.forEach((v, k) => {
    const base = Float32Array.from(v.dataSync());
    const pick = [0, 1, 2, Math.floor(base.length / 2), base.length - 1].filter(
      (i, j, arr) => i < base.length && arr.indexOf(i) === j,
    );
    for (const i of pick) {
      const h = 1e-2;
      const at = (d: number) => {
        const values = base.slice();
        values[i] += d;
        tf.tidy(() => v.assign(tf.tensor(values, v.shape)));
        return evaluate();
      };
      const fd = (at(h) - at(-h)) / (2 * h);
      tf.tidy(() => v.assign(tf.tensor(base, v.shape)));
      const tol = k === 2 ? 2e-2 * (1 + Math.abs(fd)) : 2e-3 * (1 + Math.abs(fd));
      assert.ok(Math.abs(g[k][i] - fd) < tol, `${v.name}[${i}]: gradient ${g[k][i]} vs finite difference ${fd}`);
    }
  });
  assert.ok(
    g[2].some((v) => Math.abs(v) > 1e-3),
    "partition gradient is not zero",
  );
  tf.dispose([x, c]);
  layer.dispose();
  groups.dispose();
  assert.equal(tf.memory().numTensors, start0);
});
