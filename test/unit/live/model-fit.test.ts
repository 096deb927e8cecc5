import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../../loaders/backend.js";
import { ReferenceNet } from "../../../src/lib/models/reference.js";
import { createReferenceInn } from "../../../src/lib/models/reference-inn.js";
import { readParameters } from "../../../src/lib/compression/parameters.js";
import { encodeModelFile, saveContinuousModel } from "../../../src/lib/io/model-file.js";
import { exportTfjsLayersModel, tfjsModelFiles } from "../../../src/lib/io/tfjs-export.js";
import { WEIGHTS_FORMAT, WEIGHTS_VERSION } from "../../../src/lib/io/weights-file.js";
import { inputFitProblem } from "../../../src/lib/live/model-fit.js";
import { continuousModelFromBytes, integralFromTfjs } from "../../../src/lib/live/model-sources.js";
import { planNetFromBytes } from "../../../src/lib/live/graph-session.js";

before(async () => {
  await initBackend("wasm");
});

const mnist = { height: 28, width: 28, channels: 1, classes: 10 };
const fits = { shape: mnist, name: "mnist-test.evalset" };

test("inputFitProblem names both shapes, and is silent when they agree", () => {
  assert.equal(inputFitProblem(mnist, { ...mnist }, "mnist-test.evalset"), undefined);
  assert.equal(
    inputFitProblem({ height: 32, width: 32, channels: 3, classes: 10 }, mnist, "mnist-test.evalset"),
    "the model takes 32×32×3 images in 10 classes, but mnist-test.evalset has 28×28×1 images in 10 classes",
  );
  assert.match(inputFitProblem({ ...mnist, classes: 5 }, mnist, "x") ?? "", /28×28×1 images in 5 classes, but x has/);
});

test("a model file for other images or classes is refused with the file name and both shapes, building nothing", () => {
  for (const [shape, shown] of [
    [{ height: 32, width: 32, channels: 3, classes: 10 }, "32×32×3 images in 10 classes"],
    [{ height: 8, width: 8, channels: 1, classes: 10 }, "8×8×1 images in 10 classes"],
    [{ ...mnist, classes: 5 }, "28×28×1 images in 5 classes"],
    [{ ...mnist, classes: 1000 }, "28×28×1 images in 1000 classes"],
  ] as const) {
    const inn = createReferenceInn(shape, 0);
    const file = saveContinuousModel(inn);
    inn.dispose();
    const bytes = encodeModelFile(file.manifest, file.blob);
    const before = tf.memory().numTensors;
    assert.throws(
      () => continuousModelFromBytes(bytes, "theirs.model", fits),
      (e: Error) =>
        e.message === `theirs.model: the model takes ${shown}, but mnist-test.evalset has 28×28×1 images in 10 classes`,
    );
    assert.equal(tf.memory().numTensors, before, "nothing was built");
    // Without a fit target the same file loads (the check is the page's, not the format's).
    continuousModelFromBytes(bytes, "theirs.model").dispose();
  }
});

test("a manifest declaring a 1e9×1e9 input is refused by the fit check, and by the reader without one", () => {
  const inn = createReferenceInn(mnist, 0);
  const file = saveContinuousModel(inn);
  inn.dispose();
  file.manifest.input = { height: 1e9, width: 1e9, channels: 1, classes: 10 };
  const bytes = encodeModelFile(file.manifest, file.blob);
  assert.throws(
    () => continuousModelFromBytes(bytes, "huge.model", fits),
    /^Error: huge\.model: the model takes 1000000000×1000000000×1 images in 10 classes, but mnist-test\.evalset has 28×28×1/,
  );
  assert.throws(
    () => continuousModelFromBytes(bytes, "huge.model"),
    /huge\.model: input\.height is 1000000000, more than/,
  );
});

test("a tfjs layers model and a plan weights file for other images are refused the same way", () => {
  const shape = { height: 32, width: 32, channels: 3, classes: 10 };
  const net = new ReferenceNet(shape, 1);
  const files = tfjsModelFiles(exportTfjsLayersModel(readParameters(net), shape));
  net.dispose();
  const before = tf.memory().numTensors;
  assert.throws(
    () => integralFromTfjs(files.modelJson, files.weightsBin, "model.json", fits),
    /^Error: model\.json: the model takes 32×32×3 images in 10 classes, but mnist-test\.evalset has 28×28×1 images in 10 classes$/,
  );
  assert.equal(tf.memory().numTensors, before);

  // The fit check runs right after the weights file is decoded, before the plan network is built.
  const text = JSON.stringify({
    format: WEIGHTS_FORMAT,
    version: WEIGHTS_VERSION,
    model: { name: "resnet18-sinn" },
    input: { ...mnist, classes: 7 },
    seed: 0,
    parameters: [],
  });
  const start = tf.memory().numTensors;
  assert.throws(
    () => planNetFromBytes(new TextEncoder().encode(text), "sinn.model", fits),
    /^Error: sinn\.model: the model takes 28×28×1 images in 7 classes, but mnist-test\.evalset has 28×28×1 images in 10 classes$/,
  );
  assert.equal(tf.memory().numTensors, start);
});
