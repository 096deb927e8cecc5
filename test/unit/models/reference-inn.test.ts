import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
// tfjs-core's Node bundle registers no gradients; the tfjs union package does (into the shared registry).
import "@tensorflow/tfjs";
import { initBackend } from "../../../loaders/backend.js";
import { ChannelGroups, sizesAtFraction, type GroupSizes } from "../../../src/lib/integral/groups.js";
import { IntegralConv2d, IntegralDense, IntegralPointwiseConv2d } from "../../../src/lib/integral/layers.js";
import { REFERENCE_SIZES, ReferenceNet } from "../../../src/lib/models/reference.js";
import { createReferenceInn, ReferenceInn } from "../../../src/lib/models/reference-inn.js";
import { referenceInnOptionsFromSpec, referenceInnSpec } from "../../../src/lib/models/reference-inn-spec.js";
import { assignWeights } from "../../../src/lib/io/weights-file.js";
import { computeGradients } from "../../../src/lib/train/gradients.js";
import { distillationLoss, softmaxCrossEntropy } from "../../../src/lib/train/loss.js";
import { deriveSeed, mulberry32, type Random } from "../../../src/lib/random.js";

before(async () => {
  await initBackend("cpu");
});

const input = { height: 28, width: 28, channels: 1, classes: 10 };

function randomTensor(random: Random, shape: number[]): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => random() * 2 - 1),
    shape,
  );
}

function relativeDiff(a: tf.Tensor, b: tf.Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  let d = 0;
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    d = Math.max(d, Math.abs(x[i] - y[i]));
    s = Math.max(s, Math.abs(y[i]));
  }
  return d / s;
}

test("reference INN at full size computes what the discrete net it came from computes", () => {
  const start = tf.memory().numTensors;
  const discrete = new ReferenceNet(input, 5);
  const inn = ReferenceInn.fromDiscrete(discrete);
  const random = mulberry32(1);
  const images = tf.tensor4d(
    Float32Array.from({ length: 4 * 28 * 28 }, () => random()),
    [4, 28, 28, 1],
  );
  const a = inn.apply(images, { training: false });
  const b = discrete.apply(images, { training: false });
  const d = relativeDiff(a, b);
  assert.ok(d < 1e-6, `logits differ by ${d} (relative)`);
  assert.deepEqual(inn.trainingRanges, {
    conv1: { min: 4, max: 16 },
    conv2: { min: 8, max: 32 },
    conv3: { min: 16, max: 64 },
  });
  tf.dispose([images, a, b]);
  inn.dispose();
  discrete.dispose();
  assert.equal(tf.memory().numTensors, start);
});

