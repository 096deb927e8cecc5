/**
 * Conversion of a discrete network given as a plan and its full-size parameters (plan-parameters.ts) into an
 * integral one: every resizable group's channels reordered to minimise total variation (the same 2-opt as the
 * reference net's conversion), the parameters permuted accordingly (the same function), then the integral
 * net's nodes initialised exactly from them.
 */
import { IntegralGraphNet, type IntegralGraphNetOptions } from "../graph/graph-net.js";
import type { NetworkPlan } from "../graph/plan.js";
import type { MinimizeTotalVariationOptions } from "./permutation.js";
import { channelOrders, identityOrders, permuteChannels, type GroupOrder } from "./conversion.js";
import { type ParameterTensor } from "./parameters.js";
import { planChannelLayout } from "./plan-layout.js";

export interface PlanConversionOptions extends MinimizeTotalVariationOptions {
  /** Keep the trained channel order (exact initialisation only). */
  keepOrder?: boolean;
  net?: IntegralGraphNetOptions;
}

export interface PlanConversion {
  /** The integral net, exact at full size (caller disposes). */
  net: IntegralGraphNet;
  /** The discrete parameters with every group reordered: same function as the input. */
  permuted: ParameterTensor[];
  groups: GroupOrder[];
}

/**
 * The conversion one step at a time: yields a progress line before each group is ordered and before the
 * net is built, returns the conversion. A page awaits between steps so it can show them; `convertPlan` runs
 * them straight through.
 */
export function* convertPlanSteps(
  plan: NetworkPlan,
  params: readonly ParameterTensor[],
  options: PlanConversionOptions = {},
): Generator<string, PlanConversion> {
  const layout = planChannelLayout(plan);
  const groups: GroupOrder[] = [];
  for (const [k, g] of layout.entries()) {
    yield `ordering the ${g.channels} channels of group ${g.group} (${k + 1}/${layout.length})`;
    groups.push(...(options.keepOrder ? identityOrders(params, [g]) : channelOrders(params, [g], options)));
  }
  yield "initialising the integral net";
  const permuted = permuteChannels(params, layout, groups);
  return { net: IntegralGraphNet.fromDiscrete(plan, permuted, options.net), permuted, groups };
}

/** Run a step generator to its result, passing each progress line to `onProgress`. */
export function runSteps<T>(steps: Generator<string, T>, onProgress?: (message: string) => void): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    onProgress?.(next.value);
  }
}

export function convertPlan(
  plan: NetworkPlan,
  params: readonly ParameterTensor[],
  options: PlanConversionOptions & { onProgress?: (message: string) => void } = {},
): PlanConversion {
  return runSteps(convertPlanSteps(plan, params, options), options.onProgress);
}
