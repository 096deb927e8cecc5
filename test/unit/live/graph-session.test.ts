import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs";
import { initBackend } from "../../../loaders/backend.js";
import { createFamilyModel } from "../../../src/lib/sinn/families.js";
import { encodeWeightsFile, parameterNamesOf, statisticsOf } from "../../../src/lib/io/weights-file.js";
import { mulberry32 } from "../../../src/lib/random.js";
import type { EvalSet } from "../../../src/lib/data/evalset.js";
import { batchImages } from "../../../src/lib/data/dataset.js";
import { evaluateSums } from "../../../src/lib/train/evaluate.js";
import {
  CALIBRATION_IMAGES,
  PlanLiveSession,
  planNetFromBytes,
  planSessionFromLayersModel,
} from "../../../src/lib/live/graph-session.js";
import { ModelEvaluator } from "../../../src/lib/live/model-evaluator.js";
import { maxAbsDiff } from "../helpers/tensors.js";
import type { IntegralGraphNet } from "../../../src/lib/graph/graph-net.js";

const input = { height: 12, width: 12, channels: 1, classes: 10 };
const spec = { name: "resnet18-sinn", widthScale: 0.25 };

before(async () => {
  await initBackend("cpu");
});

function evalSet(seed: number, count: number, side = 12): EvalSet {
  const random = mulberry32(seed);
  return {
    images: Uint8Array.from({ length: count * side * side }, () => Math.floor(256 * random())),
    labels: Uint8Array.from({ length: count }, () => Math.floor(10 * random())),
    count,
    height: side,
    width: side,
    channels: 1,
    classes: 10,
  };
}

/** A model whose running statistics moved away from (0, 1), as a weights file's bytes. */
function trainedFileBytes(withStatistics = true): Uint8Array {
  const model = createFamilyModel("resnet18", "sinn", input, 3, { widthScale: 0.25 });
  const x = batchImages(
    evalSet(9, 16),
    Int32Array.from({ length: 16 }, (_, i) => i),
    input,
  );
  for (let k = 0; k < 3; k++) tf.dispose(model.apply(x, { training: true }));
  x.dispose();
  const text = encodeWeightsFile({
    model: spec,
    input,
    seed: 3,
    parameters: model.trainableVariables.map((v, i) => ({
      name: parameterNamesOf(model)[i],
      shape: v.shape.slice(),
      values: v.dataSync().slice() as Float32Array,
    })),
    ...(withStatistics ? { statistics: statisticsOf(model) } : {}),
  });
  model.dispose();
  return new TextEncoder().encode(text);
}

test("plan session: full size uses the file's statistics; a reduced size equals resample + calibrate on the first 256 calibration images", () => {
  const start = tf.memory().numTensors;
  const bytes = trainedFileBytes();
  const calibration = evalSet(1, 300);
  const session = new PlanLiveSession(planNetFromBytes(bytes, "sinn.model"), calibration);
  const reference = planNetFromBytes(bytes, "reference.model") as IntegralGraphNet;
  const x = batchImages(
    evalSet(2, 20),
    Int32Array.from({ length: 20 }, (_, i) => i),
    input,
  );
  try {
    assert.deepEqual(
      session.groups.map((g) => g.id),
      ["stem", "block1.mid", "block2.out", "block2.mid"],
    );
    assert.deepEqual(
      session.groups[0].range,
      { min: 2, max: 8 },
      "25% of 8 channels (widthScale 0.25), the recipe's range",
    );
    const full = session.prepare(session.fullSizes);
    assert.equal(full.calibrated, false);
    const a = session.logits(x);
    const b = reference.apply(x, { training: false });
    assert.equal(maxAbsDiff(a, b), 0, "full size: exactly the file's model");
    tf.dispose([a, b]);

    const half = session.fractionSizes(0.5);
    const prepared = session.prepare(half);
    assert.equal(prepared.calibrated, true);
    assert.ok(prepared.compression.after.params < full.compression.after.params, "fewer parameters at 50%");
    reference.resample(half);
    const uncalibrated = reference.apply(x, { training: false });
    const batch = batchImages(
      calibration,
      Int32Array.from({ length: CALIBRATION_IMAGES }, (_, i) => i),
      input,
    );
    reference.calibrate([batch]);
    batch.dispose();
    const c = session.logits(x);
    const d = reference.apply(x, { training: false });
    assert.ok(maxAbsDiff(c, d) < 1e-5, `calibrated logits agree (${maxAbsDiff(c, d)})`);
    assert.ok(maxAbsDiff(c, uncalibrated) > 1e-3, "calibration changed the net");
    tf.dispose([c, d, uncalibrated]);

    // Back at full size: the file's statistics again (a reduced-size calibration leaves the nodes alone).
    session.prepare(session.fullSizes);
    reference.resample(session.fullSizes);
    const e = session.logits(x);
    const f = reference.apply(x, { training: false });
    assert.equal(maxAbsDiff(e, f), 0);
    tf.dispose([e, f]);
  } finally {
    x.dispose();
    reference.dispose();
    session.dispose();
  }
  assert.equal(tf.memory().numTensors, start);
});

