import { test } from "node:test";
import assert from "node:assert/strict";
import {
  trainedBudget,
  trainedGaps,
  trainedGapsSentence,
  type TrainedGap,
} from "../../../src/lib/views/trained-gaps.js";
import { curvesFixture } from "../helpers/curves.js";

test("trainedGaps: each trained point against the dense net's full-size accuracy", () => {
  const c = curvesFixture(4);
  const reference = c.families[0]!;
  const l1 = reference.methods.find((m) => m.id === "discrete-l1")!;
  const point = structuredClone(l1.points[2]!);
  point.accuracy.mean = 0.9;
  reference.methods.push({ ...structuredClone(l1), id: "ssc", label: "SSC", kind: "trained", points: [point] });
  const gaps = trainedGaps(c);
  assert.deepEqual(
    gaps.map((g) => g.method),
    ["ssc"],
  );
  assert.equal(gaps[0]!.dense, l1.points[0]!.accuracy.mean);
  assert.equal(gaps[0]!.gap, l1.points[0]!.accuracy.mean - 0.9);
  assert.equal(gaps[0]!.paramsCompression, point.paramsCompression);
  assert.deepEqual(trainedGaps(c, "no-such-family"), []);
  reference.methods = reference.methods.filter((m) => m.id !== "discrete-l1");
  assert.deepEqual([trainedGaps(c)[0]!.dense, trainedGaps(c)[0]!.gap], [null, null]);
});

test("trainedGapsSentence: each net with its gap, and how many miss the 1-point aim", () => {
  const gap = (method: string, accuracy: number): TrainedGap => ({
    method,
    label: method,
    accuracy,
    paramsCompression: 0.5,
    flopsCompression: 0.5,
    dense: 0.97,
    gap: 0.97 - accuracy,
  });
  const name = (m: string) => m.toUpperCase();
  assert.equal(
    trainedGapsSentence([gap("ssc", 0.9), gap("igpc", 0.975)], name, { limitTrain: 12000, epochs: 1 }),
    "The nets trained at their size aim to land within 1 point of the dense net, which scores 97.00% at full size " +
      "in this build: SSC 90.00% (7.0 points under, 50.0% fewer parameters); IGPC 97.50% (0.5 points over, 50.0% " +
      "fewer parameters). 1 of 2 miss that by more than a point — at this build's budget they train on 12,000 " +
      "images for 1 epoch, the dense net longer.",
  );
  assert.match(
    trainedGapsSentence([gap("ssc", 0.965)], name),
    /SSC 96\.50% \(0\.5 points under.*All of them make it\.$/,
  );
  assert.match(
    trainedGapsSentence([gap("ssc", 0.5)], name, { limitTrain: 0, epochs: 3 }),
    /on all the images for 3 epochs/,
  );
  assert.equal(trainedGapsSentence([{ ...gap("ssc", 0.9), dense: null, gap: null }], name), "");
  assert.equal(trainedGapsSentence([], name), "");
});

test("trainedBudget: the method nets' images and epochs from the profile, else undefined", () => {
  const c = curvesFixture(4);
  c.profile = { name: "quick", methodNets: { limitTrain: 3000, epochs: 2, ssc: true } };
  assert.deepEqual(trainedBudget(c), { limitTrain: 3000, epochs: 2 });
  c.profile = { name: "quick", methodNets: { limitTrain: "many", epochs: 2 } };
  assert.equal(trainedBudget(c), undefined);
  c.profile = { name: "quick" };
  assert.equal(trainedBudget(c), undefined);
});
