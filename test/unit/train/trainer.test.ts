import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs"; // registers the gradients (tfjs-core's Node bundle has none)
import { initBackend } from "../../../loaders/backend.js";
import type { Dataset } from "../../../src/lib/data/dataset.js";
import { createModel, modelNames } from "../../../src/lib/models/registry.js";
import {
  REFERENCE_CONVS,
  ReferenceNet,
  torchDefaultUniform,
  referenceTensorSeed,
} from "../../../src/lib/models/reference.js";
import { mulberry32 } from "../../../src/lib/random.js";
import { softmaxCrossEntropy } from "../../../src/lib/train/loss.js";
import { Adam, clipByGlobalNorm, SgdMomentum } from "../../../src/lib/train/optimizers.js";
import { epochOrder, shardBatch, stepRandom } from "../../../src/lib/train/seeds.js";
import { learningRateAt, resolveSettings } from "../../../src/lib/train/settings.js";
import { trainInProcess } from "../../../src/lib/train/local.js";
import { computeGradients } from "../../../src/lib/train/gradients.js";

await initBackend(); // wasm + the project's training kernels: the engine the trainer really runs on

const input = { height: 8, width: 8, channels: 1, classes: 3 };

/** A learnable toy task on 8×8 images: class 0 dark, class 1 bright, class 2 bright left half. */
function toyDataset(count: number, seed: number): Dataset {
  const random = mulberry32(seed);
  const make = (n: number) => {
    const images = new Uint8Array(n * 64);
    const labels = new Uint8Array(n);
    for (let k = 0; k < n; k++) {
      const label = k % 3;
      labels[k] = label;
      for (let y = 0; y < 8; y++)
        for (let x = 0; x < 8; x++) {
          const bright = label === 1 || (label === 2 && x < 4);
          images[k * 64 + y * 8 + x] = Math.round((bright ? 180 : 20) + random() * 60);
        }
    }
    return { images, labels, count: n };
  };
  return { name: "toy", ...input, train: make(count), test: make(30) };
}

const weightsOf = (m: { trainableVariables: tf.Variable[] }) =>
  m.trainableVariables.map((v) => Array.from(v.dataSync()));

test("the registry builds the reference net and rejects unknown names and options", () => {
  assert.ok(modelNames().includes("reference"));
  const before = tf.memory().numTensors;
  const model = createModel({ name: "reference" }, input, 1);
  assert.equal(model.name, "reference");
  assert.equal(model.trainableVariables.length, 8);
  model.dispose();
  assert.equal(tf.memory().numTensors, before, "model create + dispose leaks tensors");
  assert.throws(() => createModel({ name: "nope" }, input, 1), /unknown model "nope"/);
  assert.throws(() => createModel({ name: "reference", width: 3 }, input, 1), /unknown option "width"/);
  assert.throws(() => createModel({ name: "reference" }, { ...input, height: 4 }, 1), /at least 8×8/);
});

test("reference init is PyTorch's U(±1/√fan_in), drawn in [out, in, kh, kw] order", () => {
  const net = new ReferenceNet({ height: 28, width: 28, channels: 1, classes: 10 }, 42);
  const w2 = net.parameters.conv2.weight;
  assert.deepEqual(w2.shape, [5, 5, 16, 32]);
  const fanIn = 16 * 25;
  const torchOrder = torchDefaultUniform(referenceTensorSeed(42, 1, false), 32 * fanIn, fanIn);
  const tfjs = w2.dataSync();
  // element [o=7, i=3, y=2, x=4] in PyTorch's layout sits at [y, x, i, o] in tfjs's
  const [o, i, y, x] = [7, 3, 2, 4];
  assert.equal(tfjs[((y * 5 + x) * 16 + i) * 32 + o], torchOrder[((o * 16 + i) * 5 + y) * 5 + x]);
  for (const [name, v] of net.parameterNames.map((n, k) => [n, net.trainableVariables[k]] as const)) {
    const fan = name.startsWith("dense") ? 64 : name.startsWith("conv1") ? 9 : name.startsWith("conv2") ? 400 : 800;
    const values = Array.from(v.dataSync());
    const max = values.reduce((a, b) => Math.max(a, Math.abs(b)), 0);
    assert.ok(max <= 1 / Math.sqrt(fan), `${name} exceeds the bound`);
    assert.ok(max > 0.8 / Math.sqrt(fan), `${name} does not fill its range`);
  }
  net.dispose();
});

