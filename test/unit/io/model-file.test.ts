import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../../loaders/backend.js";
import { innDiscreteParameters } from "../../../src/lib/compression/conversion.js";
import { loadContinuousModel, saveContinuousModel, type ModelFile } from "../../../src/lib/io/model-file.js";
import { createReferenceInn, ReferenceInn } from "../../../src/lib/models/reference-inn.js";
import { edgePad } from "../../../src/lib/ops/edge-pad.js";
import { EDGE_PADDING_CLASS, exportTfjsLayersModel, tfjsModelFiles } from "../../../src/lib/io/tfjs-export.js";
import { mulberry32 } from "../../../src/lib/random.js";
import { uniformImages } from "../helpers/tensors.js";
import { interpolationMatrix } from "../../../src/lib/math/sampling.js";
import { cubicKernel } from "../../../src/lib/math/interpolation.js";
import { uniformPartition } from "../../../src/lib/math/partition.js";

before(async () => {
  await initBackend("cpu");
});

const input = { height: 16, width: 16, channels: 1, classes: 10 };

const images = uniformImages;

function logits(model: { apply(x: tf.Tensor4D, c: { training: boolean }): tf.Tensor2D }, x: tf.Tensor4D): number[] {
  const y = model.apply(x, { training: false });
  const v = Array.from(y.dataSync());
  y.dispose();
  return v;
}

/** A model whose nodes are not an exact discrete init (so resampling is non-trivial): perturbed nodes. */
function trainedLikeInn(): ReferenceInn {
  const inn = createReferenceInn(input, 3, { ranges: { conv1: { min: 6, max: 16 } } });
  const random = mulberry32(8);
  for (const v of inn.trainableVariables)
    tf.tidy(() =>
      v.assign(
        tf.add(
          v,
          tf.tensor(
            Float32Array.from({ length: v.size }, () => 0.05 * (random() - 0.5)),
            v.shape,
          ),
        ),
      ),
    );
  return inn;
}

function copy(file: ModelFile): ModelFile {
  return { manifest: JSON.parse(JSON.stringify(file.manifest)), blob: file.blob.slice(0) };
}

test("save → load reproduces nodes, ranges, sizes and outputs; nothing leaks", () => {
  const start = tf.memory().numTensors;
  const inn = trainedLikeInn();
  inn.resample({ conv1: 9, conv2: 20, conv3: 33 });
  const file = saveContinuousModel(inn);
  // The manifest is plain JSON and says what it holds.
  const manifest = JSON.parse(JSON.stringify(file.manifest));
  assert.equal(manifest.format, "integral-lab/continuous-model");
  assert.equal(manifest.version, 1);
  assert.deepEqual(manifest.sizes, { image: 1, conv1: 9, conv2: 20, conv3: 33, classes: 10 });
  assert.deepEqual(manifest.groups.find((g: { id: string }) => g.id === "conv1").range, { min: 6, max: 16 });
  assert.equal(manifest.groups.find((g: { id: string }) => g.id === "conv2").kernel, "cubic(A=-0.75)");
  assert.equal(file.blob.byteLength, inn.trainableVariables.reduce((n, v) => n + v.size, 0) * 4);
  const loaded = loadContinuousModel({ manifest, blob: file.blob });
  assert.deepEqual(loaded.sizes, inn.sizes);
  assert.deepEqual(loaded.trainingRanges, inn.trainingRanges);
  loaded.trainableVariables.forEach((v, i) =>
    assert.deepEqual(Array.from(v.dataSync()), Array.from(inn.trainableVariables[i].dataSync())),
  );
  const x = images(1, 3);
  assert.deepEqual(logits(loaded, x), logits(inn, x));
  x.dispose();
  loaded.dispose();
  inn.dispose();
  assert.equal(tf.memory().numTensors, start);
});

