/**
 * The wasm training kernels (src/lib/kernels) against the cpu backend on the same inputs: kernel by kernel
 * through the engine, and end to end through tf.grads. Tolerance: 1e-4 of the cpu result's largest magnitude.
 */
import "@tensorflow/tfjs"; // registers the gradients (tfjs-core's ESM register_all_gradients cannot load in Node)
import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { initBackend } from "../../../loaders/backend.js";
import { assertClose, convOutShape, input, runOn, type Input, type Pad } from "../helpers/kernel-parity.js";
import {
  registeredTrainingKernels,
  registerTrainingKernels,
  useComposedKernel,
} from "../../../src/lib/kernels/register.js";

before(async () => {
  // The wasm engine: these are the composites' tests (the native engine registers in front of them).
  await initBackend("wasm", { engine: "wasm" });
});

const pads: Pad[] = [
  "same",
  "valid",
  1,
  [
    [0, 0],
    [1, 2],
    [0, 1],
    [0, 0],
  ],
];
const stridesList: [number, number][] = [
  [1, 1],
  [2, 2],
  [2, 1],
];

describe("Conv2DBackpropFilter and Conv2DBackpropInput match the cpu backend", () => {
  // Patch sizes 3·2·3 = 18 (im2col path) and 3·3·5 = 45 (convolution path); non-square kernels and inputs.
  const cases = [
    { x: [2, 9, 7, 3], filter: [3, 2, 3, 4] },
    { x: [3, 8, 11, 5], filter: [3, 3, 5, 6] },
    { x: [2, 6, 5, 1], filter: [5, 3, 1, 2] },
  ];
  for (const { x, filter } of cases) {
    for (const strides of stridesList) {
      for (const pad of pads) {
        const label = `x [${x}] filter [${filter}] strides [${strides}] pad ${JSON.stringify(pad)}`;
        test(label, () => {
          const dyShape = convOutShape(x, filter, strides, pad, false);
          const xIn = input(x, 1),
            dyIn = input(dyShape, 2),
            wIn = input(filter, 3);
          const dwAttrs = { strides, pad, dataFormat: "NHWC", filterShape: filter };
          assertClose(
            runOn("wasm", "Conv2DBackpropFilter", { x: xIn, dy: dyIn }, dwAttrs),
            runOn("cpu", "Conv2DBackpropFilter", { x: xIn, dy: dyIn }, dwAttrs),
            `dW ${label}`,
          );
          const dxAttrs = { strides, pad, dataFormat: "NHWC", inputShape: x };
          assertClose(
            runOn("wasm", "Conv2DBackpropInput", { dy: dyIn, filter: wIn }, dxAttrs),
            runOn("cpu", "Conv2DBackpropInput", { dy: dyIn, filter: wIn }, dxAttrs),
            `dX ${label}`,
          );
        });
      }
    }
  }
});

/**
 * A depth-wise conv with dilation d equals one with the filter spread out by d (zeros between taps). The cpu
 * backend's depth-wise backprops ignore dilations, so dilated cases are checked against that identity.
 */
function spreadFilter(w: Input, [dh, dw]: [number, number]): Input {
  const [kh, kw, c, m] = w.shape;
  const ekh = (kh - 1) * dh + 1,
    ekw = (kw - 1) * dw + 1;
  const out = new Float32Array(ekh * ekw * c * m);
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++)
      for (let q = 0; q < c * m; q++) {
        out[(i * dh * ekw + j * dw) * c * m + q] = w.values[(i * kw + j) * c * m + q];
      }
  return { values: out, shape: [ekh, ekw, c, m] };
}

function takeTaps(
  spread: { values: Float32Array; shape: number[] },
  [kh, kw]: [number, number],
  [dh, dw]: [number, number],
) {
  const [, ekw, c, m] = spread.shape;
  const out = new Float32Array(kh * kw * c * m);
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++)
      for (let q = 0; q < c * m; q++) {
        out[(i * kw + j) * c * m + q] = spread.values[(i * dh * ekw + j * dw) * c * m + q];
      }
  return { values: out, shape: [kh, kw, c, m] };
}