/** The reference forward pass written out with loops, independent of tfjs. */
function naiveReferenceForward(net: ReferenceNet, image: Float32Array, h: number, w: number): number[] {
  let act = Array.from(image, (v) => v * 2 - 1);
  let [H, W, C] = [h, w, 1];
  const clamp = (v: number, hi: number) => Math.min(hi, Math.max(0, v));
  for (const conv of REFERENCE_CONVS) {
    const { weight, bias } = net.parameters[conv.name];
    const k = conv.kernel,
      out = conv.outChannels,
      f = weight.dataSync(),
      b = bias.dataSync();
    const next = new Array(H * W * out).fill(0);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++)
        for (let o = 0; o < out; o++) {
          let s = b[o];
          for (let dy = 0; dy < k; dy++)
            for (let dx = 0; dx < k; dx++)
              for (let c = 0; c < C; c++) {
                const sy = clamp(y + dy - conv.pad, H - 1),
                  sx = clamp(x + dx - conv.pad, W - 1);
                s += act[(sy * W + sx) * C + c] * f[((dy * k + dx) * C + c) * out + o];
              }
          next[(y * W + x) * out + o] = Math.max(0, s);
        }
    const [PH, PW] = [Math.floor(H / 2), Math.floor(W / 2)];
    const pooled = new Array(PH * PW * out).fill(0);
    for (let y = 0; y < PH; y++)
      for (let x = 0; x < PW; x++)
        for (let o = 0; o < out; o++) {
          pooled[(y * PW + x) * out + o] =
            (next[(2 * y * W + 2 * x) * out + o] +
              next[(2 * y * W + 2 * x + 1) * out + o] +
              next[((2 * y + 1) * W + 2 * x) * out + o] +
              next[((2 * y + 1) * W + 2 * x + 1) * out + o]) /
            4;
        }
    act = pooled;
    [H, W, C] = [PH, PW, out];
  }
  const dw = net.parameters.dense.weight.dataSync(),
    db = net.parameters.dense.bias.dataSync();
  const classes = db.length;
  return Array.from({ length: classes }, (_, j) => {
    let s = db[j];
    for (let c = 0; c < C; c++) s += act[c] * dw[c * classes + j];
    return s;
  });
}

test("reference forward pass matches a loop implementation (edge padding, pooling, [0,0] features)", () => {
  const [h, w] = [12, 10];
  const net = new ReferenceNet({ height: h, width: w, channels: 1, classes: 4 }, 7);
  const random = mulberry32(3);
  const image = new Float32Array(h * w).map(() => random());
  const logits = tf.tidy(() => net.apply(tf.tensor4d(image, [1, h, w, 1]), { training: false }).dataSync());
  const expected = naiveReferenceForward(net, image, h, w);
  expected.forEach((v, j) => assert.ok(Math.abs(logits[j] - v) < 1e-4, `logit ${j}: ${logits[j]} vs ${v}`));
  net.dispose();
});

test("softmax cross-entropy equals −log softmax of the true class, averaged", () => {
  const rows = [
    [1, 2, 3],
    [0.5, -1, 0],
  ];
  const labels = [2, 0];
  const expected = rows.map((r, k) => Math.log(r.reduce((a, v) => a + Math.exp(v), 0)) - r[labels[k]]);
  const got = tf.tidy(
    () =>
      softmaxCrossEntropy(
        tf.tensor2d(rows),
        tf.oneHot(tf.tensor1d(labels, "int32"), 3).toFloat() as tf.Tensor2D,
      ).dataSync()[0],
  );
  assert.ok(Math.abs(got - (expected[0] + expected[1]) / 2) < 1e-6);
});

