/**
 * Export a discrete reference net (e.g. an integral net resampled to some sizes, or a pruned net) in
 * tfjs's own layers-model format: a `tf.io.ModelArtifacts` whose `modelTopology` is a Keras-style
 * Sequential JSON and whose weights are one float32 buffer — what `model.json` + `weights.bin` hold and
 * `tf.loadLayersModel(tf.io.fromMemory(artifacts))` reads.
 *
 *   EdgePadding2D(p) → Conv2D(valid, relu) → AveragePooling2D(2) → … ×3 → Cropping2D(keep [0,0]) → Flatten → Dense
 *
 * Two choices, documented here because they matter to whoever loads the file:
 *  - Replicate ("edge") padding is not a Keras layer. It is exported as a custom layer class
 *    `EdgePadding2D` with config `{ padding }`; a reader registers that class (tf.serialization.registerClass;
 *    its call is `edgePad` from ops/edge-pad.ts) before loading. Weights alone can always be read with
 *    `tf.io.decodeWeights` and need nothing custom.
 *  - The input normalisation x ↦ 2x − 1 is folded into conv1 (edge padding commutes with it):
 *    conv(pad(2x − 1)) = conv_{2W}(pad(x)) + (b − Σ_{taps, in} W), so the exported model takes images in [0, 1].
 */
import type * as tf from "@tensorflow/tfjs-core";
import type { InputShape } from "../model.js";
import type { ParameterTensor } from "../compression/parameters.js";
import { REFERENCE_CONVS } from "../models/reference.js";

export const EDGE_PADDING_CLASS = "EdgePadding2D";

export const initializer = (name: string) =>
  name === "Zeros"
    ? { class_name: "Zeros", config: {} }
    : { class_name: "VarianceScaling", config: { scale: 1, mode: "fan_avg", distribution: "normal", seed: null } };

function param(params: readonly ParameterTensor[], name: string): ParameterTensor {
  const p = params.find((q) => q.name === name);
  if (!p) throw new Error(`exportTfjsLayersModel: no parameter "${name}"`);
  if (!p.values.every(Number.isFinite))
    throw new Error(`exportTfjsLayersModel: parameter "${name}" holds NaN or infinite values`);
  return p;
}

/** conv1 with the input normalisation 2x − 1 folded in: W' = 2W, b' = b − Σ_{kh,kw,in} W. */
function foldNormalisation(weight: ParameterTensor, bias: ParameterTensor): [Float32Array, Float32Array] {
  const out = bias.values.length;
  const w = Float32Array.from(weight.values, (v) => 2 * v);
  const sums = new Float64Array(out);
  weight.values.forEach((v, k) => (sums[k % out] += v));
  return [w, Float32Array.from(bias.values, (b, o) => b - sums[o])];
}

