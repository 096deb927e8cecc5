/**
 * The reference MNIST net (see reference.ts) as an integral network: every hidden channel axis is a
 * continuous coordinate with its own group, so the whole model can be resampled to any hidden sizes.
 *
 *   image → conv1 3×3 (edge pad 1) → ReLU → avg-pool 2 → conv2 5×5 (edge pad 2) → ReLU → avg-pool 2
 *         → conv3 5×5 (edge pad 2) → ReLU → avg-pool 2 → position [0, 0] → dense → logits
 *
 * Groups: "image" (input channels, no quadrature, fixed), "conv1", "conv2", "conv3" (hidden, resizable,
 * trained on random sizes from their ranges), "classes" (fixed). Default training ranges cover 25–100%
 * of every hidden group (upstream's MNIST example fixes conv1 at 16 and uses 50–100% for the
 * others; pass `ranges` to reproduce that). The ranges are part of the model and of its description.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ForwardContext, InputShape, Model } from "../model.js";
import type { SizeRange } from "../math/partition.js";
import { ChannelGroups, rangeAtFraction, type GroupQuadrature, type GroupSizes } from "../integral/groups.js";
import { IntegralConv2d, IntegralDense } from "../integral/layers.js";
import { layerNode, modelDescription, opNode, type ModelDescription } from "../integral/description.js";
import { cubicKernel, interpolationKernel, type InterpolationKernelName } from "../math/interpolation.js";
import { ReferenceNet, REFERENCE_CONVS } from "./reference.js";
import { distillationLoss, softmaxCrossEntropy } from "../train/loss.js";
import { channelRoughness, smoothChannelNodes } from "../integral/smoothness.js";

export type ReferenceInnGroup = "conv1" | "conv2" | "conv3";

export const REFERENCE_INN_GROUPS: readonly ReferenceInnGroup[] = ["conv1", "conv2", "conv3"];

export interface ReferenceInnOptions {
  /** Training size range per hidden group; default 25–100% of each (rounded up). */
  ranges?: Partial<Record<ReferenceInnGroup, SizeRange>>;
  /** Fraction used for the default ranges' lower end (default 0.25). */
  minFraction?: number;
  /** Interpolation kernel of the hidden groups (default cubic). */
  kernel?: InterpolationKernelName;
  /** Keys' A for the cubic kernel (default −0.75, upstream's). */
  cubicA?: number;
  /** Quadrature of the hidden groups (default trapezoid). */
  quadrature?: GroupQuadrature;
  /** Probability that a training step runs at full size instead of random sizes (default 0). */
  fullSizeProbability?: number;
  /** Probability that a random-size step draws one shared position for all groups (default 0, see ChannelGroups). */
  sharedDrawProbability?: number;
  /**
   * Sandwich rule (default false): every training step runs the full-size net on the labels and one
   * random-size net taught by the full size's predictions (in-place distillation). Twice the work per
   * step, but the full size trains on every batch instead of a share of them.
   */
  sandwich?: boolean;
  /** With the sandwich rule, also run the smallest size of every range in each step (default false). */
  sandwichSmallest?: boolean;
  /** With the sandwich rule, how many random-size nets each step runs (default 1). */
  sandwichDraws?: number;
  /**
   * With the sandwich rule, the share of the labels in the smaller nets' targets (default 0: they learn
   * only from the full size's predictions; 1: only from the labels).
   */
  sandwichLabelWeight?: number;
  /**
   * Gaussian width (in nodes) with which `createReferenceInn` smooths the initial nodes along the hidden
   * channel axes (default 0: the discrete net's initialisation as is). See smoothChannelNodes.
   */
  smoothInit?: number;
}

/** Default training range of a hidden group of `size` channels (rangeAtFraction, down to a quarter). */
export function defaultRange(size: number, fraction = 0.25): SizeRange {
  return rangeAtFraction(size, fraction);
}

export class ReferenceInn implements Model {
  readonly name = "reference-inn";
  readonly input: InputShape;
  readonly groups: ChannelGroups;
  readonly convs: IntegralConv2d[];
  readonly dense: IntegralDense;
  /** Names aligned with `trainableVariables`, as the discrete net's: "conv1.weight", … "dense.bias". */
  readonly parameterNames: readonly string[];
  readonly trainableVariables: tf.Variable[];
  /** Whether training steps follow the sandwich rule (see ReferenceInnOptions). */
  readonly sandwich: boolean;
  readonly sandwichSmallest: boolean;
  readonly sandwichDraws: number;
  readonly sandwichLabelWeight: number;

  /** An integral net initialised exactly from a discrete reference net (which stays owned by the caller). */
  static fromDiscrete(net: ReferenceNet, options: ReferenceInnOptions = {}): ReferenceInn {
    const inn = new ReferenceInn(net.input, options);
    const p = net.parameters;
    REFERENCE_CONVS.forEach((conv, i) => inn.convs[i].setFromDiscrete(p[conv.name].weight, p[conv.name].bias));
    inn.dense.setFromDiscrete(p.dense.weight, p.dense.bias);
    return inn;
  }

