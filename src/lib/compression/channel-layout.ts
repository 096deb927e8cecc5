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

/** A member's share of its parameter: the axis restricted to the group's channels [offset, offset + channels). */
export function memberTensor(
  params: readonly ParameterTensor[],
  member: GroupMember,
  layout: GroupLayout,
): { data: Float32Array; shape: number[]; axis: number } {
  const p = findParameter(params, member.parameter, `group "${layout.group}"`);
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

/** The channel slices of one group: every member tensor's values at each channel, laid end to end. */
export function groupSlices(params: readonly ParameterTensor[], layout: GroupLayout): Float32Array[] {
  return groupChannelSlices(layout.members.map((m) => memberTensor(params, m, layout)));
}
