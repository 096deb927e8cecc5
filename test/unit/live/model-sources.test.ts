import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../../loaders/backend.js";
import { ReferenceNet } from "../../../src/lib/models/reference.js";
import { createReferenceInn } from "../../../src/lib/models/reference-inn.js";
import { readParameters } from "../../../src/lib/compression/parameters.js";
import { innDiscreteParameters } from "../../../src/lib/compression/conversion.js";
import { encodeModelFile, saveContinuousModel } from "../../../src/lib/io/model-file.js";
import { exportTfjsLayersModel, tfjsModelFiles } from "../../../src/lib/io/tfjs-export.js";
import { mnistStyleDigit, upscaleDigit } from "../../../src/lib/live/digit-image.js";
import { referenceParamsFromTfjs } from "../../../src/lib/io/tfjs-import.js";
import {
  continuousModelFromBytes,
  fullSizeParametersFromBytes,
  integralFromTfjs,
} from "../../../src/lib/live/model-sources.js";
import { mulberry32 } from "../../../src/lib/random.js";

before(async () => {
  await initBackend("wasm");
});

const input = { height: 28, width: 28, channels: 1, classes: 10 };

test("mnistStyleDigit: a digit drawn big and off-centre comes back fitted to 20 px and centred by mass", () => {
  // A filled 60×100 rectangle at (10, 20) on a 200×200 canvas.
  const ink = new Float32Array(200 * 200);
  for (let y = 20; y < 120; y++) for (let x = 10; x < 70; x++) ink[y * 200 + x] = 1;
  const d = mnistStyleDigit(ink, 200, 200);
  let top = 28,
    bottom = -1,
    left = 28,
    right = -1,
    mass = 0,
    cx = 0,
    cy = 0;
  d.forEach((v, i) => {
    if (v > 0.5) {
      const y = Math.floor(i / 28),
        x = i % 28;
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
      left = Math.min(left, x);
      right = Math.max(right, x);
    }
    mass += v;
    cx += v * ((i % 28) + 0.5);
    cy += v * (Math.floor(i / 28) + 0.5);
  });
  assert.equal(bottom - top + 1, 20);
  assert.equal(right - left + 1, 12);
  // MNIST puts the centre of mass at pixel 14, i.e. 14.5 in these edge coordinates.
  assert.ok(Math.abs(cx / mass - 14.5) <= 0.5 && Math.abs(cy / mass - 14.5) <= 0.5);
  assert.ok(mnistStyleDigit(new Float32Array(100), 10, 10).every((v) => v === 0));
  assert.throws(() => mnistStyleDigit(new Float32Array(5), 10, 10), /5 ink values/);
});

test("mnistStyleDigit of an upscaled MNIST-like digit is close to the digit itself", () => {
  const digit = new Float32Array(784);
  for (let y = 5; y < 25; y++) for (let x = 12; x < 18; x++) digit[y * 28 + x] = 1; // a "1": 20 tall, mass at pixel 14/15 as MNIST places it
  const back = mnistStyleDigit(upscaleDigit(digit, 224), 224, 224);
  let diff = 0;
  back.forEach((v, i) => (diff += Math.abs(v - digit[i])));
  assert.ok(diff / digit.reduce((a, b) => a + b, 0) < 0.15, `relative L1 difference ${diff}`);
});

test("tfjs layers import inverts the exporter exactly (normalisation unfolded); bad shapes are named", () => {
  const net = new ReferenceNet(input, 2);
  const params = readParameters(net);
  const files = tfjsModelFiles(exportTfjsLayersModel(params, input));
  const back = referenceParamsFromTfjs(JSON.parse(files.modelJson), files.weightsBin, "model.json");
  assert.deepEqual(back.input, input);
  for (const p of params) {
    const q = back.params.find((r) => r.name === p.name)!;
    assert.deepEqual(q.shape, p.shape);
    let max = 0;
    p.values.forEach((v, i) => (max = Math.max(max, Math.abs(v - q.values[i]))));
    assert.ok(max < 1e-5, `${p.name}: max |Δ| ${max}`);
  }
  assert.throws(() => referenceParamsFromTfjs({}, new ArrayBuffer(0), "x.json"), /x\.json: no "modelTopology"/);
  assert.throws(
    () => referenceParamsFromTfjs(JSON.parse(files.modelJson), files.weightsBin.slice(0, 100), "m.json"),
    /m\.json: weights file is truncated/,
  );
  const other = JSON.parse(files.modelJson);
  other.modelTopology.config.layers.splice(2, 1);
  assert.throws(() => referenceParamsFromTfjs(other, files.weightsBin, "m.json"), /unsupported layers/);
  net.dispose();
});

test("a converted tfjs model is an integral net that computes what the discrete net computes, at full size", () => {
  const net = new ReferenceNet(input, 4);
  const files = tfjsModelFiles(exportTfjsLayersModel(readParameters(net), input));
  const before = tf.memory().numTensors;
  const { inn, twin } = integralFromTfjs(files.modelJson, files.weightsBin, "model.json");
  const random = mulberry32(1);
  const x = tf.tensor4d(
    Float32Array.from({ length: 3 * 784 }, () => random()),
    [3, 28, 28, 1],
  );
  const a = net.apply(x, { training: false });
  const b = inn.apply(x, { training: false });
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
  assert.ok(diff < 1e-3, `logits differ by ${diff}`);
  assert.equal(twin.length, 8);
  tf.dispose([x, a, b]);
  inn.dispose();
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => integralFromTfjs("{not json", new ArrayBuffer(0), "bad.json"), /bad\.json: not valid JSON/);
  net.dispose();
});

test("model files: bytes round trip to a model; full-size parameters of the twin; malformed bytes are named", () => {
  const inn = createReferenceInn(input, 6);
  const file = saveContinuousModel(inn);
  const bytes = encodeModelFile(file.manifest, file.blob);
  const loaded = continuousModelFromBytes(bytes, "mine.model");
  assert.deepEqual(loaded.sizes, inn.sizes);
  const params = fullSizeParametersFromBytes(bytes, "mine.model");
  const direct = innDiscreteParameters(inn);
  assert.deepEqual(
    params.map((p) => p.name),
    direct.map((p) => p.name),
  );
  assert.deepEqual(Array.from(params[2].values), Array.from(direct[2].values));
  assert.throws(() => continuousModelFromBytes(new Uint8Array([1, 2, 3]), "junk.model"), /junk\.model/);
  assert.throws(() => continuousModelFromBytes(bytes.slice(0, bytes.length - 10), "cut.model"), /cut\.model/);
  loaded.dispose();
  inn.dispose();
});
