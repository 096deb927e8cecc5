import { test } from "node:test";
import assert from "node:assert/strict";
import { LatestChoice, SupersededError } from "../../../src/lib/live/latest-choice.js";

/** A promise with its resolve, to finish work in a chosen order. */
function later<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

test("a slow choice that finishes after a newer one is discarded; the newer one stays applied", async () => {
  const choices = new LatestChoice();
  const shown: string[] = [];
  const discarded: string[] = [];
  const slow = later<string>();
  const a = choices.begin();
  const pendingA = slow.promise.then((v) =>
    choices.commit(
      a,
      v,
      (x) => void shown.push(x),
      (x) => void discarded.push(x),
    ),
  );
  const b = choices.begin();
  assert.equal(a.signal.aborted, true, "the older choice's signal aborts");
  assert.ok(a.signal.reason instanceof SupersededError);
  assert.equal(a.signal.reason.message, "a newer choice replaced this one");
  assert.deepEqual([a.isCurrent(), b.isCurrent(), b.signal.aborted], [false, true, false]);
  assert.equal(
    await choices.commit(
      b,
      "reference",
      (x) => void shown.push(x),
      (x) => void discarded.push(x),
    ),
    true,
  );
  slow.resolve("converted A");
  assert.equal(await pendingA, false);
  assert.deepEqual(shown, ["reference"]);
  assert.deepEqual(discarded, ["converted A"]);
});

test("applications run one at a time: a newer choice waits for a running one, then replaces it", async () => {
  const choices = new LatestChoice();
  const events: string[] = [];
  const gate = later<void>();
  const a = choices.begin();
  const applyA = choices.commit(
    a,
    "A",
    async (x) => {
      events.push(`start ${x}`);
      await gate.promise;
      events.push(`end ${x}`);
    },
    (x) => void events.push(`discard ${x}`),
  );
  await Promise.resolve();
  const b = choices.begin();
  const applyB = choices.commit(
    b,
    "B",
    (x) => void events.push(`apply ${x}`),
    (x) => void events.push(`discard ${x}`),
  );
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(events, ["start A"], "B waits while A's application runs");
  gate.resolve();
  assert.deepEqual(await Promise.all([applyA, applyB]), [true, true]);
  assert.deepEqual(events, ["start A", "end A", "apply B"]);
});

test("a failing application rejects its commit and the queue goes on", async () => {
  const choices = new LatestChoice();
  const a = choices.begin();
  await assert.rejects(
    choices.commit(
      a,
      1,
      () => {
        throw new Error("the panel could not be built");
      },
      () => undefined,
    ),
    /the panel could not be built/,
  );
  const b = choices.begin();
  const shown: number[] = [];
  assert.equal(
    await choices.commit(
      b,
      2,
      (x) => void shown.push(x),
      () => undefined,
    ),
    true,
  );
  assert.deepEqual(shown, [2]);
});
