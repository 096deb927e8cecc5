/** The optional Model hooks the in-process trainer calls: regularization() in the loss, startEpoch() per epoch. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs"; // gradients
import type { ForwardContext, Model } from "../../../src/lib/model.js";
import type { Dataset } from "../../../src/lib/data/dataset.js";
import { computeGradients } from "../../../src/lib/train/gradients.js";
import { trainInProcess } from "../../../src/lib/train/local.js";
import { resolveSettings } from "../../../src/lib/train/settings.js";

/** Logits = mean pixel × w (one weight per class); regulariser = c · Σ w². */
class Tiny implements Model {
  readonly name = "tiny";
  readonly w = tf.tidy(() => tf.variable(tf.tensor1d([0.5, -0.25])));
  readonly trainableVariables = [this.w];
  epochs: [number, number][] = [];
  constructor(private readonly c: number | null) {}
  apply(images: tf.Tensor4D, _context: ForwardContext): tf.Tensor2D {
    return tf.tidy(() => tf.mul(tf.reshape(tf.mean(images, [1, 2, 3]), [-1, 1]), this.w) as tf.Tensor2D);
  }
  get regularization(): (() => tf.Scalar) | undefined {
    const c = this.c;
    return c === null ? undefined : () => tf.tidy(() => tf.mul(tf.sum(tf.square(this.w)), c) as tf.Scalar);
  }
  startEpoch(epoch: number, epochs: number): void {
    this.epochs.push([epoch, epochs]);
  }
  dispose(): void {
    this.w.dispose();
  }
}

test("regularization() adds to the training loss and its gradient, not to evaluation", async () => {
  await tf.setBackend("cpu");
  const before = tf.memory().numTensors;
  const images = tf.fill([2, 2, 2, 1], 0.5) as tf.Tensor4D;
  const oneHot = tf.tensor2d([
    [1, 0],
    [0, 1],
  ]);
  const plain = new Tiny(null);
  const regular = new Tiny(3);
  const a = computeGradients(plain, images, oneHot, { training: true });
  const b = computeGradients(regular, images, oneHot, { training: true });
  const c = computeGradients(regular, images, oneHot, { training: false });
  // R = 3 · (0.25 + 0.0625) = 0.9375; dR/dw = 6w = [3, −1.5].
  assert.ok(Math.abs(b.loss - a.loss - 0.9375) < 1e-5, `${b.loss} − ${a.loss}`);
  assert.ok(Math.abs(c.loss - a.loss) < 1e-6, "no regulariser outside training");
  const [ga, gb] = [a.gradients[0].dataSync(), b.gradients[0].dataSync()];
  assert.ok(Math.abs(gb[0] - ga[0] - 3) < 1e-5 && Math.abs(gb[1] - ga[1] + 1.5) < 1e-5);
  tf.dispose([images, oneHot, ...a.gradients, ...b.gradients, ...c.gradients]);
  plain.dispose();
  regular.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test("the in-process trainer calls startEpoch before each epoch", async () => {
  await tf.setBackend("cpu");
  const n = 8;
  const split = {
    images: new Uint8Array(n * 4).fill(128),
    labels: Uint8Array.from({ length: n }, (_, i) => i % 2),
    count: n,
  };
  const dataset: Dataset = { name: "toy", height: 2, width: 2, channels: 1, classes: 2, train: split, test: split };
  const model = new Tiny(0.1);
  await trainInProcess(model, dataset, resolveSettings({ epochs: 3, batchSize: 4 }));
  assert.deepEqual(model.epochs, [
    [0, 3],
    [1, 3],
    [2, 3],
  ]);
  model.dispose();
});
