import { test } from "node:test";
import assert from "node:assert/strict";
import { mulberry32, gaussian } from "../../../src/lib/random.js";
import { channelDistanceMatrix, totalVariation, twoOptDescent } from "../../../src/lib/compression/permutation.js";
import { smoothedEntry, twoOptPasses } from "../../../src/lib/views/permutation-passes.js";

function slices(n: number, length: number, seed: number): Float32Array[] {
  const random = mulberry32(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length }, () => gaussian(random)));
}

test("twoOptPasses replays twoOptDescent pass by pass: same final order, TV falling every pass", () => {
  for (const seed of [1, 2, 3]) {
    const D = channelDistanceMatrix(slices(24, 12, seed));
    const start = Array.from({ length: 24 }, (_, i) => i);
    const passes = twoOptPasses(D, start);
    const descent = Int32Array.from(start);
    twoOptDescent(D, descent);
    assert.deepEqual(Array.from(passes[passes.length - 1]!.order), Array.from(descent));
    assert.deepEqual(Array.from(passes[0]!.order), start);
    assert.ok(passes.length >= 3, `${passes.length - 1} passes`);
    for (const [k, p] of passes.entries()) {
      assert.equal(p.pass, k);
      assert.ok(Math.abs(p.tv - totalVariation(D, p.order)) < 1e-12);
      if (k > 0) {
        assert.ok(p.tv < passes[k - 1]!.tv, `pass ${k} lowers TV`);
        assert.ok(p.moves > 0);
      }
    }
  }
});

test("smoothedEntry picks the varying entry the order smooths most", () => {
  // Entry 1 follows the channel index, shuffled in the trained order; entry 0 is noise of the same spread.
  const random = mulberry32(7);
  const shuffle = [5, 2, 7, 0, 3, 6, 1, 4];
  const s = shuffle.map((c) => Float32Array.from([gaussian(random) * 2, c, 0.001 * gaussian(random)]));
  const sorted = shuffle.map((_, k) => shuffle.indexOf(k));
  assert.equal(smoothedEntry(s, sorted), 1);
  // A low-variance entry never wins, however smooth it becomes.
  assert.notEqual(smoothedEntry(s, sorted), 2);
});