describe("DepthwiseConv2dNativeBackpropFilter and …Input match the cpu backend", () => {
  const cases: { x: number[]; filter: number[]; dilations: [number, number] }[] = [
    { x: [2, 9, 7, 3], filter: [3, 2, 3, 1], dilations: [1, 1] },
    { x: [2, 9, 7, 3], filter: [3, 2, 3, 2], dilations: [1, 1] },
    { x: [3, 10, 8, 2], filter: [2, 3, 2, 2], dilations: [2, 1] },
    { x: [2, 9, 9, 4], filter: [3, 3, 4, 1], dilations: [2, 2] },
  ];
  for (const { x, filter, dilations } of cases) {
    const dilated = dilations[0] > 1 || dilations[1] > 1;
    // tfjs forbids strides > 1 together with dilations > 1.
    for (const strides of dilated ? ([[1, 1]] as [number, number][]) : stridesList) {
      for (const pad of pads) {
        const label = `x [${x}] filter [${filter}] strides [${strides}] dilations [${dilations}] pad ${JSON.stringify(pad)}`;
        test(label, () => {
          const dyShape = convOutShape(x, filter, strides, pad, true, dilations);
          const xIn = input(x, 4),
            dyIn = input(dyShape, 5),
            wIn = input(filter, 6);
          const spread = spreadFilter(wIn, dilations);
          const wasmDw = runOn(
            "wasm",
            "DepthwiseConv2dNativeBackpropFilter",
            { x: xIn, dy: dyIn },
            { strides, pad, dilations, filterShape: filter },
          );
          const cpuDwSpread = runOn(
            "cpu",
            "DepthwiseConv2dNativeBackpropFilter",
            { x: xIn, dy: dyIn },
            { strides, pad, dilations: [1, 1], filterShape: spread.shape },
          );
          assertClose(wasmDw, takeTaps(cpuDwSpread, [filter[0], filter[1]], dilations), `dW ${label}`);
          const wasmDx = runOn(
            "wasm",
            "DepthwiseConv2dNativeBackpropInput",
            { dy: dyIn, filter: wIn },
            { strides, pad, dilations, inputShape: x },
          );
          const cpuDx = runOn(
            "cpu",
            "DepthwiseConv2dNativeBackpropInput",
            { dy: dyIn, filter: spread },
            { strides, pad, dilations: [1, 1], inputShape: x },
          );
          assertClose(wasmDx, cpuDx, `dX ${label}`);
        });
      }
    }
  }
});

describe("AvgPoolGrad composite matches the cpu backend", () => {
  const cases: { x: number[]; filterSize: [number, number]; strides: [number, number]; pad: "valid" | "same" }[] = [
    { x: [3, 8, 6, 5], filterSize: [2, 2], strides: [2, 2], pad: "valid" },
    { x: [2, 7, 9, 3], filterSize: [2, 2], strides: [2, 2], pad: "valid" }, // leftover row and column
    { x: [2, 9, 8, 3], filterSize: [3, 2], strides: [3, 2], pad: "valid" },
    { x: [2, 7, 7, 3], filterSize: [3, 3], strides: [2, 2], pad: "same" }, // overlapping: the wasm kernel
  ];
  for (const { x, filterSize, strides, pad } of cases) {
    test(`x [${x}] filter [${filterSize}] strides [${strides}] ${pad}`, () => {
      const outShape = tf.backend_util.computePool2DInfo(
        x as [number, number, number, number],
        filterSize,
        strides,
        1,
        pad,
      ).outShape;
      const inputs = { dy: input(outShape, 7), input: input(x, 8) };
      const attrs = { filterSize, strides, pad };
      assertClose(
        runOn("wasm", "AvgPoolGrad", inputs, attrs),
        runOn("cpu", "AvgPoolGrad", inputs, attrs),
        "AvgPoolGrad",
      );
    });
  }
});

