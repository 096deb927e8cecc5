/**
 * The native engine's kernels (loaders/native, oneDNN) against the tfjs cpu backend: every convolution,
 * depth-wise convolution, pooling and matrix-product configuration the models use, forward and gradients,
 * to 1e-4 of the reference's largest magnitude, with tensor and backend-data leak checks; each case also
 * checks that the native kernel computed it (not the wasm kernel behind it). Cases the addon does not
 * support go to the wasm kernel and still give the cpu's result.
 */
import "@tensorflow/tfjs"; // registers the gradients
import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { initBackend, activeEngine } from "../../loaders/backend.js";
import { loadNativeAddon } from "../../loaders/native/addon.js";
import { nativeKernelCalls } from "../../loaders/native/register.js";
import { edgePaddedConv2d } from "../../src/lib/ops/edge-padded-conv.js";
import { EdgePad, EdgePadGrad, edgePad } from "../../src/lib/ops/edge-pad.js";
import { AdamUpdate, createOptimizer, SgdMomentumUpdate } from "../../src/lib/train/optimizers.js";
import {
  assertClose,
  convOutShape,
  input,
  runOn,
  type Input,
  type Output,
  type Pad,
} from "../unit/helpers/kernel-parity.js";

before(async () => {
  const { addon, reason } = loadNativeAddon();
  if (!addon) throw new Error(`these tests need the native addon: ${reason} (apt-get install -y libdnnl-dev, npm ci)`);
  await initBackend("wasm", { engine: "native" });
  assert.equal(activeEngine(), "native");
});

/** Run `kernel` on the native engine, asserting the native kernel (not its fallback) computed it. */
function runNative(
  kernel: string,
  inputs: Record<string, Input>,
  attrs: object,
  expect: "native" | "fallback" = "native",
) {
  nativeKernelCalls(true);
  const out = runOn("wasm", kernel, inputs, attrs);
  const calls = nativeKernelCalls()[kernel];
  assert.deepEqual(
    calls,
    expect === "native" ? { native: 1, fallback: 0 } : { native: 0, fallback: 1 },
    `${kernel} calls`,
  );
  return out;
}

function parity(kernel: string, inputs: Record<string, Input>, attrs: object, label: string): void {
  assertClose(runNative(kernel, inputs, attrs), runOn("cpu", kernel, inputs, attrs), `${kernel} ${label}`);
}

type Conv = { x: number[]; filter: number[]; strides: [number, number]; pad: Pad; dilations?: [number, number] };

// The models' convolutions: the reference net's 3×3 and 5×5 on edge-padded inputs ("valid"), the SIB stem's
// strided 3×3 (its last row unread: oneDNN's negative far padding), point-wise 1×1 with stride 1 and 2, plus
// "same", explicit and asymmetric padding, non-square filters and a dilation.
const CONVS: Conv[] = [
  { x: [4, 30, 30, 1], filter: [3, 3, 1, 16], strides: [1, 1], pad: "valid" },
  { x: [3, 18, 18, 16], filter: [5, 5, 16, 32], strides: [1, 1], pad: "valid" },
  { x: [3, 11, 11, 32], filter: [5, 5, 32, 64], strides: [1, 1], pad: "valid" },
  { x: [2, 30, 30, 1], filter: [3, 3, 1, 8], strides: [2, 2], pad: "valid" },
  { x: [2, 28, 28, 3], filter: [3, 3, 3, 8], strides: [2, 2], pad: "same" },
  { x: [2, 7, 7, 24], filter: [1, 1, 24, 16], strides: [1, 1], pad: "valid" },
  { x: [2, 7, 7, 24], filter: [1, 1, 24, 32], strides: [2, 2], pad: "valid" },
  { x: [2, 9, 7, 3], filter: [3, 2, 3, 4], strides: [2, 1], pad: "same" },
  // Numeric padding only where tfjs's shape rule holds (it takes the height's filter and stride for both axes).
  { x: [2, 9, 9, 3], filter: [3, 3, 3, 4], strides: [2, 2], pad: 1 },
  {
    x: [2, 9, 8, 5],
    filter: [3, 3, 5, 6],
    strides: [1, 1],
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  },
  { x: [2, 12, 12, 4], filter: [3, 3, 4, 5], strides: [1, 1], pad: "same", dilations: [2, 2] },
];

