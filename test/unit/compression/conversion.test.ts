import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../../loaders/backend.js";
import { assignParameters, readParameters } from "../../../src/lib/compression/parameters.js";
import { channelOrders, convertReferenceNet, permuteChannels } from "../../../src/lib/compression/conversion.js";
import { groupSlices, referenceChannelLayout } from "../../../src/lib/compression/channel-layout.js";
import { channelDistanceMatrix, totalVariation } from "../../../src/lib/compression/permutation.js";
import { ReferenceNet } from "../../../src/lib/models/reference.js";
import { mulberry32, type Random } from "../../../src/lib/random.js";

before(async () => {
  await initBackend("cpu");
});

const input = { height: 16, width: 16, channels: 1, classes: 10 };

/**
 * Values in {−1, 0, 1} · 2^-bits (with binary images): every product and partial sum in the net is a
 * multiple of a power of two with few significant bits, so float32 arithmetic is exact in any order.
 */
function dyadic(random: Random, n: number, bits: number, range = 4): Float32Array {
  return Float32Array.from({ length: n }, () => Math.round((random() * 2 - 1) * range) / 2 ** bits);
}

function dyadicNet(seed: number): ReferenceNet {
  const net = new ReferenceNet(input, seed);
  const random = mulberry32(seed + 100);
  assignParameters(
    net,
    readParameters(net).map((p) => ({ ...p, values: dyadic(random, p.values.length, 2, 1) })),
  );
  return net;
}

function images(random: Random, batch: number, bits = 3): tf.Tensor4D {
  return tf.tensor4d(
    Float32Array.from({ length: batch * 16 * 16 }, () => Math.round(random() * 2 ** bits) / 2 ** bits),
    [batch, 16, 16, 1],
  );
}

test("channel permutation preserves the discrete net's function exactly (bit for bit on exact arithmetic)", () => {
  const start = tf.memory().numTensors;
  const net = dyadicNet(3);
  const layout = referenceChannelLayout();
  const params = readParameters(net);
  const orders = channelOrders(params, layout, { restarts: 5 });
  for (const o of orders)
    assert.ok(
      o.order.some((c, k) => c !== k),
      `group ${o.group} kept the identity order, the test would be vacuous`,
    );
  const permuted = new ReferenceNet(input, 0);
  assignParameters(permuted, permuteChannels(params, layout, orders));
  // The parameters really moved …
  assert.notDeepEqual(
    Array.from(permuted.parameters.conv2.weight.dataSync()),
    Array.from(net.parameters.conv2.weight.dataSync()),
  );
  // … and the function did not.
  const x = images(mulberry32(9), 6, 0);
  const a = net.apply(x, { training: false });
  const b = permuted.apply(x, { training: false });
  assert.deepEqual(Array.from(b.dataSync()), Array.from(a.dataSync()));
  // Sanity: the logits are not trivially zero.
  assert.ok(Array.from(a.dataSync()).some((v) => Math.abs(v) > 1e-3));
  tf.dispose([x, a, b]);
  net.dispose();
  permuted.dispose();
  assert.equal(tf.memory().numTensors, start);
});

test("TV does not increase, and the reported TV after is the TV of the permuted parameters", () => {
  const net = new ReferenceNet(input, 11);
  const layout = referenceChannelLayout();
  const params = readParameters(net);
  const orders = channelOrders(params, layout, { restarts: 10 });
  const permuted = permuteChannels(params, layout, orders);
  for (const [k, o] of orders.entries()) {
    assert.ok(o.tvAfter <= o.tvBefore, `${o.group}: TV rose from ${o.tvBefore} to ${o.tvAfter}`);
    assert.ok(o.tvAfter < o.tvBefore, `${o.group}: 2-opt found no improvement on random channels (${o.tvBefore})`);
    const identity = Int32Array.from({ length: o.channels }, (_, i) => i);
    const before = totalVariation(channelDistanceMatrix(groupSlices(params, layout[k])), identity);
    const after = totalVariation(channelDistanceMatrix(groupSlices(permuted, layout[k])), identity);
    assert.ok(Math.abs(before - o.tvBefore) < 1e-9 * before);
    assert.ok(
      Math.abs(after - o.tvAfter) < 1e-6 * after,
      `${o.group}: recomputed TV ${after} vs reported ${o.tvAfter}`,
    );
  }
  net.dispose();
});

