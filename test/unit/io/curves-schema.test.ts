/** The curves schema's model reports: the near-chance rule and the flag's validation. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { modelReportProblem, nearChance } from "../../../src/lib/io/curves-schema.js";

test("nearChance: below a tenth of the way from 1/classes to 100%", () => {
  // 10 classes: chance 10%, threshold 10% + 9% = 19%.
  assert.equal(nearChance(0.168, 10), true);
  assert.equal(nearChance(0.1899, 10), true);
  assert.equal(nearChance(0.19, 10), false);
  // 2 classes: chance 50%, threshold 55%.
  assert.equal(nearChance(0.54, 2), true);
  assert.equal(nearChance(0.55, 2), false);
});

test("modelReportProblem: a report without the flag (older files) or with a true flag it earns is fine", () => {
  const report = { family: "reference", model: "reference-inn", seed: 0, testAccuracy: 0.97 };
  assert.equal(modelReportProblem(report, 10), null);
  assert.equal(modelReportProblem({ ...report, testAccuracy: 0.168 }, 10), null, "unflagged files stay readable");
  assert.equal(modelReportProblem({ ...report, testAccuracy: 0.168, nearChance: true }, 10), null);
});

test("modelReportProblem names the model, the seed and the problem", () => {
  const report = { family: "reference", model: "reference-inn", seed: 2, testAccuracy: 0.168 };
  const cases: [Record<string, unknown>, string][] = [
    [{ nearChance: false }, 'model "reference-inn" (seed 2): nearChance must be true when present, got false'],
    [{ nearChance: "yes" }, 'model "reference-inn" (seed 2): nearChance must be true when present, got "yes"'],
    [
      { testAccuracy: 0.9, nearChance: true },
      'model "reference-inn" (seed 2): nearChance is set, but 90.0% is not near chance on 10 classes',
    ],
    [{ testAccuracy: 1.5 }, 'model "reference-inn" (seed 2): testAccuracy must be a number in [0, 1], got 1.5'],
    [{ testAccuracy: null }, 'model "reference-inn" (seed 2): testAccuracy must be a number in [0, 1], got null'],
    [{ seed: "0" }, 'model "reference-inn": seed must be an integer, got "0"'],
    [{ model: 3 }, "a model report has model 3, not a name"],
  ];
  for (const [patch, message] of cases) assert.equal(modelReportProblem({ ...report, ...patch }, 10), message);
  assert.equal(modelReportProblem(null, 10), "a model report must be an object");
});
