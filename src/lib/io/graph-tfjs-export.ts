/**
 * Export a plan network (a SINN family, or a converted tfjs model) at its current sizes in tfjs's
 * layers-model format: a Keras-style functional model ("Model": one layer per plan node, wired as the
 * plan's graph) with the discrete weights the evaluation forward uses — what `model.json` + `weights.bin`
 * hold and `tf.loadLayersModel` reads with stock layers only (no custom class):
 *
 *   input → Rescaling (the input node's normalisation, unless the identity) → Conv2D / DepthwiseConv2D / Dense
 *         → BatchNormalization → Activation / LeakyReLU / ReLU → MaxPooling2D · AveragePooling2D · global
 *         poolings · ZeroPadding2D · Flatten · Rescaling · Add · Concatenate → … → the last node
 *
 * Batch norm is exported in inference form with the per-channel affine the page evaluates (the
 * statistics calibrated at these sizes included): γ = scale, β = shift, moving mean 0 and moving variance
 * 1 − ε, so γ·(x − 0)/√(1 − ε + ε) + β = scale·x + shift. The exported model takes the plan's images
 * (in [0, 1]) and returns logits, or probabilities with `outputSoftmax`.
 */
import type * as tf from "@tensorflow/tfjs-core";
import type { IntegralGraphNet } from "../graph/graph-net.js";
import { pair, type NodeOp } from "../graph/plan.js";
import { KERAS_ACTIVATION_NAMES } from "../graph/elementwise.js";
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

const NO_REGULARISERS = {
  kernel_regularizer: null,
  bias_regularizer: null,
  activity_regularizer: null,
  kernel_constraint: null,
  bias_constraint: null,
};

/** The stock Keras layer (class and config, without name) of an op node; weight nodes are handled apart. */
function opLayer(op: NodeOp, id: string): { class_name: string; config: object } {
  const fail = (why: string): never => {
    throw new Error(`exportPlanTfjsLayersModel: node "${id}" (${op.op}) ${why}`);
  };
  switch (op.op) {
    case "relu":
      return { class_name: "Activation", config: { activation: "relu", trainable: true } };
    case "activation": {
      const name = KERAS_ACTIVATION_NAMES[op.fn];
      if (name) return { class_name: "Activation", config: { activation: name, trainable: true } };
      if (op.fn === "leaky-relu")
        return { class_name: "LeakyReLU", config: { alpha: op.alpha ?? 0.3, trainable: true } };
      if ((op.threshold ?? 0) !== 0 || (op.alpha ?? 0) !== 0)
        fail("has a threshold or a negative slope, which tfjs's ReLU layer lacks");
      return { class_name: "ReLU", config: { max_value: op.maxValue ?? null, trainable: true } };
    }
    case "rescale":
      return { class_name: "Rescaling", config: { scale: op.scale, offset: op.offset, trainable: true } };
    case "max-pool":
    case "avg-pool":
      return {
        class_name: op.op === "max-pool" ? "MaxPooling2D" : "AveragePooling2D",
        config: {
          pool_size: pair(op.size),
          strides: pair(op.stride),
          padding: op.padding ?? "same",
          data_format: "channels_last",
          trainable: true,
        },
      };
    case "global-avg-pool":
      return { class_name: "GlobalAveragePooling2D", config: { data_format: "channels_last", trainable: true } };
    case "global-max-pool":
      return { class_name: "GlobalMaxPooling2D", config: { data_format: "channels_last", trainable: true } };
    case "zero-pad":
      return {
        class_name: "ZeroPadding2D",
        config: { padding: op.padding.map((p) => [...p]), data_format: "channels_last", trainable: true },
      };
    case "flatten":
      return { class_name: "Flatten", config: { trainable: true } };
    case "add":
      return { class_name: "Add", config: { trainable: true } };
    case "concat":
      return { class_name: "Concatenate", config: { axis: -1, trainable: true } };
    default:
      return fail("has no tfjs layer here");
  }
}