  /** An integral net with zero nodes; use `fromDiscrete` or `createReferenceInn` for initialised ones. */
  constructor(input: InputShape, options: ReferenceInnOptions = {}) {
    this.input = { ...input };
    this.sandwich = options.sandwich ?? false;
    this.sandwichSmallest = options.sandwichSmallest ?? false;
    this.sandwichDraws = options.sandwichDraws ?? 1;
    if (!Number.isInteger(this.sandwichDraws) || this.sandwichDraws < 1)
      throw new Error(`reference-inn: sandwichDraws must be a positive integer, got ${this.sandwichDraws}`);
    this.sandwichLabelWeight = options.sandwichLabelWeight ?? 0;
    if (!(this.sandwichLabelWeight >= 0 && this.sandwichLabelWeight <= 1))
      throw new Error(`reference-inn: sandwichLabelWeight must be in [0, 1], got ${this.sandwichLabelWeight}`);
    const kernel =
      options.kernel === "cubic" || options.kernel === undefined
        ? cubicKernel(options.cubicA)
        : interpolationKernel(options.kernel);
    const fraction = options.minFraction ?? 0.25;
    if (!(fraction > 0 && fraction <= 1))
      throw new Error(`reference-inn: minFraction must be in (0, 1], got ${fraction}`);
    for (const key of Object.keys(options.ranges ?? {})) {
      if (!REFERENCE_INN_GROUPS.includes(key as ReferenceInnGroup))
        throw new Error(`reference-inn: unknown group "${key}" in ranges (known: ${REFERENCE_INN_GROUPS.join(", ")})`);
    }
    this.groups = new ChannelGroups(
      [
        { id: "image", size: input.channels, quadrature: input.channels <= 3 ? "none" : options.quadrature },
        ...REFERENCE_CONVS.map((c) => ({
          id: c.name,
          size: c.outChannels,
          range: options.ranges?.[c.name] ?? defaultRange(c.outChannels, fraction),
          kernel,
          quadrature: options.quadrature,
        })),
        { id: "classes", size: input.classes, quadrature: "none" as const },
      ],
      [],
      { fullSizeProbability: options.fullSizeProbability, sharedDrawProbability: options.sharedDrawProbability },
    );
    let inGroup = "image";
    this.convs = REFERENCE_CONVS.map((c) => {
      const layer = new IntegralConv2d(this.groups, {
        id: c.name,
        inGroup,
        outGroup: c.name,
        kernelSize: c.kernel,
        padding: { edge: c.pad },
        activation: "relu",
        inputGradient: inGroup !== "image",
      });
      inGroup = c.name;
      return layer;
    });
    this.dense = new IntegralDense(this.groups, { id: "dense", inGroup, outGroup: "classes" });
    const names: string[] = [];
    const variables: tf.Variable[] = [];
    for (const layer of [...this.convs, this.dense]) {
      names.push(`${layer.id}.weight`, `${layer.id}.bias`);
      variables.push(...layer.variables);
    }
    this.parameterNames = names;
    this.trainableVariables = variables;
  }

  /** Current sizes of all groups. */
  get sizes(): GroupSizes {
    return this.groups.sizes;
  }

  /** Training ranges of the hidden groups. */
  get trainingRanges(): Record<ReferenceInnGroup, SizeRange> {
    return Object.fromEntries(REFERENCE_INN_GROUPS.map((g) => [g, this.groups.range(g)])) as Record<
      ReferenceInnGroup,
      SizeRange
    >;
  }

  /**
   * Resample hidden groups (others keep their size) and compute the discrete weights now, so the next
   * evaluation costs what the discrete net's does.
   */
  resample(sizes: Partial<Record<ReferenceInnGroup, number>>): void {
    for (const key of Object.keys(sizes)) {
      if (!REFERENCE_INN_GROUPS.includes(key as ReferenceInnGroup))
        throw new Error(`reference-inn.resample: unknown group "${key}" (known: ${REFERENCE_INN_GROUPS.join(", ")})`);
    }
    this.groups.resample(sizes as Record<string, number>);
    const current = this.groups.sizes;
    for (const layer of [...this.convs, this.dense]) layer.discreteWeights(current, false);
  }

  apply(images: tf.Tensor4D, context: ForwardContext): tf.Tensor2D {
    return this.forward(images, this.groups.stepSizes(context), context.training);
  }

  /**
   * Training loss: with the sandwich rule, labels at full size plus the full size's predictions at random
   * sizes; otherwise the labels at this step's sizes.
   */
  trainingLoss(images: tf.Tensor4D, oneHot: tf.Tensor2D, context: ForwardContext): tf.Scalar {
    return tf.tidy(() =>
      this.sandwich && context.random
        ? this.sandwichLoss(images, oneHot, context)
        : softmaxCrossEntropy(this.apply(images, context), oneHot),
    );
  }

