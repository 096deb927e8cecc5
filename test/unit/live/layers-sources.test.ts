/**
 * A dropped tfjs layers model on the live page: model.json parsed with a named error, routed by kind (this
 * library's reference-net export goes to the reference importer, anything else to the general converter),
 * and its weight files checked against the manifest in both directions.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend } from "../../../loaders/backend.js";
import { buildLayersModel, saveArtifacts, setSeededWeights } from "../../../loaders/layers-models.js";
import { ReferenceNet } from "../../../src/lib/models/reference.js";
import { readParameters } from "../../../src/lib/compression/parameters.js";
import { exportTfjsLayersModel, tfjsModelFiles } from "../../../src/lib/io/tfjs-export.js";
import { isReferenceExport, layersArtifacts, parseModelJson } from "../../../src/lib/live/model-sources.js";

before(async () => {
  await initBackend("wasm");
});

const input = { height: 28, width: 28, channels: 1, classes: 10 };

/** A residual tfjs model's model.json (as tf.io writes it, one shard "weights.bin") and its weights. */
async function residualFiles(): Promise<{ json: Record<string, unknown>; bin: ArrayBuffer }> {
  const keras = buildLayersModel("residual");
  setSeededWeights(keras, 3);
  const a = await saveArtifacts(keras);
  keras.dispose();
  return {
    json: { modelTopology: a.modelTopology, weightsManifest: [{ paths: ["weights.bin"], weights: a.weightSpecs }] },
    bin: a.weightData as ArrayBuffer,
  };
}

test("parseModelJson names the file when its text is not JSON", () => {
  assert.deepEqual(parseModelJson('{"a": 1}', "m.json"), { a: 1 });
  assert.throws(() => parseModelJson("{ nope", "mine.json"), /^Error: mine\.json: not valid JSON \(/);
});

test("isReferenceExport: the reference net's own export (EdgePadding2D) yes; a Keras-style CNN, junk no", async () => {
  const net = new ReferenceNet(input, 0);
  const files = tfjsModelFiles(exportTfjsLayersModel(readParameters(net), input));
  net.dispose();
  assert.equal(isReferenceExport(JSON.parse(files.modelJson)), true);
  assert.equal(isReferenceExport((await residualFiles()).json), false);
  const sequential = buildLayersModel("cnn");
  const a = await saveArtifacts(sequential);
  sequential.dispose();
  assert.equal(isReferenceExport({ modelTopology: a.modelTopology }), false);
  for (const junk of [null, 3, {}, { modelTopology: { config: 5 } }, { modelTopology: { model_config: {} } }])
    assert.equal(isReferenceExport(junk), false, JSON.stringify(junk));
});

test("layersArtifacts: the manifest's shards by base name; a stray or a missing file is named", async () => {
  const { json, bin } = await residualFiles();
  const artifacts = layersArtifacts(json, { "weights.bin": bin }, "model.json");
  assert.equal((artifacts.weightData as ArrayBuffer).byteLength, bin.byteLength);
  assert.ok((artifacts.weightSpecs ?? []).some((s) => s.name === "stem/kernel"));
  // Two shards, as tensorflowjs_converter splits big models.
  const half = 4 * Math.floor(bin.byteLength / 8);
  const two = {
    ...json,
    weightsManifest: [{ paths: ["group1-shard1of2.bin", "group1-shard2of2.bin"], weights: artifacts.weightSpecs }],
  };
  const joined = layersArtifacts(
    two,
    { "group1-shard1of2.bin": bin.slice(0, half), "group1-shard2of2.bin": bin.slice(half) },
    "model.json",
  );
  assert.deepEqual(new Uint8Array(joined.weightData as ArrayBuffer), new Uint8Array(bin));
  assert.throws(
    () => layersArtifacts(json, { "weights.bin": bin, "extra.bin": new ArrayBuffer(1) }, "model.json"),
    /^Error: model\.json: extra\.bin is not among the weights files its manifest names \(weights\.bin\)$/,
  );
  assert.throws(
    () => layersArtifacts(two, { "group1-shard1of2.bin": bin.slice(0, half) }, "model.json"),
    /model\.json: weights file "group1-shard2of2\.bin" \(named in the manifest\) was not given/,
  );
  // A wrong kernel shape in the manifest is named against the layer before the file's length is checked.
  const reshaped = structuredClone(json) as { weightsManifest: { weights: { name: string; shape: number[] }[] }[] };
  const stem = reshaped.weightsManifest[0]!.weights.find((w) => w.name === "stem/kernel")!;
  assert.deepEqual(stem.shape, [3, 3, 1, 16]);
  stem.shape = [5, 5, 1, 16];
  assert.throws(
    () => layersArtifacts(reshaped, { "weights.bin": bin }, "mine.json"),
    /^Error: mine\.json: layer "stem" \(Conv2D, layer 2\): weight "stem\/kernel" expects \[3,3,1,16\], got \[5,5,1,16\]$/,
  );
  assert.throws(
    () => layersArtifacts({ format: "graph-model", modelTopology: {} }, {}, "g.json"),
    /g\.json: a graph model/,
  );
});
