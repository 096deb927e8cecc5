import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { createFamilyModel, familyPlan, SINN_FAMILIES, SINN_VARIANTS } from "../../../src/lib/sinn/families.js";
import { familyAccounting } from "../../../src/lib/sinn/accounting.js";
import { familyPlanAccounting } from "../../../src/lib/sinn/plan-accounting.js";
import { describePlan, planFractionSizes, planFullSizes } from "../../../src/lib/graph/describe-plan.js";

const input = { height: 28, width: 28, channels: 1, classes: 10 };

before(async () => {
  await tf.setBackend("cpu");
});

test("describePlan equals the built model's describe for every family, variant and several widths", () => {
  for (const family of SINN_FAMILIES) {
    for (const variant of SINN_VARIANTS) {
      const model = createFamilyModel(family, variant, input, 3, { widthScale: 0.5 });
      const plan = model.plan;
      try {
        for (const fraction of [1, 0.73, 0.5, 0.2]) {
          const sizes = { ...model.fullSizes, ...model.fractionSizes(fraction) };
          assert.deepEqual(
            planFractionSizes(plan, fraction),
            model.fractionSizes(fraction),
            `${family}-${variant} @${fraction}: sizes`,
          );
          const fromPlan = describePlan(plan, planFractionSizes(plan, fraction));
          assert.deepEqual(fromPlan, model.describe(sizes), `${family}-${variant} @${fraction}`);
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

test("describePlan rejects unknown groups and sizes out of range", () => {
  const plan = familyPlan("vgg", "inn", input);
  assert.throws(() => describePlan(plan, { nope: 3 }), /"nope" is not a resizable group/);
  assert.throws(() => describePlan(plan, { stem: 0 }), /"stem" size must be an integer in 1…32/);
  assert.throws(() => describePlan(plan, { stem: 2.5 }), /integer/);
  assert.throws(() => planFractionSizes(plan, 0), /fraction/);
});

test("plan accounting equals the accounting of built models", () => {
  for (const family of SINN_FAMILIES) {
    assert.deepEqual(
      familyPlanAccounting(family, input, { fraction: 0.4, widthScale: 0.5 }),
      familyAccounting(family, input, { fraction: 0.4, widthScale: 0.5 }),
      family,
    );
  }
});
