/**
 * Converting a trained discrete network into an integral one (DESIGN.md §3, "Three ways", b):
 * for every linked channel group, gather the channel slices of every tensor that moves with the group's
 * channels (the producer's output filters and bias, the consumers' input slices), reorder the channels
 * to minimise total variation, permute the discrete net accordingly (its function is unchanged: the
 * same channels, listed in another order), then initialise the integral net's nodes exactly from it.
 *
 * Everything here works on plain parameter lists ({name, shape, values}) and a *channel layout* that
 * says which axis of which parameter belongs to which group, so any model with such a layout converts
 * (and prunes, see pruning.ts) through the same code.
 */
import * as tf from "@tensorflow/tfjs-core";
import {
  channelDistanceMatrix,
  groupChannelSlices,
  minimizeTotalVariation,
  type MinimizeTotalVariationOptions,
} from "./permutation.js";
import { ReferenceNet } from "../models/reference.js";
import {
  REFERENCE_INN_GROUPS,
  ReferenceInn,
  type ReferenceInnGroup,
  type ReferenceInnOptions,
} from "../models/reference-inn.js";
import type { ForwardContext, Model } from "../model.js";
import type { WeightsParameter } from "../io/weights-file.js";

/** A named parameter's values, row-major in tfjs layout. */
export type ParameterTensor = WeightsParameter;

/** One axis of one parameter that indexes a group's channels. */
export interface GroupMember {
  parameter: string;
  axis: number;
  /**
   * "filters": a producer's output filters (what L1 pruning ranks); "bias"; "consumer": a consumer's input
   * slices; "carried": per-channel values passed through (batch norm, depth-wise kernels).
   */
  role: "filters" | "bias" | "consumer" | "carried";
  /**
   * Where the group's channels start on this axis (default 0): a concatenation's consumer holds each part's
   * channels in its own range of one axis.
   */
  offset?: number;
}

/** Everything that moves with one group's channels. */
export interface GroupLayout {
  group: string;
  members: GroupMember[];
  /** The group's channel count; needed when a member's axis is longer (a part of a concatenation). */
  channels?: number;
}

/** The reference net's hidden groups: conv_k's filters and bias, and its consumer's input axis. */
export function referenceChannelLayout(): GroupLayout[] {
  const consumer = { conv1: "conv2", conv2: "conv3", conv3: "dense" } as const;
  return (["conv1", "conv2", "conv3"] as const).map((g) => ({
    group: g,
    members: [
      { parameter: `${g}.weight`, axis: 3, role: "filters" as const },
      { parameter: `${g}.bias`, axis: 0, role: "bias" as const },
      { parameter: `${consumer[g]}.weight`, axis: consumer[g] === "dense" ? 0 : 2, role: "consumer" as const },
    ],
  }));
}

/** Copy a model's parameters out of tfjs (names aligned with its trainable variables). */
export function readParameters(model: {
  parameterNames: readonly string[];
  trainableVariables: tf.Variable[];
}): ParameterTensor[] {
  return model.trainableVariables.map((v, i) => ({
    name: model.parameterNames[i],
    shape: v.shape.slice(),
    values: v.dataSync().slice() as Float32Array,
  }));
}

/** Assign parameters to a model by name; every variable must be given, with its exact shape. */
export function assignParameters(
  model: { parameterNames: readonly string[]; trainableVariables: tf.Variable[] },
  params: readonly ParameterTensor[],
  where = "assignParameters",
): void {
  const byName = new Map(params.map((p) => [p.name, p]));
  model.trainableVariables.forEach((v, i) => {
    const name = model.parameterNames[i];
    const p = byName.get(name);
    if (!p) throw new Error(`${where}: no values for parameter "${name}"`);
    if (p.shape.join() !== v.shape.join())
      throw new Error(`${where}: parameter "${name}" has shape [${p.shape}], the model expects [${v.shape}]`);
  });
  model.trainableVariables.forEach((v, i) => {
    const p = byName.get(model.parameterNames[i])!;
    tf.tidy(() => v.assign(tf.tensor(p.values, p.shape, "float32")));
  });
}

function find(params: readonly ParameterTensor[], name: string, where: string): ParameterTensor {
  const p = params.find((q) => q.name === name);
  if (!p) throw new Error(`${where}: no parameter "${name}" (have: ${params.map((q) => q.name).join(", ")})`);
  return p;
}

/** Values of `values` (shape `shape`) with axis `axis` re-indexed: out[…, k, …] = in[…, index[k], …]. */
export function gatherAxis(
  values: Float32Array,
  shape: readonly number[],
  axis: number,
  index: ArrayLike<number>,
): Float32Array {
  const n = shape[axis];
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const m = index.length;
  const out = new Float32Array(outer * m * inner);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < m; k++) {
      const c = index[k];
      if (!(Number.isInteger(c) && c >= 0 && c < n))
        throw new Error(`gatherAxis: channel index ${c} outside 0..${n - 1}`);
      const src = (o * n + c) * inner;
      out.set(values.subarray(src, src + inner), (o * m + k) * inner);
    }
  }
  return out;
}

