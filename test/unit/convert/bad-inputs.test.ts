import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../../loaders/backend.js";
import { buildLayersModel, saveArtifacts, setSeededWeights } from "../../../loaders/layers-models.js";
import { convertLayersModel } from "../../../src/lib/convert/convert.js";
import { artifactsFromFiles } from "../../../src/lib/convert/weights.js";
import { tfjsModelFiles } from "../../../src/lib/io/tfjs-export.js";

const MNIST = { height: 28, width: 28, channels: 1, classes: 10 };

before(async () => {
  await initBackend("cpu");
});

async function cnnArtifacts(): Promise<tf.io.ModelArtifacts> {
  const model = buildLayersModel("cnn");
  setSeededWeights(model, 1);
  const artifacts = await saveArtifacts(model);
  model.dispose();
  return artifacts;
}

/** model.json (parsed) and its one weights file, as a page or the CLI reads them. */
async function cnnFiles(): Promise<{
  json: { weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
  bin: ArrayBuffer;
}> {
  const files = tfjsModelFiles(await cnnArtifacts(), "group1-shard1of1.bin");
  return { json: JSON.parse(files.modelJson), bin: files.weightsBin };
}

test("unsupported layers: one error lists each by name, class and position, with the reason", async () => {
  const start = tf.memory().numTensors;
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ name: "conv", inputShape: [28, 28, 1], filters: 4, kernelSize: 3 }));
  m.add(tf.layers.upSampling2d({ name: "up" }));
  m.add(tf.layers.conv2dTranspose({ name: "deconv", filters: 4, kernelSize: 3 }));
  m.add(tf.layers.depthwiseConv2d({ name: "dw2", kernelSize: 3, depthMultiplier: 2 }));
  m.add(tf.layers.flatten({ name: "flat" }));
  m.add(tf.layers.dense({ name: "out", units: 10 }));
  const artifacts = await saveArtifacts(m);
  m.dispose();
  assert.throws(
    () => convertLayersModel(artifacts, { source: "my-model.json" }),
    (e: Error) => {
      assert.match(e.message, /^my-model\.json: 3 layers cannot be converted:/);
      assert.match(e.message, /"up" \(UpSampling2D, layer 2\): not a supported layer/);
      assert.match(e.message, /"deconv" \(Conv2DTranspose, layer 3\): not a supported layer/);
      assert.match(e.message, /"dw2" \(DepthwiseConv2D, layer 4\): depth_multiplier 2/);
      assert.doesNotMatch(e.message, /"conv"|"flat"|"out"/);
      assert.match(e.message, /Supported layers: InputLayer, Conv2D, DepthwiseConv2D/);
      return true;
    },
  );
  // Structural problems too: a Dense on a feature map and a softmax inside the network, both listed.
  const f = tf.sequential();
  f.add(tf.layers.conv2d({ name: "c", inputShape: [8, 8, 1], filters: 4, kernelSize: 3, activation: "softmax" }));
  f.add(tf.layers.dense({ name: "d", units: 3 }));
  const structural = await saveArtifacts(f);
  f.dispose();
  assert.throws(
    () => convertLayersModel(structural),
    /2 layers cannot be converted:\n {2}"c" \(Conv2D, layer 1\): a softmax inside the network[^\n]*\n {2}"d" \(Dense, layer 2\): a Dense on a feature map/,
  );
  assert.equal(tf.memory().numTensors, start);
});

test("a weights file that does not match the manifest is refused naming the file and both byte counts", async () => {
  const { json, bin } = await cnnFiles();
  const short = bin.slice(0, bin.byteLength - 8);
  assert.throws(
    () => artifactsFromFiles(json, { "group1-shard1of1.bin": short }),
    new RegExp(
      `^Error: model\\.json: weights file group1-shard1of1\\.bin is truncated: weight "\\S+" needs bytes \\d+…${bin.byteLength}, the file holds ${short.byteLength} \\(the manifest describes ${bin.byteLength}\\)$`,
    ),
  );
  assert.throws(
    () => artifactsFromFiles(json, {}),
    /weights file "group1-shard1of1\.bin" \(named in the manifest\) was not given/,
  );
  // Artifacts handed over directly (tf.io) are checked the same way.
  const artifacts = await cnnArtifacts();
  assert.throws(
    () => convertLayersModel({ ...artifacts, weightData: (artifacts.weightData as ArrayBuffer).slice(4) }),
    /^Error: model\.json: the weights data is truncated: weight "[^"]+" needs bytes \d+…\d+, the file holds \d+ \(the manifest describes \d+\)$/,
  );
});