describe("UnsortedSegmentSum matches the cpu backend", () => {
  const cases: { label: string; ids: number[]; numSegments: number }[] = [
    { label: "repeated ids", ids: [2, 0, 2, 1, 2, 0], numSegments: 3 },
    { label: "absent ids leave zero rows", ids: [4, 0, 4, 4, 1, 0], numSegments: 6 },
    { label: "negative ids are dropped", ids: [1, -1, 0, 1, -3, 2], numSegments: 3 },
  ];
  for (const { label, ids, numSegments } of cases) {
    for (const dtype of ["float32", "int32"] as const) {
      test(`${label} (${dtype})`, () => {
        const xShape = [ids.length, 3, 2];
        const raw = input(xShape, 9).values;
        const values = dtype === "int32" ? Int32Array.from(raw, (v) => Math.round(v * 100)) : raw;
        const inputs = {
          x: { values, shape: xShape, dtype },
          segmentIds: { values: Int32Array.from(ids), shape: [ids.length], dtype: "int32" as const },
        };
        const wasm = runOn("wasm", "UnsortedSegmentSum", inputs, { numSegments });
        const cpu = runOn("cpu", "UnsortedSegmentSum", inputs, { numSegments });
        assertClose(wasm, cpu, label);
        // And against the definition, so a shared misreading of the semantics cannot pass.
        const row = 6;
        const expected = new Float32Array(numSegments * row);
        ids.forEach((s, i) => {
          if (s >= 0 && s < numSegments) for (let j = 0; j < row; j++) expected[s * row + j] += values[i * row + j];
        });
        assertClose(wasm, { values: expected, shape: [numSegments, 3, 2] }, `${label} (definition)`);
      });
    }
  }
});

describe("Slice and SplitV match the cpu backend", () => {
  const slices: { x: number[]; begin: number[]; size: number[] }[] = [
    { x: [4, 6, 5, 3], begin: [0, 0, 4, 0], size: [4, 6, 1, 3] }, // one column: short blocks
    { x: [4, 6, 5, 3], begin: [1, 2, 1, 0], size: [2, 3, -1, 3] }, // -1 = to the end
    { x: [4, 6, 5, 3], begin: [0, 1, 0, 0], size: [4, 4, 5, 3] }, // whole trailing axes: long blocks
    { x: [4, 6, 5, 3], begin: [0, 0, 0, 1], size: [4, 6, 5, 2] }, // innermost axis cut
    { x: [3, 40, 30], begin: [1, 3, 2], size: [2, 30, 25] }, // blocks ≥ 64 go through typed-array set
    { x: [2, 3, 4, 5, 6], begin: [1, 0, 2, 1, 0], size: [1, 3, 2, 3, 6] },
    { x: [10], begin: [3], size: [5] },
  ];
  for (const { x, begin, size } of slices) {
    for (const dtype of ["float32", "int32"] as const) {
      test(`Slice x [${x}] begin [${begin}] size [${size}] (${dtype})`, () => {
        const raw = input(x, 15).values;
        const values = dtype === "int32" ? Int32Array.from(raw, (v) => Math.round(v * 1000)) : raw;
        const inputs = { x: { values, shape: x, dtype } };
        assertClose(
          runOn("wasm", "Slice", inputs, { begin, size }),
          runOn("cpu", "Slice", inputs, { begin, size }),
          "Slice",
        );
      });
    }
  }
  const splits: { x: number[]; numOrSizeSplits: number | number[]; axis: number }[] = [
    { x: [3, 8, 7, 4], numOrSizeSplits: [2, 1, 3, 1], axis: 2 },
    { x: [3, 8, 7, 4], numOrSizeSplits: 4, axis: 1 },
    { x: [3, 8, 7, 4], numOrSizeSplits: [1, -1], axis: 3 },
  ];
  for (const { x, numOrSizeSplits, axis } of splits) {
    test(`SplitV x [${x}] splits ${JSON.stringify(numOrSizeSplits)} axis ${axis}`, () => {
      const pieces = (backend: string) => {
        tf.setBackend(backend);
        const t = tf.tensor(input(x, 16).values, x);
        const before = tf.memory().numTensors;
        const out = tf.split(t, numOrSizeSplits, axis);
        const result = out.map((p) => ({ values: Float32Array.from(p.dataSync()), shape: p.shape }));
        tf.dispose(out);
        assert.equal(tf.memory().numTensors, before, `SplitV on ${backend} leaked`);
        t.dispose();
        return result;
      };
      const wasm = pieces("wasm");
      const cpu = pieces("cpu");
      assert.equal(wasm.length, cpu.length);
      wasm.forEach((p, i) => assertClose(p, cpu[i], `piece ${i}`));
    });
  }
});

