import { test } from "node:test";
import assert from "node:assert/strict";
import {
  channelDistanceMatrix,
  groupChannelSlices,
  invertPermutation,
  minimizeTotalVariation,
  minimizeTotalVariationAsync,
  reverseSegment,
  totalVariation,
  twoOptDelta,
  twoOptDescent,
  type DistanceMatrix,
} from "../../../src/lib/compression/permutation.js";
import { gaussian, mulberry32, permutation } from "../../../src/lib/random.js";

function randomSlices(n: number, len: number, seed: number): Float32Array[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: len }, () => gaussian(r)));
}

test("groupChannelSlices concatenates each channel's values across tensors and axes", () => {
  // conv filter [kh=1, kw=2, in=1, out=3] (channel axis 3), bias [3], next layer [in=3, out=2] (axis 0).
  const conv = [0, 1, 2, 10, 11, 12]; // [0][k][0][c] = 10k + c
  const bias = [100, 101, 102];
  const next = [200, 201, 210, 211, 220, 221]; // [c][o] = 200 + 10c + o
  const slices = groupChannelSlices([
    { data: conv, shape: [1, 2, 1, 3], axis: 3 },
    { data: bias, shape: [3], axis: 0 },
    { data: next, shape: [3, 2], axis: 0 },
  ]);
  assert.deepEqual(
    slices.map((s) => Array.from(s)),
    [
      [0, 10, 100, 200, 201],
      [1, 11, 101, 210, 211],
      [2, 12, 102, 220, 221],
    ],
  );
  assert.throws(
    () =>
      groupChannelSlices([
        { data: conv, shape: [1, 2, 1, 3], axis: 3 },
        { data: [1, 2], shape: [2], axis: 0 },
      ]),
    /part 1 has 2 channels on axis 0, part 0 has 3/,
  );
  assert.throws(
    () => groupChannelSlices([{ data: conv, shape: [1, 2, 1, 3], axis: 4 }]),
    /channel axis 4 outside shape/,
  );
  assert.throws(() => groupChannelSlices([{ data: [1, 2], shape: [3], axis: 0 }]), /2 values but shape \[3\] needs 3/);
});

test("distance matrix is the mean absolute difference; TV sums the open path", () => {
  const D = channelDistanceMatrix([
    [0, 0],
    [1, 3],
    [4, -2],
  ]);
  assert.deepEqual(
    D.map((r) => Array.from(r)),
    [
      [0, 2, 3],
      [2, 0, 4],
      [3, 4, 0],
    ],
  );
  assert.equal(totalVariation(D, [0, 1, 2]), 6);
  assert.equal(totalVariation(D, [1, 0, 2]), 5);
  assert.throws(() => channelDistanceMatrix([[0, 1], [1]]), /slice 1 has 1 values, slice 0 has 2/);
  assert.throws(() => channelDistanceMatrix([[0], [NaN]]), /channels 0 and 1 is NaN/);
  assert.throws(() => totalVariation(D, [0, 0, 2]), /not a permutation of 0\.\.2: entry 1 is 0/);
  assert.throws(() => totalVariation(D, [0, 1]), /2 entries, the distance matrix has 3/);
});

test("twoOptDelta equals the recomputed change of TV for every segment, including the path ends", () => {
  const n = 9;
  const D = channelDistanceMatrix(randomSlices(n, 5, 1));
  const r = mulberry32(2);
  for (let trial = 0; trial < 5; trial++) {
    const order = permutation(r, n);
    const tv = totalVariation(D, order);
    for (let i = 0; i < n - 1; i++) {
      for (let j = i + 1; j < n; j++) {
        const moved = order.slice();
        reverseSegment(moved, i, j);
        const delta = twoOptDelta(D, order, i, j);
        assert.ok(
          Math.abs(totalVariation(D, moved) - tv - delta) < 1e-12,
          `i=${i} j=${j}: delta ${delta} vs ${totalVariation(D, moved) - tv}`,
        );
      }
    }
  }
});

test("2-opt descent never increases TV and leaves no improving move", () => {
  for (let seed = 10; seed < 16; seed++) {
    const n = 5 + seed;
    const D = channelDistanceMatrix(randomSlices(n, 6, seed));
    const order = permutation(mulberry32(seed), n);
    const start = totalVariation(D, order);
    twoOptDescent(D, order);
    const end = totalVariation(D, order);
    assert.ok(end <= start, `seed ${seed}: ${end} > ${start}`);
    for (let i = 0; i < n - 1; i++) for (let j = i + 1; j < n; j++) assert.ok(twoOptDelta(D, order, i, j) > -1e-9);
  }
});

