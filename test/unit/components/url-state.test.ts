import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readUrlState, urlStateQuery, type StateSchema } from "../../../src/components/url-state.js";

const schema = {
  n: { kind: "int", default: 8, min: 2, max: 40 },
  a: { kind: "number", default: -0.75, min: -1, max: 0 },
  rule: { kind: "choice", default: "trapezoid", choices: ["trapezoid", "simpson"] },
  nodes: { kind: "numbers", default: [0, 1, 0], min: -2, max: 2, minLength: 3, maxLength: 6 },
} satisfies StateSchema;

describe("url state", () => {
  it("uses defaults when the query is empty, without notes", () => {
    const s = readUrlState(schema, "");
    assert.deepEqual(s.values, { n: 8, a: -0.75, rule: "trapezoid", nodes: [0, 1, 0] });
    assert.deepEqual(s.notes, []);
  });
  it("round-trips values through the query, omitting defaults and keeping foreign parameters", () => {
    const values = { n: 17, a: -0.5, rule: "simpson", nodes: [0.25, -1, 1.5, 2] };
    const q = urlStateQuery(schema, values, "?backend=wasm&n=3");
    assert.match(q, /backend=wasm/);
    assert.deepEqual(readUrlState(schema, q).values, values);
    assert.equal(urlStateQuery(schema, { n: 8, a: -0.75 }, ""), "");
  });
  it("drops the parameters a previous view left that the new schema does not own, keeps the ones it does", () => {
    // A reference net's link state, then a converted model with groups stem and b2_conv1 is shown.
    const before = "?model=reference-inn&conv1=12&kernel=linear&backend=wasm&stem=5";
    const converted = {
      model: { kind: "choice", default: "reference-inn", choices: ["reference-inn", "own"] },
      stem: { kind: "int", default: 16, min: 2, max: 16 },
      b2_conv1: { kind: "int", default: 32, min: 2, max: 32 },
    } satisfies StateSchema;
    const stale = ["conv1", "conv2", "conv3", "kernel", "quadrature", "partition", "stem"];
    const q = urlStateQuery(converted, { model: "own", stem: 5, b2_conv1: 12 }, before, stale);
    assert.equal(q, "?model=own&backend=wasm&stem=5&b2_conv1=12");
    // A kept parameter at its new default leaves, like any default; without `drop` nothing else does.
    assert.equal(urlStateQuery(converted, { model: "own", stem: 16 }, before, stale), "?model=own&backend=wasm");
    assert.equal(
      urlStateQuery(converted, { model: "own", stem: 16 }, before),
      "?model=own&conv1=12&kernel=linear&backend=wasm",
    );
  });
  it("clamps out-of-range numbers and resets garbage, with a note for each", () => {
    const s = readUrlState(schema, "?n=999&a=banana&rule=euler&nodes=1,x,2");
    assert.deepEqual(s.values, { n: 40, a: -0.75, rule: "trapezoid", nodes: [0, 1, 0] });
    assert.equal(s.notes.length, 4);
    assert.match(s.notes[0], /n=999 is outside 2…40; using 40/);
    assert.match(s.notes[2], /not one of trapezoid, simpson/);
  });
  it("reads decimal notation only: hex, binary and Infinity are garbage, not 16, 3 or the maximum", () => {
    const s = readUrlState(schema, "?n=0x10&a=Infinity&nodes=0b1,1,0");
    assert.deepEqual(s.values, { n: 8, a: -0.75, rule: "trapezoid", nodes: [0, 1, 0] });
    assert.equal(s.notes.length, 3);
    assert.match(s.notes[0], /n="0x10" is not a decimal number; using the default 8/);
  });
  it("rounds non-integers, clamps list entries, resets lists of the wrong length", () => {
    const s = readUrlState(schema, "?n=3.6&nodes=9,0,-9");
    assert.equal(s.values.n, 4);
    assert.deepEqual(s.values.nodes, [2, 0, -2]);
    assert.deepEqual(readUrlState(schema, "?nodes=1,2").values.nodes, [0, 1, 0]);
    assert.deepEqual(readUrlState(schema, "?n=Infinity").values.n, 8);
  });
  it("integer lists: entries are rounded with a note, then clamped", () => {
    const ints = {
      widths: { kind: "numbers", default: [8], min: 2, max: 64, minLength: 1, maxLength: 3, integer: true },
    } satisfies StateSchema;
    const s = readUrlState(ints, "?widths=7.6,99");
    assert.deepEqual(s.values.widths, [8, 64]);
    assert.equal(s.notes.length, 2);
    assert.match(s.notes[0], /widths has values that are not whole numbers; using 8,99/);
    assert.deepEqual(readUrlState(ints, "?widths=3,4").notes, []);
    assert.deepEqual(
      readUrlState(schema, "?nodes=0.5,1,1.5").values.nodes,
      [0.5, 1, 1.5],
      "plain lists keep fractions",
    );
  });
  it("string subsets: round-trip in choice order, empty when the parameter is empty, unknown entries left out with a note", () => {
    const sets = {
      hide: { kind: "strings", default: [], choices: ["discrete-l1", "inn-scratch", "lhc-0.5"] },
    } satisfies StateSchema;
    assert.deepEqual(readUrlState(sets, "").values.hide, []);
    const q = urlStateQuery(sets, { hide: ["lhc-0.5", "discrete-l1"] }, "?axis=flops");
    assert.equal(q, "?axis=flops&hide=discrete-l1,lhc-0.5");
    assert.deepEqual(readUrlState(sets, q).values.hide, ["discrete-l1", "lhc-0.5"]);
    assert.equal(urlStateQuery(sets, { hide: [] }, q), "?axis=flops", "the default (nothing hidden) is omitted");
    assert.deepEqual(readUrlState(sets, "?hide=").values.hide, []);
    const bad = readUrlState(sets, "?hide=inn-scratch,ssc,,");
    assert.deepEqual(bad.values.hide, ["inn-scratch"]);
    assert.equal(bad.notes.length, 1);
    assert.match(
      bad.notes[0],
      /hide has a value that is not one of discrete-l1, inn-scratch, lhc-0\.5 \(ssc\); it was left out/,
    );
  });
});
