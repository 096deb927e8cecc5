import { test } from "node:test";
import assert from "node:assert/strict";
import { headlineFirst, methodColorScale, methodStyle } from "../../../src/components/style/methods.js";

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

test("a method's colour depends on its id alone, so pages that draw different subsets agree", () => {
  for (const id of ["lhc-0.5", "lhc-0.3", "lhc-0.15", "igpc-ch2", "igpc-ch8", "inn-scratch"]) {
    assert.equal(methodStyle(id).color, methodStyle(id, ["lhc-0.5", "lhc-0.3", "lhc-0.15", "igpc-ch4"]).color, id);
  }
  // Parameterised families get darker-to-lighter shades of one hue in parameter order.
  const lum = (hex: string) => [1, 3, 5].reduce((s, i) => s + parseInt(hex.slice(i, i + 2), 16), 0);
  assert.ok(lum(methodStyle("lhc-0.5").color) < lum(methodStyle("lhc-0.3").color));
  assert.ok(lum(methodStyle("lhc-0.3").color) < lum(methodStyle("lhc-0.15").color));
  assert.ok(lum(methodStyle("igpc-ch2").color) < lum(methodStyle("igpc-ch8").color));
  assert.deepEqual(headlineFirst(["sinn", "discrete-random", "lhc-0.3", "inn-scratch"]), [
    "inn-scratch",
    "discrete-random",
    "sinn",
    "lhc-0.3",
  ]);
});
