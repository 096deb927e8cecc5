/**
 * Integral layers: weights are functions of continuous channel coordinates, stored as node grids and
 * sampled on each group's partition into an ordinary tensor
 *   W_d[…, i, o] = W(x_i, x_o) · q_i · V
 * (q: quadrature weights along the integrated input axis, V = (N − 1)/2 so the full-size layer
 * reproduces its training-time scale; docs/design.md §3). Spatial taps stay discrete. Biases are
 * 1-D functions of x_out, interpolated only.
 *
 * Discrete weights are computed afresh in training (inside the gradient tape) and cached otherwise,
 * keyed by the group sizes, so a resampled model evaluates at the cost of a discrete one.
 */
import * as tf from "@tensorflow/tfjs-core";
import { edgePad } from "../ops/edge-pad.js";
import { edgePaddedConv2d } from "../ops/edge-padded-conv.js";
import { sampleAxis } from "../math/sampling.js";
import type { ChannelGroups, GroupSizes } from "./groups.js";

export type IntegralLayerKind = "dense" | "conv2d" | "depthwise-conv2d" | "pointwise-conv2d";

/** Spatial padding of a conv: tfjs "same"/"valid" (zeros), or replicate ("edge") padding of p pixels per side. */
export type ConvPadding = "same" | "valid" | { edge: number };

export type Activation = "linear" | "relu";

/** What drawing and accounting need to know about a layer at some group sizes. */
export interface LayerDescription {
  id: string;
  kind: IntegralLayerKind;
  inGroup: string;
  outGroup: string;
  inChannels: number;
  outChannels: number;
  /** Spatial kernel [height, width] ([1, 1] for dense and point-wise). */
  kernel: [number, number];
  stride: number;
  bias: boolean;
  activation: Activation;
  /** Parameters of the discrete layer at these sizes (weights + bias). */
  params: number;
  /** Multiply-accumulates per output spatial position (per sample for dense). */
  macsPerPosition: number;
  /** Trainable node count of the continuous layer (independent of sizes). */
  nodes: number;
}

/** Discrete tensors of a layer at some sizes. */
export interface DiscreteWeights {
  weight: tf.Tensor;
  bias?: tf.Tensor1D;
}

export interface IntegralLayerOptions {
  /** Layer id (also the prefix of its variable names). */
  id: string;
  inGroup: string;
  outGroup: string;
  /** Include a bias, a 1-D function of the output coordinate (default true). */
  bias?: boolean;
  activation?: Activation;
  /** Initial nodes; default: zeros (call `setFromDiscrete` or assign them). */
  initialWeight?: tf.Tensor | Float32Array;
  initialBias?: tf.Tensor | Float32Array;
}

function variable(id: string, shape: number[], init: tf.Tensor | Float32Array | undefined): tf.Variable {
  return tf.tidy(() => {
    let t: tf.Tensor;
    if (init === undefined) t = tf.zeros(shape);
    else if (init instanceof Float32Array) {
      if (init.length !== shape.reduce((a, b) => a * b, 1))
        throw new Error(
          `${id}: initial values have ${init.length} entries, shape [${shape}] needs ${shape.reduce((a, b) => a * b, 1)}`,
        );
      t = tf.tensor(init, shape);
    } else {
      if (init.shape.join() !== shape.join())
        throw new Error(`${id}: initial tensor has shape [${init.shape}], expected [${shape}]`);
      t = init.clone();
    }
    return tf.variable(t, true, `${id}_${variableCounter++}`);
  });
}

let variableCounter = 0;

/** Shared machinery: groups, nodes, bias, the discrete-weight cache. */
export abstract class IntegralLayer {
  abstract readonly kind: IntegralLayerKind;
  readonly id: string;
  readonly inGroup: string;
  readonly outGroup: string;
  readonly activation: Activation;
  /** Weight nodes (layout depends on the layer, always tfjs's: …, in, out). */
  readonly weightNodes: tf.Variable;
  /** Bias nodes [N_out]. */
  readonly biasNodes?: tf.Variable;
  protected readonly groups: ChannelGroups;
  private cached?: { key: string; nodes: object[]; weights: DiscreteWeights };

