import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { IntegralMlp } from "../../../src/lib/models/integral-mlp.js";
import { torchDefaultUniform } from "../../../src/lib/models/reference.js";
import { deriveSeed, mulberry32 } from "../../../src/lib/random.js";
import { trapezoidWeights } from "../../../src/lib/math/quadrature.js";
import { uniformPartition } from "../../../src/lib/math/partition.js";
import { computeGradients } from "../../../src/lib/train/gradients.js";
import { distillationLoss, softmaxCrossEntropy } from "../../../src/lib/train/loss.js";
import { Adam } from "../../../src/lib/train/optimizers.js";
import { maxAbsDiff, randomTensor, useCpuEngineWithGradients } from "../helpers/tensors.js";

useCpuEngineWithGradients();

const points = () => tf.tidy(() => tf.clipByValue(randomTensor([16, 2], 11), -1, 1) as tf.Tensor2D);
const oneHotOf = (labels: number[]) => tf.oneHot(tf.tensor1d(labels, "int32"), 2) as tf.Tensor2D;

/** The plain MLP of the given discrete weights [in, out] and biases. */
function discreteLogits(
  x: tf.Tensor2D,
  weights: Float32Array[],
  biases: Float32Array[],
  widths: number[],
): tf.Tensor2D {
  return tf.tidy(() => {
    let h = x;
    weights.forEach((w, l) => {
      h = tf.add(tf.matMul(h, tf.tensor2d(w, [widths[l], widths[l + 1]])), tf.tensor1d(biases[l]));
      if (l < weights.length - 1) h = tf.relu(h);
    });
    return h;
  });
}

