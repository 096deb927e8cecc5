import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { createFamilyModel, familyPlan, SINN_FAMILIES, SINN_VARIANTS } from "../../../src/lib/sinn/families.js";
import { familyPlanAccounting } from "../../../src/lib/sinn/accounting.js";
import { describePlan, planFractionSizes, planFullSizes } from "../../../src/lib/graph/describe-plan.js";
import { PlanBuilder, type NetworkPlan } from "../../../src/lib/graph/plan.js";
import { IntegralGraphNet } from "../../../src/lib/graph/graph-net.js";

const input = { height: 28, width: 28, channels: 1, classes: 10 };

before(async () => {
  await tf.setBackend("cpu");
});

/**
 * 8×8×1 image → conv 3×3 stride 2 (a: 4) → BN → ReLU → [depth-wise 3×3 | point-wise a→a] → add → point-wise
 * a→b (6) and a→c (2) → concat (b, c) → max-pool 2 → global average pool → dense → 3 classes.
 */
function smallPlan(): NetworkPlan {
  const b = new PlanBuilder("small", { height: 8, width: 8, channels: 1, classes: 3 }, (s) => ({ min: 2, max: s }));
  const a = b.group("a", 4);
  const r1 = b.relu("r1", b.batchNorm("b1", b.conv("c1", "input", a, 3, 2)));
  const s = b.addNodes("s", b.depthwise("d1", r1, 3), b.pointwise("p3", r1, a));
  const cat = b.concat("cat", [b.pointwise("p1", s, b.group("b", 6)), b.pointwise("p2", s, b.group("c", 2))], "bc");
  return b.dense("fc", b.globalAvgPool("g", b.maxPool("m1", cat, 2, 2)));
}

// Counted by hand: weights k·k·in·out (depth-wise k·k·c), dense in·out + out, batch norm 2c; FLOPs 2 · MACs ·
// output positions (the 8×8 image becomes 4×4 after the stride-2 conv).
const HAND = {
  full: {
    params: { c1: 9 * 1 * 4, b1: 2 * 4, d1: 9 * 4, p3: 4 * 4, p1: 4 * 6, p2: 4 * 2, fc: 8 * 3 + 3 },
    flops: { c1: 2 * 36 * 16, d1: 2 * 36 * 16, p3: 2 * 16 * 16, p1: 2 * 24 * 16, p2: 2 * 8 * 16, fc: 2 * 24 },
    total: { params: 155, flops: 3888 },
  },
  reduced: {
    sizes: { a: 2, b: 3, c: 2 },
    params: { c1: 9 * 1 * 2, b1: 2 * 2, d1: 9 * 2, p3: 2 * 2, p1: 2 * 3, p2: 2 * 2, fc: 5 * 3 + 3 },
    flops: { c1: 2 * 18 * 16, d1: 2 * 18 * 16, p3: 2 * 4 * 16, p1: 2 * 6 * 16, p2: 2 * 4 * 16, fc: 2 * 15 },
    total: { params: 72, flops: 1630 },
  },
};

test("a small plan's description matches hand counts at full and reduced sizes, and the built net describes the same", () => {
  const plan = smallPlan();
  const net = new IntegralGraphNet(plan, 0);
  try {
    for (const [which, sizes] of [
      ["full", {}],
      ["reduced", HAND.reduced.sizes],
    ] as const) {
      const hand = HAND[which];
      const d = describePlan(plan, sizes);
      assert.equal(d.params, hand.total.params, `${which} params`);
      assert.equal(d.flops, hand.total.flops, `${which} FLOPs`);
      for (const n of d.nodes) {
        assert.equal(n.params, (hand.params as Record<string, number>)[n.id] ?? 0, `${which} ${n.id} params`);
        assert.equal(n.flops, (hand.flops as Record<string, number>)[n.id] ?? 0, `${which} ${n.id} FLOPs`);
      }
      assert.deepEqual(net.describe({ ...net.fullSizes, ...sizes }), d, `${which}: the net's description`);
    }
    const d = describePlan(plan, HAND.reduced.sizes);
    const shape = (id: string) => d.nodes.find((n) => n.id === id)!.outputShape;
    assert.deepEqual(shape("c1"), [4, 4, 2]);
    assert.deepEqual(shape("m1"), [2, 2, 5]);
    assert.deepEqual(shape("g"), [5]);
    assert.deepEqual(shape("fc"), [3]);
    const bc = d.groups.find((g) => g.id === "bc")!;
    assert.deepEqual([bc.size, bc.nodes, bc.parts], [5, 8, ["b", "c"]]);
  } finally {
    net.dispose();
  }
});