/** A member's share of its parameter: the axis restricted to the group's channels [offset, offset + channels). */
export function memberTensor(
  params: readonly ParameterTensor[],
  member: GroupMember,
  layout: GroupLayout,
): { data: Float32Array; shape: number[]; axis: number } {
  const p = find(params, member.parameter, `group "${layout.group}"`);
  if (!(member.axis >= 0 && member.axis < p.shape.length))
    throw new Error(`group "${layout.group}": parameter "${p.name}" has no axis ${member.axis}`);
  const n = p.shape[member.axis];
  const offset = member.offset ?? 0;
  const channels = layout.channels ?? n - offset;
  if (offset === 0 && channels === n) return { data: p.values, shape: p.shape, axis: member.axis };
  if (offset + channels > n)
    throw new Error(
      `group "${layout.group}": channels ${offset}…${offset + channels - 1} are outside axis ${member.axis} of "${p.name}" (${n})`,
    );
  const index = Int32Array.from({ length: channels }, (_, k) => offset + k);
  const shape = p.shape.slice();
  shape[member.axis] = channels;
  return { data: gatherAxis(p.values, p.shape, member.axis, index), shape, axis: member.axis };
}

/**
 * Re-index every member axis of every group by `index[group]` (a permutation for reordering, an
 * ascending subset for pruning). An axis shared by several groups (the parts of a concatenation) is
 * re-indexed part by part in one pass; channels no group names keep their place. Parameters no group
 * touches are copied. Returns new parameters.
 */
export function reindexChannels(
  params: readonly ParameterTensor[],
  layout: readonly GroupLayout[],
  index: Readonly<Record<string, ArrayLike<number>>>,
): ParameterTensor[] {
  const out: ParameterTensor[] = params.map((p) => ({
    name: p.name,
    shape: p.shape.slice(),
    values: Float32Array.from(p.values),
  }));
  const segments = new Map<string, { group: string; offset: number; channels?: number; index: ArrayLike<number> }[]>();
  for (const g of layout) {
    const idx = index[g.group];
    if (!idx) continue;
    for (const m of g.members) {
      const key = `${m.parameter}\u0000${m.axis}`;
      const list = segments.get(key) ?? [];
      list.push({ group: g.group, offset: m.offset ?? 0, channels: g.channels, index: idx });
      segments.set(key, list);
    }
  }
  for (const [key, list] of segments) {
    const [name, axisText] = key.split("\u0000") as [string, string];
    const axis = Number(axisText);
    const p = out.find((q) => q.name === name);
    if (!p) throw new Error(`reindexChannels: group "${list[0]!.group}" names unknown parameter "${name}"`);
    if (!(axis >= 0 && axis < p.shape.length))
      throw new Error(`reindexChannels: parameter "${p.name}" has no axis ${axis}`);
    const n = p.shape[axis] as number;
    const full: number[] = [];
    let at = 0;
    for (const seg of [...list].sort((a, b) => a.offset - b.offset)) {
      const channels = seg.channels ?? n - seg.offset;
      if (seg.offset < at || seg.offset + channels > n)
        throw new Error(
          `reindexChannels: group "${seg.group}" takes channels ${seg.offset}…${seg.offset + channels - 1} of axis ${axis} of "${name}" (${n}), overlapping another group or past the end`,
        );
      for (; at < seg.offset; at++) full.push(at);
      for (let k = 0; k < seg.index.length; k++) {
        const c = seg.index[k] as number;
        if (!(Number.isInteger(c) && c >= 0 && c < channels))
          throw new Error(`reindexChannels: group "${seg.group}" index ${c} outside 0..${channels - 1}`);
        full.push(seg.offset + c);
      }
      at = seg.offset + channels;
    }
    for (; at < n; at++) full.push(at);
    p.values = gatherAxis(p.values, p.shape, axis, full);
    p.shape[axis] = full.length;
  }
  return out;
}

/** One group's new channel order and its total variation before and after. */
export interface GroupOrder {
  group: string;
  channels: number;
  /** order[k] = the original channel now at position k. */
  order: Int32Array;
  tvBefore: number;
  tvAfter: number;
}

/** The channel slices of one group: every member tensor's values at each channel, laid end to end. */
export function groupSlices(params: readonly ParameterTensor[], layout: GroupLayout): Float32Array[] {
  return groupChannelSlices(layout.members.map((m) => memberTensor(params, m, layout)));
}

/** Every group in its trained order (for comparison: exact initialisation without reordering), with its TV. */
export function identityOrders(params: readonly ParameterTensor[], layout: readonly GroupLayout[]): GroupOrder[] {
  return layout.map((g) => {
    const D = channelDistanceMatrix(groupSlices(params, g));
    const order = Int32Array.from(D, (_, i) => i);
    let tv = 0;
    for (let k = 0; k + 1 < order.length; k++) tv += D[k][k + 1];
    return { group: g.group, channels: order.length, order, tvBefore: tv, tvAfter: tv };
  });
}