test("plan session: repeated slider moves keep the tensor count flat (only the current calibration is kept)", () => {
  const session = new PlanLiveSession(planNetFromBytes(trainedFileBytes(), "sinn.model"), evalSet(1, 256));
  try {
    const positions = [0.5, 0.75, 1, 0.3].map((f) => session.fractionSizes(f));
    for (const p of positions) session.prepare(p); // fills the per-size sampling caches
    const after = tf.memory().numTensors;
    for (let round = 0; round < 3; round++) for (const p of positions) session.prepare(p);
    assert.equal(tf.memory().numTensors, after);
    // The digit pad's figures: the softmax of the prepared net's logits, nothing left behind.
    const { height, width, channels } = session.model.input;
    const pixels = Float32Array.from({ length: height * width * channels }, (_, i) => (i % 29) / 28);
    const expected = tf.tidy(() =>
      tf.softmax(session.logits(tf.tensor4d(pixels, [1, height, width, channels]))).dataSync(),
    );
    const shown = session.classify(pixels);
    assert.equal(tf.memory().numTensors, after, "classify frees what it creates");
    assert.deepEqual(Array.from(shown), Array.from(expected));
  } finally {
    session.dispose();
  }
});

test("model evaluator: the chunked accuracy equals evaluateSums over the same images", async () => {
  const session = new PlanLiveSession(planNetFromBytes(trainedFileBytes(), "sinn.model"), evalSet(1, 256));
  const set = evalSet(5, 300);
  const evaluator = new ModelEvaluator(set, { firstChunk: 256, chunkSize: 30 });
  try {
    session.prepare(session.fractionSizes(0.6));
    assert.deepEqual(evaluator.chunkSizes, [256, 30, 14]);
    const progress: { evaluated: number; correct: number; final: boolean }[] = [];
    await evaluator.evaluate([{ tag: "plan", logits: (x) => session.logits(x) }], {
      onProgress: (p) => progress.push(p.estimate),
    });
    assert.deepEqual(
      progress.map((p) => p.evaluated),
      [256, 286, 300],
    );
    assert.equal(progress.at(-1)!.final, true);
    const sums = evaluateSums(session.model, set, set);
    assert.equal(progress.at(-1)!.correct, sums.correct);
  } finally {
    evaluator.dispose();
    session.dispose();
  }
});

test("plan sources: clear errors for a file without statistics, a non-plan model, bad sizes, a small calibration set", () => {
  assert.throws(
    () => planNetFromBytes(trainedFileBytes(false), "old.model"),
    /old.model: the file stores no batch-norm statistics/,
  );
  const reference = encodeWeightsFile({
    model: { name: "reference" },
    input: { height: 28, width: 28, channels: 1, classes: 10 },
    seed: 0,
    parameters: [],
  });
  assert.throws(
    () => planNetFromBytes(new TextEncoder().encode(reference), "ref.model"),
    /ref.model: model "reference" is not a plan network/,
  );
  assert.throws(() => planNetFromBytes(new TextEncoder().encode("{"), "junk.model"), /junk.model: not a weights file/);
  const bytes = trainedFileBytes();
  assert.throws(
    () => new PlanLiveSession(planNetFromBytes(bytes, "sinn.model"), evalSet(1, 100)),
    /calibration set: 100 images, the live page calibrates on 256/,
  );
  const session = new PlanLiveSession(planNetFromBytes(bytes, "sinn.model"), evalSet(1, 256));
  try {
    assert.match(
      session.problem({ ...session.fullSizes, stem: 1 }) ?? "",
      /stem size must be an integer in \[2, 8\], got 1/,
    );
    assert.match(session.problem({ ...session.fullSizes, other: 3 }) ?? "", /unknown group other/);
    assert.throws(() => session.prepare({ ...session.fullSizes, stem: 99 }), /PlanLiveSession: stem size/);
  } finally {
    session.dispose();
  }
});

test("the calibration set is the first 256 TRAINING images (not test images), checksummed", async () => {
  const { calibrationEvalSet } = await import("../../../loaders/sweep/evalset-output.js");
  const { loadDataset } = await import("../../../loaders/datasets.js");
  const { decodeEvalSet } = await import("../../../src/lib/data/evalset.js");
  const bytes = calibrationEvalSet("mnist");
  const set = decodeEvalSet(bytes, "mnist-calibration.evalset");
  const d = loadDataset("mnist");
  assert.equal(set.count, CALIBRATION_IMAGES);
  assert.deepEqual(set.images, d.train.images.subarray(0, 256 * 784));
  assert.deepEqual(set.labels, d.train.labels.subarray(0, 256));
  assert.notDeepEqual(set.images, d.test.images.subarray(0, 256 * 784));
  bytes[100] ^= 1;
  assert.throws(
    () => decodeEvalSet(bytes, "mnist-calibration.evalset"),
    /mnist-calibration.evalset: evaluation set checksum mismatch/,
  );
});