test("at any size a family's description counts exactly the tensors the built net evaluates with", () => {
  for (const family of SINN_FAMILIES) {
    for (const variant of SINN_VARIANTS) {
      const model = createFamilyModel(family, variant, input, 3, { widthScale: 0.5 });
      try {
        // Full size: every node is one discrete weight, so params = trainable variables (weights, biases, γ, β).
        const variables = model.trainableVariables.reduce((a, v) => a + v.size, 0);
        assert.equal(describePlan(model.plan).params, variables, `${family}-${variant} full`);
        for (const fraction of [0.73, 0.5, 0.2]) {
          model.resample(model.fractionSizes(fraction));
          const tensors = Object.values(model.evaluationTensors()).reduce(
            (a, t) => a + ("weight" in t ? t.weight.size + (t.bias?.size ?? 0) : t.scale.size + t.shift.size),
            0,
          );
          assert.equal(
            describePlan(model.plan, planFractionSizes(model.plan, fraction)).params,
            tensors,
            `${family}-${variant} @${fraction}`,
          );
        }
      } finally {
        model.dispose();
      }
    }
  }
});

test("describePlan allocates no tensors and reacts to sizes", () => {
  const start = tf.memory().numTensors;
  const plan = familyPlan("resnet18", "sinn", input);
  const full = describePlan(plan);
  const half = describePlan(plan, planFractionSizes(plan, 0.5));
  assert.equal(tf.memory().numTensors, start);
  assert.ok(half.params < full.params && half.flops < full.flops);
  assert.deepEqual(planFullSizes(plan).stem, 32);
  // A single group changed: only nodes touching it change.
  const group = plan.hidden[1]!;
  const one = describePlan(plan, { [group]: 10 });
  for (const [i, n] of one.nodes.entries()) {
    const touches = n.group === group || (n.layer !== undefined && n.layer.inGroup === group);
    if (!touches) assert.equal(n.params, full.nodes[i]!.params, `${n.id} should not change`);
  }
  assert.ok(one.nodes.some((n, i) => n.params !== full.nodes[i]!.params));
});

test("describePlan and the net's describe reject unknown groups and sizes out of range", () => {
  const plan = familyPlan("vgg", "inn", input);
  assert.throws(() => describePlan(plan, { nope: 3 }), /"nope" is not a resizable group/);
  assert.throws(() => describePlan(plan, { stem: 0 }), /"stem" size must be an integer in 1…32/);
  assert.throws(() => describePlan(plan, { stem: 2.5 }), /integer/);
  assert.throws(() => planFractionSizes(plan, 0), /fraction/);
  const net = new IntegralGraphNet(plan, 0);
  assert.throws(() => net.describe({ classes: 5 }), /group "classes" is not resizable; it stays at 10, got 5/);
  net.dispose();
});

test("family accounting: rows in variant order, ratios from the rows, reduced below full", () => {
  for (const family of SINN_FAMILIES) {
    const a = familyPlanAccounting(family, input, { fraction: 0.4, widthScale: 0.5 });
    assert.deepEqual(Object.keys(a.rows), [...SINN_VARIANTS]);
    for (const variant of SINN_VARIANTS) {
      const plan = familyPlan(family, variant, input, { widthScale: 0.5 });
      const full = describePlan(plan);
      assert.deepEqual(a.rows[variant].full, { params: full.params, flops: full.flops }, `${family}-${variant}`);
      assert.ok(a.rows[variant].reduced.params < full.params, `${family}-${variant} reduced`);
    }
    assert.equal(a.sinnToInnFlops, a.rows.sinn.full.flops / a.rows.inn.full.flops);
    assert.equal(a.fraction, 0.4);
  }
});
