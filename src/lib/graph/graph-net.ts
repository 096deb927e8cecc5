/**
 * An integral model built from a network plan (graph.ts): one integral layer or batch-norm per weight
 * node, the graph interpreted in `apply`, and `describe` walking the same nodes. Every hidden channel
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
import {
  IntegralConv2d,
  IntegralDense,
  IntegralDepthwiseConv2d,
  IntegralPointwiseConv2d,
  type IntegralLayer,
} from "../integral/layers.js";
import {
  layerNode,
  modelDescription,
  opNode,
  type ModelDescription,
  type ModelNodeDescription,
} from "../integral/description.js";
import { IntegralBatchNorm } from "../integral/batch-norm.js";
import type { NetworkPlan, PlanNode } from "./plan.js";

type WeightLayer = IntegralConv2d | IntegralDepthwiseConv2d | IntegralDense;

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

  constructor(plan: NetworkPlan, seed: number, options: IntegralGraphNetOptions = {}) {
    const momentum = options.batchNormMomentum ?? 0.1;
    if (!(momentum > 0 && momentum <= 1))
      throw new Error(`network ${plan.name}: batchNormMomentum must be in (0, 1], got ${momentum}`);
    this.batchNormMomentum = momentum;
    const last = plan.nodes[plan.nodes.length - 1];
    if (!last || last.op.op !== "dense")
      throw new Error(`network ${plan.name}: a plan must end with the dense classifier`);
    this.name = plan.name;
    this.plan = plan;
    this.input = { ...plan.input };
    // The full-size coin is ChannelGroups'; a net with no size range never flips it.
    const randomSize = plan.groups.some((g) => plan.hidden.includes(g.id) && g.range && g.range.min !== g.range.max);
    const p = options.fullSizeProbability ?? 0.5;
    if (!(p >= 0 && p <= 1)) throw new Error(`network ${plan.name}: fullSizeProbability must be in [0, 1], got ${p}`);
    this.groups = new ChannelGroups(plan.groups, plan.composites, { fullSizeProbability: randomSize ? p : 0 });
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
    switch (op.op) {
      // Convs feed a batch-norm, whose β makes a conv bias redundant.
      case "conv2d":
        return new IntegralConv2d(this.groups, {
          id,
          inGroup: op.inGroup,
          outGroup: op.outGroup,
          kernelSize: op.kernel,
          stride: op.stride,
          padding: "same",
          bias: false,
        });
      case "pointwise-conv2d":
        return new IntegralPointwiseConv2d(this.groups, {
          id,
          inGroup: op.inGroup,
          outGroup: op.outGroup,
          stride: op.stride,
          bias: false,
        });
      case "depthwise-conv2d":
        return new IntegralDepthwiseConv2d(this.groups, {
          id,
          group: op.group,
          kernelSize: op.kernel,
          stride: op.stride,
          padding: "same",
          bias: false,
        });
      case "dense":
        return new IntegralDense(this.groups, { id, inGroup: op.inGroup, outGroup: op.outGroup });
      case "batch-norm":
        return new IntegralBatchNorm(this.groups, { id, group: op.group, momentum: this.batchNormMomentum });
      default:
        return undefined;
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
      case "input":
        // As the reference net: (x − 0.5)/0.5.
        return tf.sub(tf.mul(images, 2), 1);
      case "conv2d":
      case "pointwise-conv2d":
      case "depthwise-conv2d":
        return (this.layers.get(node.id) as IntegralConv2d | IntegralDepthwiseConv2d).apply(
          x[0] as tf.Tensor4D,
          sizes,
          training,
        );
      case "dense":
        return (this.layers.get(node.id) as IntegralDense).apply(x[0] as tf.Tensor2D, sizes, training);
      case "batch-norm":
        return (this.norms.get(node.id) as IntegralBatchNorm).apply(x[0] as tf.Tensor4D, sizes, training);
      case "relu":
        return tf.relu(x[0]);
      case "max-pool":
        return tf.maxPool(x[0] as tf.Tensor4D, op.size, op.stride, "same");
      case "global-avg-pool":
        return tf.mean(x[0], [1, 2]);
      case "add":
        return tf.add(x[0], x[1]);
      case "concat":
        return tf.concat(x as tf.Tensor4D[], 3);
    }
  }

  /** Graph with shapes, parameters, FLOPs and blocks at `sizes` (default: current). */
  describe(sizes: GroupSizes = this.groups.sizes): ModelDescription {
    const shapes = new Map<string, number[]>();
    const nodes: ModelNodeDescription[] = [];
    for (const node of this.plan.nodes) {
      const inShape = node.inputs.length ? (shapes.get(node.inputs[0]) as number[]) : [];
      const channels = this.groups.sizeOf(node.group, sizes);
      const op = node.op;
      let d: ModelNodeDescription;
      switch (op.op) {
        case "input":
          d = opNode(node.id, "input", [], node.group, [this.input.height, this.input.width, channels]);
          break;
        case "conv2d":
        case "pointwise-conv2d":
        case "depthwise-conv2d": {
          const layer = (this.layers.get(node.id) as IntegralLayer).describe(sizes);
          d = layerNode(layer, node.inputs, [
            Math.ceil(inShape[0] / op.stride),
            Math.ceil(inShape[1] / op.stride),
            channels,
          ]);
          break;
        }
        case "dense":
          d = layerNode((this.layers.get(node.id) as IntegralDense).describe(sizes), node.inputs, [channels]);
          break;
        case "batch-norm":
          d = {
            ...opNode(node.id, "batch-norm", node.inputs, node.group, [...inShape]),
            params: (this.norms.get(node.id) as IntegralBatchNorm).parameterCount(sizes),
          };
          break;
        case "max-pool":
          d = opNode(node.id, "max-pool", node.inputs, node.group, [
            Math.ceil(inShape[0] / op.stride),
            Math.ceil(inShape[1] / op.stride),
            channels,
          ]);
          break;
        case "global-avg-pool":
          d = opNode(node.id, "global-avg-pool", node.inputs, node.group, [channels]);
          break;
        case "relu":
        case "add":
          d = opNode(node.id, op.op, node.inputs, node.group, [...inShape]);
          break;
        case "concat":
          d = opNode(node.id, "concat", node.inputs, node.group, [inShape[0], inShape[1], channels]);
          break;
      }
      if (node.block) d.block = { ...node.block };
      shapes.set(node.id, d.outputShape);
      nodes.push(d);
    }
    return modelDescription(this.name, this.groups.describe(sizes), nodes);
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