test("a dropped tfjs model: converted with progress, the L1-pruned original beside it at every size with the same calibration, exported back", async () => {
  const { buildLayersModel, saveArtifacts, setSeededWeights } = await import("../../../loaders/layers-models.js");
  const { prunedPlanNet } = await import("../../../src/lib/compression/plan-pruning.js");
  const { planFromLayersModel } = await import("../../../src/lib/convert/convert.js");
  const layers = await import("@tensorflow/tfjs");
  // The cpu backend's convolutions make 256-image calibrations slow; this test runs on wasm.
  await tf.setBackend("wasm");
  const start = tf.memory().numTensors;
  const keras = buildLayersModel("mobilenet");
  setSeededWeights(keras, 7, true);
  const artifacts = await saveArtifacts(keras);
  const calibration = evalSet(1, 256, 28);
  const progress: string[] = [];
  let pauses = 0;
  const session = await planSessionFromLayersModel(artifacts, calibration, {
    restarts: 2,
    onProgress: (m) => progress.push(m),
    pause: async () => {
      pauses++;
    },
  });
  const x = batchImages(
    evalSet(2, 12, 28),
    Int32Array.from({ length: 12 }, (_, i) => i),
    { height: 28, width: 28, channels: 1 },
  );
  try {
    assert.deepEqual(progress.slice(0, 2), ["reading the model", "ordering the 16 channels of group stem (1/3)"]);
    assert.equal(progress.at(-1), "initialising the integral net");
    assert.equal(pauses, progress.length);
    assert.ok(session.hasTwin);
    assert.deepEqual(
      session.groups.map((g) => [g.id, g.full]),
      [
        ["stem", 16],
        ["block1_pw", 32],
        ["block2_pw", 64],
      ],
    );
    // Full size: both are the original model.
    session.prepare(session.fullSizes);
    const expected = keras.predict(x) as tf.Tensor;
    for (const logits of [session.logits(x), session.twinLogits(x)]) {
      const p = tf.softmax(logits);
      assert.ok(maxAbsDiff(p, expected) < 1e-6, `full size differs by ${maxAbsDiff(p, expected)}`);
      tf.dispose([logits, p]);
    }
    // Half size: the twin is the L1-pruned original, calibrated on the same 256 images.
    const half = session.fractionSizes(0.5);
    const prepared = session.prepare(half);
    const { plan, params } = planFromLayersModel(artifacts);
    const pruned = prunedPlanNet(plan, params, half, "l1");
    const batch = batchImages(
      calibration,
      Int32Array.from({ length: CALIBRATION_IMAGES }, (_, i) => i),
      calibration,
    );
    pruned.net.calibrate([batch]);
    batch.dispose();
    assert.deepEqual(prepared.twin?.keep, pruned.keep);
    const a = session.twinLogits(x);
    const b = pruned.net.apply(x, { training: false });
    assert.equal(maxAbsDiff(a, b), 0);
    const integral = session.logits(x);
    assert.ok(maxAbsDiff(integral, a) > 1e-4, "the integral net and the pruned twin are different nets");
    // A digit classified by either net: the softmax of that net's logits for the one image.
    const image = tf.tidy(() => x.slice([0, 0, 0, 0], [1, 28, 28, 1]).dataSync()) as Float32Array;
    for (const [net, logits] of [
      ["integral", integral],
      ["twin", a],
    ] as const) {
      const expectedRow = tf.tidy(() => tf.softmax(logits.slice([0, 0], [1, -1])).dataSync());
      const got = session.classify(image, net);
      assert.equal(got.length, 10);
      got.forEach((v, i) =>
        assert.ok(Math.abs(v - expectedRow[i]) < 1e-6, `${net} class ${i}: ${v} vs ${expectedRow[i]}`),
      );
    }
    assert.deepEqual(session.classify(image), session.classify(image, "integral"), "the integral net by default");
    // The export is the resampled integral net (softmax restored), read by tfjs with stock layers.
    const loaded = await layers.loadLayersModel(layers.io.fromMemory(session.exportLayersModel()));
    const out = loaded.predict(x) as tf.Tensor;
    const p = tf.softmax(integral);
    assert.ok(maxAbsDiff(out, p) < 1e-6, `export differs by ${maxAbsDiff(out, p)}`);
    tf.dispose([a, b, integral, out, p, expected]);
    loaded.dispose();
    pruned.net.dispose();
    // Slider moves keep the tensor count flat, twin included.
    const positions = [0.5, 0.75, 1, 0.3].map((f) => session.fractionSizes(f));
    for (const q of positions) session.prepare(q);
    const after = tf.memory().numTensors;
    for (const q of positions) session.prepare(q);
    assert.equal(tf.memory().numTensors, after);
  } finally {
    x.dispose();
    session.dispose();
    keras.dispose();
  }
  assert.equal(tf.memory().numTensors, start);
  await assert.rejects(
    planSessionFromLayersModel(artifacts, evalSet(1, 256)),
    /wrong input shape: the model takes 28×28×1 images, the dataset's are 12×12×1/,
  );
  assert.equal(tf.memory().numTensors, start);
  await tf.setBackend("cpu");
});