/** TV-minimising channel order of every group (2-opt with restarts; see permutation.ts). */
export function channelOrders(
  params: readonly ParameterTensor[],
  layout: readonly GroupLayout[],
  options: MinimizeTotalVariationOptions = {},
): GroupOrder[] {
  return layout.map((g) => {
    const D = channelDistanceMatrix(groupSlices(params, g));
    const { order, before, after } = minimizeTotalVariation(D, options);
    return { group: g.group, channels: order.length, order, tvBefore: before, tvAfter: after };
  });
}

/** Parameters with every group's channels reordered: the same function, smoother along each group. */
export function permuteChannels(
  params: readonly ParameterTensor[],
  layout: readonly GroupLayout[],
  orders: readonly GroupOrder[],
): ParameterTensor[] {
  return reindexChannels(params, layout, Object.fromEntries(orders.map((o) => [o.group, o.order])));
}

export interface ConvertOptions extends MinimizeTotalVariationOptions {
  /** Options of the integral net (training ranges, kernel, quadrature). */
  inn?: ReferenceInnOptions;
  /** Skip reordering (for comparison: exact initialisation from the channels as trained). */
  keepOrder?: boolean;
}

export interface ReferenceConversion {
  /** The integral net, initialised exactly from `permuted` (caller disposes). */
  inn: ReferenceInn;
  /** The discrete net with reordered channels: same function as the input (caller disposes). */
  permuted: ReferenceNet;
  groups: GroupOrder[];
}

/** Convert a trained discrete reference net (left untouched) into an integral one. */
export function convertReferenceNet(net: ReferenceNet, options: ConvertOptions = {}): ReferenceConversion {
  const layout = referenceChannelLayout();
  const params = readParameters(net);
  const groups = options.keepOrder ? identityOrders(params, layout) : channelOrders(params, layout, options);
  const permuted = new ReferenceNet(net.input, 0);
  try {
    assignParameters(permuted, permuteChannels(params, layout, groups), "convertReferenceNet");
    return { inn: ReferenceInn.fromDiscrete(permuted, options.inn), permuted, groups };
  } catch (e) {
    permuted.dispose();
    throw e;
  }
}

/**
 * The other direction: the discrete parameters an integral reference net evaluates with at its current
 * sizes (names as the discrete net's), e.g. to export it or to build a PrunedReferenceNet of it.
 */
export function innDiscreteParameters(inn: ReferenceInn): ParameterTensor[] {
  const sizes = inn.groups.sizes;
  return [...inn.convs, inn.dense].flatMap((layer) => {
    const { weight, bias } = layer.discreteWeights(sizes, false);
    const out = [
      { name: `${layer.id}.weight`, shape: weight.shape.slice(), values: Float32Array.from(weight.dataSync()) },
    ];
    if (bias)
      out.push({ name: `${layer.id}.bias`, shape: bias.shape.slice(), values: Float32Array.from(bias.dataSync()) });
    return out;
  });
}

export interface GridTuningOptions {
  /** Hidden groups whose partitions become trainable (default all). */
  groups?: readonly ReferenceInnGroup[];
  /** Train the bias nodes too (default false). */
  biases?: boolean;
  /** Keep the partition ends at ±1 (default true). */
  fixedEndpoints?: boolean;
}

/**
 * Grid tuning (DESIGN.md §3, "Three ways", c): the integral net at its current sizes with trainable,
 * always-ordered partitions, seen by the trainer as a model whose only trainable variables are the
 * partition parameters (and optionally the biases); the weight nodes stay frozen. Forward passes use
 * the fixed current sizes (no random draws). The tuned partitions belong to the integral net (it keeps
 * them after tuning and frees them on dispose); `reset` returns the tuned groups to uniform partitions.
 */
export class GridTuning implements Model {
  readonly name = "reference-inn-grid-tuning";
  readonly trainableVariables: tf.Variable[];
  readonly parameterNames: readonly string[];
  private readonly tuned: readonly ReferenceInnGroup[];

  constructor(
    readonly inn: ReferenceInn,
    options: GridTuningOptions = {},
  ) {
    this.tuned = options.groups ?? REFERENCE_INN_GROUPS;
    // Only this tuning's groups (inn.enableGridTuning returns every trainable partition of the net).
    const partitions = this.tuned.flatMap(
      (g) => inn.groups.enableTrainablePartition(g, { fixedEndpoints: options.fixedEndpoints ?? true }).variables,
    );
    const biases = options.biases
      ? [...inn.convs, inn.dense].flatMap((l) => (l.biasNodes ? [{ name: `${l.id}.bias`, v: l.biasNodes }] : []))
      : [];
    this.trainableVariables = [...partitions, ...biases.map((b) => b.v)];
    this.parameterNames = [...partitions.map((p) => p.name), ...biases.map((b) => b.name)];
  }

  apply(images: tf.Tensor4D, context: ForwardContext): tf.Tensor2D {
    return this.inn.apply(images, { training: context.training });
  }

  /** Current (tuned) partition points per tuned group. */
  points(): Record<string, number[]> {
    return Object.fromEntries(this.tuned.map((g) => [g, Array.from(this.inn.groups.points(g))]));
  }

  reset(): void {
    for (const g of this.tuned) this.inn.groups.disableTrainablePartition(g);
  }

  /** Nothing to free: the partitions belong to the integral net. */
  dispose(): void {}
}
