/** The single-file model container: round trip through loadContinuousModel, and every damaged form named. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import {
  decodeModelFile,
  encodeModelFile,
  loadContinuousModel,
  saveContinuousModel,
} from "../../../src/lib/io/model-file.js";
import { createReferenceInn } from "../../../src/lib/models/reference-inn.js";

const input = { height: 28, width: 28, channels: 1, classes: 10 };

test("encodeModelFile → decodeModelFile → loadContinuousModel reproduces the model (sizes, nodes, provenance)", async () => {
  await tf.setBackend("cpu");
  const before = tf.memory().numTensors;
  const inn = createReferenceInn(input, 5);
  inn.resample({ conv1: 8, conv2: 20, conv3: 33 });
  const { manifest, blob } = saveContinuousModel(inn);
  const bytes = encodeModelFile({ ...manifest, training: { seed: 5, note: "ü" } }, blob);
  assert.equal(String.fromCharCode(...bytes.subarray(0, 4)), "ILMF");
  const file = decodeModelFile(bytes, "x.model");
  assert.deepEqual(file.manifest.training, { seed: 5, note: "ü" });
  assert.deepEqual(new Uint8Array(file.blob), new Uint8Array(blob));
  const loaded = loadContinuousModel(file, "x.model");
  assert.deepEqual(loaded.sizes, inn.sizes);
  const images = tf.randomUniform([3, 28, 28, 1], 0, 1, "float32", 1) as tf.Tensor4D;
  const [a, b] = [inn.apply(images, { training: false }), loaded.apply(images, { training: false })];
  assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
  tf.dispose([images, a, b]);
  inn.dispose();
  loaded.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test("decodeModelFile names the file and the problem", () => {
  const manifest = { format: "integral-lab/continuous-model", version: 1, byteLength: 8 } as never;
  const good = encodeModelFile(manifest, new ArrayBuffer(8));
  assert.throws(() => encodeModelFile(manifest, new ArrayBuffer(4)), /blob has 4 bytes, the manifest declares 8/);
  assert.throws(() => decodeModelFile(good.subarray(0, 6), "m.model"), /m\.model: truncated model file: 6 bytes/);
  const foreign = good.slice();
  foreign[0] = 0x50;
  assert.throws(() => decodeModelFile(foreign, "m.model"), /m\.model: not a model file: magic "PLMF"/);
  const version = good.slice();
  version[4] = 9;
  assert.throws(() => decodeModelFile(version, "m.model"), /unsupported model file container version 9/);
  assert.throws(
    () => decodeModelFile(good.subarray(0, good.length - 3), "m.model"),
    /weights blob needs 8 bytes, 5 are present/,
  );
  const longer = new Uint8Array(good.length + 2);
  longer.set(good);
  assert.throws(() => decodeModelFile(longer, "m.model"), /2 trailing bytes/);
  const badJson = good.slice();
  badJson[12] = 0x7b + 1; // "{" → "|"
  assert.throws(() => decodeModelFile(badJson, "m.model"), /m\.model: the manifest is not valid UTF-8 JSON/);
  const hugeManifest = good.slice();
  new DataView(hugeManifest.buffer).setUint32(8, 1e6, true);
  assert.throws(() => decodeModelFile(hugeManifest, "m.model"), /the manifest needs 1000000 bytes/);
});
