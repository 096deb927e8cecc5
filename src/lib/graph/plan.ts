/**
 * A network plan: the one plain, JSON-able graph that both builds a model (graph-net.ts instantiates a
 * layer per weight node and interprets the graph in `apply`) and describes it (describe-plan.ts walks the
 * same nodes for shapes, parameters, FLOPs and block boundaries). Block builders (blocks.ts) add nodes
 * to a plan through a `PlanBuilder`; nothing else holds a second copy of the topology.
 */
import type { AtomicGroupOptions, CompositeGroupOptions } from "../integral/groups.js";
import type { BlockRef } from "../integral/description.js";
import type { InputShape } from "../model.js";
import type { SizeRange } from "../math/partition.js";

/** A spatial size or step: one number for both axes, or [height, width]. */
export type Pair = number | [number, number];

/** [height, width] of a Pair. */
export function pair(p: Pair): [number, number] {
  return typeof p === "number" ? [p, p] : [p[0], p[1]];
}

/** Zero ("same", as tfjs: extra pixel at the bottom/right) or no padding. */
export type PlanPadding = "same" | "valid";

/** Element-wise functions of a plan's "activation" node (tfjs-layers' definitions). */
export type ElementwiseFunction =
  | "relu6"
  | "sigmoid"
  | "hard-sigmoid"
  | "tanh"
  | "elu"
  | "selu"
  | "softplus"
  | "softsign"
  | "swish"
  | "gelu"
  | "mish"
  | "leaky-relu"
  | "clipped-relu";

/** What a node computes. Weight nodes name their groups; ops act on their inputs' group. */
export type NodeOp =
  /** The images, mapped x ↦ scale·x + offset (default 2x − 1, the reference net's normalisation). */
  | { op: "input"; normalization?: { scale: number; offset: number } }
  /** Optional fields default to the SIB families' convs: dilation 1, "same" padding, no bias. */
  | {
      op: "conv2d";
      inGroup: string;
      outGroup: string;
      kernel: Pair;
      stride: Pair;
      dilation?: Pair;
      padding?: PlanPadding;
      bias?: boolean;
    }
  | { op: "pointwise-conv2d"; inGroup: string; outGroup: string; stride: Pair; bias?: boolean }
  | {
      op: "depthwise-conv2d";
      group: string;
      kernel: Pair;
      stride: Pair;
      dilation?: Pair;
      padding?: PlanPadding;
      bias?: boolean;
    }
  /**
   * Dense (bias by default). `spatial`: the input is an [h, w, channels] map flattened in channels-last order,
   * so the weight is [h, w, in, out] and only the channel axis belongs to `inGroup`.
   */
  | { op: "dense"; inGroup: string; outGroup: string; bias?: boolean; spatial?: [number, number] }
  /** Batch norm (ε default 1e-5, PyTorch's). */
  | { op: "batch-norm"; group: string; epsilon?: number }
  | { op: "relu" }
  /** leaky-relu: `alpha` (slope below 0); clipped-relu: Keras ReLU with `maxValue`, `alpha` below `threshold`. */
  | { op: "activation"; fn: ElementwiseFunction; alpha?: number; maxValue?: number; threshold?: number }
  /** x ↦ scale·x + offset. */
  | { op: "rescale"; scale: number; offset: number }
  /** Max pooling, "same" padding by default. */
  | { op: "max-pool"; size: Pair; stride: Pair; padding?: PlanPadding }
  /** Average pooling ("same": the mean over the pixels inside the image, as tfjs). */
  | { op: "avg-pool"; size: Pair; stride: Pair; padding: PlanPadding }
  | { op: "global-avg-pool" }
  | { op: "global-max-pool" }
  /** Zero padding [[top, bottom], [left, right]]. */
  | { op: "zero-pad"; padding: [[number, number], [number, number]] }
  /** [h, w, c] → [h·w·c], channels-last; the group stays the map's. */
  | { op: "flatten" }
  /** Sum of two or more inputs of one group. */
  | { op: "add" }
  /** Concatenation along channels into a composite group (inputs in the group's part order). */
  | { op: "concat"; group: string };