  protected constructor(groups: ChannelGroups, options: IntegralLayerOptions, weightShape: number[]) {
    this.groups = groups;
    this.id = options.id;
    for (const g of [options.inGroup, options.outGroup])
      if (!groups.has(g)) throw new Error(`${options.id}: unknown channel group "${g}"`);
    this.inGroup = options.inGroup;
    this.outGroup = options.outGroup;
    this.activation = options.activation ?? "linear";
    this.weightNodes = variable(`${options.id}_weight`, weightShape, options.initialWeight);
    if (options.bias ?? true)
      this.biasNodes = variable(`${options.id}_bias`, [groups.nodesOf(options.outGroup)], options.initialBias);
  }

  /** Trainable variables: weight nodes, then bias nodes. */
  get variables(): tf.Variable[] {
    return this.biasNodes ? [this.weightNodes, this.biasNodes] : [this.weightNodes];
  }

  /** Sample the weight nodes at these sizes (fresh tensors; call inside tf.tidy). */
  protected abstract sampleWeight(sizes: GroupSizes): tf.Tensor;

  /** Full-size scale along the input axis, shaped to broadcast against the weight nodes; null if none. */
  protected abstract inputScaleShape(): number[] | null;

  /**
   * Discrete weights at `sizes`. Training: computed afresh (the caller's tidy/tape owns them) and the
   * cache is dropped, since the nodes are about to change. Otherwise: cached and reused (do not dispose).
   */
  discreteWeights(sizes: GroupSizes, training: boolean): DiscreteWeights {
    if (training) {
      this.invalidate();
      return this.compute(sizes);
    }
    const key = `${this.groups.sizesKey(this.inGroup, sizes)}/${this.groups.sizesKey(this.outGroup, sizes)}/${this.groups.partitionRevision}`;
    // Assigning a variable gives it a new dataId, so nodes changed by an optimizer or a loaded file miss the cache.
    const nodes = this.variables.map((v) => v.dataId);
    if (this.cached?.key !== key || this.cached.nodes.some((d, i) => d !== nodes[i])) {
      this.invalidate();
      const weights = tf.tidy(() => {
        const w = this.compute(sizes);
        return w.bias ? { weight: tf.keep(w.weight), bias: tf.keep(w.bias) } : { weight: tf.keep(w.weight) };
      });
      this.cached = { key, nodes, weights };
    }
    return this.cached.weights;
  }

  private compute(sizes: GroupSizes): DiscreteWeights {
    return tf.tidy(() => {
      const weight = this.sampleWeight(sizes);
      if (!this.biasNodes) return { weight };
      // A fresh tensor, not a reshape: the wasm backend keeps one shape per buffer, and its FusedConv2D
      // rejects a bias whose buffer was created rank 3 (sampleAxis's matMul output) even if reshaped.
      const bias = tf.add(
        sampleAxis(this.biasNodes, 0, this.groups.sampling(this.outGroup, sizes).matrix),
        0,
      ) as tf.Tensor1D;
      return { weight, bias };
    }) as DiscreteWeights;
  }

  /** Drop cached discrete weights (after assigning nodes by hand, for instance). */
  invalidate(): void {
    if (this.cached) {
      tf.dispose([this.cached.weights.weight, ...(this.cached.weights.bias ? [this.cached.weights.bias] : [])]);
      this.cached = undefined;
    }
  }

  /**
   * Exact initialisation from a discrete layer of full size: nodes = W / (q · V) along the input axis
   * (so the full-size sampled layer equals W), bias nodes = b.
   */
  setFromDiscrete(weight: tf.Tensor, bias?: tf.Tensor): void {
    if (weight.shape.join() !== this.weightNodes.shape.join()) {
      throw new Error(
        `${this.id}.setFromDiscrete: weight has shape [${weight.shape}], the full-size layer has [${this.weightNodes.shape}]`,
      );
    }
    const scaleShape = this.inputScaleShape();
    tf.tidy(() => {
      if (scaleShape) {
        const scale = this.groups.fullScale(this.inGroup);
        if (scale.some((v) => v === 0))
          throw new Error(
            `${this.id}.setFromDiscrete: the quadrature of group "${this.inGroup}" has zero weights; exact initialisation needs the trapezoid or Simpson rule`,
          );
        this.weightNodes.assign(tf.div(weight, tf.tensor(Float32Array.from(scale), scaleShape)));
      } else this.weightNodes.assign(weight);
    });
    if (bias !== undefined) {
      if (!this.biasNodes) throw new Error(`${this.id}.setFromDiscrete: the layer has no bias`);
      if (bias.shape.join() !== this.biasNodes.shape.join())
        throw new Error(
          `${this.id}.setFromDiscrete: bias has shape [${bias.shape}], expected [${this.biasNodes.shape}]`,
        );
      this.biasNodes.assign(bias);
    }
    this.invalidate();
  }

