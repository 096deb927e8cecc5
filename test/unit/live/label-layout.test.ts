import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { spreadLabels } from "../../../src/lib/live/label-layout.js";
import { mulberry32 } from "../../../src/lib/random.js";

const close = (a: readonly number[], b: readonly number[]) =>
  assert.ok(
    a.length === b.length && a.every((x, i) => Math.abs(x - b[i]) < 1e-9),
    `[${a.join(", ")}] vs [${b.join(", ")}]`,
  );

describe("spreadLabels", () => {
  it("leaves labels that are already far enough apart where they are", () => {
    close(spreadLabels([10, 40, 25], { gap: 12 }), [10, 40, 25]);
  });

  it("moves two colliding labels apart symmetrically about their mean", () => {
    // Wanted 100 and 104, gap 12: the least-squares placement is 96 and 108.
    close(spreadLabels([104, 100], { gap: 12 }), [108, 96]);
  });

  it("pools a whole cluster: three labels at one place are centred on it", () => {
    close(spreadLabels([50, 50, 50], { gap: 10 }), [40, 50, 60]);
  });

  it("keeps a cluster inside the bounds and stacks from min when they cannot fit", () => {
    close(spreadLabels([2, 3], { gap: 10, min: 0, max: 100 }), [0, 10]);
    close(spreadLabels([99, 98], { gap: 10, min: 0, max: 100 }), [100, 90]);
    close(spreadLabels([5, 5, 5], { gap: 10, min: 0, max: 15 }), [0, 10, 20]);
  });

  it("is the least-squares placement: no random feasible perturbation does better", () => {
    const random = mulberry32(7);
    for (let trial = 0; trial < 50; trial++) {
      const wanted = Array.from({ length: 6 }, () => 100 * random());
      const gap = 8;
      const placed = spreadLabels(wanted, { gap, min: 0, max: 100 });
      const sorted = placed.map((p, i) => [p, i]).sort((a, b) => a[0] - b[0]);
      for (let k = 1; k < sorted.length; k++) assert.ok(sorted[k][0] - sorted[k - 1][0] >= gap - 1e-9, "gap kept");
      assert.ok(
        placed.every((p) => p >= -1e-9 && p <= 100 + 1e-9),
        "inside the bounds",
      );
      const cost = (ps: number[]) => ps.reduce((s, p, i) => s + (p - wanted[i]) ** 2, 0);
      for (let t = 0; t < 200; t++) {
        const other = placed.map((p) => p + (random() - 0.5));
        const o = other.map((p, i) => [p, i]).sort((a, b) => a[0] - b[0]);
        const feasible =
          other.every((p) => p >= 0 && p <= 100) && o.every((x, k) => k === 0 || x[0] - o[k - 1][0] >= gap);
        if (feasible) assert.ok(cost(other) >= cost(placed) - 1e-9, "a feasible perturbation is never better");
      }
    }
  });

  it("refuses a negative gap and non-finite positions", () => {
    assert.throws(() => spreadLabels([1], { gap: -1 }), /gap must be a non-negative number/);
    assert.throws(() => spreadLabels([NaN], { gap: 1 }), /must be finite/);
  });
});
