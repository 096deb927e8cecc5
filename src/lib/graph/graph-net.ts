/**
 * An integral model built from a network plan (plan.ts): one integral layer or batch-norm per weight
 * node, the graph interpreted in `apply`, and `describe` the plan's own description (describe-plan.ts). Every hidden channel
 * axis is an atomic group; resampling acts on groups, so residual adds (one group) and concatenations
 * (a composite group of the branches' groups) stay consistent at any sizes.
 *
 * Initialisation: each weight layer's full-size discrete tensor is drawn like PyTorch's default
 * (U(±1/√fan_in)) from a seeded stream per layer, then set exactly into the nodes (`setFromDiscrete`),
 * so a "discrete" plan (fixed sizes) and an integral plan start from the same distribution.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ForwardContext, InputShape, Model } from "../model.js";
import type { SizeRange } from "../math/partition.js";
import { deriveSeed, mulberry32 } from "../random.js";
import { ChannelGroups, sizesAtFraction, type GroupSizes } from "../integral/groups.js";
import { IntegralConv2d, IntegralDense, IntegralDepthwiseConv2d, IntegralPointwiseConv2d } from "../integral/layers.js";
import type { ModelDescription } from "../integral/description.js";
import { IntegralBatchNorm } from "../integral/batch-norm.js";
import { pair, type NetworkPlan, type PlanNode } from "./plan.js";
import { describePlan } from "./describe-plan.js";
import { nodeHasBias, planParameters } from "./plan-parameters.js";
import { elementwise } from "./elementwise.js";
import { IntegralShapedConv2d } from "../integral/shaped-conv.js";
import type { WeightsParameter } from "../io/weights-file.js";
import { checkSandwichRule, sandwichLoss, type SandwichRule } from "../train/sandwich.js";
import { softmaxCrossEntropy } from "../train/loss.js";

type WeightLayer = IntegralConv2d | IntegralDepthwiseConv2d | IntegralDense | IntegralShapedConv2d;

export interface IntegralGraphNetOptions {
  /**
   * Probability that a random-size training step runs the whole network at full size instead of
   * drawing sizes (default 0.5). Those steps are the ones that move the batch-norm running statistics
   * (batch-norm.ts), and they train the full-size network directly, like the largest width of the
   * "sandwich rule" of slimmable networks (0.25 left resnet18-sinn far behind: docs/experiments.md).
   * Ignored when no group has a size range.
   */
  fullSizeProbability?: number;
  /** EMA factor of every batch-norm's running statistics (default 0.1, PyTorch's). */
  batchNormMomentum?: number;
  /**
   * Train by the sandwich rule (train/sandwich.ts): every step runs the full size on the labels, so the
   * full-size coin is not flipped. Default: none (one forward pass per step at `stepSizes`).
   */
  sandwich?: SandwichRule;
  /** Probability of one shared size draw for all groups (SizeSamplingOptions.sharedDrawProbability; default 0). */
  sharedDrawProbability?: number;
}

/** Full-size discrete initial weights, PyTorch's default bound 1/√fan_in (tfjs layout). */
function initialWeights(seed: number, shape: number[], fanIn: number): Float32Array {
  const random = mulberry32(seed);
  const bound = 1 / Math.sqrt(fanIn);
  const n = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, () => (2 * random() - 1) * bound);
}

export class IntegralGraphNet implements Model {
  readonly name: string;
  readonly plan: NetworkPlan;
  readonly input: InputShape;
  readonly groups: ChannelGroups;
  /** Names aligned with `trainableVariables`: "<node>.weight", "<node>.bias", "<bn>.gamma", "<bn>.beta". */
  readonly parameterNames: readonly string[];
  readonly trainableVariables: tf.Variable[];
  private readonly layers = new Map<string, WeightLayer>();
  private readonly norms = new Map<string, IntegralBatchNorm>();
  private readonly batchNormMomentum: number;
  /** The sandwich rule the net trains by, or undefined (IntegralGraphNetOptions.sandwich). */
  readonly sandwich: SandwichRule | undefined;

