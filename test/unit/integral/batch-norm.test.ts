import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs";
import { initBackend } from "../../../loaders/backend.js";
import { ChannelGroups } from "../../../src/lib/integral/groups.js";
import { IntegralBatchNorm } from "../../../src/lib/integral/batch-norm.js";
import { uniformPartition } from "../../../src/lib/math/partition.js";
import { mulberry32, gaussian, randomInt, type Random } from "../../../src/lib/random.js";

before(async () => {
  await initBackend("cpu");
});

const N = 24;

function groups(): ChannelGroups {
  return new ChannelGroups(
    [
      { id: "g", size: N, range: { min: 6, max: N } },
      { id: "h", size: 4 },
    ],
    [{ id: "gh", parts: ["g", "h"] }],
  );
}

/** A batch [b, 1, 1, m] whose channel c has exactly mean mean(x_c) and unbiased variance variance(x_c). */
function batchWithStatistics(
  random: Random,
  points: Float64Array,
  mean: (x: number) => number,
  variance: (x: number) => number,
  b = 16,
): tf.Tensor4D {
  const m = points.length;
  const values = new Float32Array(b * m);
  for (let c = 0; c < m; c++) {
    const z = Array.from({ length: b }, () => gaussian(random));
    const zm = z.reduce((a, v) => a + v, 0) / b;
    const zs = Math.sqrt(z.reduce((a, v) => a + (v - zm) ** 2, 0) / (b - 1));
    for (let i = 0; i < b; i++)
      values[i * m + c] = mean(points[c]) + Math.sqrt(variance(points[c])) * ((z[i] - zm) / zs);
  }
  return tf.tensor4d(values, [b, 1, 1, m]);
}

test("full size: training normalises with batch statistics and moves the running statistics by PyTorch's EMA", () => {
  const start = tf.memory().numTensors;
  const g = groups();
  const bn = new IntegralBatchNorm(g, { id: "bn", group: "g", momentum: 0.1 });
  const random = mulberry32(3);
  const x = tf.tidy(
    () =>
      tf.add(
        tf.mul(
          tf.tensor4d(
            Float32Array.from({ length: 2 * 3 * 3 * N }, () => gaussian(random)),
            [2, 3, 3, N],
          ),
          2,
        ),
        0.5,
      ) as tf.Tensor4D,
  );
  const y = bn.apply(x, g.sizes, true);
  const yMean = tf.tidy(() => tf.mean(y, [0, 1, 2]).dataSync());
  const yVar = tf.tidy(() => tf.moments(y, [0, 1, 2]).variance.dataSync());
  for (let c = 0; c < N; c++) {
    assert.ok(Math.abs(yMean[c]) < 1e-4, `channel ${c} mean ${yMean[c]}`);
    assert.ok(Math.abs(yVar[c] - 1) < 1e-3, `channel ${c} variance ${yVar[c]}`);
  }
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const n = 18;
  const m = mean.dataSync();
  const v = variance.dataSync();
  const rm = bn.meanNodes.dataSync();
  const rv = bn.varianceNodes.dataSync();
  for (let c = 0; c < N; c++) {
    assert.ok(Math.abs(rm[c] - 0.1 * m[c]) < 1e-5, `running mean ${c}`);
    assert.ok(Math.abs(rv[c] - (0.9 + 0.1 * v[c] * (n / (n - 1)))) < 1e-4, `running variance ${c}`);
  }
  // Evaluation uses the running statistics exactly at full size.
  tf.tidy(() => {
    bn.gammaNodes.assign(tf.linspace(0.5, 2, N));
    bn.betaNodes.assign(tf.linspace(-1, 1, N));
  });
  bn.invalidate();
  const e = bn.apply(x, g.sizes, false);
  const expected = tf.tidy(() =>
    tf.add(
      tf.mul(tf.div(tf.sub(x, bn.meanNodes), tf.sqrt(tf.add(bn.varianceNodes, 1e-5))), bn.gammaNodes),
      bn.betaNodes,
    ),
  );
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(e, expected))).dataSync()[0]);
  assert.ok(diff < 1e-5, `evaluation differs by ${diff}`);
  tf.dispose([x, y, mean, variance, e, expected]);
  bn.dispose();
  g.dispose();
  assert.equal(tf.memory().numTensors, start);
});

