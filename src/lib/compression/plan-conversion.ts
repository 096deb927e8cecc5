/**
 * Conversion of a discrete network given as a plan and its full-size parameters (plan-parameters.ts) into an
 * integral one: every resizable group's channels reordered to minimise total variation (the same 2-opt as the
 * reference net's conversion), the parameters permuted accordingly (the same function), then the integral
 * net's nodes initialised exactly from them.
 */
import { IntegralGraphNet, type IntegralGraphNetOptions } from "../graph/graph-net.js";
import type { NetworkPlan } from "../graph/plan.js";
import type { MinimizeTotalVariationOptions, TvSearchProgress } from "./permutation.js";
import { channelOrderSteps, identityOrders, permuteChannels, type GroupOrder } from "./conversion.js";
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
 * A conversion step: a progress line (a new stage, which a page shows) or a checkpoint inside a group's
 * channel search (where a page may pause; see steps.ts).
 */
export type ConversionStep = string | TvSearchProgress;

/**
 * The conversion one step at a time: yields a progress line before each group is ordered and before the
 * net is built, and checkpoints while a group is ordered; returns the conversion. A page awaits between
 * steps so it can show them and stay responsive; `convertPlan` runs them straight through.
 */
export function* convertPlanSteps(
  plan: NetworkPlan,
  params: readonly ParameterTensor[],
  options: PlanConversionOptions = {},
): Generator<ConversionStep, PlanConversion> {
  const layout = planChannelLayout(plan);
  const groups: GroupOrder[] = [];
  for (const [k, g] of layout.entries()) {
    yield `ordering the ${g.channels} channels of group ${g.group} (${k + 1}/${layout.length})`;
    groups.push(options.keepOrder ? identityOrders(params, [g])[0] : yield* channelOrderSteps(params, g, options));
  }
  yield "initialising the integral net";
  const permuted = permuteChannels(params, layout, groups);
  return { net: IntegralGraphNet.fromDiscrete(plan, permuted, options.net), permuted, groups };
}

/** Run a step generator to its result, passing each progress line to `onProgress`. */
export function runSteps<T>(steps: Generator<ConversionStep, T>, onProgress?: (message: string) => void): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    if (typeof next.value === "string") onProgress?.(next.value);
  }
}

export function convertPlan(
  plan: NetworkPlan,
  params: readonly ParameterTensor[],
  options: PlanConversionOptions & { onProgress?: (message: string) => void } = {},
): PlanConversion {
  return runSteps(convertPlanSteps(plan, params, options), options.onProgress);
}