  constructor(plan: NetworkPlan, seed: number, options: IntegralGraphNetOptions = {}) {
    const momentum = options.batchNormMomentum ?? 0.1;
    if (!(momentum > 0 && momentum <= 1))
      throw new Error(`network ${plan.name}: batchNormMomentum must be in (0, 1], got ${momentum}`);
    this.batchNormMomentum = momentum;
    const described = describePlan(plan).nodes;
    const output = described[described.length - 1]?.outputShape ?? [];
    if (output.length !== 1 || output[0] !== plan.input.classes)
      throw new Error(
        `network ${plan.name}: a plan must end with the class outputs [${plan.input.classes}], its last node gives [${output}]`,
      );
    this.name = plan.name;
    this.plan = plan;
    this.input = { ...plan.input };
    // The full-size coin is ChannelGroups'; a net with no size range never flips it.
    const randomSize = plan.groups.some((g) => plan.hidden.includes(g.id) && g.range && g.range.min !== g.range.max);
    const p = options.fullSizeProbability ?? 0.5;
    if (!(p >= 0 && p <= 1)) throw new Error(`network ${plan.name}: fullSizeProbability must be in [0, 1], got ${p}`);
    if (options.sandwich) checkSandwichRule(options.sandwich, `network ${plan.name}`);
    this.sandwich = randomSize && options.sandwich ? { ...options.sandwich } : undefined;
    this.groups = new ChannelGroups(plan.groups, plan.composites, {
      fullSizeProbability: randomSize && !this.sandwich ? p : 0,
      sharedDrawProbability: options.sharedDrawProbability,
    });
    const names: string[] = [];
    const variables: tf.Variable[] = [];
    plan.nodes.forEach((node, index) => {
      const layer = this.buildLayer(node);
      if (layer instanceof IntegralBatchNorm) {
        this.norms.set(node.id, layer);
        names.push(`${node.id}.gamma`, `${node.id}.beta`);
        variables.push(...layer.variables);
      } else if (layer) {
        this.layers.set(node.id, layer);
        const shape = layer.weightNodes.shape;
        // fan-in = every weight feeding one output: all dims but the last (depth-wise: the k×k taps).
        const fanIn =
          node.op.op === "depthwise-conv2d"
            ? (shape[0] as number) * (shape[1] as number)
            : shape.slice(0, -1).reduce((a, b) => a * b, 1);
        const weightSeed = deriveSeed(seed, index, 0);
        tf.tidy(() => {
          const weight = tf.tensor(initialWeights(weightSeed, shape, fanIn), shape);
          const biasNodes = layer.biasNodes;
          const bias = biasNodes
            ? tf.tensor1d(initialWeights(deriveSeed(seed, index, 1), [biasNodes.size], fanIn))
            : undefined;
          layer.setFromDiscrete(weight, bias);
        });
        names.push(`${node.id}.weight`, ...(layer.biasNodes ? [`${node.id}.bias`] : []));
        variables.push(...layer.variables);
      }
    });
    this.parameterNames = names;
    this.trainableVariables = variables;
  }