export interface PlanNode {
  id: string;
  inputs: string[];
  /** Group of the output channels. */
  group: string;
  block?: BlockRef;
  op: NodeOp;
}

export interface NetworkPlan {
  name: string;
  input: InputShape;
  /** Atomic groups: "image", hidden groups (with training ranges), "classes". */
  groups: AtomicGroupOptions[];
  composites: CompositeGroupOptions[];
  /** Ids of the groups a user resamples (all atomic groups but "image" and "classes"). */
  hidden: string[];
  /** Nodes in evaluation order; the last is the output (logits). */
  nodes: PlanNode[];
}

/** How hidden groups get their training range. */
export type RangeRule = (size: number) => SizeRange;

export const IMAGE_GROUP = "image";
export const CLASSES_GROUP = "classes";

/** Incrementally builds a plan; block builders call it. Ids must be unique; references must exist. */
export class PlanBuilder {
  private readonly groups: AtomicGroupOptions[] = [];
  private readonly composites: CompositeGroupOptions[] = [];
  private readonly hidden: string[] = [];
  private readonly nodes: PlanNode[] = [];
  private readonly nodeGroup = new Map<string, string>();
  private readonly groupSize = new Map<string, number>();
  private block?: BlockRef;
  private readonly blockIds = new Set<string>();

  constructor(
    readonly name: string,
    readonly input: InputShape,
    private readonly rangeOf: RangeRule,
    options: { normalization?: { scale: number; offset: number } } = {},
  ) {
    this.groups.push({ id: IMAGE_GROUP, size: input.channels });
    this.groupSize.set(IMAGE_GROUP, input.channels);
    const op: NodeOp = options.normalization
      ? { op: "input", normalization: { ...options.normalization } }
      : { op: "input" };
    this.add({ id: "input", inputs: [], group: IMAGE_GROUP, op });
  }

  /** A new hidden atomic group of `size` channels (training range from the plan's rule). */
  group(id: string, size: number, quadrature?: AtomicGroupOptions["quadrature"]): string {
    if (this.groupSize.has(id)) throw new Error(`plan ${this.name}: duplicate group "${id}"`);
    if (!Number.isInteger(size) || size < 2)
      throw new Error(`plan ${this.name}: group "${id}" needs an integer size ≥ 2, got ${size}`);
    this.groups.push(
      quadrature ? { id, size, range: this.rangeOf(size), quadrature } : { id, size, range: this.rangeOf(size) },
    );
    this.hidden.push(id);
    this.groupSize.set(id, size);
    return id;
  }

  /** An atomic group that keeps its size (the class outputs, say); quadrature as ChannelGroups' default unless given. */
  fixedGroup(id: string, size: number, quadrature?: AtomicGroupOptions["quadrature"]): string {
    if (this.groupSize.has(id)) throw new Error(`plan ${this.name}: duplicate group "${id}"`);
    if (!Number.isInteger(size) || size < 1)
      throw new Error(`plan ${this.name}: group "${id}" needs a positive integer size, got ${size}`);
    this.groups.push(quadrature ? { id, size, quadrature } : { id, size });
    this.groupSize.set(id, size);
    return id;
  }

  /** A composite group of existing atomic groups (concatenation). */
  composite(id: string, parts: string[]): string {
    if (this.groupSize.has(id)) throw new Error(`plan ${this.name}: duplicate group "${id}"`);
    for (const p of parts)
      if (!this.groupSize.has(p)) throw new Error(`plan ${this.name}: composite "${id}" names unknown group "${p}"`);
    this.composites.push({ id, parts: [...parts] });
    this.groupSize.set(
      id,
      parts.reduce((a, p) => a + (this.groupSize.get(p) as number), 0),
    );
    return id;
  }

  sizeOf(group: string): number {
    const s = this.groupSize.get(group);
    if (s === undefined) throw new Error(`plan ${this.name}: unknown group "${group}"`);
    return s;
  }

  /** Group of a node's output. */
  groupOf(node: string): string {
    const g = this.nodeGroup.get(node);
    if (g === undefined) throw new Error(`plan ${this.name}: unknown node "${node}"`);
    return g;
  }

