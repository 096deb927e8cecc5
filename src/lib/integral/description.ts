/**
 * A plain, JSON-serialisable description of an integral model at some group sizes: its channel groups
 * and a graph of nodes (layers and the parameter-free ops between them) with shapes, parameter and
 * FLOP counts. Topology drawings, accounting tables and files are all built from this one structure.
 */
import type { GroupDescription } from "./groups.js";
import type { IntegralLayerKind, LayerDescription } from "./layers.js";

export type OpKind =
  | "input"
  | "relu"
  | "activation"
  | "rescale"
  | "avg-pool"
  | "max-pool"
  | "global-avg-pool"
  | "global-max-pool"
  | "zero-pad"
  | "flatten"
  | "take-position"
  | "add"
  | "concat"
  | "batch-norm"
  | "output";

/** The block a node belongs to, so a drawing can collapse it into one box. */
export interface BlockRef {
  /** Unique within the model, e.g. "block2". */
  id: string;
  /** Block type, e.g. "ResNet18-SIB" or "ResNet18 basic". */
  kind: string;
}

export interface ModelNodeDescription {
  id: string;
  kind: IntegralLayerKind | OpKind;
  /** Ids of the nodes feeding this one. */
  inputs: string[];
  /** Channel group of this node's output channels. */
  group: string;
  /** Output shape per sample: [height, width, channels] for maps, [channels] for vectors. */
  outputShape: number[];
  /** Present for integral layers. */
  layer?: LayerDescription;
  /** Parameters of the discrete node at these sizes. */
  params: number;
  /** Floating-point operations per sample: 2 × multiply-accumulates of weight layers (other ops count 0). */
  flops: number;
  /** Block this node belongs to (absent for nodes outside any block: input, stem, head). */
  block?: BlockRef;
}

export interface ModelDescription {
  name: string;
  groups: GroupDescription[];
  nodes: ModelNodeDescription[];
  params: number;
  flops: number;
}

/** Total a list of nodes into a model description. */
export function modelDescription(
  name: string,
  groups: GroupDescription[],
  nodes: ModelNodeDescription[],
): ModelDescription {
  return {
    name,
    groups,
    nodes,
    params: nodes.reduce((a, n) => a + n.params, 0),
    flops: nodes.reduce((a, n) => a + n.flops, 0),
  };
}

/** A layer node: FLOPs = 2 · MACs per output position · output positions. */
export function layerNode(layer: LayerDescription, inputs: string[], outputShape: number[]): ModelNodeDescription {
  const positions = outputShape.length === 3 ? outputShape[0] * outputShape[1] : 1;
  return {
    id: layer.id,
    kind: layer.kind,
    inputs,
    group: layer.outGroup,
    outputShape,
    layer,
    params: layer.params,
    flops: 2 * layer.macsPerPosition * positions,
  };
}

/** A parameter-free op node. */
export function opNode(
  id: string,
  kind: OpKind,
  inputs: string[],
  group: string,
  outputShape: number[],
): ModelNodeDescription {
  return { id, kind, inputs, group, outputShape, params: 0, flops: 0 };
}