const label = (c: Conv) =>
  `x [${c.x}] filter [${c.filter}] strides [${c.strides}] pad ${JSON.stringify(c.pad)}` +
  (c.dilations ? ` dilations [${c.dilations}]` : "");

describe("Conv2D, FusedConv2D, Conv2DBackpropInput, Conv2DBackpropFilter", () => {
  for (const c of CONVS) {
    test(label(c), () => {
      const dilations = c.dilations ?? [1, 1];
      const x = input(c.x, 1),
        w = input(c.filter, 2),
        bias = input([c.filter[3]], 3);
      const dy = input(convOutShape(c.x, c.filter, c.strides, c.pad, false, dilations), 4);
      const base = { strides: c.strides, pad: c.pad, dataFormat: "NHWC", dilations };
      parity(tf.Conv2D, { x, filter: w }, base, label(c));
      parity(tf.FusedConv2D, { x, filter: w, bias }, { ...base, activation: "relu" }, label(c));
      if (c.dilations) return; // tfjs has no gradient for dilated 2-D convolutions
      parity(tf.Conv2DBackpropInput, { dy, filter: w }, { ...base, inputShape: c.x }, label(c));
      parity(tf.Conv2DBackpropFilter, { x, dy }, { ...base, filterShape: c.filter }, label(c));
    });
  }

  test("every fused activation, with and without a bias", () => {
    const c = CONVS[1];
    const x = input(c.x, 5),
      w = input(c.filter, 6),
      bias = input([c.filter[3]], 7);
    for (const activation of ["linear", "relu", "relu6", "leakyrelu", "sigmoid", "elu"]) {
      const attrs = {
        strides: c.strides,
        pad: c.pad,
        dataFormat: "NHWC",
        dilations: [1, 1],
        activation,
        leakyreluAlpha: 0.3,
      };
      parity(tf.FusedConv2D, { x, filter: w, bias }, attrs, activation);
      parity(tf.FusedConv2D, { x, filter: w }, attrs, `${activation}, no bias`);
    }
  });
});

type Depthwise = { x: number[]; filter: number[]; strides: [number, number]; pad: Pad; dilations?: [number, number] };

// SIB families: depth-wise 3×3 and 5×5, stride 1 and 2, on edge-padded ("valid") and "same" inputs;
// channel multiplier 2 and a dilation for completeness.
const DEPTHWISE: Depthwise[] = [
  { x: [3, 16, 16, 24], filter: [3, 3, 24, 1], strides: [1, 1], pad: "valid" },
  { x: [3, 11, 11, 16], filter: [5, 5, 16, 1], strides: [1, 1], pad: "valid" },
  { x: [2, 15, 15, 12], filter: [3, 3, 12, 1], strides: [2, 2], pad: "valid" },
  { x: [2, 14, 14, 8], filter: [3, 3, 8, 1], strides: [2, 2], pad: "same" },
  { x: [2, 9, 7, 3], filter: [3, 2, 3, 2], strides: [1, 1], pad: 1 },
  { x: [2, 10, 10, 4], filter: [3, 3, 4, 1], strides: [1, 1], pad: "same", dilations: [2, 2] },
];