test("resizing any number of times gives exactly what a fresh load and one resize give", () => {
  const inn = trainedLikeInn();
  const file = saveContinuousModel(inn);
  const x = images(2, 4);
  const target = { conv1: 7, conv2: 13, conv3: 29 };
  const fresh = loadContinuousModel(copy(file));
  fresh.resample(target);
  const many = loadContinuousModel(copy(file));
  for (const s of [[4, 8, 16], [16, 32, 64], [5, 31, 17], [12, 9, 60], [1, 1, 1].map((v) => v + 1)])
    many.resample({ conv1: s[0], conv2: s[1], conv3: s[2] });
  many.resample(target);
  assert.deepEqual(innDiscreteParameters(many), innDiscreteParameters(fresh));
  assert.deepEqual(logits(many, x), logits(fresh, x));
  // Saving a resized model keeps the continuous weights: load it, go back to full size, get the original.
  many.resample({ conv1: 4, conv2: 8, conv3: 16 });
  const reloaded = loadContinuousModel(saveContinuousModel(many));
  assert.deepEqual(reloaded.sizes.conv3, 16);
  reloaded.resample({ conv1: 16, conv2: 32, conv3: 64 });
  assert.deepEqual(logits(reloaded, x), logits(inn, x));
  x.dispose();
  for (const m of [inn, fresh, many, reloaded]) m.dispose();
});

test("upstream's way — overwrite the nodes with the resized tensor — is not reversible (why files keep nodes)", () => {
  // A 1-D weight function with 16 nodes, resized to 8 and then to 12 by re-interpolating the resized
  // values (what TorchIntegral's resize does to its parameters), versus 16 → 12 directly from the nodes.
  const kernel = cubicKernel();
  const nodes = Float64Array.from({ length: 16 }, (_, i) => Math.sin(1.3 * i) + 0.1 * i);
  const resize = (values: Float64Array, m: number) => {
    const M = interpolationMatrix(values.length, uniformPartition(m), kernel);
    return Float64Array.from({ length: m }, (_, r) => values.reduce((a, v, c) => a + M[r * values.length + c] * v, 0));
  };
  const chained = resize(resize(nodes, 8), 12);
  const direct = resize(nodes, 12);
  const gap = Math.max(...direct.map((v, i) => Math.abs(v - chained[i])));
  assert.ok(gap > 0.05, `re-interpolating resized values should lose information (max gap ${gap})`);
  // Back to full size from the 8 resized values does not give the nodes back either.
  const back = resize(resize(nodes, 8), 16);
  assert.ok(Math.max(...nodes.map((v, i) => Math.abs(v - back[i]))) > 0.05);
});

