import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { IntegralMlp } from "../../../src/lib/models/integral-mlp.js";
import { mlpWeightFunction } from "../../../src/lib/views/mlp-weight-function.js";
import { useCpuEngineWithGradients } from "../helpers/tensors.js";

useCpuEngineWithGradients();

describe("MLP weight-function view", () => {
  it("its discrete weights are the layer's own, and the curve passes through the nodes", () => {
    const net = new IntegralMlp({ hidden: [9, 6], seed: 8, kernel: "cubic", quadrature: "simpson" });
    const sizes = net.sizesAt(0.6);
    for (const [index, layer] of [
      [0, net.layers[1]],
      [1, net.layers[2]],
    ] as const) {
      const view = mlpWeightFunction(net, index, sizes, 17);
      const weight = layer.discreteWeights(sizes, false).weight;
      const [m, nOut] = weight.shape as [number, number];
      const values = weight.dataSync();
      assert.equal(view.points.length, m);
      assert.deepEqual(
        view.rows.map((r) => r.output),
        index === 1 ? [0, 1] : [0, 1, 3],
      );
      for (const row of view.rows)
        for (let i = 0; i < m; i++) assert.ok(Math.abs(row.weights[i] - values[i * nOut + row.output]) < 1e-5);
      if (index === 0) {
        // 9 nodes, 17 fine points: every other fine point is a node, where the interpolant equals it.
        for (const row of view.rows)
          for (let j = 0; j < 9; j++) assert.ok(Math.abs(row.curve[2 * j] - row.nodes[j]) < 1e-6);
      }
    }
    assert.throws(() => mlpWeightFunction(net, 2, sizes), /hidden layer 3 of 2 does not exist/);
    net.dispose();
    assert.ok(tf.memory().numTensors >= 0);
  });
});
