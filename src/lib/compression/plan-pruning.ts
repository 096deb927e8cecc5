/**
 * Discrete channel pruning of any network plan (the baseline an integral net is compared with at equal
 * sizes): keep each resizable group's channels with the largest producer-filter L1 norms (summed over the
 * producers of a group joined by an add), or random ones, slice every parameter that moves with them
 * (plan-layout.ts), and build the smaller discrete net: the same plan with those sizes as its full sizes.
 */
import { IntegralGraphNet, type IntegralGraphNetOptions } from "../graph/graph-net.js";
import type { NetworkPlan } from "../graph/plan.js";
import { reindexChannels } from "./channel-layout.js";
import { type ParameterTensor } from "./parameters.js";
import { selectChannels, type PruningMethod, type SelectChannelsOptions } from "./pruning.js";
import { planChannelLayout } from "./plan-layout.js";

export interface PrunedPlan {
  /** The plan with the pruned groups at their new sizes, fixed (a discrete net). */
  plan: NetworkPlan;
  params: ParameterTensor[];
  /** Kept channels per group (ascending original indices). */
  keep: Record<string, Int32Array>;
}

/** The plan and parameters of the discrete net pruned to `sizes` (hidden groups; others keep theirs). */
export function prunePlan(
  plan: NetworkPlan,
  params: readonly ParameterTensor[],
  sizes: Readonly<Record<string, number>>,
  method: PruningMethod,
  options: SelectChannelsOptions = {},
): PrunedPlan {
  for (const g of Object.keys(sizes))
    if (!plan.hidden.includes(g))
      throw new Error(`prunePlan ${plan.name}: "${g}" is not a resizable group (known: ${plan.hidden.join(", ")})`);
  const keep = selectChannels(params, planChannelLayout(plan), sizes, method, options);
  const pruned: NetworkPlan = {
    ...plan,
    name: `${plan.name}-${method}`,
    groups: plan.groups.map((g) => {
      const size = sizes[g.id];
      return size === undefined ? { ...g } : { ...g, size, range: { min: size, max: size } };
    }),
  };
  return { plan: pruned, params: reindexChannels(params, planChannelLayout(plan), keep), keep };
}

/** The pruned discrete net itself (caller disposes). */
export function prunedPlanNet(
  plan: NetworkPlan,
  params: readonly ParameterTensor[],
  sizes: Readonly<Record<string, number>>,
  method: PruningMethod,
  options: SelectChannelsOptions & { net?: IntegralGraphNetOptions } = {},
): { net: IntegralGraphNet; keep: Record<string, Int32Array> } {
  const p = prunePlan(plan, params, sizes, method, options);
  return { net: IntegralGraphNet.fromDiscrete(p.plan, p.params, options.net), keep: p.keep };
}