test("reference INN: resample, describe, random-size training steps with gradients, no leaks", () => {
  const start = tf.memory().numTensors;
  const inn = createReferenceInn(input, 9, { ranges: { conv1: { min: 16, max: 16 } } });
  assert.deepEqual(inn.trainingRanges.conv1, { min: 16, max: 16 });
  const random = mulberry32(2);
  const images = tf.tensor4d(
    Float32Array.from({ length: 2 * 28 * 28 }, () => random()),
    [2, 28, 28, 1],
  );
  inn.resample({ conv2: 12, conv3: 20 });
  const logits = inn.apply(images, { training: false });
  assert.deepEqual(logits.shape, [2, 10]);
  logits.dispose();
  const d = inn.describe();
  const conv = (id: string) => d.nodes.find((n) => n.id === id)!;
  assert.deepEqual(conv("conv2").outputShape, [14, 14, 12]);
  assert.equal(conv("conv2").params, 5 * 5 * 16 * 12 + 12);
  assert.equal(conv("conv3").params, 5 * 5 * 12 * 20 + 20);
  assert.equal(conv("dense").params, 20 * 10 + 10);
  assert.equal(conv("conv3").flops, 2 * 5 * 5 * 12 * 20 * 7 * 7);
  assert.equal(d.params, 3 * 3 * 16 + 16 + (5 * 5 * 16 * 12 + 12) + (5 * 5 * 12 * 20 + 20) + (20 * 10 + 10));
  assert.equal(d.groups.find((g) => g.id === "conv3")!.size, 20);
  assert.deepEqual(d.groups.find((g) => g.id === "conv3")!.range, { min: 16, max: 64 });
  assert.throws(() => inn.resample({ conv4: 3 } as never), /unknown group "conv4"/);

  // Training steps draw sizes from the ranges; the same random stream draws the same sizes.
  const drawn = [0, 1, 2, 3, 4, 5].map((step) =>
    inn.groups.stepSizes({ training: true, random: mulberry32(deriveSeed(3, step)) }),
  );
  const again = [0, 1, 2, 3, 4, 5].map((step) =>
    inn.groups.stepSizes({ training: true, random: mulberry32(deriveSeed(3, step)) }),
  );
  assert.deepEqual(drawn, again);
  for (const s of drawn) {
    assert.equal(s.conv1, 16);
    assert.ok(s.conv2 >= 8 && s.conv2 <= 32 && s.conv3 >= 16 && s.conv3 <= 64);
  }
  assert.ok(new Set(drawn.map((s) => s.conv3)).size > 1, "sizes vary between steps");
  const labels = tf.tidy(() => tf.oneHot(tf.tensor1d([3, 7], "int32"), 10));
  const before = tf.memory().numTensors;
  const { value, grads } = tf.variableGrads(
    () =>
      tf.losses.softmaxCrossEntropy(labels, inn.apply(images, { training: true, random: mulberry32(4) })) as tf.Scalar,
    inn.trainableVariables,
  );
  for (const v of inn.trainableVariables) {
    const g = grads[v.name];
    assert.deepEqual(g.shape, v.shape);
    assert.ok(g.dataSync().every(Number.isFinite));
  }
  assert.ok(
    Array.from(grads[inn.dense.weightNodes.name].dataSync()).some((g) => g !== 0),
    "the dense nodes get a gradient",
  );
  tf.dispose([value, grads]);
  assert.ok(
    tf.memory().numTensors <= before,
    "a training step leaves nothing behind (the groups' constant cache may only grow)",
  );
  tf.dispose([images, labels]);
  inn.dispose();
  assert.equal(tf.memory().numTensors, start);
});

test("fullSizeProbability: some training steps run every group at full size, the rest draw; spec round trip", () => {
  const size = (p: number) => {
    const inn = new ReferenceInn(input, { fullSizeProbability: p });
    const steps = Array.from({ length: 400 }, (_, step) =>
      inn.groups.stepSizes({ training: true, random: mulberry32(deriveSeed(5, step)) }),
    );
    const spec = referenceInnSpec(inn);
    inn.dispose();
    const full = steps.filter((s) => s.conv1 === 16 && s.conv2 === 32 && s.conv3 === 64).length;
    return { full, steps, spec };
  };
  const none = size(0);
  // Uniform draws hit all three full sizes together with probability 1/13 · 1/25 · 1/49.
  assert.ok(none.full <= 2, `without the option full-size steps are rare (got ${none.full}/400)`);
  assert.equal(none.spec.fullSizeProbability, undefined);
  const half = size(0.5);
  assert.ok(half.full > 160 && half.full < 240, `about half the steps at full size (got ${half.full}/400)`);
  assert.ok(
    half.steps.some((s) => s.conv3 < 64 && s.conv3 >= 16),
    "the other steps still draw from the ranges",
  );
  assert.equal(half.spec.fullSizeProbability, 0.5);
  assert.equal(size(1).full, 400);
  assert.throws(
    () => new ReferenceInn(input, { fullSizeProbability: 1.5 }),
    /fullSizeProbability must be in \[0, 1\], got 1.5/,
  );
});