describe("DepthwiseConv2dNative, FusedDepthwiseConv2D and their backprops", () => {
  for (const c of DEPTHWISE) {
    test(label(c), () => {
      const dilations = c.dilations ?? [1, 1];
      const x = input(c.x, 11),
        w = input(c.filter, 12),
        bias = input([c.filter[2] * c.filter[3]], 13);
      const dy = input(convOutShape(c.x, c.filter, c.strides, c.pad, true, dilations), 14);
      const base = { strides: c.strides, pad: c.pad, dilations, dataFormat: "NHWC" };
      parity(tf.DepthwiseConv2dNative, { x, filter: w }, base, label(c));
      parity(tf.FusedDepthwiseConv2D, { x, filter: w, bias }, { ...base, activation: "relu" }, label(c));
      // The cpu backend's depth-wise backprops ignore dilations (the wasm suite checks those by identity).
      if (c.dilations) return;
      parity(tf.DepthwiseConv2dNativeBackpropInput, { dy, filter: w }, { ...base, inputShape: c.x }, label(c));
      parity(tf.DepthwiseConv2dNativeBackpropFilter, { x, dy }, { ...base, filterShape: c.filter }, label(c));
    });
  }
});

type Pool = { x: number[]; filterSize: [number, number]; strides: [number, number]; pad: "valid" | "same" };

// The reference net's 2×2 average pooling (even and odd sides), the SIB families' 2×2/2 and 3×3/1 "same"
// max pooling, and an overlapping average pool with padding.
const POOLS: Pool[] = [
  { x: [4, 28, 28, 16], filterSize: [2, 2], strides: [2, 2], pad: "valid" },
  { x: [4, 7, 7, 64], filterSize: [2, 2], strides: [2, 2], pad: "valid" },
  { x: [2, 14, 14, 8], filterSize: [2, 2], strides: [2, 2], pad: "same" },
  { x: [2, 7, 7, 8], filterSize: [3, 3], strides: [1, 1], pad: "same" },
  { x: [2, 9, 8, 3], filterSize: [3, 2], strides: [2, 2], pad: "same" },
];

describe("AvgPool, AvgPoolGrad and MaxPoolGrad (MaxPool stays the wasm backend's)", () => {
  for (const p of POOLS) {
    const name = `x [${p.x}] filter [${p.filterSize}] strides [${p.strides}] ${p.pad}`;
    test(name, () => {
      const attrs = { filterSize: p.filterSize, strides: p.strides, pad: p.pad };
      const x = input(p.x, 21);
      const outShape = tf.backend_util.computePool2DInfo(
        p.x as [number, number, number, number],
        p.filterSize,
        p.strides,
        1,
        p.pad,
      ).outShape;
      const dy = input(outShape, 22);
      parity(tf.AvgPool, { x }, attrs, name);
      parity(tf.AvgPoolGrad, { dy, input: x }, attrs, name);
      const output = runOn("cpu", tf.MaxPool, { x }, attrs);
      parity(tf.MaxPoolGrad, { dy, input: x, output }, { ...attrs, dimRoundingMode: undefined }, name);
    });
  }

  test("MaxPoolGrad sends a tied window's gradient where the cpu backend does (ReLU zeros)", () => {
    const raw = input([2, 8, 8, 4], 23);
    const x: Input = { values: raw.values.map((v) => Math.max(0, v)), shape: raw.shape };
    const attrs = { filterSize: [2, 2], strides: [2, 2], pad: "valid" };
    const output = runOn("cpu", tf.MaxPool, { x }, attrs);
    const dy = input(output.shape, 24);
    parity(tf.MaxPoolGrad, { dy, input: x, output }, attrs, "ties");
  });
});

