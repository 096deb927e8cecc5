import { test } from "node:test";
import assert from "node:assert/strict";
import { drainSteps, runCooperatively } from "../../../src/lib/compression/steps.js";

/** Yields 1…n, records whether it was left through `return` (a run's cleanup). */
function counting(n: number, seen: { closed: boolean }): Generator<number, string> {
  return (function* () {
    try {
      for (let k = 1; k <= n; k++) yield k;
      return `done after ${n}`;
    } finally {
      seen.closed = true;
    }
  })();
}

test("drainSteps and runCooperatively return the generator's result", async () => {
  const seen = { closed: false };
  assert.equal(drainSteps(counting(5, seen)), "done after 5");
  assert.equal(await runCooperatively(counting(5, seen), { yieldFn: async () => undefined }), "done after 5");
});

test("runCooperatively pauses once per slice of the clock, and at every urgent step", async () => {
  // A fake clock that moves 1 ms per reading, with sliceMs 3.
  let t = 0;
  const paused: number[] = [];
  let pauses = 0;
  const result = await runCooperatively(counting(10, { closed: false }), {
    now: () => t++,
    sliceMs: 3,
    yieldFn: async () => void pauses++,
    onPause: (k) => paused.push(k),
  });
  assert.equal(result, "done after 10");
  // Readings: 0 at the start; steps 1–3 read 1–3, so step 3 pauses (the reset reads 4); steps 4–6 read 5–7…
  assert.deepEqual(paused, [3, 6, 9]);
  assert.equal(pauses, 3);
  const urgentPauses: number[] = [];
  await runCooperatively(counting(6, { closed: false }), {
    now: () => 0,
    yieldFn: async () => undefined,
    urgent: (k) => k % 2 === 0,
    onPause: (k) => urgentPauses.push(k),
  });
  assert.deepEqual(urgentPauses, [2, 4, 6], "a clock that never moves pauses only at urgent steps");
});

test("runCooperatively: an abort stops the run at its next pause and closes the generator", async () => {
  const controller = new AbortController();
  const seen = { closed: false };
  const reached: number[] = [];
  await assert.rejects(
    runCooperatively(counting(100, seen), {
      sliceMs: 0,
      signal: controller.signal,
      onPause: (k) => reached.push(k),
      yieldFn: async () => {
        if (reached.length === 2) controller.abort(new Error("a newer model was chosen"));
      },
    }),
    /a newer model was chosen/,
  );
  assert.deepEqual(reached, [1, 2]);
  assert.equal(seen.closed, true, "the generator's finally ran");
  await assert.rejects(runCooperatively(counting(1, seen), { signal: controller.signal }), /a newer model was chosen/);
  await assert.rejects(
    runCooperatively(counting(1, seen), { sliceMs: NaN }),
    /sliceMs must be a non-negative number of milliseconds, got NaN/,
  );
});