/** Layers-model artifacts of `model` at its current sizes (after `resample`, and `calibrate` if any). */
export function exportPlanTfjsLayersModel(
  model: IntegralGraphNet,
  options: { name?: string; outputSoftmax?: boolean } = {},
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
  const weightsOf = (id: string) => {
    const t = tensors[id];
    if (!t || !("weight" in t)) throw new Error(`exportPlanTfjsLayersModel: node "${id}" has no weights`);
    return t;
  };
  const push = (layer: { class_name: string; config: object }, name: string, inputs: string[]) =>
    layers.push({
      ...layer,
      config: { ...layer.config, name },
      name,
      inbound_nodes: inputs.length ? [inputs.map((i) => [i, 0, 0, {}])] : [],
    });
  const pushWeights = (id: string, name: string, kernelName: string, shape?: number[]) => {
    const t = weightsOf(id);
    weights.push({
      name: `${name}/${kernelName}`,
      shape: shape ?? t.weight.shape.slice(),
      values: values(t.weight, `${id} weight`),
    });
    if (t.bias)
      weights.push({ name: `${name}/bias`, shape: t.bias.shape.slice(), values: values(t.bias, `${id} bias`) });
    return t;
  };

  let inputName = "";
  let last = "";
  for (const node of model.plan.nodes) {
    const name = layerName(node.id);
    const inputs = node.inputs.map((i) => layerName(i));
    const op = node.op;
    last = name;
    switch (op.op) {
      case "input": {
        const { scale, offset } = op.normalization ?? { scale: 2, offset: -1 };
        const identity = scale === 1 && offset === 0;
        // The image, then the net's own normalisation (zero "same" padding comes after it, so it does not fold into the first conv).
        inputName = identity ? name : `${name}_image`;
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
        if (!identity) push({ class_name: "Rescaling", config: { scale, offset, trainable: true } }, name, [inputName]);
        break;
      }
      case "conv2d":
      case "pointwise-conv2d": {
        const t = pushWeights(node.id, name, "kernel");
        const [kh, kw, , out] = t.weight.shape as number[];
        const conv = op.op === "conv2d";
        push(
          {
            class_name: "Conv2D",
            config: {
              trainable: true,
              filters: out,
              kernel_size: [kh, kw],
              strides: pair(op.stride),
              padding: conv ? (op.padding ?? "same") : "valid",
              data_format: "channels_last",
              dilation_rate: conv ? pair(op.dilation ?? 1) : [1, 1],
              activation: "linear",
              use_bias: t.bias !== undefined,
              kernel_initializer: initializer("VarianceScaling"),
              bias_initializer: initializer("Zeros"),
              ...NO_REGULARISERS,
            },
          },
          name,
          inputs,
        );
        break;
      }
      case "depthwise-conv2d": {
        const t = pushWeights(node.id, name, "depthwise_kernel");
        push(
          {
            class_name: "DepthwiseConv2D",
            config: {
              trainable: true,
              kernel_size: pair(op.kernel),
              strides: pair(op.stride),
              padding: op.padding ?? "same",
              data_format: "channels_last",
              dilation_rate: pair(op.dilation ?? 1),
              depth_multiplier: 1,
              activation: "linear",
              use_bias: t.bias !== undefined,
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
        break;
      }
      case "batch-norm": {
        const t = tensors[node.id];
        if (!t || !("scale" in t)) throw new Error(`exportPlanTfjsLayersModel: batch norm "${node.id}" has no affine`);
        const c = t.scale.shape[0];
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
          { name: `${name}/gamma`, shape: [c], values: values(t.scale, `${node.id} scale`) },
          { name: `${name}/beta`, shape: [c], values: values(t.shift, `${node.id} shift`) },
          { name: `${name}/moving_mean`, shape: [c], values: new Float32Array(c) },
          { name: `${name}/moving_variance`, shape: [c], values: new Float32Array(c).fill(1 - EPSILON) },
        );
        break;
      }
      case "dense": {
        // Over a flattened map the weight [h, w, in, out] is, row for row, Keras's [h·w·in, out].
        const shape = weightsOf(node.id).weight.shape as number[];
        const units = shape[shape.length - 1] as number;
        const t = pushWeights(node.id, name, "kernel", [shape.slice(0, -1).reduce((a, b) => a * b, 1), units]);
        push(
          {
            class_name: "Dense",
            config: {
              units,
              activation: "linear",
              use_bias: t.bias !== undefined,
              kernel_initializer: initializer("VarianceScaling"),
              bias_initializer: initializer("Zeros"),
              ...NO_REGULARISERS,
              trainable: true,
            },
          },
          name,
          inputs,
        );
        break;
      }
      default:
        push(opLayer(op, node.id), name, inputs);
    }
  }
  if (!inputName) throw new Error("exportPlanTfjsLayersModel: the plan has no input node");
  if (options.outputSoftmax) {
    const name = layerName("softmax");
    push({ class_name: "Activation", config: { activation: "softmax", trainable: true } }, name, [last]);
    last = name;
  }
  return layersArtifacts(
    {
      class_name: "Model",
      config: {
        name: options.name ?? `integral_lab_${model.name.replace(/[^A-Za-z0-9_]/g, "_")}`,
        layers,
        input_layers: [[inputName, 0, 0]],
        output_layers: [[last, 0, 0]],
      },
    },
    weights,
  );
}
