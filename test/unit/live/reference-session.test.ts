import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../../loaders/backend.js";
import { mulberry32 } from "../../../src/lib/random.js";
import { ReferenceNet } from "../../../src/lib/models/reference.js";
import { createReferenceInn } from "../../../src/lib/models/reference-inn.js";
import { pruneReferenceNet } from "../../../src/lib/compression/pruning.js";
import { readParameters } from "../../../src/lib/compression/parameters.js";
import type { EvalSet } from "../../../src/lib/data/evalset.js";
import {
  cropInput,
  edgePadByMirror,
  receptiveFieldLogits,
  receptiveFieldPlan,
  receptiveFieldMacs,
  type ReferenceWeights,
} from "../../../src/lib/live/receptive-field.js";
import { edgePad } from "../../../src/lib/ops/edge-pad.js";
import { accuracyEstimate } from "../../../src/lib/live/accuracy-estimate.js";
import { LiveEvaluator, type EvaluationProgress } from "../../../src/lib/live/live-evaluator.js";
import { LatestOnly } from "../../../src/lib/live/latest-only.js";
import { LiveSession } from "../../../src/lib/live/reference-session.js";

before(async () => {
  await initBackend("wasm");
});

function randomImages(seed: number, batch: number, h: number, w: number): tf.Tensor4D {
  const random = mulberry32(seed);
  return tf.tensor4d(
    Float32Array.from({ length: batch * h * w }, () => random()),
    [batch, h, w, 1],
  );
}

