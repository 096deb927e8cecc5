/**
 * Describe a network plan at some group sizes without building the model: shapes, parameters, FLOPs and
 * blocks, computed from the plan alone. It is the one description of a plan (`IntegralGraphNet.describe`
 * returns it too), so pages draw topologies and accounting tables at any width without allocating a
 * model's weights. Every group is listed with its members (the nodes linked on its channels).
 */
import { ChannelGroups, sizesAtFraction, type GroupMemberDescription, type GroupSizes } from "../integral/groups.js";
import {
  layerNode,
  modelDescription,
  opNode,
  type ModelDescription,
  type ModelNodeDescription,
  type OpKind,
} from "../integral/description.js";
import type { LayerDescription } from "../integral/layers.js";
import { pair, type NetworkPlan, type NodeOp, type PlanNode } from "./plan.js";
import { nodeHasBias } from "./plan-parameters.js";

/** Full sizes (node counts) of every atomic group of a plan. */
export function planFullSizes(plan: NetworkPlan): Record<string, number> {
  return Object.fromEntries(plan.groups.map((g) => [g.id, g.size]));
}

/** Hidden-group sizes at `fraction` of full (sizesAtFraction), as IntegralGraphNet.fractionSizes. */
export function planFractionSizes(plan: NetworkPlan, fraction: number): Record<string, number> {
  return sizesAtFraction(planFullSizes(plan), plan.hidden, fraction);
}

/** Output length of a sliding window along one axis (tfjs's rule; "same" pads to ⌈n / stride⌉). */
function windowed(n: number, window: number, stride: number, padding: "same" | "valid"): number {
  return padding === "same" ? Math.ceil(n / stride) : Math.floor((n - window) / stride) + 1;
}

/**
 * Output shape per sample of a node ([h, w, c] maps, [c] vectors) from its first input's shape and its
 * group's channel count; the one place the plan's spatial rules live (the converter uses it too).
 */
export function nodeOutputShape(op: NodeOp, inShape: readonly number[], channels: number, image: number[]): number[] {
  const [h, w] = inShape as [number, number];
  const map = (window: [number, number], stride: [number, number], padding: "same" | "valid") => [
    windowed(h, window[0], stride[0], padding),
    windowed(w, window[1], stride[1], padding),
    channels,
  ];
  switch (op.op) {
    case "input":
      return [image[0] as number, image[1] as number, channels];
    case "conv2d":
    case "depthwise-conv2d": {
      const k = pair(op.kernel);
      const d = pair(op.dilation ?? 1);
      return map([d[0] * (k[0] - 1) + 1, d[1] * (k[1] - 1) + 1], pair(op.stride), op.padding ?? "same");
    }
    case "pointwise-conv2d":
      return map([1, 1], pair(op.stride), "valid");
    case "max-pool":
    case "avg-pool":
      return map(pair(op.size), pair(op.stride), op.padding ?? "same");
    case "zero-pad":
      return [h + op.padding[0][0] + op.padding[0][1], w + op.padding[1][0] + op.padding[1][1], channels];
    case "global-avg-pool":
    case "global-max-pool":
    case "dense":
      return [channels];
    case "flatten":
      return inShape.length === 3 ? [h * w * channels] : [channels];
    case "concat":
      return inShape.length === 3 ? [h, w, channels] : [channels];
    case "batch-norm":
    case "relu":
    case "activation":
    case "rescale":
    case "add":
      return [...inShape];
  }
}

