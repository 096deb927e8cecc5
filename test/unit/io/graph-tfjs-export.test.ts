import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../../loaders/backend.js";
import { createFamilyModel, SINN_FAMILIES } from "../../../src/lib/sinn/families.js";
import { exportPlanTfjsLayersModel } from "../../../src/lib/io/graph-tfjs-export.js";
import { tfjsModelFiles } from "../../../src/lib/io/tfjs-export.js";
import { mulberry32 } from "../../../src/lib/random.js";

const input = { height: 12, width: 12, channels: 1, classes: 10 };

before(async () => {
  await initBackend("cpu");
});

function images(seed: number, count: number): tf.Tensor4D {
  const random = mulberry32(seed);
  return tf.tensor4d(
    Float32Array.from({ length: count * 144 }, () => random()),
    [count, 12, 12, 1],
  );
}

for (const family of SINN_FAMILIES) {
  test(`${family} SINN resampled and calibrated, exported as a tfjs layers model, loads with stock layers and predicts the net's logits`, async () => {
    const start = tf.memory().numTensors;
    const model = createFamilyModel(family, "sinn", input, 4, { widthScale: 0.25 });
    const train = images(1, 16);
    // A few training steps move the batch-norm statistics away from (0, 1).
    for (let k = 0; k < 2; k++) tf.dispose(model.apply(train, { training: true }));
    const sizes = Object.fromEntries(
      model.hiddenGroups.map((g, i) => [g, Math.max(2, Math.round(model.fullSizes[g] * (i % 2 ? 0.5 : 0.75)))]),
    );
    model.resample(sizes);
    model.calibrate([train]);
    const files = tfjsModelFiles(exportPlanTfjsLayersModel(model));
    const json = JSON.parse(files.modelJson);
    assert.equal(json.modelTopology.class_name, "Model");
    const loaded = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: files.weightsBin,
      }),
    );
    const x = images(2, 5);
    const expected = tf.tidy(() => model.apply(x, { training: false }));
    const got = loaded.predict(x) as tf.Tensor;
    assert.deepEqual(got.shape, [5, 10]);
    const e = Array.from(expected.dataSync());
    const g = Array.from(got.dataSync());
    const scale = Math.max(...e.map(Math.abs));
    assert.ok(scale > 1e-3, `logits not all zero (${scale})`);
    g.forEach((v, i) => assert.ok(Math.abs(v - e[i]) <= 1e-4 * scale, `${family} logit ${i}: ${v} vs ${e[i]}`));
    // The exported weights are the resampled ones: the first conv's kernel has its group's resampled size.
    const first = model.plan.nodes.find((n) => n.op.op === "conv2d")!;
    const outGroup = (first.op as { outGroup: string }).outGroup;
    const kernel = json.weightsManifest[0].weights.find(
      (w: { name: string }) => w.name === `${first.id.replace(/[^A-Za-z0-9_]/g, "_")}/kernel`,
    );
    assert.equal(kernel.shape[3], model.sizes[outGroup]);
    assert.ok(model.sizes[outGroup] < model.fullSizes[outGroup], `${outGroup} was resampled below full size`);
    tf.dispose([x, expected, got, train]);
    loaded.dispose();
    model.dispose();
    assert.equal(tf.memory().numTensors, start);
  });
}
