import { describe, it, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { ChannelGroups, MIN_GROUP_SIZE, rangeAtFraction, sizesAtFraction } from "../../../src/lib/integral/groups.js";
import { cubicKernel, linearKernel } from "../../../src/lib/math/interpolation.js";
import { interpolationMatrix } from "../../../src/lib/math/sampling.js";
import { simpsonWeights } from "../../../src/lib/math/quadrature.js";
import { uniformPartition } from "../../../src/lib/math/partition.js";
import { useCpuEngineWithGradients } from "../helpers/tensors.js";

useCpuEngineWithGradients();

describe("channel groups: changing an axis's sampling", () => {
  it("samples with the new kernel and quadrature from then on, freeing the old samplings", () => {
    const groups = new ChannelGroups([{ id: "h", size: 9, kernel: linearKernel }]);
    const sizes = { h: 6 };
    const before = groups.sampling("h", sizes);
    const revision = groups.partitionRevision;
    const count = tf.memory().numTensors;
    groups.setAxisSampling("h", { kernel: cubicKernel(-0.5), quadrature: "simpson" });
    assert.equal(tf.memory().numTensors, count - 2, "the cached matrix and scale of size 6 are freed");
    assert.ok(groups.partitionRevision > revision, "layers must see a new revision");
    assert.equal(before.matrix.isDisposed, true);
    const after = groups.sampling("h", sizes);
    const points = uniformPartition(6);
    const matrix = interpolationMatrix(9, points, cubicKernel(-0.5));
    after.matrix.dataSync().forEach((v, i) => assert.ok(Math.abs(v - matrix[i]) < 1e-6));
    const scale = simpsonWeights(points).map((q) => q * 4);
    after.scale.dataSync().forEach((v, i) => assert.ok(Math.abs(v - scale[i]) < 1e-6));
    assert.equal(groups.axisSampling("h").quadrature, "simpson");
    assert.equal(groups.axisSampling("h").kernel.a, -0.5);
    groups.dispose();
  });

  it("refuses a rule the axis is too small for, and a non-trapezoid rule under grid tuning", () => {
    const groups = new ChannelGroups([
      { id: "one", size: 1, quadrature: "none" },
      { id: "h", size: 5 },
      { id: "r", size: 8, range: { min: 2, max: 8 } },
    ]);
    assert.throws(
      () => groups.setAxisSampling("one", { quadrature: "trapezoid" }),
      /needs at least 2 channels, but has 1 nodes/,
    );
    assert.throws(
      () => groups.setAxisSampling("r", { quadrature: "simpson" }),
      /but has 2 as the start of its training range/,
    );
    groups.resample({ h: 2 });
    assert.throws(() => groups.setAxisSampling("h", { quadrature: "simpson" }), /but has 2 channels now/);
    groups.resample({ h: 5 });
    groups.enableTrainablePartition("h");
    assert.throws(() => groups.setAxisSampling("h", { quadrature: "simpson" }), /trainable partition/);
    groups.dispose();
  });
});

test("sizesAtFraction rounds and validates; bad sizes are named", () => {
  const full = { conv1: 16, conv2: 32, conv3: 64 };
  assert.deepEqual(sizesAtFraction(full, ["conv1", "conv2", "conv3"], 0.35), { conv1: 6, conv2: 11, conv3: 22 });
  assert.deepEqual(sizesAtFraction(full, ["conv1"], 0.01), { conv1: MIN_GROUP_SIZE });
  assert.equal(MIN_GROUP_SIZE, 2);
  assert.deepEqual(sizesAtFraction({ tiny: 1 }, ["tiny"], 0.5), { tiny: 1 }, "never above the full size");
  assert.throws(() => sizesAtFraction(full, ["conv1"], 0), /fraction must be in \(0, 1\]/);
  assert.throws(() => sizesAtFraction(full, ["convX"], 0.5), /unknown group "convX"/);
});

test("rangeAtFraction: from ⌈fraction · size⌉ (at least MIN_GROUP_SIZE) to the full size", () => {
  assert.deepEqual(rangeAtFraction(16, 0.25), { min: 4, max: 16 });
  assert.deepEqual(rangeAtFraction(10, 0.25), { min: 3, max: 10 });
  assert.deepEqual(rangeAtFraction(4, 0.25), { min: 2, max: 4 });
  assert.deepEqual(rangeAtFraction(1, 0.5), { min: 1, max: 1 });
  assert.throws(() => rangeAtFraction(16, 1.5), /minFraction must be in \(0, 1\], got 1.5/);
});
