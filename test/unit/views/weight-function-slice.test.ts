import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cubicKernel, linearKernel } from "../../../src/lib/math/interpolation.js";
import { weightFunctionSlice } from "../../../src/lib/views/weight-function-slice.js";
import { sampleWeightFunction2d } from "../../../src/lib/views/weight-function-grid.js";
import { mulberry32 } from "../../../src/lib/random.js";

function randomMatrix(rows: number, cols: number, seed: number) {
  const rng = mulberry32(seed);
  return { rows, cols, values: Float64Array.from({ length: rows * cols }, () => rng() * 2 - 1) };
}

/** Composite trapezoid with many points: an independent check of the exact integral. */
function fineTrapezoid(f: (x: number) => number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const x = -1 + (2 * i) / (n - 1);
    s += (i === 0 || i === n - 1 ? 0.5 : 1) * f(x);
  }
  return (s * 2) / (n - 1);
}

describe("weightFunctionSlice", () => {
  it("agrees with the 2-D weight function at any x_out", () => {
    const m = randomMatrix(5, 7, 3);
    const kernel = cubicKernel();
    const xs = [-1, -0.77, -0.1, 0.33, 0.9, 1];
    for (const xOut of [-1, -0.4, 0.25, 1]) {
      const slice = weightFunctionSlice(m, xOut, kernel);
      const grid = sampleWeightFunction2d(m, [xOut], xs, kernel);
      xs.forEach((x, c) => assert.ok(Math.abs(slice.f(x) - grid[c]!) < 1e-12, `x_out ${xOut}, x ${x}`));
    }
  });

  it("interpolates the slice's nodes and its exact integral matches a very fine trapezoid rule", () => {
    const m = randomMatrix(4, 9, 11);
    const slice = weightFunctionSlice(m, 0.3, cubicKernel());
    for (let k = 0; k < 9; k++) assert.ok(Math.abs(slice.f(-1 + (2 * k) / 8) - slice.nodes[k]!) < 1e-12);
    const reference = fineTrapezoid(slice.f, 20001);
    assert.ok(Math.abs(slice.exact - reference) < 1e-7, `${slice.exact} vs ${reference}`);
  });

  it("with the linear kernel the exact integral is the trapezoid sum of the nodes", () => {
    const m = randomMatrix(3, 6, 5);
    const slice = weightFunctionSlice(m, -0.5, linearKernel);
    const h = 2 / 5;
    let t = 0;
    for (let k = 0; k < 6; k++) t += (k === 0 || k === 5 ? h / 2 : h) * slice.nodes[k]!;
    assert.ok(Math.abs(slice.exact - t) < 1e-13);
  });

  it("rejects a layer with one input node and x_out outside [-1, 1]", () => {
    assert.throws(() => weightFunctionSlice(randomMatrix(4, 1, 1), 0, cubicKernel()), /at least 2/);
    assert.throws(() => weightFunctionSlice(randomMatrix(4, 4, 1), 1.5, cubicKernel()), /outside \[-1, 1\]/);
  });
});
