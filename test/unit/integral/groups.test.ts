import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { ChannelGroups } from "../../../src/lib/integral/groups.js";
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

  it("refuses a quadrature on a one-node axis and a non-trapezoid rule under grid tuning", () => {
    const groups = new ChannelGroups([
      { id: "one", size: 1, quadrature: "none" },
      { id: "h", size: 5 },
    ]);
    assert.throws(() => groups.setAxisSampling("one", { quadrature: "trapezoid" }), /has 1 node/);
    groups.enableTrainablePartition("h");
    assert.throws(() => groups.setAxisSampling("h", { quadrature: "simpson" }), /trainable partition/);
    groups.dispose();
  });
});
