import { test } from "node:test";
import assert from "node:assert/strict";
import { sampleWeightFunction2d } from "../../../src/lib/views/weight-function-grid.js";
import { cubicKernel, linearKernel } from "../../../src/lib/math/interpolation.js";
import { uniformPartition } from "../../../src/lib/math/partition.js";

test("at the node coordinates the 2-D weight function reproduces its nodes", () => {
  const nodes = { rows: 4, cols: 5, values: Float64Array.from({ length: 20 }, (_, k) => Math.sin(k * 1.7) + k / 10) };
  const w = sampleWeightFunction2d(nodes, uniformPartition(4), uniformPartition(5), cubicKernel());
  for (let k = 0; k < 20; k++) assert.ok(Math.abs(w[k]! - nodes.values[k]!) < 1e-12, `entry ${k}`);
});

test("linear kernel: midpoints are averages of the four surrounding nodes", () => {
  const nodes = { rows: 2, cols: 2, values: [1, 3, 5, 11] };
  const w = sampleWeightFunction2d(nodes, [0], [0], linearKernel);
  assert.ok(Math.abs(w[0]! - 5) < 1e-12);
  assert.throws(
    () => sampleWeightFunction2d({ rows: 2, cols: 2, values: [1] }, [0], [0], linearKernel),
    /1 node values for 2×2/,
  );
});
