import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../../loaders/backend.js";
import {
  cubicKernel,
  interpolationKernel,
  lineReproductionError,
  linearKernel,
  nearestKernel,
  type InterpolationKernel,
} from "../../../src/lib/math/interpolation.js";
import { interpolationMatrix } from "../../../src/lib/math/sampling.js";
import { mulberry32 } from "../../../src/lib/random.js";

const kernels: InterpolationKernel[] = [cubicKernel(), cubicKernel(-0.5), linearKernel, nearestKernel];

function linspace(n: number): number[] {
  return Array.from({ length: n }, (_, i) => (n === 1 ? 0 : -1 + (2 * i) / (n - 1)));
}

/** Evaluate the function with nodes `values` at `points`. */
function interpolate(values: number[], points: number[], kernel: InterpolationKernel): number[] {
  const n = values.length;
  const m = interpolationMatrix(n, points, kernel);
  return points.map((_, r) => values.reduce((acc, v, j) => acc + m[r * n + j] * v, 0));
}

test("kernel values: u(0) = 1, u(±1) = u(±2) = 0, Keys' formula off the integers", () => {
  for (const k of kernels) {
    assert.equal(k.weight(0), 1, k.name);
    for (const s of [-2, -1, 1, 2]) assert.ok(Math.abs(k.weight(s)) < 1e-15, `${k.name} u(${s})`);
  }
  const a = -0.75;
  const u = cubicKernel(a);
  assert.ok(Math.abs(u.weight(0.5) - ((a + 2) * 0.125 - (a + 3) * 0.25 + 1)) < 1e-15);
  assert.ok(Math.abs(u.weight(-1.5) - (a * 3.375 - 5 * a * 2.25 + 8 * a * 1.5 - 4 * a)) < 1e-15);
  assert.equal(u.weight(2.5), 0);
  assert.equal(linearKernel.weight(0.25), 0.75);
  assert.throws(() => interpolationKernel("bogus" as never), /unknown kernel "bogus"/);
});

test("interpolation at full size reproduces the nodes exactly", () => {
  const random = mulberry32(1);
  for (const k of kernels) {
    for (const n of [1, 2, 3, 7, 16]) {
      const values = Array.from({ length: n }, () => random() * 2 - 1);
      const got = interpolate(values, linspace(n), k);
      got.forEach((g, i) =>
        assert.ok(Math.abs(g - values[i]) < 1e-12, `${k.name} n=${n} i=${i}: ${g} vs ${values[i]}`),
      );
    }
  }
});

test("every kernel is a partition of unity (rows of the matrix sum to 1, borders included)", () => {
  const random = mulberry32(2);
  const points = [-1, 1, ...Array.from({ length: 50 }, () => random() * 2 - 1)];
  for (const k of kernels) {
    for (const n of [1, 2, 5, 12]) {
      const m = interpolationMatrix(n, points, k);
      for (let r = 0; r < points.length; r++) {
        let sum = 0;
        for (let j = 0; j < n; j++) sum += m[r * n + j];
        assert.ok(Math.abs(sum - 1) < 1e-12, `${k.name} n=${n} x=${points[r]}: row sum ${sum}`);
      }
    }
  }
});

test("cubic with A = −0.5 reproduces quadratics in the interior; A = −0.75 does not", () => {
  const n = 11;
  const p = (x: number) => 0.3 - 1.7 * x + 2.2 * x * x;
  const nodes = linspace(n).map(p);
  // Interior: t(x) in [1, n − 2] so no clamped tap is involved.
  const random = mulberry32(3);
  const points = Array.from({ length: 40 }, () => -1 + (2 / (n - 1)) * (1 + random() * (n - 3)));
  const half = interpolate(nodes, points, cubicKernel(-0.5));
  half.forEach((v, i) =>
    assert.ok(Math.abs(v - p(points[i])) < 1e-12, `A=-0.5 at ${points[i]}: ${v} vs ${p(points[i])}`),
  );
  const ref = interpolate(nodes, points, cubicKernel(-0.75));
  const worst = Math.max(...ref.map((v, i) => Math.abs(v - p(points[i]))));
  assert.ok(worst > 1e-4, `A=-0.75 should not reproduce quadratics exactly (worst error ${worst})`);
  // The linear kernel reproduces linear functions everywhere, borders included.
  const line = (x: number) => 0.5 - 2 * x;
  const all = [-1, 1, ...points];
  interpolate(linspace(n).map(line), all, linearKernel).forEach((v, i) =>
    assert.ok(Math.abs(v - line(all[i])) < 1e-12, `linear kernel at ${all[i]}`),
  );
});

test("line reproduction: only linear and cubic A = −0.5 reproduce straight lines; the miss grows with |A + 0.5|", () => {
  assert.ok(lineReproductionError(cubicKernel(-0.5)) < 1e-12);
  assert.ok(lineReproductionError(linearKernel) < 1e-12);
  // Keys' kernel misses s by 2(A + 0.5)·s(1 − s)(1 − 2s), whose largest magnitude on [0, 1] is |A + 0.5|/(3√3).
  for (const a of [-0.75, -1, 0, -0.25])
    assert.ok(
      Math.abs(lineReproductionError(cubicKernel(a)) - Math.abs(a + 0.5) / (3 * Math.sqrt(3))) < 1e-6,
      `A = ${a}`,
    );
  assert.equal(lineReproductionError(nearestKernel), 0.5);
});

test("tensor kernels agree with the plain ones and free their tensors", async () => {
  await initBackend("cpu");
  const s = Array.from({ length: 81 }, (_, i) => -2.5 + i * 0.0625);
  const before = tf.memory().numTensors;
  for (const k of kernels) {
    const st = tf.tensor1d(s);
    const result = k.weightTensor(st);
    const got = result.dataSync();
    tf.dispose([st, result]);
    s.forEach((v, i) =>
      assert.ok(Math.abs(got[i] - k.weight(v)) < 1e-6, `${k.name} u(${v}): ${got[i]} vs ${k.weight(v)}`),
    );
  }
  assert.equal(tf.memory().numTensors, before);
});
