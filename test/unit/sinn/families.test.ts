import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs";
import { initBackend } from "../../../loaders/backend.js";
import { loadDataset } from "../../../loaders/datasets.js";
import { batchImages, batchLabels, type Dataset } from "../../../src/lib/data/dataset.js";
import { createFamilyModel, familyPlan, SINN_FAMILIES, SINN_VARIANTS } from "../../../src/lib/sinn/families.js";
import { planAccountingTable } from "../../../src/lib/sinn/accounting.js";
import { IntegralGraphNet } from "../../../src/lib/graph/graph-net.js";
import { computeGradients } from "../../../src/lib/train/gradients.js";
import { createOptimizer } from "../../../src/lib/train/optimizers.js";
import { mulberry32, randomInt } from "../../../src/lib/random.js";
import type { ModelDescription } from "../../../src/lib/integral/description.js";

const input = { height: 28, width: 28, channels: 1, classes: 10 };
let mnist: Dataset;
let images: tf.Tensor4D;
let labels: tf.Tensor2D;

before(async () => {
  await initBackend("wasm");
  mnist = loadDataset("mnist");
  const indices = Int32Array.from({ length: 16 }, (_, i) => i);
  images = batchImages(mnist.train, indices, mnist);
  labels = batchLabels(mnist.train, indices, mnist.classes);
});

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** Every node's channels equal its group's size; adds join equal shapes; concats sum their parts. */
function checkConsistent(d: ModelDescription, where: string): void {
  const groupSize = new Map(d.groups.map((g) => [g.id, g.size]));
  const byId = new Map(d.nodes.map((n) => [n.id, n]));
  for (const n of d.nodes) {
    assert.equal(
      n.outputShape[n.outputShape.length - 1],
      groupSize.get(n.group),
      `${where}: node ${n.id} channels vs group ${n.group}`,
    );
    if (n.kind === "add")
      assert.deepEqual(byId.get(n.inputs[0])?.outputShape, byId.get(n.inputs[1])?.outputShape, `${where}: ${n.id}`);
    if (n.kind === "concat") {
      const sum = n.inputs.reduce((a, i) => a + (byId.get(i)?.outputShape[2] ?? 0), 0);
      assert.equal(n.outputShape[2], sum, `${where}: ${n.id}`);
    }
    if (n.layer)
      assert.equal(n.layer.inChannels, byId.get(n.inputs[0])?.outputShape.at(-1), `${where}: ${n.id} input channels`);
  }
}

test("SINN models: resampling to half size and back to full size reproduces the outputs exactly", () => {
  const start = tf.memory().numTensors;
  for (const family of SINN_FAMILIES) {
    const model = createFamilyModel(family, "sinn", input, 7);
    const before = model.apply(images, { training: false });
    model.resample(model.fractionSizes(0.5));
    const half = model.apply(images, { training: false });
    model.resample(model.fractionSizes(1));
    const after = model.apply(images, { training: false });
    assert.equal(maxAbsDiff(before, after), 0, `${family}: full-size outputs changed after a round trip`);
    assert.ok(maxAbsDiff(before, half) > 1e-4, `${family}: half size should differ from full size`);
    tf.dispose([before, half, after]);
    model.dispose();
  }
  assert.equal(tf.memory().numTensors, start);
});

test("every family and variant evaluates at many sizes with every linked group consistent", () => {
  const start = tf.memory().numTensors;
  const random = mulberry32(2);
  const x = tf.tidy(() => tf.slice(images, [0, 0, 0, 0], [4, 28, 28, 1]) as tf.Tensor4D);
  for (const family of SINN_FAMILIES) {
    for (const variant of SINN_VARIANTS) {
      const model = createFamilyModel(family, variant, input, 3);
      const full = model.fullSizes;
      const random1 = Object.fromEntries(model.hiddenGroups.map((g) => [g, randomInt(random, 2, full[g])]));
      for (const sizes of [model.fractionSizes(0.25), model.fractionSizes(0.5), model.fractionSizes(0.8), random1]) {
        const where = `${family}-${variant} at ${JSON.stringify(sizes)}`;
        model.resample(sizes);
        const y = model.apply(x, { training: false });
        assert.deepEqual(y.shape, [4, 10], where);
        assert.ok(tf.tidy(() => tf.all(tf.isFinite(y)).dataSync()[0]) === 1, `${where}: non-finite logits`);
        y.dispose();
        const d = model.describe();
        checkConsistent(d, where);
        for (const g of model.hiddenGroups) assert.equal(d.groups.find((e) => e.id === g)?.size, sizes[g], where);
      }
      model.dispose();
    }
  }
  x.dispose();
  assert.equal(tf.memory().numTensors, start);
});