test("sharedDrawProbability: one position for all groups (all small or all large together); spec round trip", () => {
  const steps = (p: number) => {
    const inn = new ReferenceInn(input, { sharedDrawProbability: p });
    const drawn = Array.from({ length: 300 }, (_, step) =>
      inn.groups.stepSizes({ training: true, random: mulberry32(deriveSeed(6, step)) }),
    );
    const spec = referenceInnSpec(inn);
    inn.dispose();
    return { drawn, spec };
  };
  // Sizes that sit at the same place of their ranges are ordered alike: sorted by conv3, conv1 and conv2 never decrease.
  const comonotone = (drawn: GroupSizes[]) => {
    const sorted = [...drawn].sort((a, b) => a.conv3 - b.conv3 || a.conv1 - b.conv1 || a.conv2 - b.conv2);
    return sorted.every((s, i) => i === 0 || (s.conv1 >= sorted[i - 1].conv1 && s.conv2 >= sorted[i - 1].conv2));
  };
  const shared = steps(1);
  assert.ok(comonotone(shared.drawn), "one shared draw: every group at the same relative position");
  assert.ok(new Set(shared.drawn.map((s) => s.conv3)).size > 20, "the shared position still covers the range");
  assert.ok(
    shared.drawn.some((s) => s.conv1 === 4 && s.conv2 === 8) &&
      shared.drawn.some((s) => s.conv1 === 16 && s.conv2 === 32),
    "both ends are reached",
  );
  // A shared draw is a fraction mapped as sizesAtFraction maps it: every draw is a net the global slider shows.
  const key = (s: GroupSizes) => `${s.conv1},${s.conv2},${s.conv3}`;
  const slider = new Set(
    Array.from({ length: 1501 }, (_, i) =>
      key(sizesAtFraction(REFERENCE_SIZES, ["conv1", "conv2", "conv3"], 0.25 + (0.75 * i) / 1500)),
    ),
  );
  const off = shared.drawn.filter((s) => !slider.has(key(s)));
  assert.equal(off.length, 0, `shared draws off the slider's sizes: ${off.slice(0, 3).map(key).join(" ")}`);
  assert.equal(shared.spec.sharedDrawProbability, 1);
  assert.ok(!comonotone(steps(0).drawn), "independent draws are not ordered alike");
  assert.equal(steps(0).spec.sharedDrawProbability, undefined);
  assert.throws(
    () => new ReferenceInn(input, { sharedDrawProbability: -0.1 }),
    /sharedDrawProbability must be in \[0, 1\], got -0.1/,
  );
});

test("distillation: the student's gradient is softmax(student) − softmax(teacher); none reaches the teacher", () => {
  const random = mulberry32(21);
  const student = tf.variable(randomTensor(random, [4, 10]).mul(3) as tf.Tensor2D, true, "student");
  const teacher = tf.variable(randomTensor(random, [4, 10]).mul(3) as tf.Tensor2D, true, "teacher");
  const before = tf.memory().numTensors;
  const { value, grads } = tf.variableGrads(
    () => distillationLoss(student as tf.Tensor2D, teacher as tf.Tensor2D),
    [student, teacher],
  );
  const [ps, pt] = tf.tidy(() => [
    tf.softmax(student).arraySync() as number[][],
    tf.softmax(teacher).arraySync() as number[][],
  ]);
  const expectedLoss = -pt.reduce((sum, row, i) => sum + row.reduce((a, p, j) => a + p * Math.log(ps[i][j]), 0), 0) / 4;
  assert.ok(
    Math.abs(value.dataSync()[0] - expectedLoss) < 1e-5,
    `loss ${value.dataSync()[0]} vs cross-entropy ${expectedLoss}`,
  );
  const gs = grads.student.arraySync() as number[][];
  gs.forEach((row, i) =>
    row.forEach((g, j) => assert.ok(Math.abs(g - (ps[i][j] - pt[i][j]) / 4) < 1e-6, `∂/∂student[${i}][${j}]`)),
  );
  assert.ok(
    (grads.teacher.dataSync() as Float32Array).every((g) => g === 0),
    "no gradient flows into the teacher",
  );
  tf.dispose([value, ...Object.values(grads)]);
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([student, teacher]);
});

