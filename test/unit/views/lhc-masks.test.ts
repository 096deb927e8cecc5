import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { LhcConv2d, shapeHistogram } from "../../../src/lib/kernel-shapes/lhc.js";
import { expandLhcTiles, shapeFromCode, tapFrequency, trainedLhcNets } from "../../../src/lib/views/lhc-masks.js";
import { checkCurvesFile } from "../../../src/lib/views/curves.js";
import type { LhcMaskLayer } from "../../../src/lib/io/curves-schema.js";
import { curvesFixture } from "../helpers/curves.js";
import { LhcNet } from "../../../src/lib/models/lhc-net.js";
import { lhcMasksOf } from "../../../loaders/method-nets.js";
import { useCpuEngineWithGradients } from "../helpers/tensors.js";

useCpuEngineWithGradients();

/** The documented tile encoding of a real layer's mask: tile (i, o) read from its first kernel. */
function tilesOf(mask: Uint8Array, k: number, cin: number, cout: number, cgi: number, cgo: number): string[] {
  const tilesIn = Math.ceil(cin / cgi),
    tilesOut = Math.ceil(cout / cgo);
  const tiles: string[] = [];
  for (let o = 0; o < tilesOut; o++) {
    for (let i = 0; i < tilesIn; i++) {
      let s = "";
      for (let t = 0; t < k * k; t++) s += mask[(t * cin + i * cgi) * cout + o * cgo] ? "1" : "0";
      tiles.push(s);
    }
  }
  return tiles;
}

/** The geometry of the small layer below: 5 → 7 channels, 3×3 kernels, tiles of 2 × 3 channels. */
const SMALL_LAYER = {
  name: "conv2",
  kernelSize: 3,
  inChannels: 5,
  outChannels: 7,
  cgi: 2,
  cgo: 3,
  tilesIn: 3,
  tilesOut: 3,
};

/** The mask of a real 5 → 7 LHC layer (3×3 kernels, tiles of 2 × 3 channels), its tensors freed. */
function smallLayerMask(seed: number): Uint8Array {
  const before = tf.memory().numTensors;
  const layer = new LhcConv2d({ ...SMALL_LAYER, seed });
  layer.setMaskEnable(1);
  const { data } = layer.maskData();
  layer.dispose();
  assert.equal(tf.memory().numTensors, before);
  return data;
}

test("expandLhcTiles rebuilds a real LHC layer's mask from its tiles (shared tiles, cropped last tiles)", () => {
  const data = smallLayerMask(4);
  const kept = data.reduce((a, b) => a + b, 0);
  assert.ok(kept > 0 && kept < data.length, `a mixed mask (${kept} of ${data.length})`);
  const tiles = tilesOf(data, 3, 5, 7, 2, 3);
  assert.equal(tiles.length, 3 * 3);
  const expanded = expandLhcTiles({ ...SMALL_LAYER, tiles });
  assert.deepEqual(Array.from(expanded), Array.from(data));
  assert.throws(
    () => expandLhcTiles({ ...SMALL_LAYER, tiles: tiles.slice(1) }),
    /layer conv2 has no 9-tap tile for kernel \(in 4, out 6\)/,
  );
});

