import { test } from "node:test";
import assert from "node:assert/strict";
import {
  accuracyAtCompression,
  checkCurvesFile,
  curveRows,
  curveRowsCsv,
  nearChanceNotes,
  trainedCompressionRange,
  type CurvesData,
} from "../../../src/lib/views/curves.js";
import { CURVES_VERSION, partitionsProblem } from "../../../src/lib/io/curves-schema.js";
import { curvesFixture } from "../helpers/curves.js";

test("checkCurvesFile accepts the documented schema and names the problem otherwise", () => {
  const c = curvesFixture();
  assert.equal(checkCurvesFile(c), c);
  assert.throws(() => checkCurvesFile({ ...c, format: "x" }, "data/curves.json"), /data\/curves\.json: format is "x"/);
  assert.throws(
    () => checkCurvesFile({ ...c, version: CURVES_VERSION + 1 }),
    new RegExp(`version ${CURVES_VERSION + 1} is not supported`),
  );
  assert.throws(() => checkCurvesFile({ ...c, version: 1 }), /version 1 is not supported/);
  const bad = curvesFixture();
  bad.families[0]!.methods[1]!.points[2]!.params = Number.NaN;
  assert.throws(() => checkCurvesFile(bad), /family reference, method inn-scratch: params is NaN/);
});

test("learned partitions: accepted when sorted in [-1, 1] with one point per channel; each defect named", () => {
  const c = curvesFixture();
  const p = c.families[0]!.methods[1]!.points[1]!; // conv1: 12 channels at 75%
  assert.equal(p.sizes.conv1, 12);
  const learned = Array.from({ length: 12 }, (_, i) => -1 + 2 * (i / 11) ** 1.3);
  p.partitions = { conv1: learned };
  assert.equal(checkCurvesFile(c), c);
  const withPoints = (points: unknown, group = "conv1") => {
    const d = curvesFixture();
    (d.families[0]!.methods[1]!.points[1]! as { partitions?: unknown }).partitions = { [group]: points };
    return d;
  };
  const swapped = learned.slice();
  [swapped[4], swapped[5]] = [swapped[5]!, swapped[4]!];
  assert.throws(
    () => checkCurvesFile(withPoints(swapped), "data/curves.json"),
    /data\/curves\.json: family reference, method inn-scratch, point at fraction 0\.75: partitions\.conv1 is not strictly increasing at 5/,
  );
  assert.throws(
    () => checkCurvesFile(withPoints(learned.slice(1))),
    /partitions\.conv1 has 11 points, but the group has 12 channels/,
  );
  assert.throws(
    () => checkCurvesFile(withPoints([...learned.slice(0, 11), 1.5])),
    /partitions\.conv1\[11\] is 1\.5, not a number in \[-1, 1\]/,
  );
  assert.throws(() => checkCurvesFile(withPoints([...learned.slice(0, 11), null])), /partitions\.conv1\[11\] is null/);
  assert.throws(() => checkCurvesFile(withPoints(learned, "conv9")), /group "conv9", which the point has no size for/);
  assert.throws(() => checkCurvesFile(withPoints("0,1")), /partitions\.conv1 must be a list of numbers/);
  assert.equal(partitionsProblem([1, 2], { conv1: 2 }), "partitions must be an object of group → points");
  assert.equal(partitionsProblem({ conv1: [-1, 1] }, { conv1: 2 }), null);
});

test("curveRows flattens every point and keeps the file's numbers", () => {
  const c = curvesFixture(3);
  const rows = curveRows(c);
  assert.equal(rows.length, 8);
  const p = c.families[0]!.methods[1]!.points[2]!;
  const r = rows[6]!;
  assert.equal(r.method, "inn-scratch");
  assert.equal(r.fraction, 0.5);
  assert.equal(r.accuracyMean, p.accuracy.mean);
  assert.equal(r.flopsCompression, p.flopsCompression);
  assert.equal(r.seeds, "0 1");
});

test("trainedCompressionRange spans the points inside the training range; none for pruned nets", () => {
  const c = curvesFixture();
  const [l1, inn] = c.families[0]!.methods;
  assert.equal(trainedCompressionRange(l1!, "params"), null);
  const range = trainedCompressionRange(inn!, "params")!;
  assert.equal(range.minFraction, 0.375); // conv2: 12/32
  // Points at 1, 0.75 and 0.5 are inside; 0.25 is not.
  assert.equal(range.lo, 0);
  assert.equal(range.hi, inn!.points[2]!.paramsCompression);
  assert.equal(trainedCompressionRange(inn!, "flops")!.hi, inn!.points[2]!.flopsCompression);
});

