/**
 * Bring-your-own tfjs layers model: read the discrete reference net's parameters out of a model.json
 * (+ weights) of the supported shape — the one tfjs-export.ts writes: EdgePadding2D → Conv2D(relu) →
 * AveragePooling2D ×3 → Cropping2D → Flatten → Dense, with the input normalisation folded into conv1 —
 * so it can be converted to an integral net (compression/conversion.ts: permutation + exact initialisation).
 * Anything else is refused with the layer and the problem named.
 */
import type { ParameterTensor } from "../compression/parameters.js";
import { REFERENCE_CONVS } from "../models/reference.js";
import { EDGE_PADDING_CLASS } from "./tfjs-export.js";
import { checkWeightBytes, checkWeightsManifest } from "./tfjs-manifest.js";

/** The layer classes, in order, of a supported model. */
const EXPECTED = [
  ...REFERENCE_CONVS.flatMap(() => [EDGE_PADDING_CLASS, "Conv2D", "AveragePooling2D"]),
  "Cropping2D",
  "Flatten",
  "Dense",
];

/**
 * Parameters (names as the discrete net's: conv1.weight … dense.bias, normalisation unfolded) and the
 * input shape of a tfjs layers model. `modelJson` is the parsed model.json; `weights` its weights.bin.
 */
export function referenceParamsFromTfjs(
  modelJson: unknown,
  weights: ArrayBuffer,
  source = "model.json",
): { params: ParameterTensor[]; input: { height: number; width: number; channels: number; classes: number } } {
  const fail = (problem: string): never => {
    throw new Error(`${source}: ${problem}`);
  };
  const json = modelJson as {
    modelTopology?: {
      class_name?: string;
      config?: { layers?: { class_name?: string; config?: Record<string, unknown> }[] };
    };
    weightsManifest?: unknown;
  };
  if (!json || typeof json !== "object") fail("not a JSON object");
  const topology = json.modelTopology;
  if (!topology || typeof topology !== "object") fail(`no "modelTopology": not a tfjs layers model`);
  const layers = topology!.config?.layers;
  if (topology!.class_name !== "Sequential" || !Array.isArray(layers))
    fail(`only Sequential models are supported, got ${JSON.stringify(topology!.class_name)}`);
  const layerClasses = layers!.map((l) => l?.class_name);
  if (layerClasses.join() !== EXPECTED.join())
    fail(
      `unsupported layers [${layerClasses.join(", ")}]; supported: the reference net as exported by this site [${EXPECTED.join(", ")}]`,
    );
  const inputShape = layers![0].config?.batch_input_shape as number[] | undefined;
  if (!Array.isArray(inputShape) || inputShape.length !== 4)
    fail("the first layer has no batch_input_shape [null, height, width, channels]");
  const [, height, width, channels] = inputShape!;
  REFERENCE_CONVS.forEach((conv, i) => {
    const pad = layers![3 * i].config?.padding;
    if (pad !== conv.pad)
      fail(`layer ${3 * i} (${EDGE_PADDING_CLASS}) has padding ${JSON.stringify(pad)}, expected ${conv.pad}`);
    const c = layers![3 * i + 1].config ?? {};
    if (c.activation !== "relu" || c.padding !== "valid" || c.use_bias !== true)
      fail(`layer ${3 * i + 1} (Conv2D) must be valid-padded, with bias and relu`);
  });
  const specs = checkWeightsManifest(json.weightsManifest, source).flatMap((g) => g.weights);
  const names = [
    ...REFERENCE_CONVS.flatMap((c) => [`${c.name}/kernel`, `${c.name}/bias`]),
    "dense/kernel",
    "dense/bias",
  ];
  if (specs.length !== names.length)
    fail(`expected ${names.length} weight tensors in weightsManifest, found ${specs.length}`);
  for (const s of specs)
    if (s.dtype !== "float32" || s.quantization)
      fail(`weight "${s.name}" has dtype ${s.quantization?.dtype ?? s.dtype}; only float32 is supported`);
  const byName = (layerName: string) => {
    const i = specs.findIndex((s) => s.name.replace(/_\d+(?=\/)/, "") === layerName);
    return i >= 0 ? i : fail(`weight "${layerName}" not found (have ${specs.map((s) => s.name).join(", ")})`);
  };
  // Shapes are checked against the architecture before any byte is read, so a wrong shape is reported as
  // such and not as a weights file of the wrong length. A layer's width is its bias's length.
  const outOf = (bias: number) => {
    const shape = specs[bias].shape;
    if (shape.length !== 1 || shape[0] < 1)
      fail(`weight "${specs[bias].name}" has shape [${shape}], expected one dim [out]`);
    return shape[0];
  };
  const expect = (i: number, expected: number[]) => {
    if (specs[i].shape.join() !== expected.join())
      fail(`weight "${specs[i].name}" expects [${expected}], got [${specs[i].shape}]`);
  };
  const layout: { name: string; kernel: number; bias: number }[] = [];
  let inC = channels;
  for (const conv of REFERENCE_CONVS) {
    const k = byName(`${conv.name}/kernel`);
    const b = byName(`${conv.name}/bias`);
    const out = outOf(b);
    expect(k, [conv.kernel, conv.kernel, inC, out]);
    layout.push({ name: conv.name, kernel: k, bias: b });
    inC = out;
  }
  const dk = byName("dense/kernel");
  const db = byName("dense/bias");
  const classes = outOf(db);
  expect(dk, [inC, classes]);
  checkWeightBytes(weights.byteLength, specs, source);
  let offset = 0;
  const values = specs.map((s) => {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const v = new Float32Array(n);
    const view = new DataView(weights, offset, 4 * n);
    for (let k = 0; k < n; k++) {
      v[k] = view.getFloat32(4 * k, true);
      if (!Number.isFinite(v[k])) fail(`weight "${s.name}" holds ${v[k]} at index ${k}`);
    }
    offset += 4 * n;
    return v;
  });
  const params: ParameterTensor[] = [];
  for (const { name, kernel, bias: b } of layout) {
    const shape = specs[kernel].shape;
    let w = values[kernel];
    let bias = values[b];
    if (name === "conv1") {
      // Unfold the normalisation x → 2x − 1 the exporter folded in: W = W'/2, b = b' + Σ W.
      const out = shape[3];
      w = Float32Array.from(w, (v) => v / 2);
      const sums = new Float64Array(out);
      w.forEach((v, idx) => (sums[idx % out] += v));
      bias = Float32Array.from(bias, (v, o) => v + sums[o]);
    }
    params.push(
      { name: `${name}.weight`, shape: shape.slice(), values: w },
      { name: `${name}.bias`, shape: [shape[3]], values: bias },
    );
  }
  params.push(
    { name: "dense.weight", shape: specs[dk].shape.slice(), values: values[dk] },
    { name: "dense.bias", shape: specs[db].shape.slice(), values: values[db] },
  );
  return { params, input: { height, width, channels, classes } };
}
