import { test } from "node:test";
import assert from "node:assert/strict";
import { familySummary } from "../../../src/lib/views/family-summary.js";
import { curvesFixture } from "../helpers/curves.js";

/** The fixture with a SIB family whose SINN is cheaper than its INN (and one family without a SINN). */
function withFamily() {
  const c = curvesFixture(2);
  const reference = c.families[0]!;
  const inn = structuredClone(reference.methods.find((m) => m.id === "inn-scratch")!);
  const l1 = structuredClone(reference.methods.find((m) => m.id === "discrete-l1")!);
  const sinn = structuredClone(inn);
  sinn.id = "sinn";
  for (const p of sinn.points) {
    p.params = Math.round(p.params * 0.6);
    p.flops = Math.round(p.flops * 0.5);
    p.accuracy.mean -= 0.02;
  }
  c.families.push({ id: "vgg", full: reference.full, methods: [l1, inn, sinn], models: [] });
  return { c, inn, l1, sinn };
}

test("familySummary: one row per family with a SINN, full-size accuracies, gap and cost ratios", () => {
  const { c, inn, l1, sinn } = withFamily();
  const rows = familySummary(c);
  assert.deepEqual(
    rows.map((r) => r.family),
    ["vgg"],
    "the reference family has no SINN",
  );
  const [r] = rows;
  assert.equal(r!.discrete, l1.points[0]!.accuracy.mean);
  assert.equal(r!.inn, inn.points[0]!.accuracy.mean);
  assert.equal(r!.sinn, sinn.points[0]!.accuracy.mean);
  assert.ok(Math.abs(r!.sinnGap! - 0.02) < 1e-12, `gap ${r!.sinnGap}`);
  assert.equal(r!.paramsRatio, sinn.points[0]!.params / inn.points[0]!.params);
  assert.equal(r!.flopsRatio, 0.5);
});

test("familySummary: a family without an INN has no gap or ratios", () => {
  const { c } = withFamily();
  c.families[1]!.methods = c.families[1]!.methods.filter((m) => m.id !== "inn-scratch");
  const [r] = familySummary(c);
  assert.deepEqual([r!.inn, r!.sinnGap, r!.paramsRatio, r!.flopsRatio], [null, null, null, null]);
  assert.equal(r!.discrete, c.families[1]!.methods[0]!.points[0]!.accuracy.mean);
});
