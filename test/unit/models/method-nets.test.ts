import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../../loaders/backend.js";
import type { Model } from "../../../src/lib/model.js";
import { LhcNet } from "../../../src/lib/models/lhc-net.js";
import { SscNet } from "../../../src/lib/models/ssc-net.js";
import { IgpcNet } from "../../../src/lib/models/igpc-net.js";
import { mulberry32 } from "../../../src/lib/random.js";

before(async () => {
  await initBackend("cpu");
  if (!tf.getGradient("Sum")) await import("@tensorflow/tfjs");
});

const input = { height: 28, width: 28, channels: 1, classes: 10 };

function trainSteps(model: Model, steps: number, extraLoss?: () => tf.Scalar): number[] {
  const r = mulberry32(3);
  const x = tf.tensor4d(
    Float32Array.from({ length: 8 * 28 * 28 }, () => r()),
    [8, 28, 28, 1],
  );
  const labels = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], "int32"), 10));
  const opt = tf.train.adam(0.01);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const loss = opt.minimize(
      () => {
        const l = tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true })) as tf.Scalar;
        return extraLoss ? (tf.add(l, extraLoss()) as tf.Scalar) : l;
      },
      true,
      model.trainableVariables,
    )!;
    losses.push(loss.dataSync()[0]);
    loss.dispose();
  }
  opt.dispose();
  tf.dispose([x, labels]);
  return losses;
}

for (const [name, make] of [
  ["lhc free", () => new LhcNet(input, { cgo: 4 })],
  ["lhc rigid", () => new LhcNet(input, { shapes: "rigid", cgi: 2, cgo: 2 })],
  ["ssc", () => new SscNet(input)],
  ["igpc", () => new IgpcNet(input)],
] as const) {
  test(`${name} net: logits shape, a few training steps lower the loss, no leaked tensors`, () => {
    const before = tf.memory().numTensors;
    const model: Model = make();
    const lhc = model instanceof LhcNet ? model : null;
    const losses = trainSteps(model, 6, lhc ? () => lhc.regularizer(0.3) : undefined);
    assert.ok(losses.every(Number.isFinite));
    assert.ok(losses[losses.length - 1] < losses[0], `${losses}`);
    if (lhc) {
      const d = lhc.density();
      assert.ok(d.weightDensity > 0 && d.weightDensity <= 1);
    }
    model.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
}
