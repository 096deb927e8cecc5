import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../../loaders/backend.js";
import { buildLayersModel, saveArtifacts, setSeededWeights } from "../../../loaders/layers-models.js";
import { planFromLayersModel } from "../../../src/lib/convert/convert.js";
import { prunedPlanNet, prunePlan } from "../../../src/lib/compression/plan-pruning.js";
import { describePlan } from "../../../src/lib/graph/describe-plan.js";
import { IntegralGraphNet } from "../../../src/lib/graph/graph-net.js";
import { images, netOutput } from "../helpers/layers.js";
import { maxAbsDiff } from "../helpers/tensors.js";

before(async () => {
  await initBackend("cpu");
});

/** The model's weights by name ("<layer>/<weight>"), as tensors the caller disposes. */
function weightsOf(model: tf.LayersModel): Map<string, tf.Tensor> {
  return new Map(model.weights.map((w) => [w.originalName, w.read().clone()]));
}

/** Indices of the k largest values (ties: lower index), ascending. */
function topK(values: ArrayLike<number>, k: number): number[] {
  return Array.from(values, (v, i) => [v, i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, k)
    .map(([, i]) => i)
    .sort((a, b) => a - b);
}

/** L1 norm of each output filter (last axis). */
const filterNorms = (kernel: tf.Tensor) =>
  tf.tidy(() => tf.sum(tf.abs(tf.reshape(kernel, [-1, kernel.shape.at(-1)!])), 0).dataSync());

test("L1-pruned CNN: the kept channels have the largest filter norms, and the pruned net is the tfjs CNN rebuilt at those widths", async () => {
  const start = tf.memory().numTensors;
  const model = buildLayersModel("cnn");
  setSeededWeights(model, 3, true);
  const { plan, params } = planFromLayersModel(await saveArtifacts(model));
  const sizes = { conv1: 5, conv2: 9, fc1: 20 };
  const { net, keep } = prunedPlanNet(plan, params, sizes, "l1");
  const w = weightsOf(model);
  const x = images(2, [28, 28, 1]);
  try {
    const expectedKeep = {
      conv1: topK(filterNorms(w.get("conv1/kernel")!), 5),
      conv2: topK(filterNorms(w.get("conv2/kernel")!), 9),
      fc1: topK(filterNorms(w.get("fc1/kernel")!), 20),
    };
    assert.deepEqual(Object.fromEntries(Object.entries(keep).map(([g, k]) => [g, Array.from(k)])), expectedKeep);
    // The same CNN at widths 5/9/20 with the kept slices of every weight, gathered here with tf ops.
    const small = tf.sequential();
    small.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 5, kernelSize: 3, activation: "relu" }));
    small.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    small.add(tf.layers.conv2d({ filters: 9, kernelSize: 3, padding: "same", activation: "relu" }));
    small.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    small.add(tf.layers.flatten());
    small.add(tf.layers.dense({ units: 20, activation: "relu" }));
    small.add(tf.layers.dense({ units: 10, activation: "softmax" }));
    const gathered = tf.tidy(() => {
      const g = (t: tf.Tensor, idx: number[], axis: number) => tf.gather(t, idx, axis);
      const fc1 = tf.reshape(w.get("fc1/kernel")!, [6, 6, 16, 32]);
      return [
        g(w.get("conv1/kernel")!, expectedKeep.conv1, 3),
        g(w.get("conv1/bias")!, expectedKeep.conv1, 0),
        g(g(w.get("conv2/kernel")!, expectedKeep.conv1, 2), expectedKeep.conv2, 3),
        g(w.get("conv2/bias")!, expectedKeep.conv2, 0),
        tf.reshape(g(g(fc1, expectedKeep.conv2, 2), expectedKeep.fc1, 3), [6 * 6 * 9, 20]),
        g(w.get("fc1/bias")!, expectedKeep.fc1, 0),
        g(w.get("fc2/kernel")!, expectedKeep.fc1, 0),
        w.get("fc2/bias")!.clone(),
      ];
    });
    small.setWeights(gathered);
    const expected = small.predict(x) as tf.Tensor;
    const got = netOutput(net, x, true);
    assert.ok(maxAbsDiff(expected, got) < 1e-6, `pruned net differs by ${maxAbsDiff(expected, got)}`);
    assert.deepEqual(describePlan(plan, sizes).params, describePlan(prunePlan(plan, params, sizes, "l1").plan).params);
    tf.dispose([expected, got, ...gathered]);
    small.dispose();
  } finally {
    tf.dispose([x, ...w.values()]);
    net.dispose();
    model.dispose();
  }
  assert.equal(tf.memory().numTensors, start);
});

