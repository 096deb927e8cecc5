/**
 * Channel layouts: which axis of which parameter moves with each linked group's channels (the producer's
 * output filters and bias, the consumers' input slices), so one model's groups can be reordered (conversion)
 * or subset (pruning) through the same code.
 */
import { groupChannelSlices } from "./permutation.js";
import { findParameter, gatherAxis, type ParameterTensor } from "./parameters.js";

/** One axis of one parameter that indexes a group's channels. */
export interface GroupMember {
  parameter: string;
  axis: number;
  /** "filters": the producer's output filters (what L1 pruning ranks); "bias"; "consumer": a consumer's input slices. */
  role: "filters" | "bias" | "consumer";
}

/** Everything that moves with one group's channels. */
export interface GroupLayout {
  group: string;
  members: GroupMember[];
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

/**
 * Re-index every member axis of every group by `index[group]` (a permutation for reordering, an
 * ascending subset for pruning). Parameters no group touches are copied. Returns new parameters.
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
  for (const g of layout) {
    const idx = index[g.group];
    if (!idx) continue;
    for (const m of g.members) {
      const p = out.find((q) => q.name === m.parameter);
      if (!p) throw new Error(`reindexChannels: group "${g.group}" names unknown parameter "${m.parameter}"`);
      if (!(m.axis >= 0 && m.axis < p.shape.length))
        throw new Error(`reindexChannels: parameter "${p.name}" has no axis ${m.axis}`);
      p.values = gatherAxis(p.values, p.shape, m.axis, idx);
      p.shape[m.axis] = idx.length;
    }
  }
  return out;
}

/** The channel slices of one group: every member tensor's values at each channel, laid end to end. */
export function groupSlices(params: readonly ParameterTensor[], layout: GroupLayout): Float32Array[] {
  return groupChannelSlices(
    layout.members.map((m) => {
      const p = findParameter(params, m.parameter, `group "${layout.group}"`);
      return { data: p.values, shape: p.shape, axis: m.axis };
    }),
  );
}
