import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs";
import { initBackend } from "../../../loaders/backend.js";
import { rangeAtFraction } from "../../../src/lib/integral/groups.js";
import { PlanBuilder } from "../../../src/lib/graph/plan.js";
import {
  basicBlock,
  bottleneckBlock,
  inceptionBlock,
  ninBlock,
  vggBlock,
  type BlockForm,
} from "../../../src/lib/sinn/blocks.js";
import { IntegralGraphNet } from "../../../src/lib/graph/graph-net.js";
import type { ModelDescription } from "../../../src/lib/integral/description.js";

before(async () => {
  await initBackend("cpu");
});

/** C input channels on a side×side map feed straight into one block, then GAP → dense. */
const C = 8;
const SIDE = 6;
const P = SIDE * SIDE;
const input = { height: SIDE, width: SIDE, channels: C, classes: 3 };

function blockCost(build: (b: PlanBuilder) => string): {
  params: number;
  flops: number;
  description: ModelDescription;
} {
  const b = new PlanBuilder("block-test", input, (size) => rangeAtFraction(size, 0.25));
  const out = build(b);
  const model = new IntegralGraphNet(b.dense("classifier", b.globalAvgPool("gap", out)), 1);
  try {
    const description = model.describe();
    const inBlock = description.nodes.filter((n) => n.block?.id === "blk");
    return {
      params: inBlock.reduce((a, n) => a + n.params, 0),
      flops: inBlock.reduce((a, n) => a + n.flops, 0),
      description,
    };
  } finally {
    model.dispose();
  }
}

// Hand counts: convs have no bias (batch-norm follows); each batch-norm adds γ and β (2 per channel);
// FLOPs = 2 · MACs · output positions; batch-norm, pooling, add and concat cost no FLOPs.

test("NIN-SIB and NIN mlpconv: params and FLOPs by hand", () => {
  const [a, b2, c] = [10, 12, 14];
  const sib = blockCost((b) => ninBlock(b, "blk", "input", { kernel: 3, widths: [a, b2, c] }, "separable"));
  assert.equal(sib.params, 9 * C + 2 * C + C * a + 2 * a + a * b2 + 2 * b2 + b2 * c + 2 * c);
  assert.equal(sib.flops, 2 * P * (9 * C + C * a + a * b2 + b2 * c));
  const full = blockCost((b) => ninBlock(b, "blk", "input", { kernel: 3, widths: [a, b2, c] }, "full"));
  assert.equal(full.params, 9 * C * a + 2 * a + a * b2 + 2 * b2 + b2 * c + 2 * c);
  assert.equal(full.flops, 2 * P * (9 * C * a + a * b2 + b2 * c));
  const kinds = sib.description.nodes
    .filter((n) => n.block?.id === "blk")
    .map((n) => n.kind)
    .filter((k) => k.endsWith("conv2d"));
  assert.deepEqual(kinds, ["depthwise-conv2d", "pointwise-conv2d", "pointwise-conv2d", "pointwise-conv2d"]);
  assert.equal(sib.description.nodes.find((n) => n.block)?.block?.kind, "NIN-SIB");
});

test("VGG-SIB: params and FLOPs by hand; the pool halves the map", () => {
  const w = 16;
  const sib = blockCost((b) => vggBlock(b, "blk", "input", { widths: [w, w] }, "separable"));
  assert.equal(sib.params, 9 * C + 2 * C + C * w + 2 * w + 9 * w + 2 * w + w * w + 2 * w);
  assert.equal(sib.flops, 2 * P * (9 * C + C * w + 9 * w + w * w));
  const pool = sib.description.nodes.find((n) => n.id === "blk.pool");
  assert.deepEqual(pool?.outputShape, [SIDE / 2, SIDE / 2, w]);
});