describe("BatchMatMul and _FusedMatMul", () => {
  const cases: { a: number[]; b: number[]; transposeA: boolean; transposeB: boolean }[] = [
    { a: [128, 64], b: [64, 10], transposeA: false, transposeB: false }, // the reference net's dense layer
    { a: [128, 64], b: [128, 10], transposeA: true, transposeB: false }, // its weight gradient
    { a: [128, 10], b: [64, 10], transposeA: false, transposeB: true }, // its input gradient
    { a: [8, 96, 4], b: [8, 4, 3], transposeA: false, transposeB: false }, // grouped point-wise, batched
    { a: [8, 96, 4], b: [8, 96, 3], transposeA: true, transposeB: false },
    { a: [2, 3, 5, 7], b: [7, 4], transposeA: false, transposeB: false }, // one matrix broadcast
    { a: [9, 5], b: [3, 9, 4], transposeA: true, transposeB: false },
    { a: [3, 17, 33], b: [3, 29, 33], transposeA: false, transposeB: true },
  ];
  for (const c of cases) {
    const name = `a [${c.a}]${c.transposeA ? "ᵀ" : ""} b [${c.b}]${c.transposeB ? "ᵀ" : ""}`;
    test(name, () => {
      const a = input(c.a, 31),
        b = input(c.b, 32);
      const attrs = { transposeA: c.transposeA, transposeB: c.transposeB };
      parity(tf.BatchMatMul, { a, b }, attrs, name);
      const n = c.transposeB ? c.b[c.b.length - 2] : c.b[c.b.length - 1];
      parity(tf._FusedMatMul, { a, b, bias: input([n], 33) }, { ...attrs, activation: "relu" }, name);
    });
  }
});

describe("EdgePad, EdgePadGrad and Sum", () => {
  const pads: { x: [number, number, number, number]; top: number; bottom: number; left: number; right: number }[] = [
    { x: [3, 14, 14, 16], top: 2, bottom: 2, left: 2, right: 2 }, // the reference net's conv2 input
    { x: [2, 7, 6, 3], top: 1, bottom: 3, left: 0, right: 2 },
    { x: [2, 1, 5, 2], top: 1, bottom: 1, left: 1, right: 1 }, // one row: both bands fold into it
  ];
  for (const p of pads) {
    test(`edge pad of [${p.x}] by ${p.top}/${p.bottom}/${p.left}/${p.right} and its gradient, against the slice composite on cpu`, () => {
      const x = input(p.x, 81);
      const attrs = { top: p.top, bottom: p.bottom, left: p.left, right: p.right };
      const padded = runNative(EdgePad, { x }, attrs);
      tf.setBackend("cpu");
      const cpu = tf.tidy(() => {
        const xt = tf.tensor4d(x.values as Float32Array, p.x);
        const dy = tf.tensor(input(padded.shape, 82).values, padded.shape);
        const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(edgePad(t as tf.Tensor4D, attrs), dy)))(xt);
        return [edgePad(xt, attrs), g];
      });
      const [cpuPadded, cpuGrad] = cpu.map((t) => ({ values: Float32Array.from(t.dataSync()), shape: t.shape }));
      tf.dispose(cpu);
      assertClose(padded, cpuPadded, "EdgePad");
      assertClose(runNative(EdgePadGrad, { dy: input(padded.shape, 82) }, attrs), cpuGrad, "EdgePadGrad");
    });
  }

  const sums = [
    { x: [128, 28, 28, 16], axis: [0, 1, 2], keepDims: false }, // a bias gradient
    { x: [3, 5, 7], axis: [0], keepDims: true },
    { x: [6, 10], axis: [1], keepDims: false }, // trailing axes: one sum per row
    { x: [4, 3, 5], axis: [-1, -2], keepDims: true },
  ];
  for (const c of sums) {
    test(`Sum of [${c.x}] over [${c.axis}]${c.keepDims ? ", keepDims" : ""}`, () => {
      parity(tf.Sum, { x: input(c.x, 83) }, { axis: c.axis, keepDims: c.keepDims }, JSON.stringify(c));
    });
  }
  test("Sum over a middle axis goes to the wasm kernel", () => {
    const x = input([4, 5, 6], 84);
    const attrs = { axis: [1], keepDims: false };
    assertClose(runNative(tf.Sum, { x }, attrs, "fallback"), runOn("cpu", tf.Sum, { x }, attrs), "middle axis");
  });
});

