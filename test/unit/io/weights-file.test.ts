import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs";
import { initBackend } from "../../../loaders/backend.js";
import { createFamilyModel } from "../../../src/lib/sinn/families.js";
import {
  assignStatistics,
  assignWeights,
  decodeWeightsFile,
  encodeWeightsFile,
  parameterNamesOf,
  statisticsOf,
} from "../../../src/lib/io/weights-file.js";
import { mulberry32 } from "../../../src/lib/random.js";

const input = { height: 12, width: 12, channels: 1, classes: 10 };

before(async () => {
  await initBackend("cpu");
});

function images(seed: number, n = 6): tf.Tensor4D {
  const random = mulberry32(seed);
  return tf.tensor4d(
    Float32Array.from({ length: n * 12 * 12 }, () => random()),
    [n, 12, 12, 1],
  );
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

test("a weights file carries the batch-norm running statistics; loading them reproduces evaluation exactly", () => {
  const start = tf.memory().numTensors;
  const trained = createFamilyModel("resnet18", "sinn", input, 1, { widthScale: 0.25 });
  const x = images(2);
  // Move the running statistics away from their initial (0, 1): full-size training-mode passes.
  for (let k = 0; k < 3; k++) tf.dispose(trained.apply(x, { training: true }));
  const stats = statisticsOf(trained);
  assert.equal(stats.length, trained.stateVariables.length);
  assert.equal(stats[0].name, "stem.bn.mean");
  assert.ok(
    stats[0].values.some((v) => Math.abs(v) > 1e-3),
    "statistics moved",
  );
  const text = encodeWeightsFile({
    model: { name: "resnet18-sinn", widthScale: 0.25 },
    input,
    seed: 1,
    parameters: trained.trainableVariables.map((v, i) => ({
      name: parameterNamesOf(trained)[i],
      shape: v.shape.slice(),
      values: v.dataSync().slice() as Float32Array,
    })),
    statistics: stats,
  });
  const file = decodeWeightsFile(text, "trained.json");
  assert.equal(file.statistics?.length, stats.length);
  assert.deepEqual(Array.from(file.statistics![3].values), Array.from(stats[3].values));

  const fresh = createFamilyModel("resnet18", "sinn", input, 99, { widthScale: 0.25 });
  assignWeights(fresh, file.parameters, "trained.json");
  const want = trained.apply(x, { training: false });
  // Evaluated before the statistics arrive: the cached evaluation affine must notice the new values.
  const got = fresh.apply(x, { training: false });
  assert.equal(assignStatistics(fresh, file.statistics, "trained.json"), true);
  const gotAfter = fresh.apply(x, { training: false });
  assert.equal(maxAbsDiff(want, gotAfter), 0, "evaluation with loaded statistics equals the trained model's");
  assert.ok(maxAbsDiff(want, got) > 1e-4, "without the statistics the evaluation differs (the test can fail)");
  tf.dispose([x, want, got, gotAfter]);
  for (const m of [trained, fresh]) m.dispose();
  assert.equal(tf.memory().numTensors, start);
});

test("statistics: older files without them load (nothing assigned); mismatches are named", () => {
  const start = tf.memory().numTensors;
  const model = createFamilyModel("nin", "sinn", input, 1, { widthScale: 0.25 });
  const parameters = model.trainableVariables.map((v, i) => ({
    name: parameterNamesOf(model)[i],
    shape: v.shape.slice(),
    values: v.dataSync().slice() as Float32Array,
  }));
  const old = decodeWeightsFile(
    encodeWeightsFile({ model: { name: "nin-sinn" }, input, seed: 0, parameters }),
    "old.json",
  );
  assert.equal(old.statistics, undefined);
  assert.equal(
    JSON.parse(encodeWeightsFile({ model: { name: "nin-sinn" }, input, seed: 0, parameters })).statistics,
    undefined,
  );
  assert.equal(assignStatistics(model, old.statistics, "old.json"), false);
  const stats = statisticsOf(model);
  assert.throws(
    () => assignStatistics(model, stats.slice(1), "f.json"),
    new RegExp(`f.json: ${stats.length - 1} statistics for a model with ${stats.length}`),
  );
  const renamed = stats.map((s, i) => (i === 2 ? { ...s, name: "other.bn.mean" } : s));
  assert.throws(
    () => assignStatistics(model, renamed, "f.json"),
    /f.json: statistic #2 is "other.bn.mean", the model expects "/,
  );
  const reshaped = stats.map((s, i) =>
    i === 0 ? { ...s, shape: [s.shape[0] + 1], values: new Float32Array(s.shape[0] + 1) } : s,
  );
  assert.throws(
    () => assignStatistics(model, reshaped, "f.json"),
    /f.json: statistic stem.bn.mean has shape \[9\], the model expects \[8\]/,
  );
  const text = encodeWeightsFile({ model: { name: "nin-sinn" }, input, seed: 0, parameters, statistics: stats });
  const broken = JSON.parse(text);
  broken.statistics = { nope: 1 };
  assert.throws(
    () => decodeWeightsFile(JSON.stringify(broken), "b.json"),
    /b.json: "statistics" must be an array when present/,
  );
  broken.statistics = [{ name: "stem.bn.mean", shape: [8], data: "AAAA" }];
  assert.throws(
    () => decodeWeightsFile(JSON.stringify(broken), "b.json"),
    /b.json: statistic stem.bn.mean holds 3 bytes, shape \[8\] needs 32/,
  );
  model.dispose();
  assert.equal(tf.memory().numTensors, start);
});

test("calibrate() re-estimates the statistics at the current (reduced) sizes, as estimateStatistics at those sizes does", () => {
  const start = tf.memory().numTensors;
  const a = createFamilyModel("inception", "sinn", input, 3, { widthScale: 0.25 });
  const b = createFamilyModel("inception", "sinn", input, 3, { widthScale: 0.25 });
  const x = images(4, 8);
  const half = a.fractionSizes(0.5);
  a.resample(half);
  b.resample(half);
  const before = a.apply(x, { training: false });
  a.calibrate([x]);
  b.estimateStatistics([x], half);
  assert.deepEqual(a.sizes, { ...a.fullSizes, ...half }, "sizes restored");
  const ya = a.apply(x, { training: false });
  const yb = b.apply(x, { training: false });
  assert.equal(maxAbsDiff(ya, yb), 0);
  assert.ok(maxAbsDiff(before, ya) > 1e-4, "calibration changed the evaluation");
  // The full-size running statistics are untouched by a reduced-size calibration.
  const fresh = createFamilyModel("inception", "sinn", input, 3, { widthScale: 0.25 });
  a.stateVariables.forEach((v, i) => assert.equal(maxAbsDiff(v, fresh.stateVariables[i]), 0));
  tf.dispose([x, before, ya, yb]);
  for (const m of [a, b, fresh]) m.dispose();
  assert.equal(tf.memory().numTensors, start);
});