  private buildLayer(node: PlanNode): WeightLayer | IntegralBatchNorm | undefined {
    const op = node.op;
    const id = node.id;
    const bias = nodeHasBias(node);
    // The square, undilated, isotropic cases are the classes of layers.ts; the rest (converted models) is shaped-conv.ts.
    const plain = (kernel: [number, number], stride: [number, number], dilation: [number, number]) =>
      kernel[0] === kernel[1] && stride[0] === stride[1] && dilation[0] === 1 && dilation[1] === 1;
    switch (op.op) {
      case "conv2d": {
        const [kernel, stride, dilation] = [pair(op.kernel), pair(op.stride), pair(op.dilation ?? 1)];
        const padding = op.padding ?? "same";
        const groups = { id, inGroup: op.inGroup, outGroup: op.outGroup, bias };
        if (plain(kernel, stride, dilation))
          return new IntegralConv2d(this.groups, { ...groups, kernelSize: kernel[0], stride: stride[0], padding });
        return new IntegralShapedConv2d(this.groups, {
          ...groups,
          kernel,
          strides: stride,
          dilations: dilation,
          padding,
        });
      }
      case "pointwise-conv2d": {
        const stride = pair(op.stride);
        const groups = { id, inGroup: op.inGroup, outGroup: op.outGroup, bias };
        if (plain([1, 1], stride, [1, 1]))
          return new IntegralPointwiseConv2d(this.groups, { ...groups, stride: stride[0] });
        return new IntegralShapedConv2d(this.groups, { ...groups, kernel: [1, 1], strides: stride, padding: "valid" });
      }
      case "depthwise-conv2d": {
        const [kernel, stride, dilation] = [pair(op.kernel), pair(op.stride), pair(op.dilation ?? 1)];
        const padding = op.padding ?? "same";
        if (plain(kernel, stride, dilation))
          return new IntegralDepthwiseConv2d(this.groups, {
            id,
            group: op.group,
            kernelSize: kernel[0],
            stride: stride[0],
            padding,
            bias,
          });
        return new IntegralShapedConv2d(this.groups, {
          id,
          inGroup: op.group,
          outGroup: op.group,
          bias,
          kernel,
          strides: stride,
          dilations: dilation,
          padding,
          depthwise: true,
        });
      }
      case "dense": {
        const groups = { id, inGroup: op.inGroup, outGroup: op.outGroup, bias };
        if (!op.spatial) return new IntegralDense(this.groups, groups);
        // Over a flattened map: a "valid" conv whose kernel covers the map (weights [h, w, in, out]).
        const [h, w] = op.spatial;
        if (h === w) return new IntegralConv2d(this.groups, { ...groups, kernelSize: h, padding: "valid" });
        return new IntegralShapedConv2d(this.groups, { ...groups, kernel: [h, w], padding: "valid" });
      }
      case "batch-norm":
        return new IntegralBatchNorm(this.groups, {
          id,
          group: op.group,
          momentum: this.batchNormMomentum,
          ...(op.epsilon !== undefined ? { epsilon: op.epsilon } : {}),
        });
      default:
        return undefined;
    }
  }

  /**
   * Exact initialisation from discrete parameters of the plan at full size (names and shapes as
   * `planParameters`: "<node>.weight", ".bias", batch norms' ".gamma", ".beta", ".mean", ".variance"): at full
   * size the net then computes what the discrete net computes. Every parameter must be given, and no other.
   */
  setDiscreteParameters(params: readonly WeightsParameter[], where = `${this.name}.setDiscreteParameters`): void {
    const expected = planParameters(this.plan);
    const byName = new Map(params.map((p) => [p.name, p]));
    const known = new Set(expected.map((e) => e.name));
    for (const p of params) if (!known.has(p.name)) throw new Error(`${where}: unknown parameter "${p.name}"`);
    for (const e of expected) {
      const p = byName.get(e.name);
      if (!p) throw new Error(`${where}: no values for parameter "${e.name}"`);
      if (p.shape.join() !== e.shape.join())
        throw new Error(`${where}: parameter "${e.name}" has shape [${p.shape}], the plan needs [${e.shape}]`);
      if (p.values.length !== e.shape.reduce((a, b) => a * b, 1))
        throw new Error(`${where}: parameter "${e.name}" has ${p.values.length} values for shape [${e.shape}]`);
      const bad = p.values.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new Error(`${where}: parameter "${e.name}" holds ${p.values[bad]} at index ${bad}`);
    }
    const tensor = (name: string) => {
      const p = byName.get(name) as WeightsParameter;
      return tf.tensor(p.values, p.shape, "float32");
    };
    tf.tidy(() => {
      for (const [id, layer] of this.layers)
        layer.setFromDiscrete(tensor(`${id}.weight`), layer.biasNodes ? tensor(`${id}.bias`) : undefined);
      for (const [id, norm] of this.norms) {
        norm.gammaNodes.assign(tensor(`${id}.gamma`));
        norm.betaNodes.assign(tensor(`${id}.beta`));
        norm.meanNodes.assign(tensor(`${id}.mean`));
        norm.varianceNodes.assign(tensor(`${id}.variance`));
      }
    });
    this.clearCalibrations();
  }

