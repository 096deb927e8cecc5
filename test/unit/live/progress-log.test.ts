import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { logProgress, PROGRESS_LOG_LIMIT, type ProgressRecord } from "../../../src/lib/live/progress-log.js";
import { accuracyEstimate } from "../../../src/lib/live/accuracy-estimate.js";

describe("logProgress", () => {
  it("records an estimate's fields and a step without one as zero, not final", () => {
    const log: ProgressRecord[] = [];
    logProgress(log, 3, "prepare", undefined, 1.5);
    logProgress(log, 3, "inn", accuracyEstimate(200, 256, 10000), 12);
    logProgress(log, 3, "inn", accuracyEstimate(9000, 10000, 10000), 80);
    assert.deepEqual(log, [
      { request: 3, tag: "prepare", evaluated: 0, accuracy: 0, final: false, elapsed: 1.5 },
      { request: 3, tag: "inn", evaluated: 256, accuracy: 200 / 256, final: false, elapsed: 12 },
      { request: 3, tag: "inn", evaluated: 10000, accuracy: 0.9, final: true, elapsed: 80 },
    ]);
  });

  it("keeps only the newest PROGRESS_LOG_LIMIT records", () => {
    const log: ProgressRecord[] = [];
    for (let i = 0; i < PROGRESS_LOG_LIMIT + 7; i++) logProgress(log, i, "plan", undefined, i);
    assert.equal(log.length, PROGRESS_LOG_LIMIT);
    assert.equal(log[0].request, 7);
    assert.equal(log.at(-1)!.request, PROGRESS_LOG_LIMIT + 6);
  });
});