  /** Run `build` with every node it adds tagged as part of block `block`. */
  inBlock<T>(block: BlockRef, build: () => T): T {
    if (this.block) throw new Error(`plan ${this.name}: block "${block.id}" opened inside block "${this.block.id}"`);
    if (this.blockIds.has(block.id)) throw new Error(`plan ${this.name}: duplicate block id "${block.id}"`);
    this.blockIds.add(block.id);
    this.block = block;
    try {
      return build();
    } finally {
      this.block = undefined;
    }
  }

  /** Add a node; returns its id. */
  add(node: PlanNode): string {
    if (this.nodeGroup.has(node.id)) throw new Error(`plan ${this.name}: duplicate node "${node.id}"`);
    for (const i of node.inputs)
      if (!this.nodeGroup.has(i)) throw new Error(`plan ${this.name}: node "${node.id}" reads unknown node "${i}"`);
    this.sizeOf(node.group);
    const withBlock = this.block && !node.block ? { ...node, block: { ...this.block } } : node;
    this.nodes.push(withBlock);
    this.nodeGroup.set(node.id, node.group);
    return node.id;
  }

  conv(id: string, input: string, outGroup: string, kernel: number, stride = 1): string {
    return this.add({
      id,
      inputs: [input],
      group: outGroup,
      op: { op: "conv2d", inGroup: this.groupOf(input), outGroup, kernel, stride },
    });
  }

  pointwise(id: string, input: string, outGroup: string, stride = 1): string {
    return this.add({
      id,
      inputs: [input],
      group: outGroup,
      op: { op: "pointwise-conv2d", inGroup: this.groupOf(input), outGroup, stride },
    });
  }

  depthwise(id: string, input: string, kernel: number, stride = 1): string {
    const group = this.groupOf(input);
    return this.add({ id, inputs: [input], group, op: { op: "depthwise-conv2d", group, kernel, stride } });
  }

  batchNorm(id: string, input: string): string {
    const group = this.groupOf(input);
    return this.add({ id, inputs: [input], group, op: { op: "batch-norm", group } });
  }

  relu(id: string, input: string): string {
    return this.add({ id, inputs: [input], group: this.groupOf(input), op: { op: "relu" } });
  }

  maxPool(id: string, input: string, size: number, stride: number): string {
    return this.add({ id, inputs: [input], group: this.groupOf(input), op: { op: "max-pool", size, stride } });
  }

  /** Residual add: both inputs must be in one group (that is what links them). */
  addNodes(id: string, a: string, b: string): string {
    const g = this.groupOf(a);
    if (this.groupOf(b) !== g)
      throw new Error(
        `plan ${this.name}: add "${id}" joins groups "${g}" and "${this.groupOf(b)}"; a residual add needs one group`,
      );
    return this.add({ id, inputs: [a, b], group: g, op: { op: "add" } });
  }

  /** Concatenate branches into a new composite group made of their (atomic) groups. */
  concat(id: string, inputs: string[], group: string): string {
    this.composite(
      group,
      inputs.map((i) => this.groupOf(i)),
    );
    return this.add({ id, inputs, group, op: { op: "concat", group } });
  }

  globalAvgPool(id: string, input: string): string {
    return this.add({ id, inputs: [input], group: this.groupOf(input), op: { op: "global-avg-pool" } });
  }

  /** The classifier: dense from the input's group to the classes. Ends the plan. */
  dense(id: string, input: string): NetworkPlan {
    if (!this.groupSize.has(CLASSES_GROUP)) {
      this.groups.push({ id: CLASSES_GROUP, size: this.input.classes, quadrature: "none" });
      this.groupSize.set(CLASSES_GROUP, this.input.classes);
    }
    this.add({
      id,
      inputs: [input],
      group: CLASSES_GROUP,
      op: { op: "dense", inGroup: this.groupOf(input), outGroup: CLASSES_GROUP },
    });
    return this.plan();
  }

  plan(): NetworkPlan {
    return {
      name: this.name,
      input: { ...this.input },
      groups: this.groups.map((g) => ({ ...g })),
      composites: this.composites.map((c) => ({ id: c.id, parts: [...c.parts] })),
      hidden: [...this.hidden],
      nodes: this.nodes.map((n) => ({ ...n, inputs: [...n.inputs] })),
    };
  }
}
