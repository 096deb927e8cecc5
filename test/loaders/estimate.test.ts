import { test } from "node:test";
import assert from "node:assert/strict";
import {
  estimateSweep,
  innPassScale,
  trainedImages,
  NATIVE_SECONDS_PER_IMAGE,
  WASM_SLOWDOWN,
} from "../../loaders/sweep/estimate.js";
import { sweepProfile } from "../../loaders/sweep/profiles.js";
import { planTasks } from "../../loaders/sweep/tasks/index.js";

test("trainedImages: images × epochs of each task, topped up for a small dataset as the tasks top it up", () => {
  const p = sweepProfile("quick");
  const byId = Object.fromEntries(planTasks(p).map((t) => [t.id, t]));
  assert.equal(trainedImages(byId["discrete-0"]!, p, 60000), 16000 * 2);
  assert.equal(trainedImages(byId["inn-0"]!, p, 60000), 16000 * 4);
  assert.equal(trainedImages(byId["resnet18-sinn"]!, p, 60000), 8000 * 1);
  assert.equal(trainedImages(byId["lhc-0.3"]!, p, 60000), 6000 * (1 + 1));
  assert.equal(trainedImages(byId["grid-0"]!, p, 60000), 1024 * p.fractions.length);
  // 1,500 images asked to cover 16,000 × 2: ceil(32,000 / 1,500) = 22 epochs of the whole set.
  assert.equal(trainedImages(byId["discrete-0"]!, p, 1500), 1500 * 22);
});

test("estimateSweep: one worker runs the tasks back to back; two share them; wasm is slower by its factor", () => {
  const p = sweepProfile("full");
  const one = estimateSweep(p, "native", 60000, 1);
  const sum = Object.values(one.tasks).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(one.seconds - sum) < 1e-6, `${one.seconds} vs ${sum}`);
  const two = estimateSweep(p, "native", 60000, 2);
  assert.ok(two.seconds >= sum / 2 && two.seconds < sum, `${two.seconds} of ${sum}`);
  // No task can start before the one it depends on finishes, so the longest chain bounds the time.
  const chain = two.tasks["discrete-0"]! + two.tasks["inn-init-0"]!;
  assert.ok(two.seconds >= chain);
  const wasm = estimateSweep(p, "wasm", 60000, 1);
  assert.ok(Math.abs(wasm.seconds - WASM_SLOWDOWN * one.seconds) < 1e-6);
  assert.equal(
    two.tasks["inn-0"],
    trainedImages(
      planTasks(p).find((t) => t.id === "inn-0")!,
      p,
      60000,
    ) * NATIVE_SECONDS_PER_IMAGE.inn!,
  );
});

test("innPassScale: the profile's sandwich passes over the recipe's (full + smallest + draws)", () => {
  const full = sweepProfile("full");
  assert.equal(innPassScale(full), 1);
  assert.equal(innPassScale({ ...full, innTraining: { sandwichDraws: 2 } }), 4 / 3);
  assert.equal(innPassScale({ ...full, innTraining: { sandwichDraws: 3, sandwichLabelWeight: 0.5 } }), 5 / 3);
  const quick = sweepProfile("quick");
  const est = estimateSweep(quick, "native", 60000, 1);
  assert.equal(
    est.tasks["inn-0"],
    trainedImages(
      planTasks(quick).find((t) => t.id === "inn-0")!,
      quick,
      60000,
    ) *
      NATIVE_SECONDS_PER_IMAGE.inn! *
      innPassScale(quick),
  );
});
