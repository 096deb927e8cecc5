import { test } from "node:test";
import assert from "node:assert/strict";
import { MIN_GROUP_SIZE, rangeAtFraction, sizesAtFraction } from "../../../src/lib/integral/groups.js";

test("sizesAtFraction rounds and validates; bad sizes are named", () => {
  const full = { conv1: 16, conv2: 32, conv3: 64 };
  assert.deepEqual(sizesAtFraction(full, ["conv1", "conv2", "conv3"], 0.35), { conv1: 6, conv2: 11, conv3: 22 });
  assert.deepEqual(sizesAtFraction(full, ["conv1"], 0.01), { conv1: MIN_GROUP_SIZE });
  assert.equal(MIN_GROUP_SIZE, 2);
  assert.deepEqual(sizesAtFraction({ tiny: 1 }, ["tiny"], 0.5), { tiny: 1 }, "never above the full size");
  assert.throws(() => sizesAtFraction(full, ["conv1"], 0), /fraction must be in \(0, 1\]/);
  assert.throws(() => sizesAtFraction(full, ["convX"], 0.5), /unknown group "convX"/);
});

test("rangeAtFraction: from ⌈fraction · size⌉ (at least MIN_GROUP_SIZE) to the full size", () => {
  assert.deepEqual(rangeAtFraction(16, 0.25), { min: 4, max: 16 });
  assert.deepEqual(rangeAtFraction(10, 0.25), { min: 3, max: 10 });
  assert.deepEqual(rangeAtFraction(4, 0.25), { min: 2, max: 4 });
  assert.deepEqual(rangeAtFraction(1, 0.5), { min: 1, max: 1 });
  assert.throws(() => rangeAtFraction(16, 1.5), /minFraction must be in \(0, 1\], got 1.5/);
});
