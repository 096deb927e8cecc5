import { test } from "node:test";
import assert from "node:assert/strict";
import { methodColorScale, methodStyle } from "../../../src/components/style/methods.js";

test("every method has one colour, distinct across the methods a curves file holds", () => {
  const ids = [
    "discrete-l1",
    "discrete-random",
    "inn-scratch",
    "converted",
    "inn-init",
    "inn-grid-tuned",
    "lhc-0.5",
    "lhc-0.3",
    "lhc-0.15",
    "ssc",
    "igpc-ch2",
    "igpc-ch4",
    "igpc-ch8",
    "sinn",
  ];
  const { domain, range } = methodColorScale(ids);
  assert.deepEqual(domain, ids);
  assert.equal(new Set(range).size, ids.length, `colours: ${range.join(", ")}`);
  assert.equal(methodStyle("inn-scratch").color, methodColorScale(["inn-scratch"]).range[0], "same colour alone");
  assert.deepEqual(
    ids.filter((id) => methodStyle(id, ids).headline),
    ["discrete-l1", "discrete-random", "inn-scratch"],
  );
  assert.equal(methodStyle("lhc-0.3", ids).short, "LHC 0.3");
  assert.equal(methodStyle("igpc-ch8", ids).short, "IGPC Ch 8");
  assert.equal(methodStyle("no-such-method").short, "no-such-method");
});
