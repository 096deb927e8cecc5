import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
// tfjs-core's Node bundle registers no gradients; the tfjs union package does (into the shared registry).
import "@tensorflow/tfjs";
import { initBackend } from "../../../loaders/backend.js";
import {
  cubicKernel,
  linearKernel,
  nearestKernel,
  type InterpolationKernel,
} from "../../../src/lib/math/interpolation.js";
import {
  interpolationMatrix,
  interpolationMatrixConstant,
  interpolationMatrixTensor,
  sampleAxis,
} from "../../../src/lib/math/sampling.js";
import { mulberry32, type Random } from "../../../src/lib/random.js";

before(async () => {
  await initBackend("cpu");
});

function randomPoints(random: Random, m: number): number[] {
  return [-1, 1, ...Array.from({ length: m - 2 }, () => random() * 2 - 1)];
}

test("the tfjs matrix equals the float64 matrix (borders included) and frees its tensors", () => {
  const random = mulberry32(10);
  const start = tf.memory().numTensors;
  for (const k of [cubicKernel(), cubicKernel(-0.5), linearKernel, nearestKernel]) {
    for (const n of [1, 2, 4, 9]) {
      const points = randomPoints(random, 13);
      const plain = interpolationMatrix(n, points, k);
      const x = tf.tensor1d(points);
      const m = interpolationMatrixTensor(n, x, k);
      assert.deepEqual(m.shape, [13, n]);
      const got = m.dataSync();
      plain.forEach((v, i) => assert.ok(Math.abs(got[i] - v) < 1e-6, `${k.name} n=${n} entry ${i}: ${got[i]} vs ${v}`));
      tf.dispose([x, m]);
    }
  }
  assert.equal(tf.memory().numTensors, start);
  assert.throws(() => interpolationMatrix(4, [0, 1.5], linearKernel), /point 1 is 1.5, outside \[-1, 1\]/);
  assert.throws(() => interpolationMatrix(0, [0], linearKernel), /node count must be a positive integer, got 0/);
});

test("sampleAxis contracts the chosen axis (2-D sampling = one matmul per axis)", () => {
  const random = mulberry32(11);
  const values = Array.from({ length: 2 * 5 * 3 }, () => random());
  const v = tf.tensor3d(values, [2, 5, 3]);
  const points = [-1, -0.3, 0.45, 1];
  const m = interpolationMatrixConstant(5, points, cubicKernel());
  const plain = interpolationMatrix(5, points, cubicKernel());
  const start = tf.memory().numTensors;
  const out = sampleAxis(v, 1, m);
  assert.deepEqual(out.shape, [2, 4, 3]);
  const got = out.dataSync();
  for (let a = 0; a < 2; a++)
    for (let r = 0; r < 4; r++)
      for (let c = 0; c < 3; c++) {
        let want = 0;
        for (let j = 0; j < 5; j++) want += plain[r * 5 + j] * values[a * 15 + j * 3 + c];
        assert.ok(Math.abs(got[a * 12 + r * 3 + c] - want) < 1e-6);
      }
  out.dispose();
  assert.equal(tf.memory().numTensors, start);
  assert.throws(() => sampleAxis(v, 2, m), /axis 2 of shape \[2,5,3\] has size 3, the matrix expects 5/);
  tf.dispose([v, m]);
});

/** f(nodes, points) = Σ C ⊙ (M0 · nodes · M1ᵀ): a 2-D grid sampled along both axes. */
function sampled2d(
  nodes: tf.Tensor2D,
  x0: tf.Tensor1D,
  x1: tf.Tensor1D,
  c: tf.Tensor2D,
  k: InterpolationKernel,
): tf.Scalar {
  const [n0, n1] = nodes.shape;
  const s = sampleAxis(
    sampleAxis(nodes, 0, interpolationMatrixTensor(n0, x0, k)),
    1,
    interpolationMatrixTensor(n1, x1, k),
  );
  return tf.sum(tf.mul(s, c));
}

