import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import {
  LhcConv2d,
  stepStraightThrough,
  argMaxStraightThrough,
  maskRegularizer,
  shapeHistogram,
  lhcDensity,
  lhcMaskEnableFraction,
} from "../../../src/lib/kernel-shapes/lhc.js";
import { RIGID_SHAPES_3X3, RIGID_SHAPE_COUNT, shapeCode } from "../../../src/lib/kernel-shapes/rigid-shapes.js";
import { maxAbsDiff, randomTensor, useCpuEngineWithGradients } from "../helpers/tensors.js";

useCpuEngineWithGradients();

test("free-shape STE: mask 1[E > 0], gradient full inside |E| < 1, ×0.1 outside", () => {
  const e = tf.tensor1d([-2, -0.5, 0, 0.3, 0.99, 1.5, -1]);
  const c = tf.tensor1d([1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(Array.from(tf.tidy(() => stepStraightThrough(e)).dataSync()), [0, 0, 0, 1, 1, 1, 0]);
  const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(stepStraightThrough(x), c)))(e);
  const expected = [0.1, 2, 3, 4, 5, 0.6, 0.7];
  Array.from(g.dataSync()).forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-6, `index ${i}: ${v}`));
  tf.dispose([e, c, g]);
});

test("rigid STE: one-hot arg-max per column, gradient full where |score − mean| < 1", () => {
  const s = tf.tensor2d([
    [0, 3],
    [2, 0],
    [1, 0],
  ]); // columns: arg-max 1 and 0; means 1 and 1
  const oh = tf.tidy(() => argMaxStraightThrough(s));
  assert.deepEqual(oh.arraySync(), [
    [0, 1],
    [1, 0],
    [0, 0],
  ]);
  const c = tf.tensor2d([
    [1, 1],
    [1, 1],
    [1, 1],
  ]);
  const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(argMaxStraightThrough(x), c)))(s);
  // |x − mean|: [[1, 2], [1, 1], [0, 1]] → only the 0 entry is inside the band.
  assert.deepEqual(
    Array.from(g.dataSync()).map((v) => +v.toFixed(6)),
    [0.1, 0.1, 0.1, 0.1, 1, 0.1],
  );
  tf.dispose([s, oh, c, g]);
});

test("exactly the 15 rigid shapes of the reference, all distinct", () => {
  assert.equal(RIGID_SHAPE_COUNT, 15);
  const codes = RIGID_SHAPES_3X3.map((s) => shapeCode(s.flat()));
  assert.equal(new Set(codes).size, 15);
  assert.deepEqual(
    RIGID_SHAPES_3X3.map((s) => s.flat().reduce((a, b) => a + b, 0)),
    [0, 1, 3, 3, 3, 3, 4, 4, 4, 4, 6, 6, 6, 6, 9],
  );
  assert.deepEqual(RIGID_SHAPES_3X3[4], [
    [0, 1, 0],
    [0, 1, 0],
    [0, 1, 0],
  ]); // rot90 of the horizontal line
  assert.deepEqual(RIGID_SHAPES_3X3[5], [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ]); // rot90 of the anti-diagonal
  assert.deepEqual(RIGID_SHAPES_3X3[7], [
    [1, 1, 0],
    [1, 1, 0],
    [0, 0, 0],
  ]); // corner block turned once
  assert.deepEqual(RIGID_SHAPES_3X3[13], [
    [0, 1, 1],
    [0, 1, 1],
    [0, 1, 1],
  ]); // two rows turned three times
});

test("masked conv equals a dense conv with masked weights; masks shared across tiles (free and rigid)", () => {
  const before = tf.memory().numTensors;
  for (const shapes of ["free", "rigid"] as const) {
    const layer = new LhcConv2d({ inChannels: 5, outChannels: 7, cgi: 2, cgo: 3, shapes, seed: 11 });
    tf.tidy(() => layer.bias!.assign(randomTensor([7], 3) as tf.Tensor1D));
    const x = randomTensor([2, 6, 6, 5], 12) as tf.Tensor4D;
    const { data } = layer.maskData();
    const at = (r: number, c: number, i: number, o: number) => data[((r * 3 + c) * 5 + i) * 7 + o];
    // Tiles: inputs {0,1},{2,3},{4}; outputs {0,1,2},{3,4,5},{6}. Same map inside a tile.
    for (let t = 0; t < 9; t++) {
      const r = Math.floor(t / 3),
        c = t % 3;
      assert.equal(at(r, c, 0, 0), at(r, c, 1, 2));
      assert.equal(at(r, c, 2, 3), at(r, c, 3, 5));
    }
    if (shapes === "rigid") {
      const codes = new Set(RIGID_SHAPES_3X3.map((s) => shapeCode(s.flat())));
      for (const h of shapeHistogram(layer.maskData())) assert.ok(codes.has(h.code), `code ${h.code} is a rigid shape`);
    }
    const y = layer.apply(x);
    const masked = tf.tidy(
      () => tf.mul(layer.weight, tf.tensor4d(Float32Array.from(data), [3, 3, 5, 7])) as tf.Tensor4D,
    );
    const ref = tf.tidy(() => tf.add(tf.conv2d(x, masked, 1, "same"), layer.bias!));
    assert.ok(maxAbsDiff(y, ref) < 1e-5, shapes);
    const density = data.reduce((a, b) => a + b, 0) / data.length;
    assert.ok(density > 0 && density < 1, `${shapes} density ${density}`);
    // Gradients reach weights and effects.
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(layer.apply(x))), layer.trainableVariables);
    assert.ok(
      tf.tidy(() => tf.sum(tf.abs(grads[layer.effects.name])).dataSync()[0]) > 0,
      `${shapes}: effects get a gradient`,
    );
    tf.dispose([x, y, masked, ref, value, ...Object.values(grads)]);
    layer.dispose();
  }
  assert.equal(tf.memory().numTensors, before);
});

