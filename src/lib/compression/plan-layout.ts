/**
 * The channel layout of a network plan: for every resizable group, each parameter axis that moves with its
 * channels (plan-parameters.ts lists them). A composite group contributes one member per part, at the part's
 * offset on the consumer's axis, so reordering and pruning act on atomic groups as resampling does.
 */
import type { NetworkPlan } from "../graph/plan.js";
import { planParameters } from "../graph/plan-parameters.js";
import type { GroupLayout } from "./channel-layout.js";

/** Layout of `groups` (default: the plan's hidden groups), with the channel counts of the plan's full sizes. */
export function planChannelLayout(plan: NetworkPlan, groups: readonly string[] = plan.hidden): GroupLayout[] {
  const size = new Map(plan.groups.map((g) => [g.id, g.size]));
  const parts = new Map(plan.composites.map((c) => [c.id, c.parts]));
  const layouts = new Map<string, GroupLayout>(
    groups.map((g) => {
      const channels = size.get(g);
      if (channels === undefined) throw new Error(`planChannelLayout ${plan.name}: "${g}" is not an atomic group`);
      return [g, { group: g, members: [], channels }];
    }),
  );
  for (const p of planParameters(plan))
    for (const a of p.axes) {
      let offset = 0;
      for (const part of parts.get(a.group) ?? [a.group]) {
        layouts.get(part)?.members.push({ parameter: p.name, axis: a.axis, role: a.role, offset });
        offset += size.get(part) as number;
      }
    }
  return [...layouts.values()];
}