test("sandwich rule: labels at full size plus the full size's predictions at a random size; spec round trip", () => {
  const start = tf.memory().numTensors;
  const seeded = createReferenceInn(input, 3, { kernel: "linear" });
  const images = tf.tidy(() => tf.randomUniform([6, 28, 28, 1], 0, 1, "float32", 9) as tf.Tensor4D);
  const oneHot = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5], "int32"), 10) as tf.Tensor2D);
  const sandwich = new ReferenceInn(input, { kernel: "linear", sandwich: true });
  seeded.trainableVariables.forEach((v, i) => sandwich.trainableVariables[i].assign(v));
  const context = { training: true, random: mulberry32(deriveSeed(8, 1)) };
  const drawn = sandwich.groups.stepSizes({ training: true, random: mulberry32(deriveSeed(8, 1)) });
  assert.ok(drawn.conv3 < 64, "the step's random draw is a reduced size");
  const full = seeded.apply(images, { training: false });
  seeded.resample({ conv1: drawn.conv1, conv2: drawn.conv2, conv3: drawn.conv3 });
  const small = seeded.apply(images, { training: false });
  seeded.resample({ conv1: 4, conv2: 8, conv3: 16 });
  const smallest = seeded.apply(images, { training: false });
  seeded.resample({ conv1: 16, conv2: 32, conv3: 64 });
  const expected = tf.tidy(
    () => tf.add(softmaxCrossEntropy(full, oneHot), distillationLoss(small, full)).dataSync()[0],
  );
  const smallestTerm = tf.tidy(() => distillationLoss(smallest, full).dataSync()[0]);
  // With a label weight w, the smaller nets' targets mix the labels in: w·CE(labels) + (1 − w)·distillation.
  const mixed = tf.tidy(
    () =>
      tf
        .add(
          softmaxCrossEntropy(full, oneHot),
          tf.add(tf.mul(0.25, softmaxCrossEntropy(small, oneHot)), tf.mul(0.75, distillationLoss(small, full))),
        )
        .dataSync()[0],
  );
  tf.dispose([full, small, smallest]);
  const labelled = new ReferenceInn(input, { kernel: "linear", sandwich: true, sandwichLabelWeight: 0.25 });
  seeded.trainableVariables.forEach((v, i) => labelled.trainableVariables[i].assign(v));
  const labelledStep = computeGradients(labelled, images, oneHot, {
    training: true,
    random: mulberry32(deriveSeed(8, 1)),
  });
  assert.ok(
    Math.abs(labelledStep.loss - mixed) < 1e-4 * mixed,
    `label-weighted sandwich loss ${labelledStep.loss} vs ${mixed}`,
  );
  assert.ok(Math.abs(mixed - expected) > 1e-3, "the label weight changes the loss");
  assert.equal(referenceInnSpec(labelled).sandwichLabelWeight, 0.25);
  assert.throws(
    () => new ReferenceInn(input, { sandwich: true, sandwichLabelWeight: 1.5 }),
    /sandwichLabelWeight must be in \[0, 1\], got 1.5/,
  );
  tf.dispose(labelledStep.gradients);
  labelled.dispose();
  const step = computeGradients(sandwich, images, oneHot, context);
  assert.ok(
    Math.abs(step.loss - expected) < 1e-4 * expected,
    `sandwich loss ${step.loss} vs full CE + distillation at the drawn sizes ${expected}`,
  );
  // With the smallest sizes too: a third term, the smallest net (25% of every group) taught by the full one.
  const withSmallest = new ReferenceInn(input, { kernel: "linear", sandwich: true, sandwichSmallest: true });
  seeded.trainableVariables.forEach((v, i) => withSmallest.trainableVariables[i].assign(v));
  const step3 = computeGradients(withSmallest, images, oneHot, {
    training: true,
    random: mulberry32(deriveSeed(8, 1)),
  });
  assert.ok(
    Math.abs(step3.loss - (expected + smallestTerm)) < 1e-4 * expected,
    `loss ${step3.loss} vs ${expected} + smallest ${smallestTerm}`,
  );
  assert.equal(referenceInnSpec(withSmallest).sandwichSmallest, true);
  tf.dispose(step3.gradients);
  withSmallest.dispose();
  // Two random draws per step: the second net's sizes are the stream's next draw.
  const stream = mulberry32(deriveSeed(8, 1));
  const [first, second] = [
    sandwich.groups.stepSizes({ training: true, random: stream }),
    sandwich.groups.stepSizes({ training: true, random: stream }),
  ];
  assert.deepEqual(first, drawn);
  seeded.resample({ conv1: second.conv1, conv2: second.conv2, conv3: second.conv3 });
  const secondLogits = seeded.apply(images, { training: false });
  seeded.resample({ conv1: 16, conv2: 32, conv3: 64 });
  const fullLogits = seeded.apply(images, { training: false });
  const secondTerm = tf.tidy(() => distillationLoss(secondLogits, fullLogits).dataSync()[0]);
  tf.dispose([secondLogits, fullLogits]);
  const twoDraws = new ReferenceInn(input, { kernel: "linear", sandwich: true, sandwichDraws: 2 });
  seeded.trainableVariables.forEach((v, i) => twoDraws.trainableVariables[i].assign(v));
  const step2 = computeGradients(twoDraws, images, oneHot, { training: true, random: mulberry32(deriveSeed(8, 1)) });
  assert.ok(
    Math.abs(step2.loss - (expected + secondTerm)) < 1e-4 * expected,
    `two draws: loss ${step2.loss} vs ${expected} + ${secondTerm}`,
  );
  assert.equal(referenceInnSpec(twoDraws).sandwichDraws, 2);
  assert.throws(
    () => new ReferenceInn(input, { sandwich: true, sandwichDraws: 0 }),
    /sandwichDraws must be a positive integer, got 0/,
  );
  tf.dispose(step2.gradients);
  twoDraws.dispose();
  const plain = computeGradients(seeded, images, oneHot, { training: true, random: mulberry32(deriveSeed(8, 1)) });
  assert.ok(
    Math.abs(plain.loss - step.loss) > 1e-3,
    "without the rule the step is one forward pass at the drawn sizes",
  );
  tf.dispose([...step.gradients, ...plain.gradients]);
  const spec = referenceInnSpec(sandwich);
  assert.equal(spec.sandwich, true);
  assert.equal(referenceInnSpec(seeded).sandwich, undefined);
  const rebuilt = new ReferenceInn(input, referenceInnOptionsFromSpec(spec));
  assert.equal(rebuilt.sandwich, true);
  rebuilt.dispose();
  assert.throws(
    () => referenceInnOptionsFromSpec({ name: "reference-inn", sandwich: "yes" }),
    /sandwich must be true or false, got "yes"/,
  );
  tf.dispose([images, oneHot]);
  sandwich.dispose();
  seeded.dispose();
  assert.equal(tf.memory().numTensors, start, "the steps and both models leave nothing behind");
});

