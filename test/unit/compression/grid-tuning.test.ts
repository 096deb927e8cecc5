import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../../loaders/backend.js";
import { convertReferenceNet } from "../../../src/lib/compression/conversion.js";
import { GridTuning } from "../../../src/lib/compression/grid-tuning.js";
import { ReferenceNet } from "../../../src/lib/models/reference.js";
import { mulberry32, type Random } from "../../../src/lib/random.js";
import { computeGradients } from "../../../src/lib/train/gradients.js";
import { createOptimizer } from "../../../src/lib/train/optimizers.js";
import { uniformPartition } from "../../../src/lib/math/partition.js";

before(async () => {
  await initBackend("cpu");
});

const input = { height: 16, width: 16, channels: 1, classes: 10 };

function images(random: Random, batch: number, bits = 3): tf.Tensor4D {
  return tf.tensor4d(
    Float32Array.from({ length: batch * 16 * 16 }, () => Math.round(random() * 2 ** bits) / 2 ** bits),
    [batch, 16, 16, 1],
  );
}

test("grid tuning trains only the partition points (and optionally biases); weights stay frozen, points stay ordered", () => {
  const start = tf.memory().numTensors;
  const net = new ReferenceNet(input, 6);
  const { inn, permuted } = convertReferenceNet(net, { restarts: 1 });
  inn.resample({ conv1: 10, conv2: 20, conv3: 40 });
  const tuning = new GridTuning(inn, { groups: ["conv2", "conv3"] });
  assert.equal(tuning.trainableVariables.length, 2);
  assert.ok(tuning.trainableVariables.every((v) => !inn.convs.some((c) => c.weightNodes === v)));
  const withBiases = new GridTuning(inn, { groups: ["conv2"], biases: true });
  assert.equal(withBiases.trainableVariables.length, 1 + 4);
  assert.deepEqual(withBiases.parameterNames.slice(1), ["conv1.bias", "conv2.bias", "conv3.bias", "dense.bias"]);
  withBiases.dispose();
  const tuning2 = new GridTuning(inn, { groups: ["conv2", "conv3"] });
  const weightsBefore = inn.convs.map((c) => Array.from(c.weightNodes.dataSync()));
  const pointsBefore = tuning2.points();
  const x = images(mulberry32(3), 4, 3);
  const labels = tf.tidy(
    () =>
      tf.oneHot(
        tf.tensor1d(
          Array.from({ length: 4 }, (_, i) => i % 10),
          "int32",
        ),
        10,
      ) as tf.Tensor2D,
  );
  const before0 = inn.apply(x, { training: false });
  const logitsBefore = Array.from(before0.dataSync());
  before0.dispose();
  const optimizer = createOptimizer("adam", tuning2.trainableVariables);
  for (let step = 0; step < 2; step++) {
    const { gradients } = computeGradients(tuning2, x, labels, { training: true, random: mulberry32(step) });
    assert.ok(
      gradients.some((g) => tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]) > 0),
      "partition gradients are all zero",
    );
    optimizer.step(gradients, 0.05);
    tf.dispose(gradients);
  }
  optimizer.dispose();
  // Sizes did not change (no random draws), weights are untouched, points moved and stay increasing.
  assert.deepEqual(inn.sizes, { image: 1, conv1: 10, conv2: 20, conv3: 40, classes: 10 });
  inn.convs.forEach((c, i) => assert.deepEqual(Array.from(c.weightNodes.dataSync()), weightsBefore[i]));
  const pointsAfter = tuning2.points();
  for (const g of ["conv2", "conv3"]) {
    assert.notDeepEqual(pointsAfter[g], pointsBefore[g]);
    for (let k = 1; k < pointsAfter[g].length; k++) assert.ok(pointsAfter[g][k] > pointsAfter[g][k - 1]);
  }
  const logitsOut = inn.apply(x, { training: false });
  assert.notDeepEqual(Array.from(logitsOut.dataSync()), logitsBefore);
  tuning2.reset();
  assert.deepEqual(Array.from(tuning2.points().conv2), Array.from(uniformPartition(20)));
  tf.dispose([x, labels, logitsOut]);
  inn.dispose();
  permuted.dispose();
  net.dispose();
  assert.equal(tf.memory().numTensors, start);
});
