import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { PlaygroundSession, type PlaygroundConfig } from "../../../src/lib/live/playground-session.js";
import { computeGradients } from "../../../src/lib/train/gradients.js";
import { BatchStream, pointBatch } from "../../../src/lib/train/points.js";
import { stepRandom } from "../../../src/lib/train/seeds.js";
import { IntegralMlp } from "../../../src/lib/models/integral-mlp.js";
import { useCpuEngineWithGradients } from "../helpers/tensors.js";

useCpuEngineWithGradients();

const config: PlaygroundConfig = {
  data: "spiral",
  noise: 0.1,
  trainFraction: 0.5,
  seed: 4,
  hidden: [12, 10],
  kernel: "linear",
  quadrature: "trapezoid",
  learningRate: 0.03,
  batchSize: 16,
  points: 200,
};

const values = (session: PlaygroundSession) =>
  (["a", "b"] as const).map((id) => session.nets[id].trainableVariables.map((v) => Array.from(v.dataSync())));

describe("playground session", () => {
  it("the training step is deterministic given the seed: same settings, same trajectory", () => {
    const one = new PlaygroundSession(config);
    const two = new PlaygroundSession(config);
    const other = new PlaygroundSession({ ...config, seed: 5 });
    const losses = (s: PlaygroundSession) => Array.from({ length: 15 }, () => s.step());
    const first = losses(one);
    assert.deepEqual(losses(two), first);
    assert.notDeepEqual(losses(other), first);
    assert.deepEqual(values(two), values(one));
    assert.equal(one.steps, 15);
    assert.deepEqual(one.evaluate("b", one.sizesAt(0.25)), two.evaluate("b", two.sizesAt(0.25)));
    for (const s of [one, two, other]) s.dispose();
  });

  it("both nets start from the same nodes; net A's first step is a plain step on the stream's first batch", () => {
    const session = new PlaygroundSession(config);
    const [a, b] = values(session);
    assert.deepEqual(a, b, "different initial nodes");
    // The same first step by hand: a fixed-width net built alike, the first batch of the seeded stream.
    const twin = new IntegralMlp({ hidden: config.hidden, seed: config.seed, smoothInit: 1 });
    const indices = new BatchStream(config.seed, session.dataset.train.count).next(config.batchSize);
    const { points, oneHot } = pointBatch(session.dataset.train, indices);
    const expected = computeGradients(twin, points, oneHot, { training: true, random: stepRandom(config.seed, 0) });
    const losses = session.step();
    assert.equal(losses.a, expected.loss);
    assert.ok(losses.b > losses.a, `the sandwich sums three terms: ${losses.b} vs ${losses.a}`);
    tf.dispose([points, oneHot, ...expected.gradients]);
    twin.dispose();
    session.dispose();
  });

  it("is reproducible until the learning rate, batch size, kernel or quadrature change mid-run", () => {
    const session = new PlaygroundSession(config);
    session.setLearningRate(0.01); // before the first step: the run simply uses it
    session.setSampling({ kernel: "cubic" });
    assert.equal(session.reproducible, true);
    session.step();
    session.setBatchSize(16); // unchanged value
    session.setSampling({ kernel: "cubic" });
    assert.equal(session.reproducible, true);
    session.setBatchSize(8);
    assert.equal(session.reproducible, false);
    assert.equal(session.batchSize, 8);
    assert.deepEqual(session.sampling, { kernel: "cubic", quadrature: "trapezoid" });
    assert.throws(() => session.setLearningRate(0), /learning rate must be a positive number/);
    session.dispose();
  });

  it("lists every distinct width a slider reaches, and evaluates each", () => {
    const session = new PlaygroundSession({ ...config, hidden: [8, 4] });
    const ladder = session.widthLadder();
    const tuples = ladder.map((p) => `${p.sizes.h1},${p.sizes.h2}`);
    assert.equal(new Set(tuples).size, tuples.length);
    assert.equal(tuples[0], "2,2");
    assert.equal(tuples.at(-1), "8,4");
    assert.ok(ladder.every((p, i) => i === 0 || p.fraction > ladder[i - 1].fraction));
    const curve = session.accuracyCurve("a");
    assert.equal(curve.length, ladder.length);
    const full = session.evaluate("a", session.sizesAt(1));
    assert.equal(curve.at(-1)!.accuracy, full.accuracy);
    assert.ok(full.accuracy >= 0 && full.accuracy <= 1 && full.loss > 0);
    session.dispose();
  });

  it("the boundary grid runs row by row from the top-left corner, as P(class 1)", () => {
    const session = new PlaygroundSession(config);
    const sizes = session.sizesAt(0.5);
    const grid = session.boundary("b", sizes, 4);
    assert.equal(grid.length, 16);
    // Cell (row 0, column 3) is centred at (0.75, 0.75); cell (row 3, column 0) at (−0.75, −0.75).
    const direct = tf.tidy(() => {
      const logits = session.nets.b.logits(tf.tensor2d([0.75, 0.75, -0.75, -0.75], [2, 2]), sizes);
      return Array.from(tf.softmax(logits).dataSync());
    });
    assert.ok(Math.abs(grid[3] - direct[1]) < 1e-6);
    assert.ok(Math.abs(grid[12] - direct[3]) < 1e-6);
    session.dispose();
  });

  it("keeps its tensor count through training, resampling and boundaries, and frees everything", () => {
    const start = tf.memory().numTensors;
    const session = new PlaygroundSession(config);
    const round = (k: number) => {
      for (let i = 0; i < 20; i++) session.step();
      const sizes = session.sizesAt([0.1, 0.6, 1, 0.25][k % 4]);
      session.evaluate("a", sizes);
      session.boundary("b", sizes, 20);
      session.accuracyCurve("b");
    };
    // The groups keep one sampling matrix per size visited (a bounded cache): visit every size first.
    for (let k = 0; k < 4; k++) round(k);
    const settled = tf.memory().numTensors;
    for (let k = 4; k < 16; k++) round(k);
    assert.equal(tf.memory().numTensors, settled);
    session.dispose();
    assert.equal(tf.memory().numTensors, start);
  });
});