test("expandLhcTiles inverts the sweep's export (lhcMasksOf) of a whole LHC net", () => {
  const before = tf.memory().numTensors;
  const input = { height: 28, width: 28, channels: 1, classes: 10 };
  const net = new LhcNet(input, { cgo: 4, seed: 11 });
  for (const c of net.convs) c.freezeMask();
  const masks = lhcMasksOf(net, input, 0);
  masks.layers.forEach((l, n) => {
    const expanded = expandLhcTiles(l);
    assert.deepEqual(Array.from(expanded), Array.from(net.convs[n]!.maskData().data), `${l.name}`);
    assert.equal(
      expanded.reduce((a, b) => a + b, 0),
      l.keptWeights,
    );
  });
  net.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test("shapeFromCode inverts the histogram's codes (bit r·k + c = tap (r, c))", () => {
  assert.deepEqual(shapeFromCode(0b000010000, 3), [
    [0, 0, 0],
    [0, 1, 0],
    [0, 0, 0],
  ]);
  assert.deepEqual(shapeFromCode(1 + 2 ** 5, 3), [
    [1, 0, 0],
    [0, 0, 1],
    [0, 0, 0],
  ]);
  assert.throws(() => shapeFromCode(512, 3), /not a 3×3 shape code/);
  const layer = new LhcConv2d({ inChannels: 4, outChannels: 6, kernelSize: 5, seed: 9 });
  layer.setMaskEnable(1);
  const mask = layer.maskData();
  layer.dispose();
  for (const { code, taps } of shapeHistogram(mask))
    assert.equal(
      shapeFromCode(code, 5)
        .flat()
        .reduce((a, b) => a + b, 0),
      taps,
    );
  // The most frequent shape is the one of some kernel of the mask.
  const top = shapeFromCode(shapeHistogram(mask)[0]!.code, 5).flat();
  const found = Array.from({ length: 24 }, (_, n) =>
    Array.from({ length: 25 }, (_, t) => mask.data[(t * 4 + (n % 4)) * 6 + Math.floor(n / 4)]),
  ).some((taps) => taps.join() === top.join());
  assert.ok(found);
});

test("trainedLhcNets lists the LHC points with masks, with target density, seed and accuracy", () => {
  const c = curvesFixture();
  const layer: LhcMaskLayer = {
    name: "conv1",
    kernelSize: 3,
    inChannels: 1,
    outChannels: 2,
    cgi: 1,
    cgo: 1,
    shapes: "free",
    tilesIn: 1,
    tilesOut: 2,
    tiles: ["010111010", "000010000"],
    weightDensity: 6 / 18,
    flopDensity: 6 / 18,
    keptWeights: 6,
    totalWeights: 18,
    shapeHistogram: {
      kernels: 2,
      distinct: 2,
      top: [
        { code: 16 + 2 + 8 + 32 + 128, count: 1, taps: 5 },
        { code: 16, count: 1, taps: 1 },
      ],
      otherKernels: 0,
      tapCounts: [0, 1, 0, 0, 0, 1, 0, 0, 0, 0],
    },
  };
  const base = c.families[0]!.methods[0]!.points[0]!;
  c.families[0]!.methods.push({
    id: "lhc-0.3",
    label: "LHC, free shapes, target density 0.3 (trained)",
    kind: "trained",
    model: { name: "lhc" },
    seeds: [0],
    training: [{ seed: 0, maskStage: { targetDensity: 0.3 } }],
    points: [
      {
        ...base,
        runs: [{ seed: 0, accuracies: [0.97] }],
        lhcMasks: { seed: 0, weightDensity: 1 / 3, flopDensity: 1 / 3, layers: [layer] },
      },
    ],
  });
  const nets = trainedLhcNets(checkCurvesFile(c));
  assert.equal(nets.length, 1);
  assert.equal(nets[0]!.method, "lhc-0.3");
  assert.equal(nets[0]!.targetDensity, 0.3);
  assert.equal(nets[0]!.accuracy, 0.97);
  assert.equal(
    expandLhcTiles(nets[0]!.masks.layers[0]!).reduce((a, b) => a + b, 0),
    layer.keptWeights,
  );
  assert.deepEqual(trainedLhcNets(curvesFixture()), []);
});

test("tapFrequency counts each tap over every kernel a tile stands for, cropped edge tiles included", () => {
  const data = smallLayerMask(9);
  const tiles = tilesOf(data, 3, 5, 7, 2, 3);
  const shares = tapFrequency({ ...SMALL_LAYER, tiles });
  // Against the expanded mask, kernel by kernel.
  for (let t = 0; t < 9; t++) {
    let kept = 0;
    for (let i = 0; i < 5; i++) for (let o = 0; o < 7; o++) kept += data[(t * 5 + i) * 7 + o]!;
    assert.ok(Math.abs(shares[t]! - kept / 35) < 1e-12, `tap ${t}: ${shares[t]} vs ${kept / 35}`);
  }
  const keptAll = data.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(shares.reduce((a, b) => a + b, 0) * 35 - keptAll) < 1e-9);
});
