/**
 * A small integral multi-layer perceptron for 2-D points (the playground's nets):
 *
 *   (x, y) → dense → ReLU → … (1–3 hidden layers) → dense → logits
 *
 * Every hidden layer's channel axis is an atomic group ("h1", "h2", "h3") with its own node count, so
 * the net can be resampled to any hidden widths; the input (2 coordinates) and the classes are fixed
 * groups without quadrature. With a training range below the full width and the sandwich rule, each step
 * trains the full width on the labels and the smallest width plus a random one taught by it — the
 * site's recipe for an integral net. With the range at full width only, it is an ordinary net that
 * happens to be stored as nodes.
 *
 * Inputs follow the Model contract, [batch, 1, 1, 2] (a point as a 1×1 image with two channels).
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ForwardContext, InputShape, Model } from "../model.js";
import {
  ChannelGroups,
  rangeAtFraction,
  sizesAtFraction,
  type GroupQuadrature,
  type GroupSizes,
} from "../integral/groups.js";
import { IntegralDense } from "../integral/layers.js";
import { smoothChannelNodes } from "../integral/smoothness.js";
import { interpolationKernel, type InterpolationKernelName } from "../math/interpolation.js";
import { MIN_POINTS, trapezoidWeights } from "../math/quadrature.js";
import { uniformPartition } from "../math/partition.js";
import { deriveSeed } from "../random.js";
import { softmaxCrossEntropy } from "../train/loss.js";
import { checkSandwichRule, sandwichLoss, type SandwichRule } from "../train/sandwich.js";
import { torchDefaultUniform } from "./reference.js";

export const MLP_MAX_HIDDEN_LAYERS = 3;
export const MLP_MAX_WIDTH = 64;
/** The smallest full width of a hidden layer, and of its training range: Simpson's rule needs three points. */
export const MLP_MIN_WIDTH = 3;

/** Quadratures an MLP's hidden axes may use (uniform partitions of any size ≥ 2; Simpson needs 3). */
export type MlpQuadrature = Exclude<GroupQuadrature, "none">;

export interface IntegralMlpOptions {
  /** Full width (node count) of each hidden layer: 1–3 layers of 2–64. */
  hidden: readonly number[];
  /** Initialisation seed (same seed, same hidden widths: same initial nodes). */
  seed: number;
  /** Inputs per point (default 2) and classes (default 2). */
  inputs?: number;
  classes?: number;
  /** Low end of the training range, as a fraction of each hidden width (default 1: full width only). */
  minFraction?: number;
  /** Sandwich rule for random-width training (used when the range is wider than one size). */
  sandwich?: SandwichRule;
  /** Interpolation kernel along the hidden axes (default linear) and quadrature (default trapezoid). */
  kernel?: InterpolationKernelName;
  quadrature?: MlpQuadrature;
  /** Gaussian width (in nodes) with which the initial nodes are smoothed along the hidden axes (default 0). */
  smoothInit?: number;
}

/** Labels for deriveSeed: one stream per layer tensor, apart from the data and trainer streams. */
const INIT_LABEL = 0x3100;

/** Hidden group ids, "h1" … "hL". */
export function hiddenGroupIds(layers: number): string[] {
  return Array.from({ length: layers }, (_, i) => `h${i + 1}`);
}

export class IntegralMlp implements Model {
  readonly name = "integral-mlp";
  readonly input: InputShape;
  readonly groups: ChannelGroups;
  readonly layers: IntegralDense[];
  readonly hidden: readonly number[];
  readonly hiddenIds: readonly string[];
  readonly trainableVariables: tf.Variable[];
  readonly sandwich?: SandwichRule;
  private quadratureRule: MlpQuadrature;