test("full-size policy (default): reduced-size passes normalise but leave the running statistics alone", () => {
  const start = tf.memory().numTensors;
  const g = groups();
  const bn = new IntegralBatchNorm(g, { id: "bn", group: "g", momentum: 0.1 });
  assert.equal(bn.statisticsUpdate, "full-size");
  const random = mulberry32(8);
  const noise = (m: number) =>
    tf.tidy(
      () =>
        tf.add(
          tf.mul(
            tf.tensor4d(
              Float32Array.from({ length: 4 * 2 * 2 * m }, () => gaussian(random)),
              [4, 2, 2, m],
            ),
            3,
          ),
          2,
        ) as tf.Tensor4D,
    );
  // Own group reduced; own group full but another atomic group ("h") reduced: neither moves the nodes.
  for (const [sizes, m] of [
    [{ g: 12, h: 4 }, 12],
    [{ g: N, h: 3 }, N],
  ] as const) {
    const x = noise(m);
    const y = bn.apply(x, sizes, true);
    const yVar = tf.tidy(() => tf.moments(y, [0, 1, 2]).variance.dataSync());
    assert.ok(Math.abs(yVar[0] - 1) < 1e-3, "still normalised with batch statistics");
    assert.deepEqual(
      Array.from(bn.meanNodes.dataSync()),
      new Array(N).fill(0),
      `sizes ${JSON.stringify(sizes)} moved the running mean`,
    );
    assert.deepEqual(
      Array.from(bn.varianceNodes.dataSync()),
      new Array(N).fill(1),
      `sizes ${JSON.stringify(sizes)} moved the running variance`,
    );
    tf.dispose([x, y]);
  }
  // A full-size pass moves them by PyTorch's EMA.
  const x = noise(N);
  tf.dispose(bn.apply(x, g.sizes, true));
  const batchMean = tf.tidy(() => tf.mean(x, [0, 1, 2]).dataSync());
  const rm = bn.meanNodes.dataSync();
  for (let c = 0; c < N; c++) assert.ok(Math.abs(rm[c] - 0.1 * batchMean[c]) < 1e-5, `running mean ${c}`);
  x.dispose();
  bn.dispose();
  g.dispose();
  assert.equal(tf.memory().numTensors, start);
  assert.throws(
    () => new IntegralBatchNorm(groups(), { id: "bn", group: "g", statisticsUpdate: "sometimes" as never }),
    /bn: statisticsUpdate must be "full-size" or "every-size", got "sometimes"/,
  );
});

test("every-size policy: running statistics converge to the channel-coordinate functions at every size", () => {
  const start = tf.memory().numTensors;
  const g = groups();
  const bn = new IntegralBatchNorm(g, { id: "bn", group: "g", momentum: 0.2, statisticsUpdate: "every-size" });
  const trueMean = (x: number) => 1 + 0.5 * Math.sin(2 * x);
  const trueVariance = (x: number) => 2 + Math.cos(3 * x);
  const random = mulberry32(11);
  for (let step = 0; step < 250; step++) {
    const m = randomInt(random, 6, N);
    const points = uniformPartition(m);
    const x = batchWithStatistics(random, points, trueMean, trueVariance);
    tf.dispose(bn.apply(x, { g: m, h: 4 }, true));
    x.dispose();
  }
  for (const m of [6, 9, 13, 24]) {
    const points = uniformPartition(m);
    // Evaluate on a batch of zeros: output = shift = β − mean·scale with β = 0, γ = 1 → −mean/√(var+ε);
    // read mean and variance through the evaluation affine.
    const { scale, shift } = bn.affine({ g: m, h: 4 });
    const s = scale.dataSync();
    const b = shift.dataSync();
    for (let c = 0; c < m; c++) {
      const variance = 1 / s[c] ** 2 - 1e-5;
      const mean = -b[c] / s[c];
      assert.ok(
        Math.abs(mean - trueMean(points[c])) < 0.03,
        `size ${m} channel ${c}: mean ${mean} vs ${trueMean(points[c])}`,
      );
      assert.ok(
        Math.abs(variance - trueVariance(points[c])) < 0.08,
        `size ${m} channel ${c}: variance ${variance} vs ${trueVariance(points[c])}`,
      );
    }
  }
  bn.dispose();
  g.dispose();
  assert.equal(tf.memory().numTensors, start);
});