function weightsOf(net: { trainableVariables: tf.Variable[] }): ReferenceWeights {
  const v = net.trainableVariables as tf.Tensor[];
  return {
    convs: [
      { weight: v[0] as tf.Tensor4D, bias: v[1] as tf.Tensor1D },
      { weight: v[2] as tf.Tensor4D, bias: v[3] as tf.Tensor1D },
      { weight: v[4] as tf.Tensor4D, bias: v[5] as tf.Tensor1D },
    ],
    dense: { weight: v[6] as tf.Tensor2D, bias: v[7] as tf.Tensor1D },
  };
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

test("receptive-field plan for 28×28: 21 input rows, conv outputs 20, 8 and 2 rows, no bottom padding", () => {
  const plan = receptiveFieldPlan(28, 28);
  assert.deepEqual(
    plan.map((s) => [s.inputRows, s.outputRows, s.bottomPad]),
    [
      [21, 20, 0],
      [10, 8, 0],
      [4, 2, 0],
    ],
  );
  // 20²·9·1·16 + 8²·25·16·32 + 2²·25·32·64 multiply-accumulates.
  assert.equal(receptiveFieldMacs(plan, [1, 16, 32, 64]), 400 * 9 * 16 + 64 * 25 * 16 * 32 + 4 * 25 * 32 * 64);
  assert.throws(() => receptiveFieldPlan(7, 7), /too small/);
});

for (const [h, w] of [
  [28, 28],
  [16, 16],
  [20, 24],
] as const) {
  test(`receptive-field logits equal the full reference net's (${h}×${w}, full and pruned widths)`, () => {
    const input = { height: h, width: w, channels: 1, classes: 10 };
    const net = new ReferenceNet(input, 3);
    const x = randomImages(5, 6, h, w);
    const before = tf.memory().numTensors;
    const plan = receptiveFieldPlan(h, w);
    const cropped = cropInput(x, plan);
    const fast = receptiveFieldLogits(cropped, weightsOf(net), plan);
    const full = net.apply(x, { training: false });
    assert.deepEqual(fast.shape, [6, 10]);
    assert.ok(maxAbsDiff(fast, full) < 1e-4, `max |Δ| = ${maxAbsDiff(fast, full)}`);
    const { model: pruned } = pruneReferenceNet(net, { conv1: 5, conv2: 11, conv3: 20 }, { method: "l1" });
    const fastPruned = receptiveFieldLogits(cropped, weightsOf(pruned), plan);
    const fullPruned = pruned.apply(x, { training: false });
    assert.ok(maxAbsDiff(fastPruned, fullPruned) < 1e-4);
    tf.dispose([cropped, fast, full, fastPruned, fullPruned]);
    pruned.dispose();
    assert.equal(tf.memory().numTensors, before);
    net.dispose();
    x.dispose();
  });
}

test("accuracy estimate: finite-population standard error, zero and final on the whole set", () => {
  const e = accuracyEstimate(230, 256, 10000);
  assert.equal(e.accuracy, 230 / 256);
  const p = 230 / 256;
  assert.ok(Math.abs(e.standardError - Math.sqrt((((p * (1 - p)) / 256) * (10000 - 256)) / 9999)) < 1e-12);
  assert.ok(
    e.low < p && p < e.high && e.high - e.low > 2 * 1.9 * e.standardError && e.high - e.low < 2 * 2.2 * e.standardError,
  );
  assert.equal(e.final, false);
  const f = accuracyEstimate(9000, 10000, 10000);
  assert.equal(f.final, true);
  assert.equal(f.standardError, 0);
  assert.equal(f.low, 0.9);
  assert.equal(f.high, 0.9);
  assert.throws(() => accuracyEstimate(5, 4, 10), /correct must be/);
  assert.throws(() => accuracyEstimate(1, 11, 10), /evaluated must be/);
});

/** A synthetic evaluation set whose labels are a seeded function of the images (so accuracy is not trivial). */
function syntheticEvalSet(count: number, seed: number): EvalSet {
  const random = mulberry32(seed);
  const images = Uint8Array.from({ length: count * 28 * 28 }, () => Math.floor(random() * 256));
  const labels = Uint8Array.from({ length: count }, (_, i) => (images[i * 784 + 100] + images[i * 784 + 400]) % 10);
  return { images, labels, count, height: 28, width: 28, channels: 1, classes: 10 };
}

/** Accuracy and confusion computed the plain way: the model's own apply on all images. */
function directEvaluation(model: { apply(x: tf.Tensor4D, c: { training: boolean }): tf.Tensor2D }, set: EvalSet) {
  const x = tf.tensor4d(
    Float32Array.from(set.images, (v) => v / 255),
    [set.count, 28, 28, 1],
  );
  const pred = tf.tidy(() => tf.argMax(model.apply(x, { training: false }), 1).dataSync());
  x.dispose();
  let correct = 0;
  const confusion = new Int32Array(100);
  pred.forEach((p, i) => {
    if (p === set.labels[i]) correct++;
    confusion[set.labels[i] * 10 + p]++;
  });
  return { correct, confusion };
}

test("live evaluator: subset estimate first, then exactly the direct full-set accuracy and confusion (INN and L1 twin, full and 50%)", async () => {
  const set = syntheticEvalSet(400, 11);
  const input = { height: 28, width: 28, channels: 1, classes: 10 };
  const inn = createReferenceInn(input, 7);
  const reference = createReferenceInn(input, 7); // for the direct evaluation, resampled alike
  const before = tf.memory().numTensors;
  const session = new LiveSession(inn);
  const evaluator = new LiveEvaluator(set, { firstChunk: 256, chunkSize: 100 });
  assert.deepEqual(evaluator.chunkSizes, [256, 100, 44]);
  for (const sizes of [
    { conv1: 16, conv2: 32, conv3: 64 },
    { conv1: 8, conv2: 16, conv3: 32 },
  ]) {
    const nets = session.prepare({ sizes, kernel: "cubic", quadrature: "trapezoid" });
    const progress: EvaluationProgress[] = [];
    assert.equal(await evaluator.evaluate([nets.inn, nets.l1], { onProgress: (p) => progress.push(p) }), true);
    assert.deepEqual(
      progress.map((p) => [p.tag, p.estimate.evaluated]),
      [
        ["inn", 256],
        ["l1", 256],
        ["inn", 356],
        ["inn", 400],
        ["l1", 356],
        ["l1", 400],
      ],
    );
    assert.ok(progress[0].estimate.standardError > 0 && !progress[0].estimate.final);
    reference.resample(sizes);
    const direct = directEvaluation(reference, set);
    const last = progress.filter((p) => p.tag === "inn").at(-1)!;
    assert.equal(last.estimate.final, true);
    assert.equal(last.estimate.correct, direct.correct);
    assert.deepEqual(Array.from(last.confusion), Array.from(direct.confusion));
    // The L1 twin: the same as pruning the full-size discrete net with the library's pruneReferenceNet.
    const discrete = new ReferenceNet(input, 7);
    const { model: pruned } = pruneReferenceNet(discrete, sizes, { method: "l1" });
    const l1Direct = directEvaluation(pruned, set);
    assert.equal(progress.filter((p) => p.tag === "l1").at(-1)!.estimate.correct, l1Direct.correct);
    pruned.dispose();
    discrete.dispose();
  }
  evaluator.dispose();
  session.dispose();
  reference.dispose();
  // The session owned `inn`; its disposal frees everything created since `before` plus inn's own tensors.
  assert.ok(tf.memory().numTensors <= before - 8, `${tf.memory().numTensors} tensors left, ${before} before`);
});

test("live evaluator: stage-2 outputs reused when only conv3 changes, with identical results; no leaks across many requests", async () => {
  const set = syntheticEvalSet(300, 12);
  const input = { height: 28, width: 28, channels: 1, classes: 10 };
  const session = new LiveSession(createReferenceInn(input, 9));
  const evaluator = new LiveEvaluator(set, { firstChunk: 256, chunkSize: 256 });
  const run = async (conv3: number) => {
    const nets = session.prepare({ sizes: { conv1: 12, conv2: 20, conv3 }, kernel: "linear", quadrature: "trapezoid" });
    let last: EvaluationProgress | undefined;
    await evaluator.evaluate([nets.inn], { onProgress: (p) => (last = p) });
    return last!.estimate.correct;
  };
  await run(40);
  const settled = tf.memory().numTensors;
  const hits = evaluator.prefixHits;
  const cached = await run(30);
  assert.equal(evaluator.prefixHits - hits, 2, "both chunks start from the cached conv2 output");
  const fresh = new LiveEvaluator(set, { firstChunk: 256, chunkSize: 256, reusePrefix: false });
  const nets = session.prepare({
    sizes: { conv1: 12, conv2: 20, conv3: 30 },
    kernel: "linear",
    quadrature: "trapezoid",
  });
  let plain = -1;
  await fresh.evaluate([nets.inn], { onProgress: (p) => (plain = p.estimate.correct) });
  fresh.dispose();
  assert.equal(cached, plain);
  for (let k = 0; k < 20; k++) await run(20 + (k % 7));
  assert.equal(tf.memory().numTensors, settled);
  evaluator.dispose();
  session.dispose();
});

test("latest-only scheduling: newer requests skip queued ones and stop a running one between steps", async () => {
  const sched = new LatestOnly();
  const log: string[] = [];
  const work = (name: string, steps: number) => async (isCurrent: () => boolean) => {
    for (let s = 0; s < steps; s++) {
      if (!isCurrent()) return;
      log.push(`${name}${s}`);
      await new Promise((r) => setImmediate(r));
    }
  };
  const a = sched.request(work("a", 5));
  await new Promise((r) => setImmediate(r));
  const b = sched.request(work("b", 3));
  const c = sched.request(work("c", 2));
  assert.deepEqual(await Promise.all([a, b, c]), [false, false, true]);
  assert.ok(!log.includes("b0"), "b was superseded before it started");
  assert.ok(log.indexOf("a0") === 0 && !log.includes("a4"), `a stopped early: ${log}`);
  assert.deepEqual(
    log.filter((s) => s.startsWith("c")),
    ["c0", "c1"],
  );
  const failing = sched.request(async () => {
    throw new Error("boom");
  });
  await assert.rejects(failing, /boom/);
  assert.equal(await sched.request(work("d", 1)), true);
});

test("live session: params fall with the sizes, bad configurations are named, kernel/quadrature switch keeps the nodes", () => {
  const input = { height: 28, width: 28, channels: 1, classes: 10 };
  const session = new LiveSession(createReferenceInn(input, 4));
  const full = session.prepare({
    sizes: { conv1: 16, conv2: 32, conv3: 64 },
    kernel: "cubic",
    quadrature: "trapezoid",
  });
  assert.equal(full.compression.params, 0);
  const fullParams = full.compression.after.params;
  const half = session.prepare({ sizes: { conv1: 8, conv2: 16, conv3: 32 }, kernel: "cubic", quadrature: "trapezoid" });
  assert.ok(half.compression.after.params < fullParams && half.compression.params > 0.5);
  assert.match(
    session.problem({ sizes: { conv1: 8, conv2: 16, conv3: 32 }, kernel: "cubic", quadrature: "simpson" }) ?? "",
    /odd number/,
  );
  assert.match(
    session.problem({ sizes: { conv1: 17, conv2: 16, conv3: 32 }, kernel: "cubic", quadrature: "trapezoid" }) ?? "",
    /conv1 size/,
  );
  assert.throws(
    () => session.prepare({ sizes: { conv1: 1, conv2: 16, conv3: 32 }, kernel: "cubic", quadrature: "trapezoid" }),
    /conv1 size/,
  );
  // At full size every kernel reproduces the nodes exactly (interpolation through the nodes).
  const a = session.prepare({ sizes: { conv1: 16, conv2: 32, conv3: 64 }, kernel: "linear", quadrature: "trapezoid" });
  const twinConv2 = session.twin.find((p) => p.name === "conv2.weight")!;
  const sampled = a.inn.weights.convs[1].weight.dataSync();
  let max = 0;
  sampled.forEach((v, i) => (max = Math.max(max, Math.abs(v - twinConv2.values[i]))));
  assert.ok(max < 1e-5, `linear kernel at full size differs from the nodes by ${max}`);
  session.dispose();
  void readParameters;
});

test("edgePadByMirror equals edgePad (replicate padding) for every pad up to 3 per side, on cpu and wasm", async () => {
  for (const backend of ["cpu", "wasm"]) {
    await tf.setBackend(backend);
    const start = tf.memory().numTensors;
    const random = mulberry32(4);
    const x = tf.tensor4d(
      Float32Array.from({ length: 2 * 4 * 5 * 3 }, () => random()),
      [2, 4, 5, 3],
    );
    for (const pads of [
      [0, 0, 0, 0],
      [1, 1, 1, 1],
      [2, 0, 2, 0],
      [2, 1, 0, 3],
      [3, 3, 3, 3],
      [0, 2, 1, 0],
    ]) {
      const p = { top: pads[0], bottom: pads[1], left: pads[2], right: pads[3] };
      const a = edgePadByMirror(x, p);
      const b = edgePad(x, p);
      assert.deepEqual(a.shape, b.shape);
      assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()), `${backend} pads ${pads}`);
      tf.dispose([a, b]);
    }
    assert.throws(
      () => edgePadByMirror(x, { top: -1, bottom: 0, left: 0, right: 0 }),
      /padding.top must be a non-negative integer, got -1/,
    );
    x.dispose();
    assert.equal(tf.memory().numTensors, start);
  }
});