test("missing weights are refused naming the layer and the weight", async () => {
  const { json, bin } = await cnnFiles();
  const specs = json.weightsManifest[0]!.weights;
  const index = specs.findIndex((s) => s.name === "conv2/bias");
  const before = specs.slice(0, index).reduce((a, s) => a + 4 * s.shape.reduce((x, y) => x * y, 1), 0);
  const size = 4 * specs[index]!.shape[0]!;
  // Drop the weight and its bytes: the file still matches the (edited) manifest, but conv2 has no bias.
  json.weightsManifest[0]!.weights = specs.filter((_, i) => i !== index);
  const data = new Uint8Array(bin.byteLength - size);
  data.set(new Uint8Array(bin, 0, before));
  data.set(new Uint8Array(bin, before + size), before);
  const artifacts = artifactsFromFiles(json, { "group1-shard1of1.bin": data.buffer });
  assert.throws(
    () => convertLayersModel(artifacts),
    /model\.json: layer "conv2" \(Conv2D, layer 3\): weight "conv2\/bias" is missing from the weights manifest \(it lists conv1\/kernel, conv1\/bias, conv2\/kernel, fc1\/kernel/,
  );
});

test("a wrong input shape is refused: the dataset's images, or an input that is no image", async () => {
  const artifacts = await cnnArtifacts();
  assert.throws(
    () => convertLayersModel(artifacts, { input: { height: 32, width: 32, channels: 3, classes: 10 } }),
    /wrong input shape: the model takes 28×28×1 images, the dataset's are 32×32×3/,
  );
  assert.throws(
    () => convertLayersModel(artifacts, { input: { ...MNIST, classes: 26 } }),
    /the model has 10 outputs, the dataset has 26 classes/,
  );
  const mlp = tf.sequential();
  mlp.add(tf.layers.dense({ inputShape: [784], units: 10 }));
  const flat = await saveArtifacts(mlp);
  mlp.dispose();
  assert.throws(
    () => convertLayersModel(flat),
    /wrong input shape: the model takes \[784\]; a convertible model takes images \[height, width, channels\]/,
  );
});

test("NaN weights are refused naming the weight and the index", async () => {
  const start = tf.memory().numTensors;
  const { json, bin } = await cnnFiles();
  const specs = json.weightsManifest[0]!.weights;
  const offset = specs.slice(0, 2).reduce((a, s) => a + 4 * s.shape.reduce((x, y) => x * y, 1), 0);
  const poisoned = bin.slice(0);
  new DataView(poisoned).setFloat32(offset + 4 * 7, Number.NaN, true);
  assert.throws(
    () => convertLayersModel(artifactsFromFiles(json, { "group1-shard1of1.bin": poisoned })),
    /model\.json: weight "conv2\/kernel" holds NaN at index 7 \(of 1152\)/,
  );
  assert.equal(tf.memory().numTensors, start, "decoding tensors leaked on the error path");
});

test("a model that is not a layers model, a shared layer and a second input are named", async () => {
  assert.throws(() => artifactsFromFiles({ format: "graph-model", modelTopology: {} }, {}), /a graph model/);
  assert.throws(() => convertLayersModel({ modelTopology: { class_name: "Foo", config: {} } }), /model class "Foo"/);
  const input = tf.input({ shape: [8, 8, 2] });
  const shared = tf.layers.conv2d({ name: "shared", filters: 2, kernelSize: 1 });
  const y = shared.apply(shared.apply(input) as tf.SymbolicTensor) as tf.SymbolicTensor;
  const g = tf.layers.globalAveragePooling2d({}).apply(y) as tf.SymbolicTensor;
  const m = tf.model({ inputs: input, outputs: g });
  const artifacts = await saveArtifacts(m);
  m.dispose();
  assert.throws(
    () => convertLayersModel(artifacts),
    /layer "shared" \(Conv2D, layer 2\) is applied 2 times; shared layers cannot be converted/,
  );
});
