import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { BatchStream, pointBatch } from "../../../src/lib/train/points.js";
import { epochOrder } from "../../../src/lib/train/seeds.js";
import { useCpuEngineWithGradients } from "../helpers/tensors.js";

useCpuEngineWithGradients();

describe("point batches", () => {
  it("a stream hands out the epoch permutations end to end, whatever the batch sizes", () => {
    const expected = [...epochOrder(5, 0, 10), ...epochOrder(5, 1, 10), ...epochOrder(5, 2, 10)];
    const stream = new BatchStream(5, 10);
    const got: number[] = [];
    for (const size of [3, 7, 1, 4, 11, 2]) got.push(...stream.next(size));
    assert.deepEqual(got, expected.slice(0, 28));
    assert.equal(stream.position, 28);
    assert.throws(() => stream.next(0), /batch size must be ≥ 1/);
  });

  it("builds [n, 1, 1, 2] points and one-hot labels of the chosen items", () => {
    const split = { xy: Float32Array.of(0.1, 0.2, -0.3, 0.4, 0.5, -0.6), labels: Uint8Array.of(0, 1, 1), count: 3 };
    const { points, oneHot } = pointBatch(split, [2, 0]);
    assert.deepEqual(points.shape, [2, 1, 1, 2]);
    assert.deepEqual(Array.from(points.dataSync()), [0.5, -0.6, 0.1, 0.2].map(Math.fround));
    assert.deepEqual(Array.from(oneHot.dataSync()), [0, 1, 1, 0]);
    tf.dispose([points, oneHot]);
    assert.throws(() => pointBatch(split, [3]), /index 3 .* out of range for 3 points/);
  });
});