test("the description is the plan: same nodes, same order, blocks marked, weight layers where the plan has them", () => {
  for (const family of SINN_FAMILIES) {
    const plan = familyPlan(family, "sinn", input);
    const model = new IntegralGraphNet(plan, 0);
    const d = model.describe();
    assert.deepEqual(
      d.nodes.map((n) => n.id),
      plan.nodes.map((n) => n.id),
    );
    assert.deepEqual(
      d.nodes.map((n) => n.block?.id ?? null),
      plan.nodes.map((n) => n.block?.id ?? null),
    );
    assert.ok(
      d.nodes.some((n) => n.block?.kind.endsWith("-SIB")),
      `${family}: no SIB block marked`,
    );
    const layerIds = d.nodes.filter((n) => n.layer).map((n) => n.id);
    assert.deepEqual(
      layerIds,
      plan.nodes.filter((n) => n.op.op.endsWith("conv2d") || n.op.op === "dense").map((n) => n.id),
    );
    model.dispose();
  }
});

test("variants: equal widths; discrete has fixed sizes, integral ones 25–100%; SINN costs less than INN", () => {
  for (const family of SINN_FAMILIES) {
    const [discrete, inn, sinn] = SINN_VARIANTS.map((v) => createFamilyModel(family, v, input, 0));
    assert.deepEqual(
      discrete.describe().nodes.map((n) => [n.id, n.outputShape]),
      inn.describe().nodes.map((n) => [n.id, n.outputShape]),
    );
    for (const g of inn.hiddenGroups) {
      const full = inn.fullSizes[g];
      assert.ok(full >= 32, `${family}-inn: hidden group ${g} has ${full} channels`);
      assert.deepEqual(discrete.trainingRanges[g], { min: full, max: full });
      assert.deepEqual(inn.trainingRanges[g], { min: Math.ceil(full / 4), max: full });
    }
    for (const g of sinn.hiddenGroups)
      assert.ok(sinn.fullSizes[g] >= 32, `${family}-sinn: hidden group ${g} has ${sinn.fullSizes[g]} channels`);
    for (const m of [discrete, inn, sinn]) m.dispose();
  }
  const table = planAccountingTable(input);
  for (const row of table) {
    assert.equal(row.rows.discrete.full.flops, row.rows.inn.full.flops);
    assert.equal(row.rows.discrete.full.params, row.rows.inn.full.params);
    assert.ok(row.sinnToInnFlops < 1 && row.sinnToInnFlops > 0, `${row.family}: ratio ${row.sinnToInnFlops}`);
    for (const v of SINN_VARIANTS)
      assert.ok(
        row.rows[v].reduced.flops < row.rows[v].full.flops / 2.5,
        `${row.family}-${v}: 50% channels should cut FLOPs well below half`,
      );
  }
});

test("every model trains a few steps on MNIST (loss falls on a fixed batch) without leaking tensors", () => {
  for (const family of SINN_FAMILIES) {
    for (const variant of SINN_VARIANTS) {
      const start = tf.memory().numTensors;
      const model = createFamilyModel(family, variant, input, 1);
      const optimizer = createOptimizer("adam", model.trainableVariables);
      const losses: number[] = [];
      for (let step = 0; step < 5; step++) {
        const { loss, gradients } = computeGradients(model, images, labels, {
          training: true,
          random: mulberry32(100 + step),
        });
        optimizer.step(gradients, 0.01);
        tf.dispose(gradients);
        losses.push(loss);
      }
      // Full-size training-mode loss before and after, so random sizes do not blur the comparison.
      const full = (m: IntegralGraphNet) => tf.tidy(() => computeGradients(m, images, labels, { training: true }).loss);
      assert.ok(losses.every(Number.isFinite), `${family}-${variant}: ${losses}`);
      const trained = full(model);
      assert.ok(trained < losses[0], `${family}-${variant}: loss ${losses[0]} → ${trained}`);
      const y = model.apply(images, { training: false });
      y.dispose();
      optimizer.dispose();
      model.dispose();
      assert.equal(tf.memory().numTensors, start, `${family}-${variant} leaked`);
    }
  }
});