/** x → conv 3×3 (c → mid) → ReLU → conv 3×3 (mid → c) → + x → ReLU: a residual block, one group "c" for both add operands. */
function residualBlock(groups: ChannelGroups, random: Random) {
  const w1 = randomTensor(random, [3, 3, 6, 4]);
  const w2 = randomTensor(random, [3, 3, 4, 6]);
  const a = new IntegralConv2d(groups, {
    id: "a",
    inGroup: "c",
    outGroup: "mid",
    activation: "relu",
    initialWeight: w1,
  });
  const b = new IntegralConv2d(groups, { id: "b", inGroup: "mid", outGroup: "c", initialWeight: w2 });
  tf.dispose([w1, w2]);
  return {
    apply: (x: tf.Tensor4D, sizes: GroupSizes) =>
      tf.tidy(() => tf.relu(tf.add(b.apply(a.apply(x, sizes, false), sizes, false), x)) as tf.Tensor4D),
    dispose: () => [a, b].forEach((l) => l.dispose()),
  };
}

test("a residual block resamples consistently: both add operands live in one group", () => {
  const start = tf.memory().numTensors;
  const random = mulberry32(7);
  const groups = new ChannelGroups([
    { id: "c", size: 6, range: { min: 2, max: 6 } },
    { id: "mid", size: 4, range: { min: 2, max: 4 } },
  ]);
  const block = residualBlock(groups, random);
  for (const sizes of [
    { c: 6, mid: 4 },
    { c: 3, mid: 2 },
    { c: 5, mid: 4 },
  ]) {
    groups.resample(sizes);
    const x = randomTensor(random, [2, 5, 5, sizes.c]) as tf.Tensor4D;
    const y = block.apply(x, groups.sizes);
    assert.deepEqual(y.shape, [2, 5, 5, sizes.c]);
    tf.dispose([x, y]);
  }
  // A mismatched input is caught by the add, not silently broadcast.
  const wrong = randomTensor(random, [1, 5, 5, 6]) as tf.Tensor4D;
  assert.throws(() => block.apply(wrong, groups.sizes));
  wrong.dispose();
  block.dispose();
  groups.dispose();
  assert.equal(tf.memory().numTensors, start);
});

