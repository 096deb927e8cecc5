import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
// tfjs-core's Node bundle registers no gradients; the tfjs union package does (into the shared registry).
import "@tensorflow/tfjs";
import { initBackend } from "../../../loaders/backend.js";
import {
  gaussLegendre,
  leftRiemannWeights,
  quadratureWeights,
  rightRiemannWeights,
  simpsonWeights,
  trapezoidWeights,
  trapezoidWeightsTensor,
  type QuadratureRule,
} from "../../../src/lib/math/quadrature.js";
import { mulberry32 } from "../../../src/lib/random.js";

const f = (x: number) => Math.exp(x) * Math.cos(2 * x);
// ∫_{-1}^{1} e^x cos 2x dx = [e^x (cos 2x + 2 sin 2x) / 5]_{-1}^{1}
const F = (x: number) => (Math.exp(x) * (Math.cos(2 * x) + 2 * Math.sin(2 * x))) / 5;
const exact = F(1) - F(-1);

function uniform(m: number): number[] {
  return Array.from({ length: m }, (_, i) => -1 + (2 * i) / (m - 1));
}

function integrate(q: ArrayLike<number>, points: number[], g: (x: number) => number): number {
  return points.reduce((acc, x, i) => acc + q[i] * g(x), 0);
}

/** Empirical order: log2 of the error ratio when the interval count doubles (8 → 16 → … → 128). */
function orders(rule: (p: number[]) => ArrayLike<number>, intervals = [8, 16, 32, 64, 128]): number[] {
  const errors = intervals.map((n) => {
    const p = uniform(n + 1);
    return Math.abs(integrate(rule(p), p, f) - exact);
  });
  return errors.slice(1).map((e, i) => Math.log2(errors[i] / e));
}

test("empirical convergence orders: Riemann 1, trapezoid 2, Simpson 4", () => {
  const expect: [string, (p: number[]) => ArrayLike<number>, number][] = [
    ["left Riemann", leftRiemannWeights, 1],
    ["right Riemann", rightRiemannWeights, 1],
    ["trapezoid", trapezoidWeights, 2],
    ["simpson", simpsonWeights, 4],
  ];
  for (const [name, rule, order] of expect) {
    const o = orders(rule);
    const last = o[o.length - 1];
    assert.ok(
      Math.abs(last - order) < 0.1,
      `${name}: orders ${o.map((v) => v.toFixed(3)).join(", ")}, expected ${order}`,
    );
  }
  // Even point counts use Simpson + 3/8 and stay fourth order.
  const even = orders(simpsonWeights, [9, 19, 39, 79]); // odd interval counts, each about double the last
  assert.ok(even[even.length - 1] > 3.7, `simpson with 3/8 tail: orders ${even}`);
});

test("trapezoid stays second order on non-uniform partitions; Simpson rejects them", () => {
  // A smooth non-uniform map of the uniform grid: x = sin(πu/2).
  const warp = (m: number) => uniform(m).map((u) => Math.sin((Math.PI * u) / 2));
  const errs = [16, 32, 64, 128].map((n) => {
    const p = warp(n + 1);
    return Math.abs(integrate(trapezoidWeights(p), p, f) - exact);
  });
  const order = Math.log2(errs[2] / errs[3]);
  assert.ok(Math.abs(order - 2) < 0.1, `non-uniform trapezoid order ${order}`);
  assert.throws(() => simpsonWeights(warp(9)), /simpsonWeights: needs a uniform partition/);
  assert.throws(() => simpsonWeights([-1, 1]), /at least 3 points/);
  assert.throws(() => trapezoidWeights([0, 0.5, 0.5]), /strictly increasing, but x\[2\] = 0.5/);
});

test("Gauss–Legendre is exact to degree 2n − 1 and not beyond", () => {
  for (const n of [1, 2, 3, 5, 8, 12]) {
    const { nodes, weights } = gaussLegendre(n);
    for (let i = 1; i < n; i++) assert.ok(nodes[i] > nodes[i - 1]);
    for (let d = 0; d <= 2 * n; d++) {
      const got = Array.from(nodes).reduce((acc, x, i) => acc + weights[i] * x ** d, 0);
      const want = d % 2 === 1 ? 0 : 2 / (d + 1);
      if (d <= 2 * n - 1) assert.ok(Math.abs(got - want) < 1e-13, `n=${n} degree ${d}: ${got} vs ${want}`);
      // Degree 2n: the error is known in closed form, 2^{2n+1} (n!)^4 / ((2n+1) ((2n)!)^2) (Abramowitz–Stegun 25.4.30).
      else if (n <= 5) {
        const fact = (k: number): number => (k <= 1 ? 1 : k * fact(k - 1));
        const err = (2 ** (2 * n + 1) * fact(n) ** 4) / ((2 * n + 1) * fact(2 * n) ** 2);
        assert.ok(
          Math.abs(want - got - err) < 1e-12 * Math.max(1, err) + 1e-14,
          `n=${n} degree ${2 * n}: error ${want - got}, theory ${err}`,
        );
      }
    }
    assert.deepEqual(quadratureWeights("gauss-legendre", nodes), weights);
  }
  assert.throws(() => quadratureWeights("gauss-legendre", uniform(4)), /needs its own nodes/);
  assert.throws(() => quadratureWeights("midpoint" as QuadratureRule, uniform(4)), /unknown rule "midpoint"/);
});

test("the tfjs trapezoid weights equal the plain ones and differentiate to the points", async () => {
  await initBackend("cpu");
  const random = mulberry32(5);
  const pts = [-1, ...Array.from({ length: 6 }, () => random() * 2 - 1).sort((a, b) => a - b), 1];
  const c = pts.map(() => random());
  const start = tf.memory().numTensors;
  const [value, grad] = tf.tidy(() => {
    const x = tf.tensor1d(pts);
    const q = trapezoidWeightsTensor(x);
    const g = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(trapezoidWeightsTensor(p as tf.Tensor1D), c)))(x);
    return [Array.from(q.dataSync()), Array.from(g.dataSync())];
  });
  assert.equal(tf.memory().numTensors, start);
  trapezoidWeights(pts).forEach((v, i) => assert.ok(Math.abs(value[i] - v) < 1e-6));
  // Σ c_i q_i(x) is linear in x, so central differences are exact up to rounding.
  const h = 1e-6;
  grad.forEach((g, j) => {
    const up = pts.map((v, i) => (i === j ? v + h : v));
    const dn = pts.map((v, i) => (i === j ? v - h : v));
    const fd =
      (trapezoidWeights(up).reduce((a, q, i) => a + q * c[i], 0) -
        trapezoidWeights(dn).reduce((a, q, i) => a + q * c[i], 0)) /
      (2 * h);
    assert.ok(Math.abs(g - fd) < 1e-4, `d/dx${j}: ${g} vs ${fd}`);
  });
});