test("running statistics after random-size training passes are PyTorch's EMA of the full-size passes' batch statistics", () => {
  const start = tf.memory().numTensors;
  const model = createFamilyModel("resnet18", "sinn", input, 5, { fullSizeProbability: 0.5, batchNormMomentum: 0.1 });
  const twin = createFamilyModel("resnet18", "sinn", input, 5, { fullSizeProbability: 0.5, batchNormMomentum: 0.1 });
  const halves = [
    tf.slice(images, [0, 0, 0, 0], [8, -1, -1, -1]),
    tf.slice(images, [8, 0, 0, 0], [8, -1, -1, -1]),
  ] as tf.Tensor4D[];
  const expected = twin.statisticsVariables.map((v) => Array.from(v.dataSync()));
  const isFull = (s: Record<string, number>) => Object.entries(twin.fullSizes).every(([g, n]) => s[g] === n);
  let fullSteps = 0;
  let reducedSteps = 0;
  for (let step = 0; step < 8; step++) {
    const x = halves[step % 2];
    tf.dispose(model.apply(x, { training: true, random: mulberry32(100 + step) }));
    if (!isFull(twin.stepSizes({ training: true, random: mulberry32(100 + step) }))) {
      reducedSteps++;
      continue;
    }
    fullSteps++;
    // The batch's own statistics at full size: a one-batch estimate on the (identical, untrained) twin.
    twin.estimateStatistics([x]);
    twin.statisticsVariables.forEach((v, i) => {
      const batch = v.dataSync();
      expected[i] = expected[i].map((r, c) => 0.9 * r + 0.1 * batch[c]);
    });
  }
  assert.ok(
    fullSteps >= 2 && reducedSteps >= 2,
    `want both kinds of step, got ${fullSteps} full and ${reducedSteps} reduced`,
  );
  model.statisticsVariables.forEach((v, i) => {
    const got = v.dataSync();
    const worst = expected[i].reduce((w, e, c) => Math.max(w, Math.abs(e - got[c]) / (1e-3 + Math.abs(e))), 0);
    assert.ok(worst < 1e-3, `statistics variable ${i} (${v.name}): relative error ${worst}`);
  });
  tf.dispose(halves);
  model.dispose();
  twin.dispose();
  assert.equal(tf.memory().numTensors, start);
});

test("statistics re-estimation is deterministic and restores the sizes", () => {
  const start = tf.memory().numTensors;
  const a = createFamilyModel("resnet18", "sinn", input, 4);
  const b = createFamilyModel("resnet18", "sinn", input, 4);
  const half = a.fractionSizes(0.5);
  a.resample(half);
  const batches = [images];
  a.estimateStatistics(batches);
  b.estimateStatistics(batches);
  assert.deepEqual(a.sizes, { ...a.fullSizes, ...half });
  a.statisticsVariables.forEach((v, i) => assert.equal(maxAbsDiff(v, b.statisticsVariables[i]), 0));
  b.resample(half);
  const ya = a.apply(images, { training: false });
  const yb = b.apply(images, { training: false });
  assert.equal(maxAbsDiff(ya, yb), 0);
  tf.dispose([ya, yb]);
  a.dispose();
  b.dispose();
  assert.equal(tf.memory().numTensors, start);
});

test("bad family, variant and resample group names are rejected by name", () => {
  assert.throws(() => familyPlan("alexnet" as never, "sinn", input), /unknown family "alexnet"/);
  assert.throws(() => familyPlan("nin", "pruned" as never, input), /unknown variant "pruned"/);
  const m = createFamilyModel("vgg", "inn", input, 0);
  assert.throws(() => m.resample({ classes: 5 }), /"classes" is not a resizable group/);
  m.dispose();
});

test("sandwich rule: every step is full size on the labels plus distilled smaller sizes; no coin; no leak", () => {
  const rule = { draws: 1, smallest: true, labelWeight: 0.25 };
  const net = createFamilyModel("resnet18", "sinn", input, 3, { sandwich: rule, sharedDrawProbability: 0.5 });
  const plain = createFamilyModel("resnet18", "sinn", input, 3);
  try {
    assert.equal(net.fullSizeProbability, 0, "the full size runs every step, so the coin is not flipped");
    assert.equal(plain.fullSizeProbability, 0.5);
    assert.deepEqual(net.sandwich, rule);
    // A first pass fills the weight caches of the sizes it draws; the same draws again must add nothing.
    tf.tidy(() => net.trainingLoss(images, labels, { training: true, random: mulberry32(5) }));
    tf.tidy(() => plain.trainingLoss(images, labels, { training: true, random: mulberry32(5) }));
    const before = tf.memory().numTensors;
    const context = { training: true, random: mulberry32(5) };
    const sandwich = tf.tidy(() => net.trainingLoss(images, labels, context).dataSync()[0]);
    const single = tf.tidy(
      () => plain.trainingLoss(images, labels, { training: true, random: mulberry32(5) }).dataSync()[0],
    );
    assert.equal(tf.memory().numTensors, before);
    // Three cross-entropies of an untrained 10-class net (each ≈ ln 10) against one.
    assert.ok(sandwich > 2.5 * single, `sandwich loss ${sandwich} vs one pass ${single}`);
    assert.throws(
      () => createFamilyModel("vgg", "inn", input, 0, { sandwich: { ...rule, draws: 0 } }),
      /sandwichDraws must be a positive integer, got 0/,
    );
  } finally {
    net.dispose();
    plain.dispose();
  }
});
