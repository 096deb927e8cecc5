/**
 * Export a plan network (src/lib/sinn: a SINN, or the same family as an INN) at its current sizes in
 * tfjs's layers-model format: a Keras-style functional model ("Model": one layer per plan node, wired as
 * the plan's graph) with the discrete weights the evaluation forward uses — what `model.json` +
 * `weights.bin` hold and `tf.loadLayersModel` reads with stock layers only (no custom class):
 *
 *   input → Rescaling(2, −1) → Conv2D / DepthwiseConv2D ("same", no bias) · Conv2D 1×1 ("valid")
 *         → BatchNormalization → Activation(relu) → MaxPooling2D("same") · Add · Concatenate
 *         → GlobalAveragePooling2D → Dense
 *
 * Batch norm is exported in inference form with the per-channel affine the page evaluates (the
 * statistics calibrated at these sizes included): γ = scale, β = shift, moving mean 0 and moving variance
 * 1 − ε, so γ·(x − 0)/√(1 − ε + ε) + β = scale·x + shift. The exported model takes images in [0, 1] and
 * returns logits.
 */
import type * as tf from "@tensorflow/tfjs-core";
import type { IntegralGraphNet } from "../graph/graph-net.js";
import { initializer, layersArtifacts } from "./tfjs-export.js";

/** tfjs BatchNormalization's ε in the exported config (its default). */
const EPSILON = 1e-3;

interface Weight {
  name: string;
  shape: number[];
  values: Float32Array;
}

function values(t: tf.Tensor, what: string): Float32Array {
  const v = t.dataSync() as Float32Array;
  if (!v.every(Number.isFinite)) throw new Error(`exportPlanTfjsLayersModel: ${what} holds NaN or infinite values`);
  return Float32Array.from(v);
}

const conv = (name: string, filters: number, kernel: number, stride: number, padding: "same" | "valid") => ({
  class_name: "Conv2D",
  config: {
    name,
    trainable: true,
    filters,
    kernel_size: [kernel, kernel],
    strides: [stride, stride],
    padding,
    data_format: "channels_last",
    dilation_rate: [1, 1],
    activation: "linear",
    use_bias: false,
    kernel_initializer: initializer("VarianceScaling"),
    bias_initializer: initializer("Zeros"),
    kernel_regularizer: null,
    bias_regularizer: null,
    activity_regularizer: null,
    kernel_constraint: null,
    bias_constraint: null,
  },
});