test("a group written by two producers (residual add) keeps the channels with the largest summed L1 norm", async () => {
  const model = buildLayersModel("residual");
  setSeededWeights(model, 4, true);
  const { plan, params } = planFromLayersModel(await saveArtifacts(model));
  const w = weightsOf(model);
  const stem = filterNorms(w.get("stem/kernel")!);
  const conv2 = filterNorms(w.get("b1_conv2/kernel")!);
  const summed = Array.from(stem, (v, i) => v + conv2[i]!);
  const { keep } = prunePlan(plan, params, { stem: 6 }, "l1");
  assert.deepEqual(Array.from(keep.stem!), topK(summed, 6));
  // Neither producer alone ranks the channels that way here.
  assert.ok(String(topK(stem, 6)) !== String(topK(summed, 6)) || String(topK(conv2, 6)) !== String(topK(summed, 6)));
  tf.dispose([...w.values()]);
  model.dispose();
});

test("pruning a concatenation's parts: the pruned net equals the original with the dropped channels' consumer weights zeroed", async () => {
  const start = tf.memory().numTensors;
  const model = buildLayersModel("inception");
  setSeededWeights(model, 6, true);
  const { plan, params } = planFromLayersModel(await saveArtifacts(model));
  const sizes = { stem: 10, b1_1x1: 5, b2_reduce: 4, b2_3x3: 11, b3_reduce: 3, b3_5x5: 6, b4_1x1: 2, mix: 20 };
  const { net, keep } = prunedPlanNet(plan, params, sizes, "l1");
  // Each group's consumers, by hand: (layer, input-channel offset). The concatenation's parts sit at 0, 8, 24, 32 of mix.
  const consumers: Record<string, [string, number][]> = {
    stem: [
      ["b1_1x1", 0],
      ["b2_reduce", 0],
      ["b3_reduce", 0],
      ["b4_1x1", 0],
    ],
    b2_reduce: [["b2_3x3", 0]],
    b3_reduce: [["b3_5x5", 0]],
    b1_1x1: [["mix", 0]],
    b2_3x3: [["mix", 8]],
    b3_5x5: [["mix", 24]],
    b4_1x1: [["mix", 32]],
    mix: [["classifier", 0]],
  };
  const full: Record<string, number> = {
    stem: 16,
    b1_1x1: 8,
    b2_reduce: 8,
    b2_3x3: 16,
    b3_reduce: 4,
    b3_5x5: 8,
    b4_1x1: 8,
    mix: 32,
  };
  const masks = new Map<string, Float32Array>();
  for (const [group, list] of Object.entries(consumers))
    for (const [layer, offset] of list) {
      const inChannels = layer === "mix" ? 40 : layer === "classifier" ? 32 : full[group]!;
      const mask = masks.get(layer) ?? new Float32Array(inChannels).fill(1);
      for (let c = 0; c < full[group]!; c++) if (!keep[group]!.includes(c)) mask[offset + c] = 0;
      masks.set(layer, mask);
    }
  const zeroed = model.weights.map((v) => {
    const layer = v.originalName.split("/")[0]!;
    const mask = masks.get(layer);
    const t = v.read();
    if (!mask || !v.originalName.endsWith("kernel")) return t.clone();
    const axis = t.rank - 2;
    const shape = t.shape.map((_, i) => (i === axis ? mask.length : 1));
    return tf.tidy(() => tf.mul(t, tf.tensor(mask, shape)));
  });
  model.setWeights(zeroed);
  const x = images(8, [28, 28, 1]);
  const expected = model.predict(x) as tf.Tensor;
  const got = netOutput(net, x, false);
  const scale = tf.tidy(() => tf.max(tf.abs(expected)).dataSync()[0]!);
  assert.ok(maxAbsDiff(expected, got) < 1e-5 * scale, `differs by ${maxAbsDiff(expected, got)} (scale ${scale})`);
  tf.dispose([x, expected, got, ...zeroed]);
  net.dispose();
  model.dispose();
  assert.equal(tf.memory().numTensors, start);
});

test("pruning to the full sizes is the original net; unknown groups are refused by name", async () => {
  const model = buildLayersModel("mobilenet");
  setSeededWeights(model, 8, true);
  const { plan, params } = planFromLayersModel(await saveArtifacts(model));
  const original = IntegralGraphNet.fromDiscrete(plan, params);
  const full = Object.fromEntries(plan.hidden.map((g) => [g, original.fullSizes[g]!]));
  const { net } = prunedPlanNet(plan, params, full, "l1");
  const x = images(9, [28, 28, 1]);
  const a = original.apply(x, { training: false });
  const b = net.apply(x, { training: false });
  assert.equal(maxAbsDiff(a, b), 0);
  assert.throws(() => prunePlan(plan, params, { classes: 5 }, "l1"), /"classes" is not a resizable group/);
  tf.dispose([x, a, b]);
  net.dispose();
  original.dispose();
  model.dispose();
});
