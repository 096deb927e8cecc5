/**
 * The discrete parameters of a plan: for every weight node "<node>.weight" (tfjs layout) and "<node>.bias",
 * for every batch norm "<node>.gamma", ".beta", ".mean", ".variance", each with its shape at some group
 * sizes and the channel axes that belong to groups. One list serves exact initialisation
 * (IntegralGraphNet.fromDiscrete), the channel layouts of conversion and pruning, and weight transfer from
 * a converted model.
 */
import { ChannelGroups, type GroupSizes } from "../integral/groups.js";
import { pair, type NetworkPlan, type PlanNode } from "./plan.js";

/** An axis of a parameter indexed by a group's channels (a composite group spans its parts in order). */
export interface PlanParameterAxis {
  axis: number;
  group: string;
  /** filters: a producer's output channels; consumer: a layer's input channels; carried: per-channel values. */
  role: "filters" | "bias" | "consumer" | "carried";
}

export interface PlanParameter {
  name: string;
  node: string;
  kind: "weight" | "bias" | "gamma" | "beta" | "mean" | "variance";
  shape: number[];
  axes: PlanParameterAxis[];
}

const BATCH_NORM_KINDS = ["gamma", "beta", "mean", "variance"] as const;

/** Whether a weight node has a bias: convs default to none (a batch norm follows), dense to one. */
export function nodeHasBias(node: PlanNode): boolean {
  const op = node.op;
  switch (op.op) {
    case "conv2d":
    case "pointwise-conv2d":
    case "depthwise-conv2d":
      return op.bias ?? false;
    case "dense":
      return op.bias ?? true;
    default:
      return false;
  }
}

/** Parameters of every node in plan order, shaped at `sizes` (atomic groups; default full). */
export function planParameters(plan: NetworkPlan, sizes?: GroupSizes): PlanParameter[] {
  const groups = new ChannelGroups(plan.groups, plan.composites);
  const at = { ...groups.fullSizes, ...sizes };
  const size = (g: string) => groups.sizeOf(g, at);
  const out: PlanParameter[] = [];
  const weight = (node: PlanNode, shape: number[], axes: PlanParameterAxis[], outGroup: string) => {
    out.push({ name: `${node.id}.weight`, node: node.id, kind: "weight", shape, axes });
    if (nodeHasBias(node)) {
      const role = axes.some((a) => a.role === "carried") ? "carried" : "bias";
      out.push({
        name: `${node.id}.bias`,
        node: node.id,
        kind: "bias",
        shape: [size(outGroup)],
        axes: [{ axis: 0, group: outGroup, role }],
      });
    }
  };
  const full = (node: PlanNode, kernel: [number, number], inGroup: string, outGroup: string) =>
    weight(
      node,
      [...kernel, size(inGroup), size(outGroup)],
      [
        { axis: 2, group: inGroup, role: "consumer" },
        { axis: 3, group: outGroup, role: "filters" },
      ],
      outGroup,
    );
  for (const node of plan.nodes) {
    const op = node.op;
    switch (op.op) {
      case "conv2d":
        full(node, pair(op.kernel), op.inGroup, op.outGroup);
        break;
      case "pointwise-conv2d":
        full(node, [1, 1], op.inGroup, op.outGroup);
        break;
      case "depthwise-conv2d":
        weight(
          node,
          [...pair(op.kernel), size(op.group), 1],
          [{ axis: 2, group: op.group, role: "carried" }],
          op.group,
        );
        break;
      case "dense":
        if (op.spatial) full(node, op.spatial, op.inGroup, op.outGroup);
        else
          weight(
            node,
            [size(op.inGroup), size(op.outGroup)],
            [
              { axis: 0, group: op.inGroup, role: "consumer" },
              { axis: 1, group: op.outGroup, role: "filters" },
            ],
            op.outGroup,
          );
        break;
      case "batch-norm":
        for (const kind of BATCH_NORM_KINDS)
          out.push({
            name: `${node.id}.${kind}`,
            node: node.id,
            kind,
            shape: [size(op.group)],
            axes: [{ axis: 0, group: op.group, role: "carried" }],
          });
        break;
      default:
        break;
    }
  }
  return out;
}