test("a concat block resamples per part; its consumer integrates each part on its own partition", () => {
  const start = tf.memory().numTensors;
  const random = mulberry32(8);
  const groups = new ChannelGroups(
    [
      { id: "in", size: 5 },
      { id: "p", size: 4, range: { min: 2, max: 4 } },
      { id: "q", size: 6, range: { min: 2, max: 6 } },
      { id: "out", size: 3 },
    ],
    [{ id: "pq", parts: ["p", "q"] }],
  );
  const [wp, wq, wd, bd] = [
    randomTensor(random, [1, 1, 5, 4]),
    randomTensor(random, [3, 3, 5, 6]),
    randomTensor(random, [10, 3]),
    randomTensor(random, [3]),
  ];
  const branchP = new IntegralPointwiseConv2d(groups, { id: "bp", inGroup: "in", outGroup: "p", initialWeight: wp });
  const branchQ = new IntegralConv2d(groups, { id: "bq", inGroup: "in", outGroup: "q", initialWeight: wq });
  const head = new IntegralDense(groups, { id: "head", inGroup: "pq", outGroup: "out" });
  head.setFromDiscrete(wd, bd);
  assert.deepEqual(head.weightNodes.shape, [10, 3]);
  const forward = (x: tf.Tensor4D, sizes: GroupSizes) =>
    tf.tidy(() => {
      const cat = tf.concat([branchP.apply(x, sizes, false), branchQ.apply(x, sizes, false)], 3);
      return head.apply(tf.mean(cat, [1, 2]) as tf.Tensor2D, sizes, false);
    });
  const x = randomTensor(random, [2, 4, 4, 5]) as tf.Tensor4D;
  // Full size: the head's discrete weights are the ones it was initialised from.
  assert.ok(relativeDiff(head.discreteWeights(groups.sizes, false).weight, wd) < 1e-6);
  for (const sizes of [
    { p: 2, q: 6 },
    { p: 4, q: 3 },
    { p: 3, q: 2 },
  ]) {
    groups.resample(sizes);
    const y = forward(x, groups.sizes);
    assert.deepEqual(y.shape, [2, 3]);
    const w = head.discreteWeights(groups.sizes, false).weight;
    assert.deepEqual(w.shape, [sizes.p + sizes.q, 3]);
    // Each part is sampled from its own rows: with q at full size, its rows are the full-size q rows scaled by
    // nothing (and p's rows do not leak into q's).
    if (sizes.q === 6) {
      const full = wd.arraySync() as number[][];
      const got = w.arraySync() as number[][];
      for (let i = 0; i < 6; i++)
        for (let o = 0; o < 3; o++) assert.ok(Math.abs(got[sizes.p + i][o] - full[4 + i][o]) < 1e-5);
    }
    tf.dispose(y);
  }
  assert.equal(groups.sizeOf("pq"), 5);
  assert.throws(() => groups.resample({ pq: 4 }), /"pq" is a composite group; resample its parts/);
  tf.dispose([x, wp, wq, wd, bd]);
  [branchP, branchQ, head].forEach((l) => l.dispose());
  groups.dispose();
  assert.equal(tf.memory().numTensors, start);
});