test("Inception-SIB: params and FLOPs by hand; concat is a composite of the four branch groups", () => {
  const [b1, r2, o2, r3, o3, b4] = [4, 6, 8, 3, 5, 7];
  const sib = blockCost((b) => inceptionBlock(b, "blk", "input", { b1, b2: [r2, o2], b3: [r3, o3], b4 }, "separable"));
  const bn = (c: number) => 2 * c;
  assert.equal(
    sib.params,
    C * b1 +
      bn(b1) +
      C * r2 +
      bn(r2) +
      9 * r2 +
      bn(r2) +
      r2 * o2 +
      bn(o2) +
      C * r3 +
      bn(r3) +
      25 * r3 +
      bn(r3) +
      r3 * o3 +
      bn(o3) +
      C * b4 +
      bn(b4),
  );
  assert.equal(sib.flops, 2 * P * (C * b1 + C * r2 + 9 * r2 + r2 * o2 + C * r3 + 25 * r3 + r3 * o3 + C * b4));
  const concat = sib.description.nodes.find((n) => n.kind === "concat");
  assert.deepEqual(concat?.outputShape, [SIDE, SIDE, b1 + o2 + o3 + b4]);
  const group = sib.description.groups.find((g) => g.id === concat?.group);
  assert.deepEqual(group?.parts, ["blk.b1", "blk.b2", "blk.b3", "blk.b4"]);
});

test("ResNet18-SIB with a strided projection: params and FLOPs by hand; add joins one group", () => {
  const o = 12;
  const Q = Math.ceil(SIDE / 2) ** 2;
  for (const form of ["separable", "full"] as BlockForm[]) {
    const cost = blockCost((b) => basicBlock(b, "blk", "input", { out: o, stride: 2 }, form));
    const shortcut = C * o + 2 * o;
    if (form === "separable") {
      assert.equal(cost.params, shortcut + 9 * C + 2 * C + C * o + 2 * o + 9 * o + 2 * o + o * o + 2 * o);
      assert.equal(cost.flops, 2 * Q * (C * o + 9 * C + C * o + 9 * o + o * o));
    } else {
      assert.equal(cost.params, shortcut + 9 * C * o + 2 * o + 9 * o * o + 2 * o);
      assert.equal(cost.flops, 2 * Q * (C * o + 9 * C * o + 9 * o * o));
    }
    const add = cost.description.nodes.find((n) => n.kind === "add");
    const [x, y] = (add?.inputs ?? []).map((id) => cost.description.nodes.find((n) => n.id === id));
    assert.equal(x?.group, y?.group);
    assert.deepEqual(x?.outputShape, y?.outputShape);
  }
});

test("ResNet50-SIB with identity shortcut: params and FLOPs by hand; the output stays in the input's group", () => {
  const m = 4;
  const sib = blockCost((b) => bottleneckBlock(b, "blk", "input", { mid: m, out: C }, "separable"));
  assert.equal(sib.params, C * m + 2 * m + 9 * m + 2 * m + m * C + 2 * C);
  assert.equal(sib.flops, 2 * P * (C * m + 9 * m + m * C));
  const add = sib.description.nodes.find((n) => n.kind === "add");
  assert.equal(add?.group, "image");
  assert.deepEqual(add?.inputs.slice().sort(), ["blk.expand.bn", "input"]);
  const full = blockCost((b) => bottleneckBlock(b, "blk", "input", { mid: m, out: C }, "full"));
  assert.equal(full.params, C * m + 2 * m + 9 * m * m + 2 * m + m * C + 2 * C);
});

test("plans reject inconsistent graphs with clear messages", () => {
  const b = new PlanBuilder("bad", input, (s) => ({ min: s, max: s }));
  const g = b.group("a", 4);
  const x = b.pointwise("p", "input", g);
  assert.throws(() => b.addNodes("sum", x, "input"), /add "sum" joins groups "a" and "image"/);
  assert.throws(() => b.group("a", 4), /duplicate group "a"/);
  assert.throws(() => b.relu("r", "nowhere"), /unknown node "nowhere"/);
  assert.throws(
    () => b.inBlock({ id: "x", kind: "k" }, () => b.inBlock({ id: "y", kind: "k" }, () => 0)),
    /opened inside block "x"/,
  );
});
