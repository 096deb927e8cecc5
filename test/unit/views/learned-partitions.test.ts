import { test } from "node:test";
import assert from "node:assert/strict";
import {
  learnedPartitions,
  learnedVersusUniform,
  partitionDeparture,
  partitionStudy,
} from "../../../src/lib/views/learned-partitions.js";
import { checkCurvesFile } from "../../../src/lib/views/curves.js";
import { uniformPartition } from "../../../src/lib/math/partition.js";
import { curvesFixture } from "../helpers/curves.js";

/** A partition of n points moved off the uniform grid by x ↦ sign(x)|x|^p (ends fixed, still increasing). */
function warped(n: number, p: number): number[] {
  return Array.from(uniformPartition(n), (x) => Math.sign(x) * Math.abs(x) ** p);
}

function withLearned() {
  const c = curvesFixture(2);
  const grid = structuredClone(c.families[0]!.methods[1]!);
  grid.id = "inn-grid-tuned";
  grid.kind = "tuned";
  grid.model = { name: "reference-inn" };
  grid.seeds = [3, 4];
  grid.points.forEach((p, i) => {
    p.runs = [
      { seed: 3, accuracies: [0.9 - i / 100] },
      { seed: 4, accuracies: [0.5] },
    ];
    p.partitions = { conv1: warped(p.sizes.conv1!, 1.2 + i / 10) };
  });
  c.families[0]!.methods.push(grid);
  return checkCurvesFile(c);
}

test("learnedPartitions: one entry per group and size, with the seed, size and accuracy of the run it came from", () => {
  const c = withLearned();
  const all = learnedPartitions(c);
  assert.deepEqual(
    all.map((p) => p.id),
    ["conv1-16", "conv1-12", "conv1-8", "conv1-4"],
  );
  const p = all[1]!;
  assert.equal(p.method, "inn-grid-tuned");
  assert.equal(p.seed, 3);
  assert.equal(p.fraction, 0.75);
  assert.equal(p.size, 12);
  assert.equal(p.fullSize, 16);
  assert.equal(p.accuracy, 0.89);
  assert.deepEqual(Array.from(p.points), c.families[0]!.methods[2]!.points[1]!.partitions!.conv1);
  assert.deepEqual(learnedPartitions(curvesFixture()), [], "no partitions in the file, none listed");
});

test("partitionDeparture: zero on the uniform grid, the largest move and gaps otherwise", () => {
  const u = partitionDeparture(uniformPartition(9));
  assert.ok(u.maxShift < 1e-15 && Math.abs(u.minGap - 0.25) < 1e-15 && Math.abs(u.maxGap - 0.25) < 1e-15);
  const d = partitionDeparture([-1, -0.2, 0.4, 1]); // uniform: -1, -1/3, 1/3, 1
  assert.ok(Math.abs(d.maxShift - (1 / 3 - 0.2)) < 1e-12);
  assert.ok(Math.abs(d.minGap - 0.6) < 1e-12 && Math.abs(d.maxGap - 0.8) < 1e-12);
  assert.throws(() => partitionDeparture([0]), /at least 2 points/);
});

test("partitionStudy: trapezoid is second order on warped partitions; Simpson refuses them; Gauss-Legendre uses its own nodes", () => {
  const f = Math.exp;
  const exact = Math.E - 1 / Math.E;
  const parts = [9, 17, 33, 65, 129].map((n) => warped(n, 1.3));
  const trap = partitionStudy("trapezoid", f, exact, parts);
  assert.ok(Math.abs(trap.order! - 2) < 0.15, `trapezoid order ${trap.order}`);
  assert.deepEqual(
    trap.rows.map((r) => r.n),
    [9, 17, 33, 65, 129],
  );
  const simpson = partitionStudy("simpson", f, exact, parts);
  assert.equal(simpson.rows.length, 0);
  assert.match(simpson.notApplicable!, /uniform|equal/i);
  const gauss = partitionStudy("gauss-legendre", f, exact, parts.slice(0, 2));
  assert.ok(
    gauss.rows.every((r) => r.error < 1e-12),
    "Gauss–Legendre with 9 and 17 nodes is exact to rounding on exp",
  );
});

test("learnedVersusUniform: the uniform column is the uniform trapezoid, the learned one differs on a warped grid", () => {
  const f = (x: number) => x * x;
  const rows = learnedVersusUniform("trapezoid", f, 2 / 3, [warped(5, 1.5), warped(3, 1.5)]);
  assert.deepEqual(
    rows.map((r) => r.n),
    [3, 5],
  );
  // Uniform trapezoid on x² with h = 1: (1/2 + 0 + 1/2)·1 = 1, error 1/3.
  assert.ok(Math.abs(rows[0]!.uniformError - 1 / 3) < 1e-15);
  // n = 3 warped is still -1, 0, 1: same error.
  assert.ok(Math.abs(rows[0]!.learnedError - 1 / 3) < 1e-15);
  assert.ok(Math.abs(rows[1]!.learnedError - rows[1]!.uniformError) > 1e-3);
  assert.throws(() => learnedVersusUniform("simpson", f, 2 / 3, [warped(5, 1)]), /does not use a given partition/);
});