  /** Drop every cached discrete tensor, after the nodes were assigned from outside (e.g. trained by workers). */
  invalidate(): void {
    for (const layer of this.layers.values()) layer.invalidate();
    for (const norm of this.norms.values()) norm.invalidate();
    const current = this.groups.sizes;
    this.resample(Object.fromEntries(this.plan.hidden.map((g) => [g, current[g]])));
  }

  /** A net of `plan` initialised exactly from discrete parameters (see setDiscreteParameters). */
  static fromDiscrete(
    plan: NetworkPlan,
    params: readonly WeightsParameter[],
    options: IntegralGraphNetOptions = {},
  ): IntegralGraphNet {
    const net = new IntegralGraphNet(plan, 0, options);
    try {
      net.setDiscreteParameters(params, `${plan.name}: exact initialisation`);
      return net;
    } catch (e) {
      net.dispose();
      throw e;
    }
  }

  /** Ids of the resizable (hidden) groups. */
  get hiddenGroups(): string[] {
    return [...this.plan.hidden];
  }

  /** Current sizes of all atomic groups. */
  get sizes(): GroupSizes {
    return this.groups.sizes;
  }

  /** Full sizes of all atomic groups. */
  get fullSizes(): GroupSizes {
    return this.groups.fullSizes;
  }

  /** Training range per hidden group (min = max for a discrete plan). */
  get trainingRanges(): Record<string, SizeRange> {
    return Object.fromEntries(this.plan.hidden.map((g) => [g, this.groups.range(g)]));
  }

  /** Sizes with every hidden group at `fraction` of its full size (sizesAtFraction). */
  fractionSizes(fraction: number): Record<string, number> {
    return sizesAtFraction(this.groups.fullSizes, this.plan.hidden, fraction);
  }

  /** Resample hidden groups (others keep their size) and compute the discrete weights now. */
  resample(sizes: Readonly<Record<string, number>>): void {
    for (const key of Object.keys(sizes)) {
      if (!this.plan.hidden.includes(key))
        throw new Error(
          `${this.name}.resample: "${key}" is not a resizable group (known: ${this.plan.hidden.join(", ")})`,
        );
    }
    this.groups.resample(sizes);
    const current = this.groups.sizes;
    for (const layer of this.layers.values()) layer.discreteWeights(current, false);
    for (const norm of this.norms.values()) norm.affine(current);
  }

  /**
   * The discrete tensors the evaluation forward uses at the current sizes, per plan node id: a weight
   * layer's weight (and bias), a batch-norm's per-channel scale and shift (calibrated statistics
   * included). The model's cached tensors: do not dispose; valid until the next resample or calibration.
   */
  evaluationTensors(): Record<
    string,
    { weight: tf.Tensor; bias?: tf.Tensor } | { scale: tf.Tensor1D; shift: tf.Tensor1D }
  > {
    const current = this.groups.sizes;
    const out: Record<string, { weight: tf.Tensor; bias?: tf.Tensor } | { scale: tf.Tensor1D; shift: tf.Tensor1D }> =
      {};
    for (const [id, layer] of this.layers) out[id] = layer.discreteWeights(current, false);
    for (const [id, norm] of this.norms) out[id] = norm.affine(current);
    return out;
  }

  /** True when some hidden group trains on a range of sizes. */
  get randomSize(): boolean {
    return this.plan.hidden.some((g) => {
      const r = this.groups.range(g);
      return r.min !== r.max;
    });
  }

  /** Probability of an all-full-size training step (0 for a net that trains at one size). */
  get fullSizeProbability(): number {
    return this.groups.fullSizeProbability;
  }

  /** Sizes of a forward pass: the current sizes, or a training step's draw (ChannelGroups.stepSizes). */
  stepSizes(context: ForwardContext): GroupSizes {
    return this.groups.stepSizes(context);
  }

  apply(images: tf.Tensor4D, context: ForwardContext): tf.Tensor2D {
    return this.forward(images, this.stepSizes(context), context.training);
  }

