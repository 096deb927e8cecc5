/**
 * The discrete reference network for MNIST-sized inputs (TorchIntegral's MNIST example, with
 * average pooling):
 *
 *   x ∈ [0,1] → (x − 0.5)/0.5
 *   → conv 3×3 C→16 (replicate pad 1) → ReLU → avg-pool 2
 *   → conv 5×5 16→32 (replicate pad 2) → ReLU → avg-pool 2
 *   → conv 5×5 32→64 (replicate pad 2) → ReLU → avg-pool 2
 *   → features at spatial position [0, 0] → dense 64→classes
 *
 * Every layer has a bias. Initialisation follows PyTorch's defaults (kaiming-uniform with a = √5,
 * i.e. U(−1/√fan_in, 1/√fan_in), for weights and biases alike) and draws from a seeded mulberry32
 * stream per tensor, in PyTorch's [out, in, kh, kw] order, so bench/torch_reference.py builds the
 * exact same initial weights from the same seed.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ForwardContext, InputShape, Model } from "../model.js";
import { deriveSeed, mulberry32 } from "../random.js";
import { edgePaddedConv2d } from "../ops/edge-padded-conv.js";

/** One convolution of the reference net. */
export interface ReferenceConvLayer {
  name: "conv1" | "conv2" | "conv3";
  kernel: number;
  /** Replicate padding on every side. */
  pad: number;
  outChannels: number;
}

/** The convolutions in order; input channels come from the previous layer (or the image). */
export const REFERENCE_CONVS: readonly ReferenceConvLayer[] = [
  { name: "conv1", kernel: 3, pad: 1, outChannels: 16 },
  { name: "conv2", kernel: 5, pad: 2, outChannels: 32 },
  { name: "conv3", kernel: 5, pad: 2, outChannels: 64 },
];

/** Full channel counts of the reference net's hidden groups: conv1 16, conv2 32, conv3 64. */
export const REFERENCE_SIZES: Readonly<Record<ReferenceConvLayer["name"], number>> = {
  conv1: REFERENCE_CONVS[0].outChannels,
  conv2: REFERENCE_CONVS[1].outChannels,
  conv3: REFERENCE_CONVS[2].outChannels,
};

/** A layer's trainable tensors. */
export interface LayerParameters {
  /** conv: [kh, kw, in, out] (tfjs layout); dense: [in, out]. */
  weight: tf.Variable;
  /** [out]. */
  bias: tf.Variable;
}

/** All parameters of the reference net, by layer name. */
export interface ReferenceParameters {
  conv1: LayerParameters;
  conv2: LayerParameters;
  conv3: LayerParameters;
  dense: LayerParameters;
}

/** Smallest height/width for which three 2×2 poolings leave a [0, 0] position. */
const MIN_SIDE = 8;

/**
 * `count` PyTorch-default initial values for a tensor with fan-in `fanIn`: U(−1/√fanIn, 1/√fanIn),
 * drawn in order from mulberry32(seed) (callers lay them out in PyTorch's order).
 */
export function torchDefaultUniform(seed: number, count: number, fanIn: number): Float32Array {
  const bound = 1 / Math.sqrt(fanIn);
  const random = mulberry32(seed);
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = (2 * random() - 1) * bound;
  return values;
}

/** Reorder a PyTorch conv weight [out, in, kh, kw] into tfjs's [kh, kw, in, out]. */
export function torchConvToTfjs(values: Float32Array, out: number, inC: number, k: number): Float32Array {
  const result = new Float32Array(values.length);
  for (let o = 0; o < out; o++)
    for (let i = 0; i < inC; i++)
      for (let y = 0; y < k; y++)
        for (let x = 0; x < k; x++) result[((y * k + x) * inC + i) * out + o] = values[((o * inC + i) * k + y) * k + x];
  return result;
}

/** Reorder a PyTorch linear weight [out, in] into tfjs's [in, out]. */
function torchDenseToTfjs(values: Float32Array, out: number, inC: number): Float32Array {
  const result = new Float32Array(values.length);
  for (let o = 0; o < out; o++) for (let i = 0; i < inC; i++) result[i * out + o] = values[o * inC + i];
  return result;
}

/** A trainable variable holding `values`; tidy frees the initial tensor (the variable keeps its data). */
function variableFrom(values: Float32Array, shape: number[]): tf.Variable {
  return tf.tidy(() => tf.variable(tf.tensor(values, shape, "float32"), true));
}