test("curveRowsCsv quotes fields and parses back to the same numbers", () => {
  const rows = curveRows(curvesFixture(5));
  const csv = curveRowsCsv(rows);
  const lines = csv.trimEnd().split("\r\n");
  assert.equal(lines.length, rows.length + 1);
  assert.match(lines[1]!, /"Discrete net, L1 channel pruning, ""no"" fine-tuning"/);
  const header = lines[0]!.split(",");
  const last = lines.at(-1)!.split(",");
  assert.equal(Number(last[header.indexOf("accuracyMean")]), rows.at(-1)!.accuracyMean);
  assert.equal(Number(last[header.indexOf("params")]), rows.at(-1)!.params);
});

test("accuracyAtCompression reads the line between the points around a compression; null outside", () => {
  const c = curvesFixture();
  const inn = c.families[0]!.methods[1]!;
  const [p1, p2] = [inn.points[1]!, inn.points[2]!];
  const mid = (p1.paramsCompression + p2.paramsCompression) / 2;
  const expected = (p1.accuracy.mean + p2.accuracy.mean) / 2;
  assert.ok(Math.abs(accuracyAtCompression(inn, mid)! - expected) < 1e-12, "halfway between two points: their mean");
  assert.equal(accuracyAtCompression(inn, p2.paramsCompression), p2.accuracy.mean, "at a point: its accuracy");
  const third = p1.flopsCompression + (p2.flopsCompression - p1.flopsCompression) / 3;
  assert.ok(
    Math.abs(
      accuracyAtCompression(inn, third, "flops")! - (p1.accuracy.mean + (p2.accuracy.mean - p1.accuracy.mean) / 3),
    ) < 1e-12,
    "flops axis",
  );
  assert.equal(accuracyAtCompression(inn, 0.999), null, "beyond the most compressed point");
  assert.equal(accuracyAtCompression(inn, -0.1), null, "below full size");
});

test("model reports: the near-chance flag is read, checked against the accuracy, and optional", () => {
  const c = curvesFixture();
  const models = [
    { family: "reference", model: "reference", seed: 0, testAccuracy: 0.98 },
    { family: "reference", model: "reference-inn", seed: 1, testAccuracy: 0.168, nearChance: true as const },
  ];
  c.families[0]!.models = models;
  assert.equal(checkCurvesFile(c), c);
  assert.deepEqual(nearChanceNotes(c), [
    {
      family: "reference",
      model: "reference-inn",
      seed: 1,
      accuracy: 0.168,
      classes: 10,
      text: "reference-inn (seed 1) ended at 16.8% on mnist, near chance (16.8% ≈ 1/10)",
    },
  ]);
  assert.deepEqual(nearChanceNotes(c, "sinn"), [], "another family's notes only");
  // A file written before the flag existed: no notes, and still readable.
  const old = curvesFixture();
  old.families[0]!.models = [{ family: "reference", model: "reference-inn", seed: 1, testAccuracy: 0.168 }];
  assert.equal(checkCurvesFile(old), old);
  assert.deepEqual(nearChanceNotes(old), []);
  const { models: _, ...noModels } = curvesFixture().families[0]!;
  assert.ok(checkCurvesFile({ ...curvesFixture(), families: [noModels] }));
  const wrong = curvesFixture();
  wrong.families[0]!.models = [{ ...models[1]!, testAccuracy: 0.9 }];
  assert.throws(
    () => checkCurvesFile(wrong, "data/digits/curves.json"),
    /^Error: data\/digits\/curves\.json: family reference: model "reference-inn" \(seed 1\): nearChance is set, but 90\.0% is not near chance on 10 classes$/,
  );
  assert.throws(
    () => checkCurvesFile({ ...curvesFixture(), dataset: { ...c.dataset, classes: 0 } }),
    /dataset\.classes must be an integer of at least 2, got 0/,
  );
  const family = { id: "sinn", full: c.families[0]!.full, methods: [], models: models.slice(1) };
  assert.equal(
    nearChanceNotes({ ...c, families: [family] })[0]!.text,
    "reference-inn (family sinn) (seed 1) ended at 16.8% on mnist, near chance (16.8% ≈ 1/10)",
  );
});