/** The layer description a weight node of the plan has at `sizes`. */
function weightLayer(node: PlanNode, groups: ChannelGroups, sizes: GroupSizes): LayerDescription | undefined {
  const op = node.op;
  const bias = nodeHasBias(node);
  const base = (inGroup: string, outGroup: string, kernel: [number, number], stride: number, depthwise: boolean) => {
    const inChannels = groups.sizeOf(inGroup, sizes);
    const outChannels = groups.sizeOf(outGroup, sizes);
    const taps = kernel[0] * kernel[1];
    const weights = depthwise ? taps * inChannels : taps * inChannels * outChannels;
    const nodeWeights = depthwise
      ? taps * groups.nodesOf(inGroup)
      : taps * groups.nodesOf(inGroup) * groups.nodesOf(outGroup);
    return {
      id: node.id,
      kind: op.op as LayerDescription["kind"],
      inGroup,
      outGroup,
      inChannels,
      outChannels,
      kernel,
      stride,
      bias,
      activation: "linear" as const,
      params: weights + (bias ? outChannels : 0),
      macsPerPosition: weights,
      nodes: nodeWeights + (bias ? groups.nodesOf(outGroup) : 0),
    };
  };
  switch (op.op) {
    case "conv2d":
      return base(op.inGroup, op.outGroup, pair(op.kernel), pair(op.stride)[0], false);
    case "pointwise-conv2d":
      return base(op.inGroup, op.outGroup, [1, 1], pair(op.stride)[0], false);
    case "depthwise-conv2d":
      return base(op.group, op.group, pair(op.kernel), pair(op.stride)[0], true);
    case "dense":
      // A dense over a flattened map is a "valid" conv whose kernel is the whole map.
      return base(op.inGroup, op.outGroup, op.spatial ?? [1, 1], 1, false);
    default:
      return undefined;
  }
}

/** The nodes linked on each group's channels, by group id. */
function groupMembers(plan: NetworkPlan): Map<string, GroupMemberDescription[]> {
  const members = new Map<string, GroupMemberDescription[]>();
  const link = (group: string, node: string, role: GroupMemberDescription["role"]) => {
    const list = members.get(group) ?? [];
    list.push({ node, role });
    members.set(group, list);
  };
  for (const node of plan.nodes) {
    const op = node.op;
    switch (op.op) {
      case "conv2d":
      case "pointwise-conv2d":
      case "dense":
        link(op.inGroup, node.id, "consumes");
        link(op.outGroup, node.id, "produces");
        break;
      case "depthwise-conv2d":
      case "batch-norm":
        link(op.group, node.id, "carries");
        break;
      case "add":
      case "concat":
        link(node.group, node.id, "joins");
        break;
      default:
        break;
    }
  }
  return members;
}

/**
 * The plan's graph at `sizes` (hidden groups; others at full size; default all full). Throws a clear
 * error for an unknown group or a size outside 1…nodes.
 */
export function describePlan(plan: NetworkPlan, sizes: Readonly<Record<string, number>> = {}): ModelDescription {
  const full = planFullSizes(plan);
  for (const [id, size] of Object.entries(sizes)) {
    if (!plan.hidden.includes(id))
      throw new Error(`describePlan ${plan.name}: "${id}" is not a resizable group (known: ${plan.hidden.join(", ")})`);
    if (!Number.isInteger(size) || size < 1 || size > (full[id] as number))
      throw new Error(`describePlan ${plan.name}: group "${id}" size must be an integer in 1…${full[id]}, got ${size}`);
  }
  const at: GroupSizes = { ...full, ...sizes };
  // ChannelGroups only records sizes and kernels here; no tensor is created unless sampling is asked for.
  const groups = new ChannelGroups(plan.groups, plan.composites);
  const shapes = new Map<string, number[]>();
  const nodes: ModelNodeDescription[] = [];
  const image = [plan.input.height, plan.input.width];
  for (const node of plan.nodes) {
    const inShape = node.inputs.length ? (shapes.get(node.inputs[0] as string) as number[]) : [];
    const outputShape = nodeOutputShape(node.op, inShape, groups.sizeOf(node.group, at), image);
    const layer = weightLayer(node, groups, at);
    let d: ModelNodeDescription;
    if (layer) d = layerNode(layer, node.inputs, outputShape);
    else {
      d = opNode(node.id, node.op.op as OpKind, node.inputs, node.group, outputShape);
      if (node.op.op === "batch-norm") d.params = 2 * groups.sizeOf(node.group, at);
    }
    if (node.block) d.block = { ...node.block };
    shapes.set(node.id, d.outputShape);
    nodes.push(d);
  }
  const members = groupMembers(plan);
  const described = groups.describe(at).map((g) => ({ ...g, members: members.get(g.id) ?? [] }));
  return modelDescription(plan.name, described, nodes);
}
