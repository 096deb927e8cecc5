/**
 * Describe a network plan at some group sizes without building the model: the same ModelDescription
 * that `IntegralGraphNet.describe` returns (shapes, parameters, FLOPs, blocks), computed from the plan
 * alone. Pages draw topologies and accounting tables at any width with this, so a browser never
 * allocates a model's weights just to draw a graph. A unit test keeps it equal to the built model's
 * description for every family and variant.
 */
import { ChannelGroups, sizesAtFraction, type GroupSizes } from "../integral/groups.js";
import {
  layerNode,
  modelDescription,
  opNode,
  type ModelDescription,
  type ModelNodeDescription,
} from "../integral/description.js";
import type { LayerDescription } from "../integral/layers.js";
import type { NetworkPlan, PlanNode } from "./plan.js";

/** Full sizes (node counts) of every atomic group of a plan. */
export function planFullSizes(plan: NetworkPlan): Record<string, number> {
  return Object.fromEntries(plan.groups.map((g) => [g.id, g.size]));
}

/** Hidden-group sizes at `fraction` of full (sizesAtFraction), as IntegralGraphNet.fractionSizes. */
export function planFractionSizes(plan: NetworkPlan, fraction: number): Record<string, number> {
  return sizesAtFraction(planFullSizes(plan), plan.hidden, fraction);
}

/** The layer description a weight node of the plan has at `sizes` (convs carry no bias; dense does). */
function weightLayer(node: PlanNode, groups: ChannelGroups, sizes: GroupSizes): LayerDescription | undefined {
  const op = node.op;
  const base = (inGroup: string, outGroup: string, kernel: number, stride: number, bias: boolean) => {
    const inChannels = groups.sizeOf(inGroup, sizes);
    const outChannels = groups.sizeOf(outGroup, sizes);
    const depthwise = op.op === "depthwise-conv2d";
    const weights = depthwise ? kernel * kernel * inChannels : kernel * kernel * inChannels * outChannels;
    const nodeWeights = depthwise
      ? kernel * kernel * groups.nodesOf(inGroup)
      : kernel * kernel * groups.nodesOf(inGroup) * groups.nodesOf(outGroup);
    return {
      id: node.id,
      kind: op.op as LayerDescription["kind"],
      inGroup,
      outGroup,
      inChannels,
      outChannels,
      kernel: [kernel, kernel] as [number, number],
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
      return base(op.inGroup, op.outGroup, op.kernel, op.stride, false);
    case "pointwise-conv2d":
      return base(op.inGroup, op.outGroup, 1, op.stride, false);
    case "depthwise-conv2d":
      return base(op.group, op.group, op.kernel, op.stride, false);
    case "dense":
      return base(op.inGroup, op.outGroup, 1, 1, true);
    default:
      return undefined;
  }
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
  for (const node of plan.nodes) {
    const inShape = node.inputs.length ? (shapes.get(node.inputs[0] as string) as number[]) : [];
    const channels = groups.sizeOf(node.group, at);
    const op = node.op;
    let d: ModelNodeDescription;
    switch (op.op) {
      case "input":
        d = opNode(node.id, "input", [], node.group, [plan.input.height, plan.input.width, channels]);
        break;
      case "conv2d":
      case "pointwise-conv2d":
      case "depthwise-conv2d":
        d = layerNode(weightLayer(node, groups, at) as LayerDescription, node.inputs, [
          Math.ceil((inShape[0] as number) / op.stride),
          Math.ceil((inShape[1] as number) / op.stride),
          channels,
        ]);
        break;
      case "dense":
        d = layerNode(weightLayer(node, groups, at) as LayerDescription, node.inputs, [channels]);
        break;
      case "batch-norm":
        d = { ...opNode(node.id, "batch-norm", node.inputs, node.group, [...inShape]), params: 2 * channels };
        break;
      case "max-pool":
        d = opNode(node.id, "max-pool", node.inputs, node.group, [
          Math.ceil((inShape[0] as number) / op.stride),
          Math.ceil((inShape[1] as number) / op.stride),
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
        d = opNode(node.id, "concat", node.inputs, node.group, [inShape[0] as number, inShape[1] as number, channels]);
        break;
    }
    if (node.block) d.block = { ...node.block };
    shapes.set(node.id, d.outputShape);
    nodes.push(d);
  }
  return modelDescription(plan.name, groups.describe(at), nodes);
}