describe("AdamUpdate and SgdMomentumUpdate", () => {
  const run = (backend: string, optimizer: "adam" | "sgd") => {
    tf.setBackend(backend);
    const before = tf.memory().numTensors;
    const vars = [input([5, 5, 16, 32], 91), input([32], 92)].map((t) =>
      tf.tidy(() => tf.variable(tf.tensor(t.values, t.shape))),
    );
    const opt = createOptimizer(optimizer, vars, { momentum: 0.9 });
    for (let step = 0; step < 3; step++) {
      const grads = [input([5, 5, 16, 32], 93 + step), input([32], 96 + step)].map((t) => tf.tensor(t.values, t.shape));
      opt.step(grads, optimizer === "adam" ? 0.003 : 0.1);
      tf.dispose(grads);
    }
    const values = vars.map((v) => Float32Array.from(v.dataSync()));
    opt.dispose();
    tf.dispose(vars);
    assert.equal(tf.memory().numTensors, before, `${optimizer} on ${backend} leaked tensors`);
    return values;
  };
  for (const optimizer of ["adam", "sgd"] as const) {
    test(`${optimizer}: three updates give the cpu backend's weights bit for bit, one native call per variable`, () => {
      nativeKernelCalls(true);
      const native = run("wasm", optimizer);
      const kernel = optimizer === "adam" ? AdamUpdate : SgdMomentumUpdate;
      assert.deepEqual(nativeKernelCalls()[kernel], { native: 6, fallback: 0 });
      const cpu = run("cpu", optimizer);
      native.forEach((values, i) => assert.deepEqual(values, cpu[i], `variable ${i}`));
    });
  }
});

describe("gradients through the native kernels equal the cpu backend's", () => {
  const grads = (
    backend: string,
    inputs: Input[],
    f: (...t: tf.Tensor[]) => tf.Scalar,
  ): { values: Output[]; tensors: number } => {
    tf.setBackend(backend);
    const before = tf.memory().numTensors;
    const tensors = inputs.map((t) => tf.tensor(t.values, t.shape));
    const g = tf.grads(f)(tensors);
    const values = g.map((t) => ({ values: Float32Array.from(t.dataSync()), shape: t.shape }));
    tf.dispose([...g, ...tensors]);
    return { values, tensors: tf.memory().numTensors - before };
  };
  const compare = (inputs: Input[], f: (...t: tf.Tensor[]) => tf.Scalar, names: string[]) => {
    nativeKernelCalls(true);
    const native = grads("wasm", inputs, f);
    const ran = Object.values(nativeKernelCalls()).reduce((n, c) => n + c.native, 0);
    const cpu = grads("cpu", inputs, f);
    assert.equal(native.tensors, 0, "no tensor leaked on the native engine");
    assert.ok(ran > 0, "the native kernels ran");
    names.forEach((name, i) => assertClose(native.values[i], cpu.values[i], `d/d${name}`));
  };

  test("the reference net's blocks: edge-padded convs (folded input gradient), ReLU, avg-pool, dense", () => {
    const inputs = [
      input([4, 28, 28, 1], 41),
      input([3, 3, 1, 16], 42),
      input([16], 43),
      input([5, 5, 16, 32], 44),
      input([32], 45),
      input([32 * 7 * 7, 10], 46),
    ];
    compare(
      inputs,
      (x, w1, b1, w2, b2, wd) => {
        const block = (h: tf.Tensor4D, w: tf.Tensor, b: tf.Tensor, pad: number) =>
          tf.avgPool(
            edgePaddedConv2d({ x: h, filter: w as tf.Tensor4D, bias: b as tf.Tensor1D, pad, activation: "relu" }),
            2,
            2,
            "valid",
          );
        const h = block(block(x as tf.Tensor4D, w1, b1, 1), w2, b2, 2);
        const logits = tf.matMul(tf.reshape(h, [4, -1]) as tf.Tensor2D, wd as tf.Tensor2D);
        return tf.sum(tf.square(logits)) as tf.Scalar;
      },
      ["x", "w1", "b1", "w2", "b2", "wDense"],
    );
  });

  test("an SIB-like block: strided conv, depth-wise + bias + ReLU, point-wise, max-pool", () => {
    const inputs = [
      input([2, 16, 16, 3], 51),
      input([3, 3, 3, 8], 52),
      input([3, 3, 8, 1], 53),
      input([8], 54),
      input([1, 1, 8, 12], 55),
    ];
    compare(
      inputs,
      (x, w, dw, db, pw) => {
        let h = tf.relu(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, "same"));
        h = tf.fused.depthwiseConv2d({
          x: h,
          filter: dw as tf.Tensor4D,
          strides: 1,
          pad: "same",
          bias: db,
          activation: "relu",
        });
        h = tf.conv2d(h, pw as tf.Tensor4D, 1, "valid");
        return tf.sum(tf.square(tf.maxPool(h, 2, 2, "same"))) as tf.Scalar;
      },
      ["x", "w", "depthwise", "depthwiseBias", "pointwise"],
    );
  });
});