describe("gradients through the registered kernels", () => {
  test("tf.grads of a small conv / depth-wise / avg-pool / gather net equal the cpu backend's", async () => {
    const xIn = input([2, 10, 9, 2], 11),
      w1In = input([3, 3, 2, 4], 12),
      w2In = input([3, 2, 4, 2], 13);
    const table = input([6, 5], 14);
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const tensors = [xIn, w1In, w2In, table].map((t) => tf.tensor(t.values, t.shape));
      const ids = tf.tensor1d([3, 1, 3, 0, 5], "int32");
      const f = (x: tf.Tensor, w1: tf.Tensor, w2: tf.Tensor, emb: tf.Tensor): tf.Scalar => {
        const h = tf.relu(tf.conv2d(x as tf.Tensor4D, w1 as tf.Tensor4D, 2, "same"));
        const d = tf.depthwiseConv2d(h, w2 as tf.Tensor4D, 1, "valid");
        const p = tf.avgPool(d, 2, 2, "valid");
        return tf.add(tf.sum(tf.square(p)), tf.sum(tf.square(tf.gather(emb, ids)))) as tf.Scalar;
      };
      const grads = tf.grads(f)(tensors);
      const values = grads.map((g) => ({ values: Float32Array.from(g.dataSync()), shape: g.shape }));
      tf.dispose([...grads, ...tensors, ids]);
      assert.equal(tf.memory().numTensors, before, `gradients on ${backend} leaked tensors`);
      return values;
    };
    const wasm = await run("wasm");
    const cpu = await run("cpu");
    await tf.setBackend("wasm");
    ["x", "w1", "w2", "embedding"].forEach((name, i) => assertClose(wasm[i], cpu[i], `d/d${name}`));
  });
});

describe("Identity and same-dtype Cast share the input's data", () => {
  test("the copy reads the same values, takes no new buffer, and outlives its input", () => {
    tf.setBackend("wasm");
    const x = tf.tensor([1.5, -2, 3], [3]);
    const buffers = tf.engine().backend.numDataIds();
    const copies = [tf.clone(x), tf.cast(x, "float32")];
    assert.equal(tf.engine().backend.numDataIds(), buffers, "no new buffer");
    x.dispose();
    for (const c of copies) assert.deepEqual(Array.from(c.dataSync()), [1.5, -2, 3]);
    const ints = tf.cast(copies[0], "int32");
    assert.deepEqual(Array.from(ints.dataSync()), [1, -2, 3], "a real cast still converts");
    tf.dispose([...copies, ints]);
    assert.equal(tf.engine().backend.numDataIds(), buffers - 1, "every reference released");
  });
});

describe("registration", () => {
  test("registers the missing kernels and the composites, idempotently", () => {
    registerTrainingKernels();
    registerTrainingKernels();
    assert.deepEqual(registeredTrainingKernels().sort(), [
      "AvgPoolGrad",
      "Cast",
      "Conv2DBackpropFilter",
      "Conv2DBackpropInput",
      "DepthwiseConv2dNativeBackpropFilter",
      "DepthwiseConv2dNativeBackpropInput",
      "Identity",
      "Slice",
      "SplitV",
      "UnsortedSegmentSum",
    ]);
  });

  test("a kernel the backend already ships is left alone", () => {
    const ours = tf.getKernel(tf.UnsortedSegmentSum, "wasm");
    assert.ok(ours !== undefined);
    const shipped: tf.KernelFunc = () => {
      throw new Error("shipped kernel");
    };
    tf.unregisterKernel(tf.UnsortedSegmentSum, "wasm");
    tf.registerKernel({ kernelName: tf.UnsortedSegmentSum, backendName: "wasm", kernelFunc: shipped });
    try {
      registerTrainingKernels();
      assert.equal(tf.getKernel(tf.UnsortedSegmentSum, "wasm")?.kernelFunc, shipped);
      assert.ok(!registeredTrainingKernels().includes("UnsortedSegmentSum"));
    } finally {
      tf.unregisterKernel(tf.UnsortedSegmentSum, "wasm");
      tf.registerKernel(ours);
    }
  });

  test("the composites can be switched off and on again", () => {
    assert.equal(useComposedKernel("Conv2DBackpropInput", false), true);
    assert.ok(!registeredTrainingKernels().includes("Conv2DBackpropInput"));
    assert.ok(tf.getKernel(tf.Conv2DBackpropInput, "wasm") !== undefined, "the backend's own kernel is back");
    assert.equal(useComposedKernel("Conv2DBackpropInput", true), false);
    assert.ok(registeredTrainingKernels().includes("Conv2DBackpropInput"));
  });
});