test("Adam's first step moves each weight by lr·sign(g); SGD momentum accumulates", () => {
  const v = tf.variable(tf.tensor1d([1, -2, 3]));
  const adam = new Adam([v]);
  const g = tf.tensor1d([0.5, -4, 1e-3]);
  adam.step([g], 0.1);
  const after = Array.from(v.dataSync());
  [0.9, -1.9, 2.9].forEach((e, i) => assert.ok(Math.abs(after[i] - e) < 1e-4, `adam[${i}] ${after[i]} vs ${e}`));
  // second step with the same gradient: m̂ = g, v̂ = g² again → another lr·sign(g)
  adam.step([g], 0.1);
  [0.8, -1.8, 2.8].forEach((e, i) => assert.ok(Math.abs(v.dataSync()[i] - e) < 1e-4));
  adam.dispose();

  const u = tf.variable(tf.tensor1d([1, 1]));
  const sgd = new SgdMomentum([u], 0.9);
  const gu = tf.tensor1d([1, -2]);
  sgd.step([gu], 0.1); // u = 1 − 0.1·g
  sgd.step([gu], 0.1); // velocity 1.9·g → u −= 0.19·g
  const expected = [1 - 0.29 * 1, 1 + 0.29 * 2];
  expected.forEach((e, i) => assert.ok(Math.abs(u.dataSync()[i] - e) < 1e-6));
  assert.throws(() => sgd.step([tf.tensor1d([1])], 0.1), /shape/);
  sgd.dispose();
  tf.dispose([v, g, u, gu]);
});

test("clipNorm scales a gradient down to the global norm, leaves a smaller one alone, and is validated", () => {
  // Global norm of (3, 4) and (12) is 13; clipped to 6.5 every entry halves.
  const a = tf.variable(tf.tensor1d([0, 0])),
    b = tf.variable(tf.tensor1d([0]));
  const ga = tf.tensor1d([3, 4]),
    gb = tf.tensor1d([12]);
  const clipped = new SgdMomentum([a, b], 0, 6.5);
  clipped.step([ga, gb], 1);
  assert.deepEqual(
    Array.from(a.dataSync()).map((x) => +x.toFixed(4)),
    [-1.5, -2],
  );
  assert.deepEqual(
    Array.from(b.dataSync()).map((x) => +x.toFixed(4)),
    [-6],
  );
  const loose = new SgdMomentum([a, b], 0, 100); // 13 < 100: unchanged gradient
  loose.step([ga, gb], 1);
  assert.deepEqual(
    Array.from(a.dataSync()).map((x) => +x.toFixed(4)),
    [-4.5, -6],
  );
  // Adam's first step is lr·sign(g) whatever the scale, so clipping must not change its direction.
  const c = tf.variable(tf.tensor1d([0, 0]));
  const adam = new Adam([c], { clipNorm: 1e-3 });
  adam.step([ga], 0.1);
  assert.deepEqual(
    Array.from(c.dataSync()).map((x) => +x.toFixed(4)),
    [-0.1, -0.1],
  );
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    clipByGlobalNorm([ga, gb], 1);
  });
  assert.equal(tf.memory().numTensors, before);
  assert.throws(
    () => resolveSettings({ clipNorm: -1 }),
    /clipNorm must be a non-negative number \(0 = no clipping\), got -1/,
  );
  for (const o of [clipped, loose, adam]) o.dispose();
  tf.dispose([a, b, c, ga, gb]);
});