/** tfjs layers-model artifacts of a discrete reference net given by its parameters (any conv widths). */
export function exportTfjsLayersModel(
  params: readonly ParameterTensor[],
  input: InputShape,
  options: { name?: string } = {},
): tf.io.ModelArtifacts {
  const layers: object[] = [];
  const weights: { name: string; shape: number[]; values: Float32Array }[] = [];
  let [h, w, c] = [input.height, input.width, input.channels];
  REFERENCE_CONVS.forEach((conv, i) => {
    const weight = param(params, `${conv.name}.weight`);
    const bias = param(params, `${conv.name}.bias`);
    const expected = [conv.kernel, conv.kernel, c, weight.shape[3]];
    if (weight.shape.join() !== expected.join())
      throw new Error(`exportTfjsLayersModel: ${conv.name}.weight has shape [${weight.shape}], expected [${expected}]`);
    if (bias.shape.join() !== String(weight.shape[3]))
      throw new Error(
        `exportTfjsLayersModel: ${conv.name}.bias has shape [${bias.shape}], expected [${weight.shape[3]}]`,
      );
    layers.push({
      class_name: EDGE_PADDING_CLASS,
      config: {
        padding: conv.pad,
        name: `${conv.name}_pad`,
        trainable: false,
        ...(i === 0 ? { batch_input_shape: [null, h, w, c], dtype: "float32" } : {}),
      },
    });
    layers.push({
      class_name: "Conv2D",
      config: {
        filters: weight.shape[3],
        kernel_initializer: initializer("VarianceScaling"),
        kernel_regularizer: null,
        kernel_constraint: null,
        kernel_size: [conv.kernel, conv.kernel],
        strides: [1, 1],
        padding: "valid",
        data_format: "channels_last",
        dilation_rate: [1, 1],
        activation: "relu",
        use_bias: true,
        bias_initializer: initializer("Zeros"),
        bias_regularizer: null,
        activity_regularizer: null,
        bias_constraint: null,
        name: conv.name,
        trainable: true,
      },
    });
    layers.push({
      class_name: "AveragePooling2D",
      config: {
        pool_size: [2, 2],
        padding: "valid",
        strides: [2, 2],
        data_format: "channels_last",
        name: `${conv.name}_pool`,
        trainable: true,
      },
    });
    const [kernel, b] = i === 0 ? foldNormalisation(weight, bias) : [weight.values, bias.values];
    weights.push(
      { name: `${conv.name}/kernel`, shape: weight.shape.slice(), values: kernel },
      { name: `${conv.name}/bias`, shape: bias.shape.slice(), values: b },
    );
    [h, w, c] = [Math.floor(h / 2), Math.floor(w / 2), weight.shape[3]];
  });
  const dw = param(params, "dense.weight");
  const db = param(params, "dense.bias");
  if (dw.shape.join() !== [c, input.classes].join())
    throw new Error(`exportTfjsLayersModel: dense.weight has shape [${dw.shape}], expected [${c},${input.classes}]`);
  layers.push({
    class_name: "Cropping2D",
    config: {
      cropping: [
        [0, h - 1],
        [0, w - 1],
      ],
      data_format: "channels_last",
      name: "take_position",
      trainable: true,
    },
  });
  layers.push({ class_name: "Flatten", config: { name: "flatten", trainable: true } });
  layers.push({
    class_name: "Dense",
    config: {
      units: input.classes,
      activation: "linear",
      use_bias: true,
      kernel_initializer: initializer("VarianceScaling"),
      bias_initializer: initializer("Zeros"),
      kernel_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
      name: "dense",
      trainable: true,
    },
  });
  weights.push(
    { name: "dense/kernel", shape: dw.shape.slice(), values: dw.values },
    { name: "dense/bias", shape: db.shape.slice(), values: db.values },
  );

  return layersArtifacts(
    { class_name: "Sequential", config: { name: options.name ?? "integral_lab_reference", layers } },
    weights,
  );
}

/**
 * Layers-model artifacts of a Keras-style topology (`{class_name, config}`) and its weights, packed into
 * one little-endian float32 buffer in the given order (what weights.bin holds).
 */
export function layersArtifacts(
  topology: { class_name: string; config: object },
  weights: readonly { name: string; shape: number[]; values: ArrayLike<number> }[],
): tf.io.ModelArtifacts {
  const total = weights.reduce((n, x) => n + x.values.length, 0);
  const weightData = new ArrayBuffer(total * 4);
  const view = new DataView(weightData);
  let offset = 0;
  for (const x of weights)
    for (let i = 0; i < x.values.length; i++) {
      view.setFloat32(offset, x.values[i], true);
      offset += 4;
    }
  return {
    modelTopology: { ...topology, keras_version: "tfjs-layers 4.22.0", backend: "tensor_flow.js" },
    format: "layers-model",
    generatedBy: "integral-lab",
    convertedBy: null,
    weightSpecs: weights.map((x) => ({ name: x.name, shape: x.shape.slice(), dtype: "float32" as const })),
    weightData,
  };
}

/** The artifacts as the two files tfjs reads over HTTP: model.json (weightsManifest → weights.bin) and weights.bin. */
export function tfjsModelFiles(
  artifacts: tf.io.ModelArtifacts,
  weightsPath = "weights.bin",
): { modelJson: string; weightsBin: ArrayBuffer } {
  if (!(artifacts.weightData instanceof ArrayBuffer))
    throw new Error("tfjsModelFiles: expected one weightData ArrayBuffer");
  return {
    modelJson: JSON.stringify({
      modelTopology: artifacts.modelTopology,
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy,
      weightsManifest: [{ paths: [weightsPath], weights: artifacts.weightSpecs }],
    }),
    weightsBin: artifacts.weightData,
  };
}
