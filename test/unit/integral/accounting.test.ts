import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend } from "../../../loaders/backend.js";
import { compressionAt, modelCost } from "../../../src/lib/integral/accounting.js";
import { ReferenceInn } from "../../../src/lib/models/reference-inn.js";
import { ReferenceNet } from "../../../src/lib/models/reference.js";
import { pruneReferenceNet } from "../../../src/lib/compression/pruning.js";

before(async () => {
  await initBackend("cpu");
});

const input = { height: 28, width: 28, channels: 1, classes: 10 };

/** Hand count of the reference net with conv widths a, b, c on 28×28×1 inputs, 10 classes. */
function handCount(a: number, b: number, c: number): { params: number; flops: number } {
  const params = 9 * 1 * a + a + (25 * a * b + b) + (25 * b * c + c) + (c * 10 + 10);
  // 2 FLOPs per multiply-accumulate; conv outputs are 28², 14², 7² positions (pooling halves before each next conv).
  const flops = 2 * (9 * 1 * a * 28 * 28 + 25 * a * b * 14 * 14 + 25 * b * c * 7 * 7 + c * 10);
  return { params, flops };
}

test("full-size counts match the hand count (64,906 parameters, 10,262,272 FLOPs)", () => {
  const inn = new ReferenceInn(input);
  const full = modelCost(inn);
  assert.deepEqual(full, handCount(16, 32, 64));
  assert.equal(full.params, 64906);
  assert.equal(full.flops, 10262272);
  // The discrete net has the same number of parameters.
  const net = new ReferenceNet(input, 0);
  assert.equal(
    net.trainableVariables.reduce((n, v) => n + v.size, 0),
    full.params,
  );
  net.dispose();
  inn.dispose();
});

test("counts and compression at other sizes match hand counts; a pruned net has exactly the counted parameters", () => {
  const inn = new ReferenceInn(input);
  const net = new ReferenceNet(input, 0);
  for (const [a, b, c] of [
    [8, 16, 32],
    [4, 8, 16],
    [16, 11, 22],
    [1, 1, 1],
  ]) {
    const sizes = { conv1: a, conv2: b, conv3: c };
    const hand = handCount(a, b, c);
    assert.deepEqual(modelCost(inn, sizes), hand);
    const comp = compressionAt(inn, sizes);
    assert.equal(comp.params, 1 - hand.params / 64906);
    assert.equal(comp.flops, 1 - hand.flops / 10262272);
    const { model } = pruneReferenceNet(net, sizes, { method: "l1" });
    assert.equal(
      model.trainableVariables.reduce((n, v) => n + v.size, 0),
      hand.params,
    );
    model.dispose();
  }
  assert.equal(compressionAt(inn, { conv1: 16, conv2: 32, conv3: 64 }).params, 0);
  // Half the channels everywhere: 16,458 parameters (74.6% compression), 2,622,336 FLOPs.
  assert.equal(modelCost(inn, { conv1: 8, conv2: 16, conv3: 32 }).params, 16458);
  assert.equal(modelCost(inn, { conv1: 8, conv2: 16, conv3: 32 }).flops, 2622336);
  net.dispose();
  inn.dispose();
});

test("modelCost names a size out of range and an unknown group", () => {
  const inn = new ReferenceInn(input);
  assert.throws(() => modelCost(inn, { conv1: 17 }), /group "conv1" size must be an integer in \[1, 16\], got 17/);
  assert.throws(() => modelCost(inn, { nope: 1 }), /unknown group "nope"/);
  inn.dispose();
});
