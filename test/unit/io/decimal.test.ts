import { test } from "node:test";
import assert from "node:assert/strict";
import { parseDecimal } from "../../../src/lib/io/decimal.js";

test("parseDecimal reads plain decimal numbers and nothing else", () => {
  for (const [text, value] of [
    ["16", 16],
    ["-3", -3],
    ["+0.5", 0.5],
    ["1e-3", 0.001],
    ["2.", 2],
    [".25", 0.25],
    ["6E2", 600],
  ] as const)
    assert.equal(parseDecimal(text), value, text);
  for (const text of ["0x10", "0b11", "0o17", "Infinity", "NaN", "", " 1", "1 ", "1,5", "1e", "--1", "1e999", "١٢"])
    assert.equal(parseDecimal(text), undefined, JSON.stringify(text));
});