  abstract describe(sizes: GroupSizes): LayerDescription;

  protected describeWith(
    sizes: GroupSizes,
    kernel: [number, number],
    stride: number,
    weightParams: number,
    macs: number,
  ): LayerDescription {
    const outChannels = this.groups.sizeOf(this.outGroup, sizes);
    return {
      id: this.id,
      kind: this.kind,
      inGroup: this.inGroup,
      outGroup: this.outGroup,
      inChannels: this.groups.sizeOf(this.inGroup, sizes),
      outChannels,
      kernel,
      stride,
      bias: this.biasNodes !== undefined,
      activation: this.activation,
      params: weightParams + (this.biasNodes ? outChannels : 0),
      macsPerPosition: macs,
      nodes: this.weightNodes.size + (this.biasNodes?.size ?? 0),
    };
  }

  dispose(): void {
    this.invalidate();
    tf.dispose(this.variables);
  }
}

/** Dense layer: nodes [N_in, N_out]; quadrature along the input. Input [batch, in] → [batch, out]. */
export class IntegralDense extends IntegralLayer {
  readonly kind = "dense" as const;

  constructor(groups: ChannelGroups, options: IntegralLayerOptions) {
    super(groups, options, [groups.nodesOf(options.inGroup), groups.nodesOf(options.outGroup)]);
  }

  protected sampleWeight(sizes: GroupSizes): tf.Tensor {
    const inS = this.groups.sampling(this.inGroup, sizes);
    const outS = this.groups.sampling(this.outGroup, sizes);
    return tf.tidy(() => {
      const w = sampleAxis(sampleAxis(this.weightNodes, 0, inS.matrix), 1, outS.matrix);
      return tf.mul(w, tf.reshape(inS.scale, [-1, 1]));
    });
  }

  protected inputScaleShape(): number[] {
    return [this.weightNodes.shape[0] as number, 1];
  }

  apply(x: tf.Tensor2D, sizes: GroupSizes, training: boolean): tf.Tensor2D {
    return tf.tidy(() => {
      const { weight, bias } = this.discreteWeights(sizes, training);
      // Not tf.fused.matMul: the wasm backend rejects its (internally rank-3) bias.
      const y = bias ? tf.add(tf.matMul(x, weight as tf.Tensor2D), bias) : tf.matMul(x, weight as tf.Tensor2D);
      return (this.activation === "relu" ? tf.relu(y) : y) as tf.Tensor2D;
    });
  }

  describe(sizes: GroupSizes): LayerDescription {
    const i = this.groups.sizeOf(this.inGroup, sizes);
    const o = this.groups.sizeOf(this.outGroup, sizes);
    return this.describeWith(sizes, [1, 1], 1, i * o, i * o);
  }
}

export interface IntegralConv2dOptions extends IntegralLayerOptions {
  /** Square kernel size (default 3). */
  kernelSize?: number;
  stride?: number;
  /** Default: edge padding of ⌊k/2⌋ (the reference net's replicate padding). */
  padding?: ConvPadding;
  /**
   * Whether training needs the gradient of the layer's input (default true). False for a layer that reads the
   * network's images; an edge-padded stride-1 conv then skips its folded gradient (ops/edge-padded-conv.ts).
   */
  inputGradient?: boolean;
}

function pad4(x: tf.Tensor4D, padding: ConvPadding): { x: tf.Tensor4D; pad: "same" | "valid" } {
  if (typeof padding === "string") return { x, pad: padding };
  return { x: padding.edge > 0 ? edgePad(x, padding.edge) : x, pad: "valid" };
}

/** Conv2d: nodes [k, k, N_in, N_out]; spatial taps discrete, quadrature along the input channels. */
export class IntegralConv2d extends IntegralLayer {
  readonly kind: IntegralLayerKind = "conv2d";
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: ConvPadding;
  readonly inputGradient: boolean;

  constructor(groups: ChannelGroups, options: IntegralConv2dOptions) {
    const k = options.kernelSize ?? 3;
    if (!Number.isInteger(k) || k < 1)
      throw new Error(`${options.id}: kernelSize must be a positive integer, got ${k}`);
    super(groups, options, [k, k, groups.nodesOf(options.inGroup), groups.nodesOf(options.outGroup)]);
    this.kernelSize = k;
    this.stride = options.stride ?? 1;
    this.padding = options.padding ?? { edge: Math.floor(k / 2) };
    this.inputGradient = options.inputGradient ?? true;
  }