  constructor(options: IntegralMlpOptions) {
    const hidden = [...options.hidden];
    if (hidden.length < 1 || hidden.length > MLP_MAX_HIDDEN_LAYERS)
      throw new Error(`integral-mlp: 1–${MLP_MAX_HIDDEN_LAYERS} hidden layers, got ${hidden.length}`);
    for (const n of hidden)
      if (!Number.isInteger(n) || n < MLP_MIN_WIDTH || n > MLP_MAX_WIDTH)
        throw new Error(
          `integral-mlp: hidden widths must be integers in [${MLP_MIN_WIDTH}, ${MLP_MAX_WIDTH}], got ${n}`,
        );
    const fraction = options.minFraction ?? 1;
    if (!(fraction > 0 && fraction <= 1))
      throw new Error(`integral-mlp: minFraction must be in (0, 1], got ${fraction}`);
    const inputs = options.inputs ?? 2;
    const classes = options.classes ?? 2;
    this.input = { height: 1, width: 1, channels: inputs, classes };
    this.hidden = hidden;
    this.hiddenIds = hiddenGroupIds(hidden.length);
    this.quadratureRule = options.quadrature ?? "trapezoid";
    const kernel = interpolationKernel(options.kernel ?? "linear");
    this.groups = new ChannelGroups([
      { id: "input", size: inputs, quadrature: "none" },
      ...hidden.map((n, i) => ({
        id: this.hiddenIds[i],
        size: n,
        // Never below Simpson's minimum, so every rule can be switched to mid-run.
        range: { min: Math.min(n, Math.max(MLP_MIN_WIDTH, rangeAtFraction(n, fraction).min)), max: n },
        kernel,
        quadrature: this.quadratureRule,
      })),
      { id: "classes", size: classes, quadrature: "none" as const },
    ]);
    if (options.sandwich) checkSandwichRule(options.sandwich, "integral-mlp");
    this.sandwich = options.sandwich;
    const ids = ["input", ...this.hiddenIds, "classes"];
    const widths = [inputs, ...hidden, classes];
    this.layers = ids.slice(1).map((outGroup, l) => {
      const fanIn = widths[l];
      const fanOut = widths[l + 1];
      const weight = torchDefaultUniform(deriveSeed(options.seed, INIT_LABEL + l, 0), fanIn * fanOut, fanIn);
      // Nodes from a discrete init (λ = W / (q·V), trapezoid q, whatever the chosen rule): the same
      // seed gives the same nodes for every kernel and quadrature.
      if (l > 0) {
        const scale = trapezoidWeights(uniformPartition(fanIn)).map((q) => (q * (fanIn - 1)) / 2);
        for (let i = 0; i < fanIn; i++) for (let o = 0; o < fanOut; o++) weight[i * fanOut + o] /= scale[i];
      }
      return new IntegralDense(this.groups, {
        id: `mlp${l + 1}`,
        inGroup: ids[l],
        outGroup,
        activation: l < hidden.length ? "relu" : "linear",
        initialWeight: weight,
        initialBias: torchDefaultUniform(deriveSeed(options.seed, INIT_LABEL + l, 1), fanOut, fanIn),
      });
    });
    const sigma = options.smoothInit ?? 0;
    if (!(sigma >= 0 && Number.isFinite(sigma)))
      throw new Error(`integral-mlp: smoothInit must be a number ≥ 0, got ${sigma}`);
    if (sigma > 0) for (const layer of this.layers) smoothChannelNodes(layer, new Set(this.hiddenIds), sigma);
    this.trainableVariables = this.layers.flatMap((layer) => layer.variables);
  }

  /** Quadrature of the hidden axes. */
  get quadrature(): MlpQuadrature {
    return this.quadratureRule;
  }

  /** Interpolation kernel of the hidden axes. */
  get kernel(): InterpolationKernelName {
    return this.groups.axisSampling(this.hiddenIds[0]).kernel.name;
  }

  /** Whether training draws random widths (a range below the full width). */
  get randomWidths(): boolean {
    return this.hiddenIds.some((id) => this.groups.range(id).min < this.groups.range(id).max);
  }

  /** Sample the hidden axes with another kernel and/or quadrature from now on (nodes unchanged). */
  setSampling(sampling: { kernel?: InterpolationKernelName; quadrature?: MlpQuadrature }): void {
    const kernel = sampling.kernel ? interpolationKernel(sampling.kernel) : undefined;
    if (sampling.quadrature) this.quadratureRule = sampling.quadrature;
    for (const id of this.hiddenIds) this.groups.setAxisSampling(id, { kernel, quadrature: sampling.quadrature });
  }

  /**
   * Hidden sizes at `fraction` of every full width: round(fraction · N), at least the quadrature's
   * minimum (2, or 3 for Simpson) and at most N (groups.ts's sizesAtFraction, floored per rule).
   */
  sizesAt(fraction: number): GroupSizes {
    const full = this.groups.fullSizes;
    const floor = MIN_POINTS[this.quadratureRule];
    const scaled = sizesAtFraction(full, this.hiddenIds, fraction);
    for (const id of this.hiddenIds) scaled[id] = Math.min(full[id], Math.max(floor, scaled[id]));
    return { ...full, ...scaled };
  }

  /** Logits [batch, classes] of points [batch, inputs] at hidden `sizes`. */
  logits(points: tf.Tensor2D, sizes: GroupSizes, training = false): tf.Tensor2D {
    return tf.tidy(() => {
      let h = points;
      for (const layer of this.layers) h = layer.apply(h, sizes, training);
      return h;
    });
  }

  apply(images: tf.Tensor4D, context: ForwardContext): tf.Tensor2D {
    return tf.tidy(() => this.logits(this.flatten(images), this.groups.stepSizes(context), context.training));
  }

  /** Sandwich rule with random widths; otherwise the labels at this step's sizes. */
  trainingLoss(images: tf.Tensor4D, oneHot: tf.Tensor2D, context: ForwardContext): tf.Scalar {
    return tf.tidy(() => {
      const points = this.flatten(images);
      if (this.sandwich && context.random && this.randomWidths)
        return sandwichLoss((sizes) => this.logits(points, sizes, true), oneHot, this.groups, context, this.sandwich);
      return softmaxCrossEntropy(this.logits(points, this.groups.stepSizes(context), context.training), oneHot);
    });
  }

  private flatten(images: tf.Tensor4D): tf.Tensor2D {
    const [batch, height, width, channels] = images.shape;
    if (height !== 1 || width !== 1 || channels !== this.input.channels)
      throw new Error(
        `integral-mlp: expects points as [batch, 1, 1, ${this.input.channels}], got [${images.shape.join(", ")}]`,
      );
    return tf.reshape(images, [batch, channels]);
  }

  dispose(): void {
    for (const layer of this.layers) layer.dispose();
    this.groups.dispose();
  }
}