  /**
   * Summed relative roughness of all nodes along the hidden channel axes (integral/smoothness.ts): about 2
   * per axis for white noise, 0 for constant functions. Reported with trained nets.
   */
  roughness(): tf.Scalar {
    const hidden = new Set<string>(REFERENCE_INN_GROUPS);
    return tf.tidy(
      () => tf.addN([...this.convs, this.dense].map((layer) => channelRoughness(layer, hidden))) as tf.Scalar,
    );
  }

  private sandwichLoss(images: tf.Tensor4D, oneHot: tf.Tensor2D, context: ForwardContext): tf.Scalar {
    const full = this.forward(images, this.groups.fullSizes, true);
    const w = this.sandwichLabelWeight;
    // A smaller net learns from the full size's predictions, the labels, or a mix of both.
    const student = (logits: tf.Tensor2D): tf.Scalar => {
      if (w === 0) return distillationLoss(logits, full);
      if (w === 1) return softmaxCrossEntropy(logits, oneHot);
      return tf.add(
        tf.mul(w, softmaxCrossEntropy(logits, oneHot)),
        tf.mul(1 - w, distillationLoss(logits, full)),
      ) as tf.Scalar;
    };
    let loss = softmaxCrossEntropy(full, oneHot);
    for (let k = 0; k < this.sandwichDraws; k++)
      loss = tf.add(loss, student(this.forward(images, this.groups.stepSizes(context), true))) as tf.Scalar;
    if (!this.sandwichSmallest) return loss;
    const smallest = Object.fromEntries(REFERENCE_INN_GROUPS.map((g) => [g, this.groups.range(g).min]));
    return tf.add(loss, student(this.forward(images, { ...this.groups.fullSizes, ...smallest }, true))) as tf.Scalar;
  }

  private forward(images: tf.Tensor4D, sizes: GroupSizes, training: boolean): tf.Tensor2D {
    return tf.tidy(() => {
      let h: tf.Tensor4D = tf.sub(tf.mul(images, 2), 1);
      for (const conv of this.convs) h = tf.avgPool(conv.apply(h, sizes, training), 2, 2, "valid");
      const [batch, , , channels] = h.shape;
      const features = tf.reshape(tf.slice(h, [0, 0, 0, 0], [batch, 1, 1, channels]), [batch, channels]) as tf.Tensor2D;
      return this.dense.apply(features, sizes, training);
    });
  }

  /** Graph, shapes, parameters and FLOPs at `sizes` (default: current). */
  describe(sizes: GroupSizes = this.groups.sizes): ModelDescription {
    let height = this.input.height;
    let width = this.input.width;
    const nodes = [opNode("input", "input", [], "image", [height, width, this.input.channels])];
    let previous = "input";
    for (const conv of this.convs) {
      const d = conv.describe(sizes);
      nodes.push(layerNode(d, [previous], [height, width, d.outChannels]));
      nodes.push(opNode(`${conv.id}.relu`, "relu", [conv.id], conv.outGroup, [height, width, d.outChannels]));
      height = Math.floor(height / 2);
      width = Math.floor(width / 2);
      nodes.push(
        opNode(`${conv.id}.pool`, "avg-pool", [`${conv.id}.relu`], conv.outGroup, [height, width, d.outChannels]),
      );
      previous = `${conv.id}.pool`;
    }
    const last = this.convs[this.convs.length - 1];
    nodes.push(
      opNode("position", "take-position", [previous], last.outGroup, [this.groups.sizeOf(last.outGroup, sizes)]),
    );
    const dense = this.dense.describe(sizes);
    nodes.push(layerNode(dense, ["position"], [dense.outChannels]));
    return modelDescription(this.name, this.groups.describe(sizes), nodes);
  }

  /** Grid tuning: make the partitions of these hidden groups trainable (at their current sizes). */
  enableGridTuning(
    groups: readonly ReferenceInnGroup[] = REFERENCE_INN_GROUPS,
    options: { fixedEndpoints?: boolean } = {},
  ): tf.Variable[] {
    for (const g of groups) this.groups.enableTrainablePartition(g, options);
    return this.groups.partitionVariables;
  }

  dispose(): void {
    for (const layer of [...this.convs, this.dense]) layer.dispose();
    this.groups.dispose();
  }
}

/**
 * Build an integral reference net for `input`, initialised exactly from the discrete reference net of
 * the same seed (so both start from PyTorch-default weights), then, with `smoothInit`, smoothed along
 * the hidden channel axes.
 */
export function createReferenceInn(input: InputShape, seed: number, options: ReferenceInnOptions = {}): ReferenceInn {
  const sigma = options.smoothInit ?? 0;
  if (!(sigma >= 0 && Number.isFinite(sigma)))
    throw new Error(`reference-inn: smoothInit must be a number ≥ 0 (a width in nodes), got ${sigma}`);
  const discrete = new ReferenceNet(input, seed);
  try {
    const inn = ReferenceInn.fromDiscrete(discrete, options);
    if (sigma > 0) {
      const hidden = new Set<string>(REFERENCE_INN_GROUPS);
      for (const layer of [...inn.convs, inn.dense]) smoothChannelNodes(layer, hidden, sigma);
    }
    return inn;
  } finally {
    discrete.dispose();
  }
}
