/**
 * Conversion of a discrete network given as a plan and its full-size parameters (plan-parameters.ts) into an
 * integral one: every resizable group's channels reordered to minimise total variation (the same 2-opt as the
 * reference net's conversion), the parameters permuted accordingly (the same function), then the integral
 * net's nodes initialised exactly from them.
 */
import { IntegralGraphNet, type IntegralGraphNetOptions } from "../graph/graph-net.js";
import type { NetworkPlan } from "../graph/plan.js";
import type { MinimizeTotalVariationOptions } from "./permutation.js";
import { channelOrders, identityOrders, permuteChannels, type GroupOrder, type ParameterTensor } from "./conversion.js";
import { planChannelLayout } from "./plan-layout.js";

export interface PlanConversionOptions extends MinimizeTotalVariationOptions {
  /** Keep the trained channel order (exact initialisation only). */
  keepOrder?: boolean;
  net?: IntegralGraphNetOptions;
  /** Called before each group is ordered (index, count), for progress. */
  onGroup?: (group: string, index: number, count: number) => void;
}

export interface PlanConversion {
  /** The integral net, exact at full size (caller disposes). */
  net: IntegralGraphNet;
  /** The discrete parameters with every group reordered: same function as the input. */
  permuted: ParameterTensor[];
  groups: GroupOrder[];
}

export function convertPlan(
  plan: NetworkPlan,
  params: readonly ParameterTensor[],
  options: PlanConversionOptions = {},
): PlanConversion {
  const layout = planChannelLayout(plan);
  const groups = layout.flatMap((g, k) => {
    options.onGroup?.(g.group, k, layout.length);
    return options.keepOrder ? identityOrders(params, [g]) : channelOrders(params, [g], options);
  });
  const permuted = permuteChannels(params, layout, groups);
  return { net: IntegralGraphNet.fromDiscrete(plan, permuted, options.net), permuted, groups };
}