/** Layers-model artifacts of `model` at its current sizes (after `resample`, and `calibrate` if any). */
export function exportPlanTfjsLayersModel(
  model: IntegralGraphNet,
  options: { name?: string } = {},
): tf.io.ModelArtifacts {
  const tensors = model.evaluationTensors();
  const names = new Map<string, string>();
  const used = new Set<string>();
  // Keras layer names: the plan's node ids with anything but [A-Za-z0-9_] replaced, made unique.
  const layerName = (id: string) => {
    let name = names.get(id);
    if (name) return name;
    const base = id.replace(/[^A-Za-z0-9_]/g, "_") || "node";
    name = base;
    for (let k = 1; used.has(name); k++) name = `${base}_${k}`;
    used.add(name);
    names.set(id, name);
    return name;
  };
  const { height, width, channels } = model.input;
  const layers: object[] = [];
  const weights: Weight[] = [];
  const tensorOf = (id: string) => {
    const t = tensors[id];
    if (!t) throw new Error(`exportPlanTfjsLayersModel: node "${id}" has no weights`);
    return t;
  };
  const push = (layer: { class_name: string; config: object }, name: string, inputs: string[]) =>
    layers.push({
      ...layer,
      config: { ...layer.config, name },
      name,
      inbound_nodes: inputs.length ? [inputs.map((i) => [i, 0, 0, {}])] : [],
    });

  let inputName = "";
  for (const node of model.plan.nodes) {
    const name = layerName(node.id);
    const inputs = node.inputs.map((i) => layerName(i));
    const op = node.op;
    switch (op.op) {
      case "input": {
        // The image, then the net's own normalisation 2x − 1 (zero "same" padding comes after it, so it does not fold into the first conv).
        inputName = `${name}_image`;
        used.add(inputName);
        layers.push({
          class_name: "InputLayer",
          config: {
            batch_input_shape: [null, height, width, channels],
            dtype: "float32",
            sparse: false,
            name: inputName,
          },
          name: inputName,
          inbound_nodes: [],
        });
        push({ class_name: "Rescaling", config: { scale: 2, offset: -1, trainable: true } }, name, [inputName]);
        break;
      }
      case "conv2d":
      case "pointwise-conv2d": {
        const t = tensorOf(node.id) as { weight: tf.Tensor; bias?: tf.Tensor };
        if (t.bias) throw new Error(`exportPlanTfjsLayersModel: conv "${node.id}" has a bias, which plan convs do not`);
        const [k, , , out] = t.weight.shape;
        push(conv(name, out, k, op.stride, op.op === "conv2d" ? "same" : "valid"), name, inputs);
        weights.push({
          name: `${name}/kernel`,
          shape: t.weight.shape.slice(),
          values: values(t.weight, `${node.id} weight`),
        });
        break;
      }
      case "depthwise-conv2d": {
        const t = tensorOf(node.id) as { weight: tf.Tensor; bias?: tf.Tensor };
        if (t.bias)
          throw new Error(
            `exportPlanTfjsLayersModel: depth-wise conv "${node.id}" has a bias, which plan convs do not`,
          );
        push(
          {
            class_name: "DepthwiseConv2D",
            config: {
              trainable: true,
              kernel_size: [op.kernel, op.kernel],
              strides: [op.stride, op.stride],
              padding: "same",
              data_format: "channels_last",
              dilation_rate: [1, 1],
              depth_multiplier: 1,
              activation: "linear",
              use_bias: false,
              depthwise_initializer: initializer("VarianceScaling"),
              bias_initializer: initializer("Zeros"),
              depthwise_regularizer: null,
              bias_regularizer: null,
              activity_regularizer: null,
              depthwise_constraint: null,
              bias_constraint: null,
            },
          },
          name,
          inputs,
        );
        weights.push({
          name: `${name}/depthwise_kernel`,
          shape: t.weight.shape.slice(),
          values: values(t.weight, `${node.id} weight`),
        });
        break;
      }
      case "batch-norm": {
        const { scale, shift } = tensorOf(node.id) as { scale: tf.Tensor1D; shift: tf.Tensor1D };
        const c = scale.shape[0];
        push(
          {
            class_name: "BatchNormalization",
            config: {
              trainable: true,
              axis: -1,
              momentum: 0.99,
              epsilon: EPSILON,
              center: true,
              scale: true,
              beta_initializer: initializer("Zeros"),
              gamma_initializer: { class_name: "Ones", config: {} },
              moving_mean_initializer: initializer("Zeros"),
              moving_variance_initializer: { class_name: "Ones", config: {} },
              beta_regularizer: null,
              gamma_regularizer: null,
              beta_constraint: null,
              gamma_constraint: null,
            },
          },
          name,
          inputs,
        );
        weights.push(
          { name: `${name}/gamma`, shape: [c], values: values(scale, `${node.id} scale`) },
          { name: `${name}/beta`, shape: [c], values: values(shift, `${node.id} shift`) },
          { name: `${name}/moving_mean`, shape: [c], values: new Float32Array(c) },
          { name: `${name}/moving_variance`, shape: [c], values: new Float32Array(c).fill(1 - EPSILON) },
        );
        break;
      }
      case "relu":
        push({ class_name: "Activation", config: { activation: "relu", trainable: true } }, name, inputs);
        break;
      case "max-pool":
        push(
          {
            class_name: "MaxPooling2D",
            config: {
              pool_size: [op.size, op.size],
              strides: [op.stride, op.stride],
              padding: "same",
              data_format: "channels_last",
              trainable: true,
            },
          },
          name,
          inputs,
        );
        break;
      case "global-avg-pool":
        push(
          { class_name: "GlobalAveragePooling2D", config: { data_format: "channels_last", trainable: true } },
          name,
          inputs,
        );
        break;
      case "add":
        push({ class_name: "Add", config: { trainable: true } }, name, inputs);
        break;
      case "concat":
        push({ class_name: "Concatenate", config: { axis: -1, trainable: true } }, name, inputs);
        break;
      case "dense": {
        const t = tensorOf(node.id) as { weight: tf.Tensor; bias?: tf.Tensor };
        const units = t.weight.shape[1];
        push(
          {
            class_name: "Dense",
            config: {
              units,
              activation: "linear",
              use_bias: t.bias !== undefined,
              kernel_initializer: initializer("VarianceScaling"),
              bias_initializer: initializer("Zeros"),
              kernel_regularizer: null,
              bias_regularizer: null,
              activity_regularizer: null,
              kernel_constraint: null,
              bias_constraint: null,
              trainable: true,
            },
          },
          name,
          inputs,
        );
        weights.push({
          name: `${name}/kernel`,
          shape: t.weight.shape.slice(),
          values: values(t.weight, `${node.id} weight`),
        });
        if (t.bias)
          weights.push({
            name: `${name}/bias`,
            shape: t.bias.shape.slice(),
            values: values(t.bias, `${node.id} bias`),
          });
        break;
      }
      default:
        throw new Error(
          `exportPlanTfjsLayersModel: op "${(op as { op: string }).op}" of node "${node.id}" has no tfjs layer here`,
        );
    }
  }
  if (!inputName) throw new Error("exportPlanTfjsLayersModel: the plan has no input node");
  const output = layerName(model.plan.nodes[model.plan.nodes.length - 1].id);
  return layersArtifacts(
    {
      class_name: "Model",
      config: {
        name: options.name ?? `integral_lab_${model.name.replace(/[^A-Za-z0-9_]/g, "_")}`,
        layers,
        input_layers: [[inputName, 0, 0]],
        output_layers: [[output, 0, 0]],
      },
    },
    weights,
  );
}
