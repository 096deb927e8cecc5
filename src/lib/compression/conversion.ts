/**
 * Converting a trained discrete network into an integral one (docs/design.md §3, "Three ways", b): reorder
 * every linked group's channels to minimise total variation, permute the discrete net accordingly (the same
 * function, its channels listed in another order), then initialise the integral net's nodes exactly from it.
 */
import {
  channelDistanceMatrix,
  minimizeTotalVariationSteps,
  type MinimizeTotalVariationOptions,
  type TvSearchProgress,
} from "./permutation.js";
import { drainSteps } from "./steps.js";
import { assignParameters, readParameters, type ParameterTensor } from "./parameters.js";
import { groupSlices, referenceChannelLayout, reindexChannels, type GroupLayout } from "./channel-layout.js";
import { ReferenceNet } from "../models/reference.js";
import { ReferenceInn, type ReferenceInnOptions } from "../models/reference-inn.js";

/** One group's new channel order and its total variation before and after. */
export interface GroupOrder {
  group: string;
  channels: number;
  /** order[k] = the original channel now at position k. */
  order: Int32Array;
  tvBefore: number;
  tvAfter: number;
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

/** TV-minimising channel order (2-opt with restarts; see permutation.ts). */
export function channelOrders(
  params: readonly ParameterTensor[],
  layout: readonly GroupLayout[],
  options: MinimizeTotalVariationOptions = {},
): GroupOrder[] {
  return layout.map((g) => drainSteps(channelOrderSteps(params, g, options)));
}

/** One group's channelOrders as steps (see minimizeTotalVariationSteps), for a caller that pauses between them. */
export function* channelOrderSteps(
  params: readonly ParameterTensor[],
  group: GroupLayout,
  options: MinimizeTotalVariationOptions = {},
): Generator<TvSearchProgress, GroupOrder> {
  const D = channelDistanceMatrix(groupSlices(params, group));
  const { order, before, after } = yield* minimizeTotalVariationSteps(D, options);
  return { group: group.group, channels: order.length, order, tvBefore: before, tvAfter: after };
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