  /** The task loss of one training batch: the sandwich rule's when the net has one, else CE at this step's sizes. */
  trainingLoss(images: tf.Tensor4D, oneHot: tf.Tensor2D, context: ForwardContext): tf.Scalar {
    return tf.tidy(() =>
      this.sandwich && context.training && context.random
        ? sandwichLoss((sizes) => this.forward(images, sizes, true), oneHot, this.groups, context, this.sandwich)
        : softmaxCrossEntropy(this.apply(images, context), oneHot),
    );
  }

  private forward(images: tf.Tensor4D, sizes: GroupSizes, training: boolean): tf.Tensor2D {
    return tf.tidy(() => {
      const values = new Map<string, tf.Tensor>();
      for (const node of this.plan.nodes) {
        const x = node.inputs.map((i) => values.get(i) as tf.Tensor);
        values.set(node.id, this.evaluateNode(node, x, images, sizes, training));
      }
      return values.get(this.plan.nodes[this.plan.nodes.length - 1].id) as tf.Tensor2D;
    });
  }

  private evaluateNode(
    node: PlanNode,
    x: tf.Tensor[],
    images: tf.Tensor4D,
    sizes: GroupSizes,
    training: boolean,
  ): tf.Tensor {
    const op = node.op;
    switch (op.op) {
      case "input": {
        // Default as the reference net: (x − 0.5)/0.5.
        const { scale, offset } = op.normalization ?? { scale: 2, offset: -1 };
        return scale === 1 && offset === 0 ? tf.clone(images) : tf.add(tf.mul(images, scale), offset);
      }
      case "conv2d":
      case "pointwise-conv2d":
      case "depthwise-conv2d":
        return (this.layers.get(node.id) as IntegralConv2d | IntegralDepthwiseConv2d | IntegralShapedConv2d).apply(
          x[0] as tf.Tensor4D,
          sizes,
          training,
        );
      case "dense": {
        if (!op.spatial) return (this.layers.get(node.id) as IntegralDense).apply(x[0] as tf.Tensor2D, sizes, training);
        const [batch] = (x[0] as tf.Tensor).shape;
        const map = tf.reshape(x[0] as tf.Tensor, [batch as number, ...op.spatial, -1]) as tf.Tensor4D;
        const y = (this.layers.get(node.id) as IntegralConv2d | IntegralShapedConv2d).apply(map, sizes, training);
        return tf.reshape(y, [batch as number, -1]);
      }
      case "batch-norm": {
        const norm = this.norms.get(node.id) as IntegralBatchNorm;
        const v = x[0] as tf.Tensor;
        if (v.rank === 4) return norm.apply(v as tf.Tensor4D, sizes, training);
        // A vector [batch, c] (after a dense) is normalised as a 1×1 map.
        const [batch, c] = v.shape as [number, number];
        return tf.reshape(norm.apply(tf.reshape(v, [batch, 1, 1, c]) as tf.Tensor4D, sizes, training), [batch, c]);
      }
      case "relu":
        return tf.relu(x[0] as tf.Tensor);
      case "activation":
        return elementwise(x[0] as tf.Tensor, op);
      case "rescale":
        return tf.add(tf.mul(x[0] as tf.Tensor, op.scale), op.offset);
      case "max-pool":
        return tf.maxPool(x[0] as tf.Tensor4D, pair(op.size), pair(op.stride), op.padding ?? "same");
      case "avg-pool":
        return tf.avgPool(x[0] as tf.Tensor4D, pair(op.size), pair(op.stride), op.padding);
      case "global-avg-pool":
        return tf.mean(x[0] as tf.Tensor, [1, 2]);
      case "global-max-pool":
        return tf.max(x[0] as tf.Tensor, [1, 2]);
      case "zero-pad":
        return tf.pad(x[0] as tf.Tensor4D, [[0, 0], ...op.padding, [0, 0]]);
      case "flatten":
        return tf.reshape(x[0] as tf.Tensor, [(x[0] as tf.Tensor).shape[0] as number, -1]);
      case "add":
        return x.length === 2 ? tf.add(x[0] as tf.Tensor, x[1] as tf.Tensor) : tf.addN(x);
      case "concat":
        return tf.concat(x, x[0]?.rank === 4 ? 3 : 1);
    }
  }