describe("integral MLP", () => {
  it("at full width is exactly the discrete net it was initialised from, for every kernel", () => {
    const start = tf.memory().numTensors;
    const widths = [2, 6, 5, 2];
    // The discrete init the net promises: PyTorch-default uniform per tensor from the seed's streams.
    const weights = widths
      .slice(1)
      .map((o, l) => torchDefaultUniform(deriveSeed(9, 0x3100 + l, 0), widths[l] * o, widths[l]));
    const biases = widths.slice(1).map((o, l) => torchDefaultUniform(deriveSeed(9, 0x3100 + l, 1), o, widths[l]));
    const x = points();
    const expected = discreteLogits(x, weights, biases, widths);
    for (const kernel of ["cubic", "linear", "nearest"] as const) {
      const net = new IntegralMlp({ hidden: [6, 5], seed: 9, kernel });
      const got = net.logits(x, net.sizesAt(1));
      assert.ok(maxAbsDiff(got, expected) < 1e-6, `${kernel}: ${maxAbsDiff(got, expected)}`);
      // The nodes are the discrete weights divided by the full-width trapezoid scale q·V (ends: 1/2).
      const q = trapezoidWeights(uniformPartition(6)).map((v) => (v * 5) / 2);
      const nodes = net.layers[1].weightNodes.dataSync();
      assert.ok(Math.abs(nodes[0] * q[0] - weights[1][0]) < 1e-7 && Math.abs(nodes[5] * q[1] - weights[1][5]) < 1e-7);
      tf.dispose(got);
      net.dispose();
    }
    tf.dispose([x, expected]);
    assert.equal(tf.memory().numTensors, start);
  });

  it("a fixed-width net resampled to its own width is unchanged, also after training and other widths", () => {
    const net = new IntegralMlp({ hidden: [12, 8], seed: 3, smoothInit: 1 });
    assert.equal(net.randomWidths, false);
    const x = points();
    const labels = oneHotOf([0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0]);
    const optimizer = new Adam(net.trainableVariables);
    for (let s = 0; s < 3; s++) {
      const { gradients } = computeGradients(net, tf.reshape(x, [16, 1, 1, 2]) as tf.Tensor4D, labels, {
        training: true,
        random: mulberry32(s),
      });
      optimizer.step(gradients, 0.01);
      tf.dispose(gradients);
    }
    const before = net.logits(x, net.sizesAt(1));
    const viaApply = net.apply(tf.reshape(x, [16, 1, 1, 2]) as tf.Tensor4D, { training: false });
    const half = net.logits(x, net.sizesAt(0.5));
    const after = net.logits(x, net.sizesAt(1));
    assert.deepEqual(after.dataSync(), before.dataSync(), "full width after visiting 50% differs");
    assert.deepEqual(viaApply.dataSync(), before.dataSync());
    assert.ok(maxAbsDiff(half, before) > 1e-4, "50% computes the same logits as full width");
    tf.dispose([x, labels, before, viaApply, half, after]);
    optimizer.dispose();
    net.dispose();
  });

  it("sizes at a fraction round each layer, floored at the quadrature's minimum", () => {
    const net = new IntegralMlp({ hidden: [32, 10, 4], seed: 1 });
    assert.deepEqual(net.sizesAt(0.25), { input: 2, h1: 8, h2: 3, h3: 2, classes: 2 });
    net.setSampling({ quadrature: "simpson" });
    assert.deepEqual(net.sizesAt(0.05), { input: 2, h1: 3, h2: 3, h3: 3, classes: 2 });
    assert.deepEqual(net.sizesAt(1), { input: 2, h1: 32, h2: 10, h3: 4, classes: 2 });
    net.dispose();
  });

  it("another kernel or quadrature changes the resampled net; switching back restores it exactly", () => {
    const net = new IntegralMlp({ hidden: [16], seed: 5 });
    const x = points();
    // 7 of 16: the samples fall between nodes (at 6 of 16 they would hit nodes, where every kernel agrees).
    const sizes = net.sizesAt(0.45);
    const linear = net.logits(x, sizes);
    net.setSampling({ kernel: "cubic" });
    const cubic = net.logits(x, sizes);
    net.setSampling({ kernel: "linear", quadrature: "left-riemann" });
    const riemann = net.logits(x, sizes);
    net.setSampling({ quadrature: "trapezoid" });
    const back = net.logits(x, sizes);
    assert.ok(maxAbsDiff(cubic, linear) > 1e-4);
    assert.ok(maxAbsDiff(riemann, linear) > 1e-4);
    assert.deepEqual(back.dataSync(), linear.dataSync());
    assert.equal(net.kernel, "linear");
    assert.equal(net.quadrature, "trapezoid");
    tf.dispose([x, linear, cubic, riemann, back]);
    net.dispose();
  });

  it("with random widths, the training loss is the sandwich rule's sum", () => {
    const rule = { draws: 1, smallest: true, labelWeight: 0.25 };
    const net = new IntegralMlp({ hidden: [16, 12], seed: 2, minFraction: 0.25, sandwich: rule });
    assert.equal(net.randomWidths, true);
    assert.deepEqual(net.groups.range("h1"), { min: 4, max: 16 });
    assert.deepEqual(net.groups.range("h2"), { min: 3, max: 12 });
    const x = points();
    const images = tf.reshape(x, [16, 1, 1, 2]) as tf.Tensor4D;
    const labels = oneHotOf([1, 1, 0, 0, 1, 0, 1, 0, 1, 1, 0, 0, 0, 1, 0, 1]);
    const loss = net.trainingLoss(images, labels, { training: true, random: mulberry32(77) });
    const drawn = net.groups.stepSizes({ training: true, random: mulberry32(77) });
    assert.notDeepEqual(drawn, net.groups.fullSizes, "the draw should not be the full size for this seed");
    const expected = tf.tidy(() => {
      const full = net.logits(x, net.groups.fullSizes, true);
      const student = (logits: tf.Tensor2D) =>
        tf.add(tf.mul(0.25, softmaxCrossEntropy(logits, labels)), tf.mul(0.75, distillationLoss(logits, full)));
      const smallest = { ...net.groups.fullSizes, h1: 4, h2: 3 };
      return tf.addN([
        softmaxCrossEntropy(full, labels),
        student(net.logits(x, drawn, true)),
        student(net.logits(x, smallest, true)),
      ]);
    });
    assert.ok(Math.abs(loss.dataSync()[0] - expected.dataSync()[0]) < 1e-6);
    tf.dispose([x, images, labels, loss, expected]);
    net.dispose();
  });

  it("rejects bad shapes and options by name", () => {
    assert.throws(() => new IntegralMlp({ hidden: [], seed: 1 }), /1–3 hidden layers/);
    assert.throws(() => new IntegralMlp({ hidden: [8, 8, 8, 8], seed: 1 }), /1–3 hidden layers/);
    assert.throws(() => new IntegralMlp({ hidden: [65], seed: 1 }), /integers in \[3, 64\]/);
    assert.throws(() => new IntegralMlp({ hidden: [8], seed: 1, minFraction: 0 }), /minFraction/);
    const net = new IntegralMlp({ hidden: [8], seed: 1 });
    const wrong = tf.zeros([2, 1, 1, 3]) as tf.Tensor4D;
    assert.throws(() => net.apply(wrong, { training: false }), /expects points as \[batch, 1, 1, 2\]/);
    wrong.dispose();
    net.dispose();
  });
});
