import { test } from "node:test";
import assert from "node:assert/strict";
import { gatherAxis } from "../../../src/lib/compression/parameters.js";

test("gatherAxis re-indexes one axis", () => {
  // shape [2, 3, 2]: value = 100a + 10b + c
  const values = Float32Array.from(
    { length: 12 },
    (_, k) => 100 * Math.floor(k / 6) + 10 * (Math.floor(k / 2) % 3) + (k % 2),
  );
  const out = gatherAxis(values, [2, 3, 2], 1, [2, 0]);
  assert.deepEqual(Array.from(out), [20, 21, 0, 1, 120, 121, 100, 101]);
  assert.throws(() => gatherAxis(values, [2, 3, 2], 1, [3]), /outside 0\.\.2/);
});