test("mask regulariser value on known masks", () => {
  const before = tf.memory().numTensors;
  const a = new LhcConv2d({ inChannels: 2, outChannels: 2, seed: 1 }); // 36 weights
  const b = new LhcConv2d({ inChannels: 2, outChannels: 4, stride: 2, seed: 2 }); // 72 weights
  // Known masks: a keeps the first 9 effects (of 36), b keeps 36 of 72 (every other one).
  tf.tidy(() => {
    a.effects.assign(
      tf.tensor4d(
        Array.from({ length: 36 }, (_, i) => (i < 9 ? 0.5 : -0.5)),
        [3, 3, 2, 2],
      ),
    );
    b.effects.assign(
      tf.tensor4d(
        Array.from({ length: 72 }, (_, i) => (i % 2 === 0 ? 2 : -2)),
        [3, 3, 2, 4],
      ),
    );
  });
  const x = tf.zeros([1, 6, 6, 2]) as tf.Tensor4D;
  tf.dispose([a.apply(x), b.apply(x)]);
  assert.equal(a.lastOutputArea, 36);
  assert.equal(b.lastOutputArea, 9);
  const r = maskRegularizer([a, b], 0.1);
  const flop = (9 * 36 + 36 * 9) / (36 * 36 + 72 * 9);
  const dens = (9 + 36) / (36 + 72);
  assert.ok(Math.abs(r.dataSync()[0] - (0.01 * flop + 0.99 * Math.abs(0.1 - dens))) < 1e-6);
  const r2 = maskRegularizer([a], 0.5, { flopWeight: 0, densityWeight: 1 });
  assert.ok(Math.abs(r2.dataSync()[0] - 0.25) < 1e-6);
  const d = lhcDensity([a, b]);
  assert.ok(Math.abs(d.weightDensity - dens) < 1e-12);
  assert.ok(Math.abs(d.flopDensity - flop) < 1e-12);
  // Density above target: the gradient pushes effects inside the band down (positive dR/dE).
  const g = tf.grad(() => maskRegularizer([a], 0.1))(a.effects);
  assert.ok(g.dataSync()[0] > 0);
  tf.dispose([x, r, r2, g]);
  assert.throws(() => maskRegularizer([a], 1.5), /target density must be in \(0, 1\)/);
  a.dispose();
  b.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test("mask enabling schedule and frozen-mask fine-tuning", () => {
  const before = tf.memory().numTensors;
  assert.equal(lhcMaskEnableFraction(0, 4), 0);
  assert.equal(lhcMaskEnableFraction(2, 4), 0.5);
  assert.equal(lhcMaskEnableFraction(9, 4), 1);
  const layer = new LhcConv2d({ inChannels: 3, outChannels: 16, seed: 5 });
  const x = randomTensor([1, 5, 5, 3], 6) as tf.Tensor4D;
  layer.setMaskEnable(0);
  const full = layer.apply(x);
  const dense = tf.tidy(() => tf.add(tf.conv2d(x, layer.weight as tf.Tensor4D, 1, "same"), layer.bias!));
  assert.ok(maxAbsDiff(full, dense) < 1e-5, "fraction 0 = unmasked conv");
  layer.setMaskEnable(0.5);
  const { data } = layer.maskData();
  const maskedChannels = Array.from({ length: 16 }, (_, o) => {
    let all = true;
    for (let t = 0; t < 27; t++) if (!data[t * 16 + o]) all = false;
    return !all;
  }).filter(Boolean).length;
  assert.ok(maskedChannels > 0 && maskedChannels < 16, `some but not all channels masked: ${maskedChannels}`);
  layer.setMaskEnable(1);
  const maskBefore = layer.maskData().data;
  layer.freezeMask();
  assert.ok(!layer.trainableVariables.includes(layer.effects));
  tf.tidy(() => layer.effects.assign(tf.neg(layer.effects)));
  assert.deepEqual(layer.maskData().data, maskBefore, "frozen mask ignores effects");
  const hist = shapeHistogram(layer.maskData());
  assert.equal(
    hist.reduce((s, h) => s + h.count, 0),
    3 * 16,
  );
  tf.dispose([x, full, dense]);
  layer.dispose();
  assert.equal(tf.memory().numTensors, before);
});
