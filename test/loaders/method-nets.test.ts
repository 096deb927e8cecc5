/** The curves' `lhcMasks`: what loaders/method-nets.ts exports from a trained LHC net, and the schema's check of it. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { LhcNet } from "../../src/lib/models/lhc-net.js";
import { lhcMasksProblem } from "../../src/lib/io/curves-schema.js";
import { lhcMasksOf, methodNetCost, parseMethodNet, methodNetId } from "../../loaders/method-nets.js";
import { useCpuEngineWithGradients } from "../unit/helpers/tensors.js";

useCpuEngineWithGradients();

const input = { height: 28, width: 28, channels: 1, classes: 10 };

test("lhcMasksOf: one k² string per tile equal to the layer's mask, densities and shape histogram consistent", () => {
  const before = tf.memory().numTensors;
  const net = new LhcNet(input, { cgo: 4, seed: 5 });
  for (const c of net.convs) c.freezeMask();
  const m = lhcMasksOf(net, input, 7);
  assert.equal(m.seed, 7);
  assert.deepEqual(
    m.layers.map((l) => [l.name, l.kernelSize, l.inChannels, l.outChannels, l.cgi, l.cgo, l.tilesIn, l.tilesOut]),
    [
      ["conv1", 3, 1, 16, 1, 4, 1, 4],
      ["conv2", 5, 16, 32, 1, 4, 16, 8],
      ["conv3", 5, 32, 64, 1, 4, 32, 16],
    ],
  );
  let kept = 0,
    total = 0;
  for (const [n, l] of m.layers.entries()) {
    const mask = net.convs[n].maskData();
    const k = l.kernelSize;
    assert.equal(l.tiles.length, l.tilesIn * l.tilesOut);
    // Every (input, output) kernel's taps equal its tile's string (cgo = 4 output channels share a tile).
    for (let i = 0; i < l.inChannels; i++) {
      for (let o = 0; o < l.outChannels; o++) {
        const tile = l.tiles[Math.floor(o / l.cgo) * l.tilesIn + Math.floor(i / l.cgi)];
        for (let t = 0; t < k * k; t++)
          assert.equal(
            tile[t],
            String(mask.data[(t * l.inChannels + i) * l.outChannels + o]),
            `${l.name} kernel ${i}→${o} tap ${t}`,
          );
      }
    }
    const ones =
      l.tiles
        .join("")
        .split("")
        .filter((c) => c === "1").length * l.cgo;
    assert.equal(l.keptWeights, ones);
    assert.equal(l.weightDensity, ones / (k * k * l.inChannels * l.outChannels));
    const h = l.shapeHistogram;
    assert.equal(h.kernels, l.inChannels * l.outChannels);
    assert.equal(
      h.tapCounts.reduce((a, b) => a + b, 0),
      h.kernels,
    );
    assert.equal(h.top.reduce((a, t) => a + t.count, 0) + h.otherKernels, h.kernels);
    // Kernels by number of taps, from the tiles themselves.
    const byTaps = new Array(k * k + 1).fill(0);
    for (const t of l.tiles) byTaps[t.split("").filter((c) => c === "1").length] += l.cgo;
    assert.deepEqual(h.tapCounts, byTaps);
    kept += l.keptWeights;
    total += l.totalWeights;
  }
  assert.equal(m.weightDensity, kept / total);
  assert.ok(m.flopDensity > 0 && m.flopDensity <= 1);
  assert.equal(lhcMasksProblem(JSON.parse(JSON.stringify(m))), null);
  // Cost counts kept weights (+ biases) only.
  const cost = methodNetCost(net, input);
  assert.equal(cost.params, kept + 16 + 32 + 64 + 64 * 10 + 10);
  net.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test("lhcMasksProblem names the defect", () => {
  const layer = {
    name: "conv1",
    kernelSize: 3,
    inChannels: 1,
    outChannels: 2,
    cgi: 1,
    cgo: 1,
    shapes: "free",
    tilesIn: 1,
    tilesOut: 2,
    tiles: ["100000000", "110000000"],
    weightDensity: 3 / 18,
    flopDensity: 3 / 18,
    keptWeights: 3,
    totalWeights: 18,
    shapeHistogram: {
      kernels: 2,
      distinct: 2,
      top: [
        { code: 1, count: 1, taps: 1 },
        { code: 3, count: 1, taps: 2 },
      ],
      otherKernels: 0,
      tapCounts: [0, 1, 1, 0, 0, 0, 0, 0, 0, 0],
    },
  };
  const ok = { seed: 0, weightDensity: 0.2, flopDensity: 0.2, layers: [layer] };
  assert.equal(lhcMasksProblem(ok), null);
  const bad = (patch: object, layerPatch: object = {}) =>
    lhcMasksProblem({ ...ok, ...patch, layers: [{ ...layer, ...layerPatch }] });
  assert.match(bad({}, { tiles: ["100000000"] }) ?? "", /tiles must hold tilesIn × tilesOut = 2 masks/);
  assert.match(bad({}, { tiles: ["100000000", "10000000"] }) ?? "", /tiles\[1\] is "10000000", not 9 characters 0\/1/);
  assert.match(bad({}, { tilesOut: 3 }) ?? "", /tilesIn\/tilesOut do not match/);
  assert.match(bad({ weightDensity: 1.5 }) ?? "", /weightDensity and flopDensity must be numbers in \[0, 1\]/);
  assert.match(
    bad({}, { shapeHistogram: { ...layer.shapeHistogram, otherKernels: 1 } }) ?? "",
    /top \+ otherKernels ≠ 2/,
  );
  assert.match(
    bad({}, { shapeHistogram: { ...layer.shapeHistogram, tapCounts: [0, 1, 1] } }) ?? "",
    /k² \+ 1 tapCounts/,
  );
  assert.match(lhcMasksProblem([]) ?? "", /must be an object/);
});

test("method ids round-trip and bad ones are named", () => {
  for (const id of ["lhc-0.3", "ssc", "igpc-ch8"]) assert.equal(methodNetId(parseMethodNet(id)), id);
  assert.deepEqual(parseMethodNet("igpc-4"), { kind: "igpc", channelsPerGroup: 4 });
  assert.throws(() => parseMethodNet("lhc-1.5"), /unknown method "lhc-1.5"/);
  assert.throws(() => parseMethodNet("dense"), /unknown method "dense"/);
});