/** Seeds per tensor: layer index (0-based, dense = 3) and 0 for the weight, 1 for the bias. */
export function referenceTensorSeed(seed: number, layerIndex: number, isBias: boolean): number {
  return deriveSeed(seed, layerIndex, isBias ? 1 : 0);
}

export class ReferenceNet implements Model {
  readonly name = "reference";
  readonly input: InputShape;
  /** Named access to the weights, for conversion to an integral net and for pruning. */
  readonly parameters: ReferenceParameters;
  /** Names aligned with `trainableVariables`: "conv1.weight", "conv1.bias", … "dense.bias". */
  readonly parameterNames: readonly string[];
  readonly trainableVariables: tf.Variable[];

  constructor(input: InputShape, seed: number) {
    if (input.height < MIN_SIDE || input.width < MIN_SIDE) {
      throw new Error(
        `reference net: input must be at least ${MIN_SIDE}×${MIN_SIDE}, got ${input.height}×${input.width}`,
      );
    }
    for (const key of ["channels", "classes"] as const) {
      if (!Number.isInteger(input[key]) || input[key] < 1) {
        throw new Error(`reference net: input.${key} must be a positive integer, got ${input[key]}`);
      }
    }
    this.input = { ...input };
    const layers: Partial<ReferenceParameters> = {};
    let inC = input.channels;
    REFERENCE_CONVS.forEach((conv, index) => {
      const { kernel: k, outChannels: out } = conv;
      const fanIn = inC * k * k;
      const torchWeight = torchDefaultUniform(referenceTensorSeed(seed, index, false), out * fanIn, fanIn);
      layers[conv.name] = {
        weight: variableFrom(torchConvToTfjs(torchWeight, out, inC, k), [k, k, inC, out]),
        bias: variableFrom(torchDefaultUniform(referenceTensorSeed(seed, index, true), out, fanIn), [out]),
      };
      inC = out;
    });
    const denseIndex = REFERENCE_CONVS.length;
    const classes = input.classes;
    const denseWeight = torchDefaultUniform(referenceTensorSeed(seed, denseIndex, false), classes * inC, inC);
    layers.dense = {
      weight: variableFrom(torchDenseToTfjs(denseWeight, classes, inC), [inC, classes]),
      bias: variableFrom(torchDefaultUniform(referenceTensorSeed(seed, denseIndex, true), classes, inC), [classes]),
    };
    this.parameters = layers as ReferenceParameters;
    const names: string[] = [];
    const variables: tf.Variable[] = [];
    for (const layer of ["conv1", "conv2", "conv3", "dense"] as const) {
      names.push(`${layer}.weight`, `${layer}.bias`);
      variables.push(this.parameters[layer].weight, this.parameters[layer].bias);
    }
    this.parameterNames = names;
    this.trainableVariables = variables;
  }

  apply(images: tf.Tensor4D, _context: ForwardContext): tf.Tensor2D {
    return tf.tidy(() => {
      // The reference normalises MNIST with mean 0.5, std 0.5.
      let h: tf.Tensor4D = tf.sub(tf.mul(images, 2), 1);
      for (const conv of REFERENCE_CONVS) {
        const { weight, bias } = this.parameters[conv.name];
        // The first conv reads the images, whose gradient nobody needs.
        h = edgePaddedConv2d({
          x: h,
          filter: weight as tf.Tensor4D,
          bias: bias as tf.Tensor1D,
          pad: conv.pad,
          activation: "relu",
          foldedGradient: conv !== REFERENCE_CONVS[0],
        });
        h = tf.avgPool(h, 2, 2, "valid");
      }
      const [batch, , , channels] = h.shape;
      const features = tf.reshape(tf.slice(h, [0, 0, 0, 0], [batch, 1, 1, channels]), [batch, channels]) as tf.Tensor2D;
      const { weight, bias } = this.parameters.dense;
      return tf.add(tf.matMul(features, weight as tf.Tensor2D), bias) as tf.Tensor2D;
    });
  }

  dispose(): void {
    tf.dispose(this.trainableVariables);
  }
}

/** Build the reference net for `input`, initialised from `seed`. */
export function createReferenceNet(input: InputShape, seed: number): ReferenceNet {
  return new ReferenceNet(input, seed);
}