test("malformed or mismatched files get clear errors naming the problem", () => {
  const inn = trainedLikeInn();
  const good = saveContinuousModel(inn);
  inn.dispose();
  const start = tf.memory().numTensors;
  const bad = (edit: (f: ModelFile) => void, pattern: RegExp) => {
    const f = copy(good);
    edit(f);
    assert.throws(
      () => loadContinuousModel(f, "net.json"),
      (e: Error) => e.message.startsWith("net.json: ") && pattern.test(e.message),
      `expected ${pattern}`,
    );
  };
  bad((f) => {
    f.manifest.format = "something/else";
  }, /not a continuous model file \(format is "something\/else"/);
  bad((f) => {
    f.manifest.version = 2;
  }, /unsupported format version 2/);
  bad((f) => {
    f.manifest.model.name = "resnet";
  }, /unknown continuous model "resnet"/);
  bad((f) => {
    f.manifest.model.colour = "red";
  }, /unknown option "colour"/);
  bad((f) => {
    f.manifest.tensors = f.manifest.tensors.filter((t) => t.name !== "conv2.bias");
  }, /tensor "conv2.bias" is missing/);
  bad((f) => {
    f.manifest.tensors[0].shape = [3, 3, 1, 15];
  }, /tensor "conv1.weight" has shape \[3,3,1,15\], the model expects \[3,3,1,16\]/);
  bad((f) => {
    f.blob = f.blob.slice(0, f.blob.byteLength - 8);
  }, /weights blob is truncated/);
  bad((f) => {
    new DataView(f.blob).setFloat32(f.manifest.tensors[2].byteOffset + 8, NaN, true);
  }, /tensor "conv2.weight" holds NaN at index 2/);
  bad((f) => {
    f.manifest.sizes.conv2 = 33;
  }, /size of group "conv2" must be an integer in \[1, 32\], got 33/);
  bad((f) => {
    f.manifest.sizes.classes = 5;
  }, /group "classes" is fixed at 10/);
  bad((f) => {
    f.manifest.groups[1].range = { min: 2, max: 16 };
  }, /group "conv1" has training range \{"min":2,"max":16\} but the model spec builds \{"min":6,"max":16\}/);
  bad((f) => {
    f.manifest.input.height = 0;
  }, /input.height must be a positive integer/);
  bad((f) => {
    f.manifest.tensors.push({ ...f.manifest.tensors[0] });
  }, /tensor "conv1.weight" is listed twice/);
  bad((f) => {
    f.manifest.input.height = 1e9;
    f.manifest.input.width = 1e9;
  }, /input.height is 1000000000, more than 4096/);
  bad((f) => {
    f.manifest.input.classes = 1e9;
  }, /input.classes is 1000000000, more than 65536/);
  bad((f) => {
    f.manifest.tensors[1].byteOffset = f.manifest.tensors[0].byteOffset + 4;
  }, /tensor "conv1.bias" \(bytes 4–68\) overlaps tensor "conv1.weight" \(bytes 0–576\)/);
  bad((f) => {
    (f.manifest.sizes as Record<string, unknown>)["constructor"] = 4;
  }, /sizes names unknown group "constructor"/);
  bad((f) => {
    f.manifest.sizes = JSON.parse('{"__proto__": 4}');
  }, /sizes names unknown group "__proto__"/);
  bad((f) => {
    (f.manifest.tensors[0] as { shape: unknown }).shape = "3,3,1,16";
  }, /tensor "conv1.weight": shape must be an array of integers, got "3,3,1,16"/);
  bad((f) => {
    new DataView(f.blob).setFloat32(f.manifest.tensors[2].byteOffset + 4, 3e38, true);
  }, /tensor "conv2.weight" holds 3\.0000000\d*e\+38 at index 1, beyond ±1000000 \(not a trained model\)/);
  assert.equal(tf.memory().numTensors, start, "a failed load must free the model it started building");
});

class EdgePadding2D extends tf.layers.Layer {
  static className = EDGE_PADDING_CLASS;
  readonly padding: number;
  constructor(config: { padding: number; name?: string }) {
    super(config);
    this.padding = config.padding;
  }
  computeOutputShape(s: tf.Shape): tf.Shape {
    return [s[0], (s[1] as number) + 2 * this.padding, (s[2] as number) + 2 * this.padding, s[3]];
  }
  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return edgePad((Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D, this.padding);
  }
  getConfig() {
    return { ...super.getConfig(), padding: this.padding };
  }
}
tf.serialization.registerClass(EdgePadding2D);

test("a resampled model exported in tfjs's layers format loads with tf.loadLayersModel and predicts what the integral net predicts", async () => {
  const inn = trainedLikeInn();
  inn.resample({ conv1: 10, conv2: 21, conv3: 40 });
  const artifacts = exportTfjsLayersModel(innDiscreteParameters(inn), input);
  // Weights alone decode with tfjs-core.
  const decoded = tf.io.decodeWeights(artifacts.weightData as ArrayBuffer, artifacts.weightSpecs!);
  assert.deepEqual(Object.keys(decoded), [
    "conv1/kernel",
    "conv1/bias",
    "conv2/kernel",
    "conv2/bias",
    "conv3/kernel",
    "conv3/bias",
    "dense/kernel",
    "dense/bias",
  ]);
  assert.deepEqual(decoded["conv3/kernel"].shape, [5, 5, 21, 40]);
  assert.deepEqual(
    Array.from(decoded["dense/bias"].dataSync()),
    Array.from(inn.dense.discreteWeights(inn.sizes, false).bias!.dataSync()),
  );
  tf.dispose(Object.values(decoded));
  // model.json + weights.bin, as served over HTTP, read back through fromMemory.
  const files = tfjsModelFiles(artifacts);
  const json = JSON.parse(files.modelJson);
  assert.deepEqual(json.weightsManifest[0].paths, ["weights.bin"]);
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0].weights,
      weightData: files.weightsBin,
    }),
  );
  assert.deepEqual(model.outputs[0].shape, [null, 10]);
  const x = images(4, 5);
  const y = model.predict(x) as tf.Tensor;
  const expected = logits(inn, x);
  const got = Array.from(y.dataSync());
  const scale = Math.max(...expected.map(Math.abs));
  assert.ok(scale > 1e-3);
  got.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= 1e-5 * scale, `logit ${i}: ${v} vs ${expected[i]}`));
  tf.dispose([x, y]);
  model.dispose();
  inn.dispose();
  assert.throws(() => exportTfjsLayersModel([], input), /no parameter "conv1.weight"/);
});