  protected sampleWeight(sizes: GroupSizes): tf.Tensor {
    const inS = this.groups.sampling(this.inGroup, sizes);
    const outS = this.groups.sampling(this.outGroup, sizes);
    return tf.tidy(() => {
      const w = sampleAxis(sampleAxis(this.weightNodes, 3, outS.matrix), 2, inS.matrix);
      return tf.mul(w, tf.reshape(inS.scale, [1, 1, -1, 1]));
    });
  }

  protected inputScaleShape(): number[] {
    return [1, 1, this.weightNodes.shape[2] as number, 1];
  }

  /** x [batch, h, w, in] → [batch, h', w', out]. */
  apply(x: tf.Tensor4D, sizes: GroupSizes, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      const { weight, bias } = this.discreteWeights(sizes, training);
      if (this.stride === 1 && typeof this.padding !== "string" && this.padding.edge > 0) {
        return edgePaddedConv2d({
          x,
          filter: weight as tf.Tensor4D,
          bias,
          pad: this.padding.edge,
          activation: this.activation,
          foldedGradient: this.inputGradient,
        });
      }
      const p = pad4(x, this.padding);
      return tf.fused.conv2d({
        x: p.x,
        filter: weight as tf.Tensor4D,
        strides: this.stride,
        pad: p.pad,
        bias,
        activation: this.activation,
      });
    });
  }

  describe(sizes: GroupSizes): LayerDescription {
    const i = this.groups.sizeOf(this.inGroup, sizes);
    const o = this.groups.sizeOf(this.outGroup, sizes);
    const k = this.kernelSize;
    return this.describeWith(sizes, [k, k], this.stride, k * k * i * o, k * k * i * o);
  }
}

/** Point-wise (1×1) integral conv: quadrature along the input channels; no padding. */
export class IntegralPointwiseConv2d extends IntegralConv2d {
  override readonly kind: IntegralLayerKind = "pointwise-conv2d";

  constructor(groups: ChannelGroups, options: Omit<IntegralConv2dOptions, "kernelSize" | "padding">) {
    super(groups, { ...options, kernelSize: 1, padding: "valid" });
  }
}

export interface IntegralDepthwiseConv2dOptions extends Omit<IntegralLayerOptions, "inGroup" | "outGroup"> {
  /** The one group of input and output channels. */
  group: string;
  kernelSize?: number;
  stride?: number;
  padding?: ConvPadding;
}

/**
 * Depth-wise integral conv: per spatial tap a 1-D function of the channel coordinate, nodes [k, k, N, 1];
 * input and output channels are one group; no integration over channels, hence no quadrature.
 */
export class IntegralDepthwiseConv2d extends IntegralLayer {
  readonly kind = "depthwise-conv2d" as const;
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: ConvPadding;

  constructor(groups: ChannelGroups, options: IntegralDepthwiseConv2dOptions) {
    const k = options.kernelSize ?? 3;
    if (!Number.isInteger(k) || k < 1)
      throw new Error(`${options.id}: kernelSize must be a positive integer, got ${k}`);
    super(groups, { ...options, inGroup: options.group, outGroup: options.group }, [
      k,
      k,
      groups.nodesOf(options.group),
      1,
    ]);
    this.kernelSize = k;
    this.stride = options.stride ?? 1;
    this.padding = options.padding ?? { edge: Math.floor(k / 2) };
  }

  protected sampleWeight(sizes: GroupSizes): tf.Tensor {
    const s = this.groups.sampling(this.inGroup, sizes);
    return sampleAxis(this.weightNodes, 2, s.matrix);
  }

  protected inputScaleShape(): null {
    return null;
  }

  apply(x: tf.Tensor4D, sizes: GroupSizes, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      const { weight, bias } = this.discreteWeights(sizes, training);
      const p = pad4(x, this.padding);
      return tf.fused.depthwiseConv2d({
        x: p.x,
        filter: weight as tf.Tensor4D,
        strides: this.stride,
        pad: p.pad,
        bias,
        activation: this.activation,
      });
    });
  }

  describe(sizes: GroupSizes): LayerDescription {
    const c = this.groups.sizeOf(this.inGroup, sizes);
    const k = this.kernelSize;
    return this.describeWith(sizes, [k, k], this.stride, k * k * c, k * k * c);
  }
}
