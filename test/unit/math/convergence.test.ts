import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { convergenceOrder, logLogFit } from "../../../src/lib/math/convergence.js";
import { INTEGRANDS, integrandById } from "../../../src/lib/math/integrands.js";
import { jitteredPartition } from "../../../src/lib/math/jittered-partition.js";
import { applyRule, refinementStudy, rulePoints } from "../../../src/lib/math/quadrature-study.js";
import { QUADRATURE_RULES } from "../../../src/lib/math/quadrature.js";

const sizes = [3, 5, 9, 17, 33, 65, 129, 257];

describe("logLogFit / convergenceOrder", () => {
  it("recovers the exponent and constant of an exact power law", () => {
    const xs = [0.5, 0.25, 0.1, 0.01];
    const fit = logLogFit(
      xs,
      xs.map((x) => 3 * x ** 2.5),
    );
    assert.ok(Math.abs(fit.slope - 2.5) < 1e-12, `slope ${fit.slope}`);
    assert.ok(Math.abs(Math.exp(fit.intercept) - 3) < 1e-10);
    assert.equal(fit.used, 4);
  });
  it("leaves out errors at rounding level and reports null when too few remain", () => {
    const r = convergenceOrder([1, 0.5, 0.25, 0.125], [1, 0.25, 1e-16, 0]);
    assert.equal(r.used, 2);
    assert.ok(Math.abs(r.order! - 2) < 1e-12);
    assert.equal(convergenceOrder([1, 0.5], [0, 1e-17]).order, null);
  });
  it("rejects non-positive or mismatched input with a message", () => {
    assert.throws(() => logLogFit([1, -1], [1, 1]), /point 1/);
    assert.throws(() => logLogFit([1], [1, 2]), /1 x values but 2/);
    assert.throws(() => logLogFit([2, 2], [1, 3]), /all x values are equal/);
    assert.throws(() => convergenceOrder([1, 2], [NaN, 1]), /error 0 is NaN/);
  });
});

describe("integrands", () => {
  it("closed-form integrals agree with a fine Gauss–Legendre sum (smooth ones) or a fine trapezoid (others)", () => {
    for (const g of INTEGRANDS) {
      const rule = g.smooth ? "gauss-legendre" : "trapezoid";
      const n = g.smooth ? 200 : 200001;
      const { estimate } = applyRule(rule, g.f, rulePoints(rule, n, "uniform"));
      assert.ok(Math.abs(estimate - g.exact) < (g.smooth ? 1e-12 : 1e-6), `${g.id}: ${estimate} vs ${g.exact}`);
    }
  });
  it("names an unknown id", () => assert.throws(() => integrandById("nope"), /unknown integrand "nope"/));
});

describe("jitteredPartition", () => {
  it("is strictly increasing from -1 to 1, repeatable by seed, and not uniform", () => {
    const p = jitteredPartition(50, { seed: 7 });
    assert.equal(p[0], -1);
    assert.equal(p[49], 1);
    const h = 2 / 49;
    for (let i = 1; i < 50; i++) assert.ok(p[i] - p[i - 1] >= 0.2 * h - 1e-12, `gap ${i}`);
    assert.deepEqual(p, jitteredPartition(50, { seed: 7 }));
    assert.notDeepEqual(p, jitteredPartition(50, { seed: 8 }));
    assert.ok(Math.abs(p[10] - (-1 + 10 * h)) > 1e-6);
  });
  it("rejects bad sizes and jitter", () => {
    assert.throws(() => jitteredPartition(1), /integer ≥ 2/);
    assert.throws(() => jitteredPartition(5, { jitter: 1 }), /\[0, 1\)/);
  });
});

describe("refinementStudy", () => {
  const exp = integrandById("exp");
  it("measures the design orders of every rule on a smooth function (uniform partition)", () => {
    const order = (rule: (typeof QUADRATURE_RULES)[number]) => refinementStudy(rule, exp.f, exp.exact, sizes).order!;
    assert.ok(Math.abs(order("left-riemann") - 1) < 0.1, `left ${order("left-riemann")}`);
    assert.ok(Math.abs(order("right-riemann") - 1) < 0.1, `right ${order("right-riemann")}`);
    assert.ok(Math.abs(order("trapezoid") - 2) < 0.05, `trapezoid ${order("trapezoid")}`);
    assert.ok(Math.abs(order("simpson") - 4) < 0.1, `simpson ${order("simpson")}`);
    assert.ok(order("gauss-legendre") > 10, `gauss ${order("gauss-legendre")}`);
  });
  it("keeps the trapezoid second order on a jittered partition, and Simpson refuses it", () => {
    const t = refinementStudy("trapezoid", exp.f, exp.exact, sizes, { partition: "jittered" });
    assert.ok(Math.abs(t.order! - 2) < 0.15, `trapezoid jittered ${t.order}`);
    const s = refinementStudy("simpson", exp.f, exp.exact, sizes, { partition: "jittered" });
    assert.equal(s.rows.length, 0);
    assert.match(s.notApplicable!, /uniform/);
  });
  it("reports no order where a rule is exact (Simpson and Gauss on a cubic)", () => {
    const cubic = integrandById("cubic");
    assert.equal(refinementStudy("simpson", cubic.f, cubic.exact, sizes).order, null);
    assert.equal(refinementStudy("gauss-legendre", cubic.f, cubic.exact, sizes).order, null);
  });
  it("a square-root endpoint singularity drops the trapezoid to order 3/2", () => {
    const s = integrandById("semicircle");
    const order = refinementStudy("trapezoid", s.f, s.exact, sizes).order!;
    assert.ok(Math.abs(order - 1.5) < 0.05, `${order}`);
  });
});