test("minimizeTotalVariation: after ≤ before, result is consistent, deterministic for a seed", () => {
  for (let seed = 20; seed < 25; seed++) {
    const D = channelDistanceMatrix(randomSlices(16, 8, seed));
    const res = minimizeTotalVariation(D, { restarts: 20, random: mulberry32(seed) });
    assert.equal(
      res.before,
      totalVariation(
        D,
        Int32Array.from({ length: 16 }, (_, i) => i),
      ),
    );
    assert.ok(Math.abs(res.after - totalVariation(D, res.order)) < 1e-12);
    assert.ok(res.after <= res.before);
    assert.ok(res.after < 0.9 * res.before, `random weights should reorder well: ${res.after} vs ${res.before}`);
    const again = minimizeTotalVariation(D, { restarts: 20, random: mulberry32(seed) });
    assert.deepEqual(Array.from(again.order), Array.from(res.order));
  }
  // restarts: 0 is pure 2-opt from the identity, still never worse.
  const D = channelDistanceMatrix(randomSlices(10, 3, 99));
  const res = minimizeTotalVariation(D, { restarts: 0 });
  assert.ok(res.after <= res.before);
});

test("minimizeTotalVariation reaches the brute-force optimum on small groups", () => {
  const n = 7;
  for (let seed = 30; seed < 33; seed++) {
    const D = channelDistanceMatrix(randomSlices(n, 4, seed));
    let best = Infinity;
    const perm = [0, 1, 2, 3, 4, 5, 6];
    const visit = (k: number) => {
      if (k === n) {
        best = Math.min(best, totalVariation(D, perm));
        return;
      }
      for (let i = k; i < n; i++) {
        [perm[k], perm[i]] = [perm[i], perm[k]];
        visit(k + 1);
        [perm[k], perm[i]] = [perm[i], perm[k]];
      }
    };
    visit(0);
    const res = minimizeTotalVariation(D, { random: mulberry32(seed) });
    assert.ok(Math.abs(res.after - best) < 1e-12, `seed ${seed}: ${res.after} vs optimum ${best}`);
  }
});

test("a shuffled smooth channel sequence is put back in order (or reversed)", () => {
  const n = 24;
  // Channel k's weights sample a smooth function of k: neighbours in k are nearest in weight space.
  const smooth = Array.from({ length: n }, (_, k) =>
    Float32Array.from({ length: 8 }, (_, t) => Math.sin(0.1 * k + 0.7 * t) + 0.05 * k),
  );
  const shuffle = permutation(mulberry32(5), n); // position p holds smooth channel shuffle[p]
  const D = channelDistanceMatrix(Array.from(shuffle, (c) => smooth[c]));
  const res = minimizeTotalVariation(D, { random: mulberry32(6) });
  const recovered = Array.from(res.order, (p) => shuffle[p]);
  const forward = Array.from({ length: n }, (_, k) => k);
  assert.ok(
    JSON.stringify(recovered) === JSON.stringify(forward) ||
      JSON.stringify(recovered) === JSON.stringify([...forward].reverse()),
    `recovered order ${recovered}`,
  );
  assert.ok(res.after < res.before);
});

test("bad distance matrices and options are refused", () => {
  const asym: DistanceMatrix = [Float64Array.from([0, 1]), Float64Array.from([2, 0])];
  assert.throws(() => minimizeTotalVariation(asym), /not symmetric: \[0\]\[1\] = 1 but \[1\]\[0\] = 2/);
  assert.throws(() => minimizeTotalVariation([Float64Array.from([0, 1])]), /row 0 has 2 entries, expected 1/);
  assert.throws(() => minimizeTotalVariation([Float64Array.from([NaN])]), /\[0\]\[0\] is NaN/);
  assert.throws(
    () => minimizeTotalVariation([Float64Array.from([0])], { restarts: -1 }),
    /restarts must be a non-negative integer/,
  );
  const one = minimizeTotalVariation([Float64Array.from([0])]);
  assert.deepEqual([Array.from(one.order), one.before, one.after], [[0], 0, 0]);
});

test("invertPermutation", () => {
  assert.deepEqual(Array.from(invertPermutation([2, 0, 3, 1])), [1, 3, 0, 2]);
});

test("minimizeTotalVariationAsync pauses through the injected yield and returns exactly the sync search's order", async () => {
  const D = channelDistanceMatrix(randomSlices(40, 6, 77));
  const sync = minimizeTotalVariation(D, { restarts: 6, random: mulberry32(8) });
  let t = 0;
  let pauses = 0;
  const starts: number[] = [];
  const result = await minimizeTotalVariationAsync(D, {
    restarts: 6,
    random: mulberry32(8),
    now: () => t++,
    sliceMs: 25,
    yieldFn: async () => void pauses++,
    onPause: (p) => {
      assert.equal(p.starts, 7);
      starts.push(p.start);
    },
  });
  assert.deepEqual(Array.from(result.order), Array.from(sync.order));
  assert.deepEqual([result.before, result.after], [sync.before, sync.after]);
  assert.ok(sync.after < 0.9 * sync.before, "the search did reorder");
  // Every start (the identity, then six random ones) runs sweeps of 39 rows, so each one pauses.
  assert.ok(pauses >= 7 && pauses === starts.length, `${pauses} pauses`);
  assert.deepEqual([...new Set(starts)], [0, 1, 2, 3, 4, 5, 6], "the starts in order");
  // With the default yield (a real macrotask) and the real clock: the same order again.
  const macrotasks = await minimizeTotalVariationAsync(D, { restarts: 6, random: mulberry32(8), sliceMs: 1 });
  assert.deepEqual(Array.from(macrotasks.order), Array.from(sync.order));
});