test("gradients to the nodes and to the points match finite differences", () => {
  const random = mulberry32(12);
  const k = cubicKernel();
  const [n0, n1, m0, m1] = [6, 5, 4, 7];
  const nodes = Array.from({ length: n0 * n1 }, () => random() * 2 - 1);
  const c = Array.from({ length: m0 * m1 }, () => random() * 2 - 1);
  // Interior points away from the kernel's knots (u is C¹, its second derivative jumps at integers).
  const x0 = [-0.83, -0.21, 0.36, 0.71];
  const x1 = [-0.95, -0.6, -0.1, 0.05, 0.33, 0.62, 0.9];
  const start = tf.memory().numTensors;
  const [gNodes, gX0, gX1] = tf.tidy(() => {
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor, d: tf.Tensor) =>
      sampled2d(a as tf.Tensor2D, b as tf.Tensor1D, d as tf.Tensor1D, tf.tensor2d(c, [m0, m1]), k),
    );
    return g([tf.tensor2d(nodes, [n0, n1]), tf.tensor1d(x0), tf.tensor1d(x1)]).map((t) => Array.from(t.dataSync()));
  });
  assert.equal(tf.memory().numTensors, start);

  // Reference: the same function in float64 from the plain matrices, central differences.
  const f = (nd: number[], p0: number[], p1: number[]) => {
    const a = interpolationMatrix(n0, p0, k);
    const b = interpolationMatrix(n1, p1, k);
    let sum = 0;
    for (let r = 0; r < m0; r++)
      for (let s = 0; s < m1; s++) {
        let v = 0;
        for (let i = 0; i < n0; i++) for (let j = 0; j < n1; j++) v += a[r * n0 + i] * nd[i * n1 + j] * b[s * n1 + j];
        sum += c[r * m1 + s] * v;
      }
    return sum;
  };
  const h = 1e-6;
  const bump = (arr: number[], i: number, d: number) => arr.map((v, j) => (j === i ? v + d : v));
  const check = (label: string, got: number[], fd: (i: number) => number) =>
    got.forEach((g, i) => {
      const want = fd(i);
      assert.ok(
        Math.abs(g - want) <= 1e-4 * (1 + Math.abs(want)),
        `${label}[${i}]: tfjs ${g} vs finite difference ${want}`,
      );
    });
  check("d/dnodes", gNodes, (i) => (f(bump(nodes, i, h), x0, x1) - f(bump(nodes, i, -h), x0, x1)) / (2 * h));
  check("d/dx0", gX0, (i) => (f(nodes, bump(x0, i, h), x1) - f(nodes, bump(x0, i, -h), x1)) / (2 * h));
  check("d/dx1", gX1, (i) => (f(nodes, x0, bump(x1, i, h)) - f(nodes, x0, bump(x1, i, -h))) / (2 * h));
  // The point gradients are not trivially zero.
  assert.ok(gX0.some((g) => Math.abs(g) > 1e-2) && gX1.some((g) => Math.abs(g) > 1e-2));
});

test("an exactly-identity matrix is a copy: the same values and gradient, one kernel, a disposable result", async () => {
  const nodes = tf.variable(tf.tensor2d([0.5, -1.25, 3, 0.125, -0.75, 2], [3, 2]));
  // Two nodes sampled at their own two points: the identity for every kernel.
  const identity = interpolationMatrixConstant(2, [-1, 1], linearKernel);
  const general = tf.tensor2d([1, 0, 0, 1], [2, 2]); // the same values, built without the mark
  const copy = sampleAxis(nodes, 1, identity);
  const product = sampleAxis(nodes, 1, general);
  assert.deepEqual(Array.from(copy.dataSync()), Array.from(product.dataSync()));
  const kernels = async (m: tf.Tensor2D) =>
    (await tf.profile(() => tf.dispose(sampleAxis(nodes, 1, m)))).kernels.length;
  assert.equal(await kernels(identity), 1);
  assert.ok((await kernels(general)) > 3);
  const grad = (m: tf.Tensor2D) =>
    tf.variableGrads(() => tf.sum(tf.mul(sampleAxis(nodes, 1, m), tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]))), [nodes]);
  const a = grad(identity);
  const b = grad(general);
  assert.deepEqual(Array.from(a.grads[nodes.name].dataSync()), Array.from(b.grads[nodes.name].dataSync()));
  copy.dispose(); // disposing the copy leaves the nodes alone
  assert.equal(nodes.isDisposed, false);
  assert.deepEqual(Array.from(nodes.dataSync()), [0.5, -1.25, 3, 0.125, -0.75, 2]);
  // A square matrix that is not the identity is not marked: it still multiplies.
  const moved = interpolationMatrixConstant(2, [-1, 0.5], linearKernel);
  assert.ok((await kernels(moved)) > 3);
  const shifted = sampleAxis(nodes, 1, moved);
  assert.ok(Math.abs(shifted.dataSync()[1] - (0.25 * 0.5 + 0.75 * -1.25)) < 1e-6);
  tf.dispose([identity, general, product, a.value, b.value, ...Object.values(a.grads), ...Object.values(b.grads)]);
  tf.dispose([moved, shifted, nodes]);
});
