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

export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype?: string;
}

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
    weightsManifest?: { weights?: TfjsWeightSpec[] }[];
  };
  if (!json || typeof json !== "object") fail("not a JSON object");
  const topology = json.modelTopology;
  if (!topology || typeof topology !== "object") fail(`no "modelTopology": not a tfjs layers model`);
  const layers = topology!.config?.layers;
  if (topology!.class_name !== "Sequential" || !Array.isArray(layers))
    fail(`only Sequential models are supported, got ${JSON.stringify(topology!.class_name)}`);
  const classes = layers!.map((l) => l?.class_name);
  if (classes.join() !== EXPECTED.join())
    fail(
      `unsupported layers [${classes.join(", ")}]; supported: the reference net as exported by this site [${EXPECTED.join(", ")}]`,
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
  const specs = (json.weightsManifest ?? []).flatMap((g) => g?.weights ?? []);
  const names = [
    ...REFERENCE_CONVS.flatMap((c) => [`${c.name}/kernel`, `${c.name}/bias`]),
    "dense/kernel",
    "dense/bias",
  ];
  if (specs.length !== names.length)
    fail(`expected ${names.length} weight tensors in weightsManifest, found ${specs.length}`);
  let offset = 0;
  const values: Float32Array[] = [];
  specs.forEach((s, i) => {
    if ((s.dtype ?? "float32") !== "float32") fail(`weight ${s.name} has dtype ${s.dtype}; only float32 is supported`);
    if (!Array.isArray(s.shape)) fail(`weight ${s.name} has no shape`);
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (offset + 4 * n > weights.byteLength)
      fail(
        `weights file is truncated: weight ${s.name} needs bytes ${offset}…${offset + 4 * n}, the file has ${weights.byteLength}`,
      );
    const v = new Float32Array(n);
    const view = new DataView(weights, offset, 4 * n);
    for (let k = 0; k < n; k++) {
      v[k] = view.getFloat32(4 * k, true);
      if (!Number.isFinite(v[k])) fail(`weight ${s.name} holds ${v[k]} at index ${k}`);
    }
    values.push(v);
    offset += 4 * n;
    void i;
  });
  if (offset !== weights.byteLength)
    fail(`weights file has ${weights.byteLength} bytes, the manifest describes ${offset}`);
  const byName = (layerName: string) => {
    const i = specs.findIndex((s) => s.name.replace(/_\d+(?=\/)/, "") === layerName);
    return i >= 0 ? i : fail(`weight "${layerName}" not found (have ${specs.map((s) => s.name).join(", ")})`);
  };
  const params: ParameterTensor[] = [];
  let inC = channels;
  for (const conv of REFERENCE_CONVS) {
    const k = byName(`${conv.name}/kernel`);
    const b = byName(`${conv.name}/bias`);
    const shape = specs[k].shape;
    if (shape.length !== 4 || shape[0] !== conv.kernel || shape[1] !== conv.kernel || shape[2] !== inC)
      fail(`${conv.name}/kernel has shape [${shape}], expected [${conv.kernel}, ${conv.kernel}, ${inC}, out]`);
    let w = values[k];
    let bias = values[b];
    if (conv.name === "conv1") {
      // Unfold the normalisation x → 2x − 1 the exporter folded in: W = W'/2, b = b' + Σ W.
      const out = shape[3];
      w = Float32Array.from(w, (v) => v / 2);
      const sums = new Float64Array(out);
      w.forEach((v, idx) => (sums[idx % out] += v));
      bias = Float32Array.from(bias, (v, o) => v + sums[o]);
    }
    params.push(
      { name: `${conv.name}.weight`, shape: shape.slice(), values: w },
      { name: `${conv.name}.bias`, shape: [shape[3]], values: bias },
    );
    inC = shape[3];
  }
  const dk = byName("dense/kernel");
  const db = byName("dense/bias");
  if (specs[dk].shape.length !== 2 || specs[dk].shape[0] !== inC)
    fail(`dense/kernel has shape [${specs[dk].shape}], expected [${inC}, classes]`);
  params.push(
    { name: "dense.weight", shape: specs[dk].shape.slice(), values: values[dk] },
    { name: "dense.bias", shape: specs[db].shape.slice(), values: values[db] },
  );
  return { params, input: { height, width, channels, classes: specs[dk].shape[1] } };
}