test("smooth initialisation: nodes smooth along the hidden channel axes only, same scale, same spec", () => {
  const start = tf.memory().numTensors;
  const plain = createReferenceInn(input, 4, { kernel: "linear" });
  const smooth = createReferenceInn(input, 4, { kernel: "linear", smoothInit: 1 });
  const rough = (m: ReferenceInn) => tf.tidy(() => m.roughness().dataSync()[0]);
  const rms = (v: tf.Tensor) => tf.tidy(() => Math.sqrt(tf.mean(tf.square(v)).dataSync()[0]));
  // White-noise nodes score about 2 per axis (9 axes: conv1 out + bias, conv2/conv3 in, out, bias, dense in).
  assert.ok(
    Math.abs(rough(plain) - 18) < 3,
    `PyTorch-initialised nodes are white noise along channels (${rough(plain)})`,
  );
  assert.ok(
    rough(smooth) < 0.5 * rough(plain),
    `smoothed nodes are much smoother (${rough(smooth)} vs ${rough(plain)})`,
  );
  plain.trainableVariables.forEach((v, i) => {
    const s = smooth.trainableVariables[i];
    assert.ok(Math.abs(rms(s) - rms(v)) <= 1e-5 * rms(v), `${plain.parameterNames[i]} keeps its scale`);
  });
  // The dense layer's class axis is not resizable: along it the smoothed nodes stay as rough as before.
  const alongClasses = (m: ReferenceInn) =>
    tf.tidy(() => {
      const w = m.dense.weightNodes;
      const d = tf.sub(tf.slice(w, [0, 1], [64, 9]), tf.slice(w, [0, 0], [64, 9]));
      return tf.mean(tf.square(d)).dataSync()[0] / tf.mean(tf.square(w)).dataSync()[0];
    });
  assert.ok(alongClasses(smooth) > 1.2, `class axis untouched (${alongClasses(smooth)})`);
  assert.ok(Math.abs(alongClasses(smooth) - alongClasses(plain)) < 0.6, "class axis roughness about as before");
  // Resampled, the smooth net changes less between neighbouring sizes than the plain one.
  const images = tf.tidy(() => tf.randomUniform([16, 28, 28, 1], 0, 1, "float32", 5) as tf.Tensor4D);
  const change = (m: ReferenceInn) => {
    m.resample({ conv1: 8, conv2: 16, conv3: 32 });
    const a = m.apply(images, { training: false });
    m.resample({ conv1: 9, conv2: 18, conv3: 36 });
    const b = m.apply(images, { training: false });
    const d = relativeDiff(a, b);
    tf.dispose([a, b]);
    return d;
  };
  assert.ok(
    change(smooth) < change(plain),
    `neighbouring sizes agree better when smooth (${change(smooth)} vs ${change(plain)})`,
  );
  assert.deepEqual(referenceInnOptionsFromSpec({ name: "reference-inn", smoothInit: 1.5 }), {
    name: "reference-inn",
    smoothInit: 1.5,
  });
  assert.throws(
    () => referenceInnOptionsFromSpec({ name: "reference-inn", smoothInit: "wide" }),
    /smoothInit must be a number/,
  );
  assert.throws(
    () => createReferenceInn(input, 4, { smoothInit: -1 }),
    /smoothInit must be a number ≥ 0 \(a width in nodes\), got -1/,
  );
  for (const m of [plain, smooth]) m.dispose();
  images.dispose();
  assert.equal(tf.memory().numTensors, start, "no tensor leaked");
});

test("assigning another model's parameters: the next evaluation uses them (no stale cached weights)", () => {
  const start = tf.memory().numTensors;
  const a = createReferenceInn(input, 1);
  const b = createReferenceInn(input, 2);
  const images = tf.tidy(() => randomTensor(mulberry32(5), [3, 28, 28, 1]) as tf.Tensor4D);
  a.resample({ conv1: 8, conv2: 16, conv3: 32 });
  b.resample({ conv1: 8, conv2: 16, conv3: 32 });
  tf.dispose(a.apply(images, { training: false }));
  assignWeights(
    a,
    b.trainableVariables.map((v, i) => ({ name: `p${i}`, shape: v.shape, values: v.dataSync() as Float32Array })),
  );
  const fromA = a.apply(images, { training: false });
  const fromB = b.apply(images, { training: false });
  assert.ok(relativeDiff(fromA, fromB) < 1e-6, `max relative difference ${relativeDiff(fromA, fromB)}`);
  tf.dispose([fromA, fromB, images]);
  a.dispose();
  b.dispose();
  assert.equal(tf.memory().numTensors, start);
});