test("reordering recovers a smooth channel order that was scrambled", () => {
  // conv1's filters are a smooth function of the channel coordinate, stored in a scrambled order.
  const net = new ReferenceNet(input, 2);
  const params = readParameters(net);
  const scramble = [5, 12, 0, 9, 3, 15, 7, 1, 10, 14, 2, 8, 13, 4, 11, 6];
  const w = params.find((p) => p.name === "conv1.weight")!;
  for (let tap = 0; tap < 9; tap++)
    for (let o = 0; o < 16; o++) w.values[tap * 16 + o] = Math.sin(0.2 * scramble[o] + tap);
  const b = params.find((p) => p.name === "conv1.bias")!;
  for (let o = 0; o < 16; o++) b.values[o] = 0.05 * scramble[o];
  // Make the consumer slices constant so only the smooth filters decide the order.
  const w2 = params.find((p) => p.name === "conv2.weight")!;
  w2.values.fill(0.01);
  const [o1] = channelOrders(params, referenceChannelLayout().slice(0, 1), { restarts: 20 });
  const recovered = Array.from(o1.order, (c) => scramble[c]);
  const ascending = Array.from({ length: 16 }, (_, i) => i);
  assert.ok(
    recovered.join() === ascending.join() || recovered.join() === ascending.reverse().join(),
    `expected the smooth order (either direction), got ${recovered}`,
  );
  net.dispose();
});

test("convertReferenceNet: the integral net at full size computes what the permuted and the original nets compute", () => {
  const start = tf.memory().numTensors;
  const net = new ReferenceNet(input, 4);
  const { inn, permuted, groups } = convertReferenceNet(net, { restarts: 3 });
  assert.deepEqual(
    groups.map((g) => g.group),
    ["conv1", "conv2", "conv3"],
  );
  const x = images(mulberry32(1), 5);
  const outputs = [net, permuted, inn].map((m) => m.apply(x, { training: false }));
  const [a, b, c] = outputs.map((t) => t.dataSync());
  tf.dispose(outputs);
  let scale = 0;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(a[i]));
  for (let i = 0; i < a.length; i++) {
    assert.ok(Math.abs(b[i] - a[i]) <= 1e-5 * scale, `permuted differs at ${i}: ${b[i]} vs ${a[i]}`);
    assert.ok(Math.abs(c[i] - a[i]) <= 1e-5 * scale, `integral differs at ${i}: ${c[i]} vs ${a[i]}`);
  }
  // The original is untouched.
  assert.deepEqual(
    Array.from(net.parameters.conv1.weight.dataSync()),
    Array.from(new ReferenceNet(input, 4).parameters.conv1.weight.dataSync()),
  );
  tf.dispose(x);
  inn.dispose();
  permuted.dispose();
  net.dispose();
  // (the throwaway ReferenceNet above holds 8 variables)
  assert.equal(tf.memory().numTensors, start + 8);
});

test("bad layouts and parameters get clear errors", () => {
  const net = new ReferenceNet(input, 1);
  const params = readParameters(net);
  assert.throws(
    () =>
      permuteChannels(
        params,
        [{ group: "g", members: [{ parameter: "nope", axis: 0, role: "bias" }] }],
        [{ group: "g", channels: 1, order: Int32Array.of(0), tvBefore: 0, tvAfter: 0 }],
      ),
    /unknown parameter "nope"/,
  );
  assert.throws(() => assignParameters(net, params.slice(1)), /no values for parameter "conv1.weight"/);
  assert.throws(
    () =>
      assignParameters(
        net,
        params.map((p) => (p.name === "dense.bias" ? { ...p, shape: [5] } : p)),
      ),
    /dense.bias" has shape \[5\]/,
  );
  net.dispose();
});
