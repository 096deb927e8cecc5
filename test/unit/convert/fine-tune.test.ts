import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../../loaders/backend.js";
import { buildLayersModel, saveArtifacts, setSeededWeights } from "../../../loaders/layers-models.js";
import { convertLayersModel } from "../../../src/lib/convert/convert.js";
import { computeGradients } from "../../../src/lib/train/gradients.js";
import { createOptimizer } from "../../../src/lib/train/optimizers.js";
import { mulberry32 } from "../../../src/lib/random.js";
import { IntegralGraphNet } from "../../../src/lib/graph/graph-net.js";
import { assignFlatWeights } from "../../../src/lib/train/gradients.js";
import { maxAbsDiff } from "../helpers/tensors.js";
import { everyKindA, images } from "../helpers/layers.js";

before(async () => {
  await initBackend("wasm");
});

function oneHot(seed: number, batch: number, classes: number): tf.Tensor2D {
  const random = mulberry32(seed);
  const values = new Float32Array(batch * classes);
  for (let i = 0; i < batch; i++) values[i * classes + Math.floor(random() * classes)] = 1;
  return tf.tensor2d(values, [batch, classes]);
}

/** Gradients of one random-size training step, as plain arrays. */
function stepGradients(net: IntegralGraphNet, x: tf.Tensor4D, y: tf.Tensor2D, seed: number): Float32Array[] {
  const { gradients } = computeGradients(net, x, y, { training: true, random: mulberry32(seed) });
  const out = gradients.map((g) => g.dataSync().slice() as Float32Array);
  tf.dispose(gradients);
  return out;
}

test("converted nets with every layer kind train on random sizes: the wasm kernels' gradients match the cpu's", async () => {
  const start = tf.memory().numTensors;
  const model = everyKindA();
  setSeededWeights(model, 2, true);
  const converted = convertLayersModel(await saveArtifacts(model), { restarts: 2 });
  model.dispose();
  const net = converted.net;
  const x = images(1, [13, 10, 2], 8);
  const y = oneHot(2, 8, 5);
  try {
    for (const seed of [3, 4, 5]) {
      await tf.setBackend("wasm");
      const wasm = stepGradients(net, x, y, seed);
      await tf.setBackend("cpu");
      const cpu = stepGradients(net, x, y, seed);
      wasm.forEach((g, i) => {
        const name = net.parameterNames[i];
        const scale = cpu[i]!.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        const worst = g.reduce((m, v, k) => Math.max(m, Math.abs(v - cpu[i]![k]!)), 0);
        assert.ok(g.every(Number.isFinite), `${name}: non-finite gradient`);
        assert.ok(
          worst <= 1e-3 * Math.max(scale, 1e-6),
          `${name} (step seed ${seed}): wasm vs cpu ${worst}, scale ${scale}`,
        );
      });
    }
  } finally {
    await tf.setBackend("wasm");
    tf.dispose([x, y]);
    net.dispose();
  }
  assert.equal(tf.memory().numTensors, start);
});

test("a converted MobileNet-style net fine-tunes on random sizes: the full-size loss on a fixed batch falls", async () => {
  const start = tf.memory().numTensors;
  const model = buildLayersModel("mobilenet");
  setSeededWeights(model, 3, true);
  const converted = convertLayersModel(await saveArtifacts(model), { restarts: 2 });
  model.dispose();
  const net = converted.net;
  const x = images(4, [28, 28, 1], 16);
  const y = oneHot(5, 16, 10);
  const optimizer = createOptimizer("adam", net.trainableVariables);
  const fullLoss = () => computeGradients(net, x, y, { training: true });
  const before = fullLoss();
  tf.dispose(before.gradients);
  for (let step = 0; step < 8; step++) {
    const { loss, gradients } = computeGradients(net, x, y, { training: true, random: mulberry32(10 + step) });
    assert.ok(Number.isFinite(loss), `step ${step}: loss ${loss}`);
    optimizer.step(gradients, 0.01);
    tf.dispose(gradients);
  }
  const after = fullLoss();
  tf.dispose(after.gradients);
  assert.ok(after.loss < before.loss, `loss ${before.loss} → ${after.loss}`);
  optimizer.dispose();
  tf.dispose([x, y]);
  net.dispose();
  assert.equal(tf.memory().numTensors, start);
});

test("after nodes are assigned from outside (workers' training), invalidate() makes the net evaluate them", async () => {
  const start = tf.memory().numTensors;
  const model = buildLayersModel("cnn");
  setSeededWeights(model, 4);
  const converted = convertLayersModel(await saveArtifacts(model), { restarts: 1 });
  model.dispose();
  const net = converted.net;
  const x = images(6, [28, 28, 1], 4);
  const before = net.apply(x, { training: false });
  const moved = Float32Array.from(net.trainableVariables.flatMap((v) => Array.from(v.dataSync(), (a) => a * 1.5)));
  assignFlatWeights(net.trainableVariables, moved);
  net.invalidate();
  const after = net.apply(x, { training: false });
  const twin = new IntegralGraphNet(net.plan, 0);
  assignFlatWeights(twin.trainableVariables, moved);
  const fresh = twin.apply(x, { training: false });
  assert.ok(maxAbsDiff(before, after) > 1e-3, "the assigned nodes changed nothing");
  assert.equal(maxAbsDiff(after, fresh), 0);
  tf.dispose([x, before, after, fresh]);
  twin.dispose();
  net.dispose();
  assert.equal(tf.memory().numTensors, start);
});