test("seeded batch order, shards and the step schedule", () => {
  const a = epochOrder(5, 0, 100),
    b = epochOrder(5, 0, 100),
    c = epochOrder(5, 1, 100);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.deepEqual(
    Array.from(a).sort((x, y) => x - y),
    Array.from({ length: 100 }, (_, i) => i),
  );
  const shards = shardBatch(new Int32Array([1, 2, 3, 4, 5]), 2);
  assert.deepEqual(
    shards.map((s) => Array.from(s)),
    [
      [1, 2, 3],
      [4, 5],
    ],
  );
  assert.equal(stepRandom(1, 9)(), stepRandom(1, 9)());
  assert.notEqual(stepRandom(1, 9)(), stepRandom(1, 10)());
  const s = resolveSettings({ learningRate: 0.01, lrGamma: 0.5, lrStepEpochs: 2 });
  assert.deepEqual(
    [0, 1, 2, 3, 4].map((e) => learningRateAt(s, e)),
    [0.01, 0.01, 0.005, 0.005, 0.0025],
  );
  assert.throws(() => resolveSettings({ batchSize: 0 }), /batchSize must be a positive integer, got 0/);
  assert.throws(() => resolveSettings({ optimizer: "rmsprop" as "adam" }), /optimizer must be "adam" or "sgd"/);
  assert.throws(() => resolveSettings({ learningRate: Number.NaN }), /learningRate/);
});

test("gradients of the whole batch equal the size-weighted mean of shard gradients", () => {
  const data = toyDataset(12, 4);
  const model = createModel({ name: "reference" }, input, 3);
  const all = new Int32Array([0, 1, 2, 3, 4, 5, 6]);
  const grads = (idx: Int32Array) =>
    tf.tidy(() => {
      const imgs = tf.tensor4d(
        Array.from(idx).flatMap((i) => Array.from(data.train.images.subarray(i * 64, i * 64 + 64), (p) => p / 255)),
        [idx.length, 8, 8, 1],
      );
      const oneHot = tf
        .oneHot(
          tf.tensor1d(
            Array.from(idx, (i) => data.train.labels[i]),
            "int32",
          ),
          3,
        )
        .toFloat() as tf.Tensor2D;
      return computeGradients(model, imgs, oneHot, { training: true }).gradients.map((g) => Array.from(g.dataSync()));
    });
  const full = grads(all);
  const [a, b] = shardBatch(all, 2).map(grads);
  full.forEach((g, v) =>
    g.forEach((x, j) => {
      const combined = (4 * a[v][j] + 3 * b[v][j]) / 7;
      assert.ok(Math.abs(x - combined) < 1e-5 + 1e-4 * Math.abs(x), `variable ${v}[${j}]`);
    }),
  );
  model.dispose();
});

test("training is deterministic given the seed, learns the toy task, and leaks no tensor", async () => {
  const data = toyDataset(96, 11);
  const settings = resolveSettings({ seed: 9, epochs: 4, batchSize: 16, learningRate: 0.01, lrStepEpochs: 2 });
  const run = async (seed: number) => {
    const model = createModel({ name: "reference" }, input, seed);
    const before = tf.memory().numTensors;
    const result = await trainInProcess(model, data, { ...settings, seed });
    const leaked = tf.memory().numTensors - before;
    const weights = weightsOf(model);
    model.dispose();
    return { result, weights, leaked };
  };
  const first = await run(9);
  const second = await run(9);
  const other = await run(10);
  assert.equal(first.leaked, 0);
  assert.deepEqual(first.weights, second.weights);
  assert.notDeepEqual(first.weights, other.weights);
  assert.equal(first.result.epochs.length, 4);
  assert.ok(first.result.epochs[3].trainLoss < first.result.epochs[0].trainLoss, "loss did not fall");
  assert.ok(first.result.final.accuracy >= 0.9, `accuracy ${first.result.final.accuracy}`);
  assert.equal(first.result.final.count, 30);
  assert.deepEqual(
    first.result.epochs.map((e) => e.learningRate),
    [0.01, 0.01, 0.005, 0.005],
  );
});