test("estimation: cumulative average, independent of batch order; full size rewrites nodes, a reduced size calibrates only itself", () => {
  const start = tf.memory().numTensors;
  const g = groups();
  const a = new IntegralBatchNorm(g, { id: "a", group: "g" });
  const b = new IntegralBatchNorm(g, { id: "b", group: "g" });
  const random = mulberry32(5);
  const batches = [0, 1, 2].map(() =>
    tf.tensor4d(
      Float32Array.from({ length: 4 * 2 * 2 * N }, () => gaussian(random) + 3),
      [4, 2, 2, N],
    ),
  );
  a.beginEstimation();
  b.beginEstimation();
  for (const x of batches) tf.dispose(a.apply(x, g.sizes, true));
  for (const x of [...batches].reverse()) tf.dispose(b.apply(x, g.sizes, true));
  a.endEstimation();
  b.endEstimation();
  const expectedMean = tf.tidy(() => tf.mean(tf.stack(batches.map((x) => tf.mean(x, [0, 1, 2])))).dataSync()[0]);
  const am = a.meanNodes.dataSync();
  const bm = b.meanNodes.dataSync();
  for (let c = 0; c < N; c++) assert.ok(Math.abs(am[c] - bm[c]) < 1e-5, `channel ${c} differs by order`);
  const overall = Array.from(am).reduce((s, v) => s + v, 0) / N;
  assert.ok(Math.abs(overall - expectedMean) < 1e-4, `mean of estimates ${overall} vs ${expectedMean}`);
  // At a reduced size: only that size is calibrated; the nodes keep the full-size estimate.
  const nodesBefore = Array.from(a.meanNodes.dataSync());
  const small = tf.tidy(
    () =>
      tf.add(
        tf.zeros([2, 1, 1, 12]),
        tf.tensor1d(Float32Array.from({ length: 12 }, (_, c) => c)).reshape([1, 1, 1, 12]),
      ) as tf.Tensor4D,
  );
  a.beginEstimation();
  tf.dispose(a.apply(small, { g: 12, h: 4 }, true));
  const other = tf.zeros([2, 1, 1, 13]) as tf.Tensor4D;
  assert.throws(() => a.apply(other, { g: 13, h: 4 }, true), /one estimation needs one size, got passes at 12 and 13/);
  a.endEstimation();
  assert.deepEqual(Array.from(a.meanNodes.dataSync()), nodesBefore);
  assert.deepEqual(a.calibratedSizes, [12]);
  const shift = a.affine({ g: 12, h: 4 }).shift.dataSync();
  // β = 0, γ = 1, variance 0: shift = −mean/√ε = −c/√ε.
  for (let c = 0; c < 12; c++)
    assert.ok(Math.abs(shift[c] + c / Math.sqrt(1e-5)) < 1e-2 * (1 + c / Math.sqrt(1e-5)), `calibrated channel ${c}`);
  // A calibration holds for its whole configuration: with another group ("h") resized, the same own
  // size reads the interpolated running statistics again (nodes ≈ the full-size estimate ≈ 3, not c).
  const otherShift = a.affine({ g: 12, h: 3 }).shift.dataSync();
  const otherScale = a.affine({ g: 12, h: 3 }).scale.dataSync();
  for (let c = 0; c < 12; c++)
    assert.ok(
      Math.abs(-otherShift[c] / otherScale[c] - 3) < 0.5,
      `configuration h=3, channel ${c}: mean ${-otherShift[c] / otherScale[c]}`,
    );
  tf.dispose(a.apply(small, { g: 12, h: 4 }, true));
  assert.deepEqual(a.calibratedSizes, [], "a training step drops calibrations");
  tf.dispose([...batches, small, other]);
  a.dispose();
  b.dispose();
  g.dispose();
  assert.equal(tf.memory().numTensors, start);
});

test("bad input: composite group, wrong channel count, bad momentum", () => {
  const g = groups();
  assert.throws(() => new IntegralBatchNorm(g, { id: "bn", group: "gh" }), /unknown atomic group "gh"/);
  assert.throws(() => new IntegralBatchNorm(g, { id: "bn", group: "nope" }), /bn: unknown channel group "nope"/);
  assert.throws(() => new IntegralBatchNorm(g, { id: "bn", group: "g", momentum: 0 }), /momentum/);
  const bn = new IntegralBatchNorm(g, { id: "bn", group: "g" });
  const x = tf.zeros([1, 1, 1, 5]) as tf.Tensor4D;
  assert.throws(() => bn.apply(x, g.sizes, false), /bn: input has 5 channels, group "g" has size 24/);
  x.dispose();
  bn.dispose();
  g.dispose();
});