  /**
   * Graph with shapes, parameters, FLOPs and blocks at `sizes` (default: current): the plan's own description
   * (describePlan). Groups that are not resizable must be at their full size.
   */
  describe(sizes: GroupSizes = this.groups.sizes): ModelDescription {
    const full = this.groups.fullSizes;
    const hidden: Record<string, number> = {};
    for (const [id, size] of Object.entries(sizes)) {
      if (this.plan.hidden.includes(id)) hidden[id] = size;
      else if (id in full && size !== full[id])
        throw new Error(`${this.name}.describe: group "${id}" is not resizable; it stays at ${full[id]}, got ${size}`);
    }
    return describePlan(this.plan, hidden);
  }

  /** Running statistics of every batch-norm, "<bn>.mean" then "<bn>.variance" (not trainable). */
  get statisticsVariables(): tf.Variable[] {
    return [...this.norms.values()].flatMap((n) => n.statistics);
  }

  /** Model.stateVariables: the running statistics, saved in weights files. */
  get stateVariables(): tf.Variable[] {
    return this.statisticsVariables;
  }

  get stateNames(): string[] {
    return [...this.norms.keys()].flatMap((id) => [`${id}.mean`, `${id}.variance`]);
  }

  /**
   * Deterministic re-estimation of every batch-norm's statistics: training-mode passes over `batches`
   * at `sizes` (hidden groups; default full), cumulative average, no weight change. At full size this
   * rewrites the running-statistics nodes; at reduced sizes it calibrates those sizes only (see
   * batch-norm.ts). Current sizes are restored afterwards.
   */
  estimateStatistics(batches: readonly tf.Tensor4D[], sizes: Readonly<Record<string, number>> = {}): void {
    if (batches.length === 0) throw new Error(`${this.name}.estimateStatistics: no batches`);
    for (const key of Object.keys(sizes)) {
      if (!this.plan.hidden.includes(key))
        throw new Error(`${this.name}.estimateStatistics: "${key}" is not a resizable group`);
    }
    const saved = this.groups.sizes;
    const full = { ...this.groups.fullSizes, ...sizes };
    for (const n of this.norms.values()) n.beginEstimation();
    try {
      for (const batch of batches) tf.dispose(this.forward(batch, full, true));
      for (const n of this.norms.values()) n.endEstimation(true);
    } finally {
      for (const n of this.norms.values()) n.endEstimation(false);
      // Training-mode passes dropped the layers' caches; rebuild them at the restored sizes.
      this.resample(Object.fromEntries(this.plan.hidden.map((g) => [g, saved[g]])));
    }
  }

  /**
   * Batch-norm calibration at the CURRENT sizes: re-estimate every batch-norm's statistics from
   * `images` (one or more batches; a few hundred images suffice), no weight change. At full size
   * this rewrites the running statistics; at reduced sizes it is kept for those sizes until the next
   * training step (batch-norm.ts). Optional `Model.calibrate` hook.
   */
  calibrate(images: tf.Tensor4D | readonly tf.Tensor4D[]): void {
    const batches = Array.isArray(images) ? (images as readonly tf.Tensor4D[]) : [images as tf.Tensor4D];
    const current = this.groups.sizes;
    this.estimateStatistics(batches, Object.fromEntries(this.plan.hidden.map((g) => [g, current[g]])));
  }

  /**
   * Forget every batch-norm calibration (their tensors are freed); evaluation falls back to the
   * interpolated running statistics until the next `calibrate`. A live page calls this before each new
   * configuration, so calibrations of sizes left behind do not pile up.
   */
  clearCalibrations(): void {
    for (const n of this.norms.values()) n.clearCalibrations();
    const current = this.groups.sizes;
    this.resample(Object.fromEntries(this.plan.hidden.map((g) => [g, current[g]])));
  }

  dispose(): void {
    for (const layer of this.layers.values()) layer.dispose();
    for (const norm of this.norms.values()) norm.dispose();
    this.groups.dispose();
  }
}