describe("what the addon does not compute goes to the wasm kernel", () => {
  test("a PReLU-fused convolution and a batch broadcast the addon does not take", () => {
    const c = CONVS[1];
    const x = input(c.x, 61),
      w = input(c.filter, 62),
      bias = input([32], 63),
      alpha = input([32], 64);
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: "NHWC", dilations: [1, 1], activation: "prelu" };
    const inputs = { x, filter: w, bias, preluActivationWeights: alpha };
    assertClose(
      runNative(tf.FusedConv2D, inputs, attrs, "fallback"),
      runOn("cpu", tf.FusedConv2D, inputs, attrs),
      "prelu",
    );

    const broadcast = { a: input([2, 1, 3, 4], 69), b: input([1, 3, 4, 5], 70) };
    const plain = { transposeA: false, transposeB: false };
    assertClose(
      runNative(tf.BatchMatMul, broadcast, plain, "fallback"),
      runOn("cpu", tf.BatchMatMul, broadcast, plain),
      "broadcast batch",
    );
  });

  test("a convolution oneDNN declines (far padding −3) goes to the wasm composite, with the cpu's result", () => {
    const x = input([2, 9, 7, 3], 73),
      dy = input([2, 5, 4, 4], 74),
      w = input([3, 2, 3, 4], 75);
    // Numeric padding 1 with a 3×2 filter and strides [2, 1]: tfjs sizes the width with the height's filter
    // and stride, so 4 output columns read 6 of the 8 padded ones.
    const attrs = { strides: [2, 1], pad: 1, dataFormat: "NHWC" };
    for (const [kernel, inputs, extra] of [
      [tf.Conv2DBackpropFilter, { x, dy }, { filterShape: w.shape }],
      [tf.Conv2DBackpropInput, { dy, filter: w }, { inputShape: x.shape }],
    ] as const) {
      assertClose(
        runNative(kernel, inputs, { ...attrs, ...extra }, "fallback"),
        runOn("cpu", kernel, inputs, { ...attrs, ...extra }),
        kernel,
      );
      assert.match(loadNativeAddon().addon!.lastFailure(), /oneDNN: could not create/);
    }
  });

  test("primitives are cached by shape: repeating a call adds none", () => {
    const { addon } = loadNativeAddon();
    const c = CONVS[2];
    const inputs = { x: input(c.x, 71), filter: input(c.filter, 72) };
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: "NHWC", dilations: [1, 1] };
    runNative(tf.Conv2D, inputs, attrs);
    const cached = addon!.cachedPrimitives();
    const implementation = addon!.lastImplementation();
    runNative(tf.Conv2D, inputs, attrs);
    assert.equal(addon!.cachedPrimitives(), cached);
    // oneDNN names its implementation "kind:isa" (jit:avx512_core, brgconv:avx512_core, gemm:jit, ref:any);
    // which one it picks depends on the CPU, so only the form and its stability are asserted.
    assert.match(implementation, /^[a-z0-9_]+:[a-z0-9_]+$/);
    assert.equal(addon!.lastImplementation(), implementation);
  });
});
