import { test } from "node:test";
import assert from "node:assert/strict";
import { filterL1Norms, selectByL1, selectRandom } from "../../../src/lib/compression/channel-selection.js";
import { mulberry32 } from "../../../src/lib/random.js";

test("filterL1Norms sums |w| over everything but the channel axis", () => {
  const w = [1, -2, 3, -4, 5, -6]; // shape [2, 3]
  assert.deepEqual(Array.from(filterL1Norms(w, [2, 3])), [5, 7, 9]); // axis 1 (default: last)
  assert.deepEqual(Array.from(filterL1Norms(w, [2, 3], 0)), [6, 15]);
  // conv [kh=2, kw=1, in=2, out=2]: element (k, i, o) = sign·(4k + 2i + o + 1)
  const conv = [1, -2, 3, -4, 5, -6, 7, -8];
  assert.deepEqual(Array.from(filterL1Norms(conv, [2, 1, 2, 2])), [1 + 3 + 5 + 7, 2 + 4 + 6 + 8]);
  assert.deepEqual(Array.from(filterL1Norms(conv, [2, 1, 2, 2], 2)), [1 + 2 + 5 + 6, 3 + 4 + 7 + 8]);
  assert.throws(() => filterL1Norms(w, [2, 2]), /6 values do not fill shape \[2, 2\]/);
  assert.throws(() => filterL1Norms(w, [2, 3], 2), /channel axis 2 is outside shape/);
});

test("selectByL1 keeps the largest norms, returned in ascending original order", () => {
  assert.deepEqual(Array.from(selectByL1([3, 1, 4, 1, 5, 9, 2, 6], 3)), [4, 5, 7]);
  assert.deepEqual(Array.from(selectByL1([3, 1, 4, 1, 5, 9, 2, 6], 8)), [0, 1, 2, 3, 4, 5, 6, 7]);
  // Ties: the lower index wins.
  assert.deepEqual(Array.from(selectByL1([1, 2, 2, 1], 1)), [1]);
  assert.deepEqual(Array.from(selectByL1([1, 2, 2, 1], 3)), [0, 1, 2]);
  // From weights + shape (out-channels last): out-channel norms of conv above are 16 and 20.
  const conv = [1, -2, 3, -4, 5, -6, 7, -8];
  assert.deepEqual(Array.from(selectByL1({ weights: conv, shape: [2, 1, 2, 2] }, 1)), [1]);
  assert.deepEqual(Array.from(selectByL1({ weights: [9, 0, 0, 1, 0, 2], shape: [3, 2], axis: 0 }, 2)), [0, 2]);
});

test("selectByL1 errors", () => {
  assert.throws(() => selectByL1([1, 2, 3], 0), /cannot keep 0 of 3 channels: keep must be an integer in 1\.\.3/);
  assert.throws(() => selectByL1([1, 2, 3], 4), /cannot keep 4 of 3 channels/);
  assert.throws(() => selectByL1([1, 2, 3], 1.5), /cannot keep 1\.5 of 3/);
  assert.throws(() => selectByL1([1, NaN, 3], 1), /channel 1 has norm NaN/);
});

test("selectRandom: distinct, ascending, seeded, unbiased over many draws", () => {
  const a = selectRandom(10, 4, mulberry32(1));
  assert.equal(a.length, 4);
  assert.equal(new Set(a).size, 4);
  for (let i = 1; i < a.length; i++) assert.ok(a[i - 1] < a[i]);
  assert.ok(a.every((c) => c >= 0 && c < 10));
  assert.deepEqual(Array.from(selectRandom(10, 4, mulberry32(1))), Array.from(a));
  assert.deepEqual(Array.from(selectRandom(5, 5, mulberry32(2))), [0, 1, 2, 3, 4]);
  const hits = new Array(5).fill(0);
  const r = mulberry32(3);
  const draws = 5000;
  for (let t = 0; t < draws; t++) for (const c of selectRandom(5, 2, r)) hits[c]++;
  // Each channel is kept with probability 2/5: 2000 expected, standard deviation ≈ 35.
  assert.ok(
    hits.every((h) => Math.abs(h - 2000) < 200),
    `hits ${hits}`,
  );
  assert.throws(() => selectRandom(5, 6, r), /cannot keep 6 of 5 channels/);
  assert.throws(() => selectRandom(0, 1, r), /channel count must be a positive integer, got 0/);
});
