import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../../loaders/backend.js";
import { assignParameters, readParameters } from "../../../src/lib/compression/parameters.js";
import { referenceChannelLayout } from "../../../src/lib/compression/channel-layout.js";
import {
  deadChannels,
  pruneReferenceNet,
  PrunedReferenceNet,
  selectChannels,
} from "../../../src/lib/compression/pruning.js";
import { ReferenceNet } from "../../../src/lib/models/reference.js";
import { mulberry32 } from "../../../src/lib/random.js";
import { uniformImages } from "../helpers/tensors.js";

before(async () => {
  await initBackend("cpu");
});

const input = { height: 16, width: 16, channels: 1, classes: 10 };

const images = uniformImages;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

test("L1 selection keeps the producer filters with the largest L1 norms", () => {
  const net = new ReferenceNet(input, 1);
  const params = readParameters(net);
  const w = params.find((p) => p.name === "conv1.weight")!;
  // Channel c of conv1 gets L1 norm 9·|c − 7.2|: the largest are 15, 0, 14, 1, 13 …
  for (let tap = 0; tap < 9; tap++)
    for (let c = 0; c < 16; c++) w.values[tap * 16 + c] = (tap % 2 ? -1 : 1) * Math.abs(c - 7.2);
  const keep = selectChannels(params, referenceChannelLayout(), { conv1: 5 }, "l1");
  assert.deepEqual(Array.from(keep.conv1), [0, 1, 13, 14, 15]);
  net.dispose();
});

test("a pruned net computes what the full net computes with the dropped channels' filters and biases zeroed", () => {
  const start = tf.memory().numTensors;
  const net = new ReferenceNet(input, 7);
  const sizes = { conv1: 9, conv2: 13, conv3: 20 };
  for (const method of ["l1", "random"] as const) {
    const { model, keep } = pruneReferenceNet(net, sizes, { method, random: mulberry32(3) });
    assert.deepEqual(model.widths, [9, 13, 20]);
    // Reference: zero the producer filters and bias of every dropped channel (ReLU(0) = 0, so the
    // consumers see exactly nothing from them) — an independent way to compute the pruned function.
    const masked = new ReferenceNet(input, 0);
    const params = readParameters(net);
    for (const [group, kept] of Object.entries(keep)) {
      const w = params.find((p) => p.name === `${group}.weight`)!;
      const b = params.find((p) => p.name === `${group}.bias`)!;
      const n = b.values.length;
      const set = new Set(kept);
      for (let k = 0; k < w.values.length; k++) if (!set.has(k % n)) w.values[k] = 0;
      for (let c = 0; c < n; c++) if (!set.has(c)) b.values[c] = 0;
    }
    assignParameters(masked, params);
    const x = images(5, 4);
    const [a, b] = [model, masked].map((m) => m.apply(x, { training: false }));
    const scale = Math.max(...Array.from(b.dataSync(), Math.abs));
    assert.ok(scale > 1e-3);
    assert.ok(
      maxAbsDiff(a.dataSync(), b.dataSync()) <= 1e-5 * scale,
      `${method}: pruned net differs from the masked net`,
    );
    tf.dispose([x, a, b]);
    masked.dispose();
    model.dispose();
  }
  net.dispose();
  assert.equal(tf.memory().numTensors, start);
});

test("pruning to full size reproduces the net; random selection is seeded and distinct", () => {
  const net = new ReferenceNet(input, 2);
  const { model } = pruneReferenceNet(net, { conv1: 16, conv2: 32, conv3: 64 }, { method: "l1" });
  const x = images(1, 3);
  const [a, b] = [net, model].map((m) => m.apply(x, { training: false }));
  assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
  tf.dispose([x, a, b]);
  model.dispose();
  const params = readParameters(net);
  const r1 = selectChannels(params, referenceChannelLayout(), { conv3: 10 }, "random", { random: mulberry32(4) });
  const r2 = selectChannels(params, referenceChannelLayout(), { conv3: 10 }, "random", { random: mulberry32(4) });
  const r3 = selectChannels(params, referenceChannelLayout(), { conv3: 10 }, "random", { random: mulberry32(5) });
  assert.deepEqual(r1, r2);
  assert.notDeepEqual(r1, r3);
  assert.equal(new Set(r1.conv3).size, 10);
  assert.throws(
    () => selectChannels(params, referenceChannelLayout(), { conv3: 10 }, "random"),
    /needs options.random/,
  );
  assert.throws(() => selectChannels(params, referenceChannelLayout(), { conv9: 10 }, "l1"), /unknown group "conv9"/);
  assert.throws(() => selectChannels(params, referenceChannelLayout(), { conv1: 17 }, "l1"), /keep 17 of 16/);
  net.dispose();
});

test("deadChannels finds channels that never activate", () => {
  const net = new ReferenceNet(input, 3);
  const params = readParameters(net);
  params.find((p) => p.name === "conv1.bias")!.values[4] = -100;
  params.find((p) => p.name === "conv2.bias")!.values[30] = -1000;
  const model = new PrunedReferenceNet(input, params);
  const x = images(2, 8);
  const dead = deadChannels(model, x);
  assert.deepEqual(dead[0], [4]);
  assert.ok(dead[1].includes(30));
  tf.dispose(x);
  model.dispose();
  net.dispose();
  assert.throws(
    () =>
      new PrunedReferenceNet(
        input,
        params.map((p) => (p.name === "conv2.weight" ? { ...p, shape: [5, 5, 15, 32] } : p)),
      ),
    /conv2.weight has shape \[5,5,15,32\], expected \[5,5,16,32\]/,
  );
});
