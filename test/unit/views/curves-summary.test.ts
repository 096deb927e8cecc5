import { test } from "node:test";
import assert from "node:assert/strict";
import { accuracyAtCompression, curveRows } from "../../../src/lib/views/curves.js";
import {
  curveDips,
  curvePanel,
  curvesHeadline,
  dipSentence,
  headlineSentence,
  measuredAtShare,
  spreadLabels,
  yLower,
} from "../../../src/lib/views/curves-summary.js";
import { curvesFixture } from "../helpers/curves.js";

const method = (c: ReturnType<typeof curvesFixture>, id: string) => c.families[0]!.methods.find((m) => m.id === id)!;

test("curvesHeadline reads full size and both compressions off the file; seeds and test images from it", () => {
  const c = curvesFixture(3);
  const h = curvesHeadline(c)!;
  const inn = method(c, "inn-scratch");
  const l1 = method(c, "discrete-l1");
  assert.equal(h.full.inn, inn.points[0]!.accuracy.mean);
  assert.equal(h.full.discrete, l1.points[0]!.accuracy.mean);
  assert.deepEqual(
    h.at.map((a) => a.compression),
    [0.5, 0.75],
  );
  assert.equal(h.at[0]!.inn, accuracyAtCompression(inn, 0.5));
  assert.equal(h.at[1]!.l1, accuracyAtCompression(l1, 0.75));
  assert.equal(h.at[0]!.random, null, "the fixture has no random pruning");
  assert.equal(h.seeds, 2);
  assert.equal(h.testImages, 50);
  // 0.75 lies between the fixture's points at 43.75% and 75% compression, so it is a real interpolation.
  const sentence = headlineSentence(h);
  assert.match(sentence, new RegExp(`${(100 * h.full.inn!).toFixed(1)}%`));
  assert.match(sentence, /2 training seeds, 50 test images/);
  assert.equal(curvesHeadline(c, "no-such-family"), null);
});

test("curveDips finds a smaller share scoring above a larger one, and explains it from the data", () => {
  const c = curvesFixture(5);
  const inn = method(c, "inn-scratch");
  // Make 25% of the channels score 3 points above 50%; no other rise.
  inn.points.forEach((p, k) => (p.accuracy = { ...p.accuracy, mean: [0.95, 0.94, 0.9, 0.93][k]!, std: 0.01, n: 2 }));
  const l1 = method(c, "discrete-l1");
  l1.points.forEach((p, k) => (p.accuracy = { ...p.accuracy, mean: [0.95, 0.9, 0.7, 0.4][k]!, std: 0, n: 2 }));
  inn.training = [
    { seed: 0, settings: { sandwich: true, sandwichSmallest: true }, trainingRanges: { conv1: { min: 4, max: 16 } } },
  ];
  const dips = curveDips(c);
  assert.equal(dips.length, 1);
  const d = dips[0]!;
  assert.equal(d.method, "inn-scratch");
  assert.deepEqual([d.larger.fraction, d.smaller.fraction], [0.5, 0.25]);
  assert.ok(Math.abs(d.rise - 0.03) < 1e-12);
  assert.equal(d.smallestTrained, true);
  assert.equal(d.sandwich, true);
  // Binomial error of 50 test images at 90% and 93%, plus the seeds' spread (std 0.01 over 2 runs), both points.
  const se = (p: number) => Math.sqrt((p * (1 - p)) / 50 + 0.01 ** 2 / 2);
  assert.ok(Math.abs(d.noise - Math.hypot(se(0.9), se(0.93))) < 1e-12);
  const sentence = dipSentence(d, () => "The INN", 50);
  assert.match(sentence, /^The INN scores 93\.00% at 25% of the channels, 3\.0 points above its 90\.00% at 50%/);
  assert.match(sentence, /smallest size it was trained at, which the sandwich rule trains in every step/);
  assert.match(sentence, /within the noise/);
  // Without the sandwich rule the sentence says only what the ranges say.
  d.sandwich = false;
  assert.doesNotMatch(
    dipSentence(d, () => "The INN", 50),
    /sandwich/,
  );
});

test("spreadLabels keeps order and a minimum gap, inside the bounds, moving labels as little as it must", () => {
  assert.deepEqual(spreadLabels([10, 50, 90], 12), [10, 50, 90]);
  // Three labels on top of each other spread around their mean (41).
  const placed = spreadLabels([40, 41, 42, 100], 10, 0, 105);
  assert.deepEqual(placed, [31, 41, 51, 100]);
  // A cluster that grows into a neighbour takes it in.
  const grown = spreadLabels([0, 1, 12], 10, -100, 100);
  [13 / 3 - 10, 13 / 3, 13 / 3 + 10].forEach((x, k) => assert.ok(Math.abs(grown[k]! - x) < 1e-9, `${grown}`));
  const squeezed = spreadLabels([98, 99, 100], 10, 0, 100);
  assert.deepEqual(squeezed, [80, 90, 100]);
  const order = spreadLabels([5, 3, 4], 2);
  assert.ok(order[1]! < order[2]! && order[2]! < order[0]!);
});

test("yLower: fixed zooms, or the lowest band of the rows shown rounded down to 5 points", () => {
  const rows = curveRows(curvesFixture(2));
  assert.equal(yLower(rows, "full"), 0);
  assert.equal(yLower(rows, "80"), 0.8);
  const lowest = Math.min(...rows.map((r) => r.accuracyMean - r.accuracyStd));
  const auto = yLower(rows, "auto");
  assert.ok(auto <= lowest - 0.01 && auto > lowest - 0.07, `${auto} for lowest ${lowest}`);
  assert.ok(Math.abs(auto * 20 - Math.round(auto * 20)) < 1e-9, "a multiple of 5 points");
});

test("measuredAtShare returns the measured points nearest a share, never interpolated", () => {
  const c = curvesFixture(4);
  const m = measuredAtShare(c, 0.6)!;
  assert.equal(m.fraction, 0.5);
  const inn = method(c, "inn-scratch").points.find((p) => p.fraction === 0.5)!;
  assert.equal(m.inn, inn.accuracy.mean);
  assert.equal(m.compression, inn.paramsCompression);
  assert.equal(m.l1, method(c, "discrete-l1").points.find((p) => p.fraction === 0.5)!.accuracy.mean);
  assert.equal(measuredAtShare(c, 0.9)!.fraction, 1);
});

test("curvePanel: the headline comparison, the nets trained at size, the other integral nets", () => {
  assert.equal(curvePanel({ method: "inn-scratch", kind: "resampled" }), "no-fine-tuning");
  assert.equal(curvePanel({ method: "discrete-random", kind: "pruned" }), "no-fine-tuning");
  assert.equal(curvePanel({ method: "lhc-0.3", kind: "trained" }), "trained");
  assert.equal(curvePanel({ method: "inn-grid-tuned", kind: "tuned" }), "inn-variants");
  assert.equal(curvePanel({ method: "sinn", kind: "resampled" }), "inn-variants");
});
