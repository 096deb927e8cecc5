/**
 * A grouped 1×1 convolution without divisibility constraints (Schwarz Schuler et al., "kGroupConv2D"):
 * any input channel count, any filter count, a requested number Ch of input channels per group.
 *
 *   groups  = ceil(Cin / Ch), capped at the filter count (then Ch grows to ceil(Cin / groups));
 *   padding = the first input channels are copied after the last one until groups · Ch channels exist;
 *   filters = groups × floor(F / groups) in the main path, and F mod groups extra filters, each a
 *             one-filter group reading the padded channels of group 0, 1, 2, … in turn.
 *
 * Example: 1020 channels, Ch = 16, 250 filters → 1024 padded channels, 64 groups × 3 filters + 58
 * one-filter groups. The plan is plain data (for drawings and accounting); the layer runs it.
 */
import * as tf from "@tensorflow/tfjs-core";
import { groupedPointwiseConv, type GroupedPointwiseOptions } from "./grouped-pointwise.js";
import { mulberry32, gaussian, type Random } from "../random.js";

/** One group of the plan: which input channels it reads, which output channels it writes. */
export interface GroupWiring {
  /** Input channel indices as the layer sees them (a replicated channel appears as its source). */
  inputs: number[];
  /** Positions in the padded input (≥ inChannels for replicated channels). */
  paddedInputs: number[];
  /** Output channel indices written by this group. */
  outputs: number[];
  /** True for the extra one-filter groups that absorb F mod groups. */
  oneFilter: boolean;
}

export interface UnevenGroupedPlan {
  inChannels: number;
  filters: number;
  /** Ch as requested. */
  requestedChannelsPerGroup: number;
  /** Ch actually used (larger than requested only when the group count was capped at the filter count). */
  channelsPerGroup: number;
  groups: number;
  paddedChannels: number;
  /** Padded position → source input channel, for the copied channels only. */
  replicated: { padded: number; source: number }[];
  filtersPerGroup: number;
  mainFilters: number;
  oneFilterGroups: number;
  /** Main groups first, then the one-filter groups; outputs are in this order. */
  wiring: GroupWiring[];
  /** Trainable weights (without bias). */
  weightCount: number;
}

function checkCount(file: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${file}: ${name} must be a positive integer, got ${value}`);
}

/** Plan the groups of an uneven grouped 1×1 conv (see the module comment). */
export function unevenGroupedPlan(inChannels: number, filters: number, channelsPerGroup: number): UnevenGroupedPlan {
  const where = "unevenGroupedPlan";
  checkCount(where, "inChannels", inChannels);
  checkCount(where, "filters", filters);
  checkCount(where, "channelsPerGroup (Ch)", channelsPerGroup);
  if (channelsPerGroup > inChannels) {
    throw new Error(`${where}: channelsPerGroup (Ch) = ${channelsPerGroup} exceeds the ${inChannels} input channels`);
  }
  let groups = Math.ceil(inChannels / channelsPerGroup);
  if (groups > filters) groups = filters; // never more groups than filters
  const perGroup = Math.max(channelsPerGroup, Math.ceil(inChannels / groups));
  const paddedChannels = groups * perGroup;
  const source = (p: number) => p % inChannels; // copies of the first channels, repeated if needed
  const replicated: { padded: number; source: number }[] = [];
  for (let p = inChannels; p < paddedChannels; p++) replicated.push({ padded: p, source: source(p) });
  const filtersPerGroup = Math.floor(filters / groups);
  const oneFilterGroups = filters % groups;
  const wiring: GroupWiring[] = [];
  const groupInputs = (g: number) => {
    const paddedInputs = Array.from({ length: perGroup }, (_, i) => g * perGroup + i);
    return { paddedInputs, inputs: paddedInputs.map(source) };
  };
  for (let g = 0; g < groups; g++) {
    wiring.push({
      ...groupInputs(g),
      outputs: Array.from({ length: filtersPerGroup }, (_, j) => g * filtersPerGroup + j),
      oneFilter: false,
    });
  }
  const mainFilters = groups * filtersPerGroup;
  for (let e = 0; e < oneFilterGroups; e++)
    wiring.push({ ...groupInputs(e), outputs: [mainFilters + e], oneFilter: true });
  return {
    inChannels,
    filters,
    requestedChannelsPerGroup: channelsPerGroup,
    channelsPerGroup: perGroup,
    groups,
    paddedChannels,
    replicated,
    filtersPerGroup,
    mainFilters,
    oneFilterGroups,
    wiring,
    weightCount: mainFilters * perGroup + oneFilterGroups * perGroup,
  };
}

export interface UnevenGroupedPointwiseOptions extends GroupedPointwiseOptions {
  /** Add a per-filter bias (default true). */
  useBias?: boolean;
  /** Seed of the He-normal initialisation (default 1). */
  seed?: number;
  /** Random source instead of a seed. */
  random?: Random;
  /** Variable name prefix. */
  name?: string;
}

/** He-normal [groups, fanIn, fanOut] weights from a seeded source. */
export function heNormalGroupWeights(
  random: Random,
  groups: number,
  fanIn: number,
  fanOut: number,
  name: string,
): tf.Variable {
  const values = new Float32Array(groups * fanIn * fanOut);
  const std = Math.sqrt(2 / fanIn);
  for (let i = 0; i < values.length; i++) values[i] = gaussian(random) * std;
  // tidy frees the initial tensor; the variable keeps its own copy.
  return tf.tidy(() => tf.variable(tf.tensor3d(values, [groups, fanIn, fanOut]), true, `${name}_${UNIQUE.next++}`));
}
const UNIQUE = { next: 0 };

/** The layer: pads the input per the plan, runs the main and one-filter grouped convs, concatenates. */
export class UnevenGroupedPointwise {
  readonly plan: UnevenGroupedPlan;
  /** [groups, channelsPerGroup, filtersPerGroup]. */
  readonly mainWeights: tf.Variable;
  /** [oneFilterGroups, channelsPerGroup, 1], or null when the filters divide evenly. */
  readonly oneFilterWeights: tf.Variable | null;
  readonly bias: tf.Variable | null;
  private readonly strategy: GroupedPointwiseOptions["strategy"];

  constructor(
    inChannels: number,
    filters: number,
    channelsPerGroup: number,
    options: UnevenGroupedPointwiseOptions = {},
  ) {
    this.plan = unevenGroupedPlan(inChannels, filters, channelsPerGroup);
    const random = options.random ?? mulberry32(options.seed ?? 1);
    const name = options.name ?? "uneven_pw";
    const p = this.plan;
    this.mainWeights = heNormalGroupWeights(random, p.groups, p.channelsPerGroup, p.filtersPerGroup, `${name}_main`);
    this.oneFilterWeights =
      p.oneFilterGroups > 0
        ? heNormalGroupWeights(random, p.oneFilterGroups, p.channelsPerGroup, 1, `${name}_extra`)
        : null;
    this.bias =
      options.useBias === false
        ? null
        : tf.tidy(() => tf.variable(tf.zeros([filters]), true, `${name}_bias_${UNIQUE.next++}`));
    this.strategy = options.strategy;
  }

  get trainableVariables(): tf.Variable[] {
    return [
      this.mainWeights,
      ...(this.oneFilterWeights ? [this.oneFilterWeights] : []),
      ...(this.bias ? [this.bias] : []),
    ];
  }

  /** x [B, H, W, inChannels] → [B, H, W, filters]. */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    const p = this.plan;
    if (x.shape[3] !== p.inChannels)
      throw new Error(`UnevenGroupedPointwise: expected ${p.inChannels} input channels, got ${x.shape[3]}`);
    return tf.tidy(() => {
      const padded = padChannelsByCopy(x, p.paddedChannels);
      let y = groupedPointwiseConv(padded, this.mainWeights as tf.Tensor3D, { strategy: this.strategy });
      if (this.oneFilterWeights) {
        const head = tf.slice(padded, [0, 0, 0, 0], [-1, -1, -1, p.oneFilterGroups * p.channelsPerGroup]);
        y = tf.concat(
          [y, groupedPointwiseConv(head, this.oneFilterWeights as tf.Tensor3D, { strategy: this.strategy })],
          3,
        );
      }
      return this.bias ? tf.add(y, this.bias) : y;
    });
  }

  /** The equivalent dense [inChannels, filters] matrix (replicated inputs summed into their source row). */
  denseMatrix(): Float32Array {
    const p = this.plan;
    const m = new Float32Array(p.inChannels * p.filters);
    const main = this.mainWeights.dataSync();
    const extra = this.oneFilterWeights?.dataSync();
    p.wiring.forEach((g, gi) => {
      g.outputs.forEach((o, j) => {
        g.inputs.forEach((src, i) => {
          const w = g.oneFilter
            ? extra![(gi - p.groups) * p.channelsPerGroup + i]
            : main[(gi * p.channelsPerGroup + i) * p.filtersPerGroup + j];
          m[src * p.filters + o] += w;
        });
      });
    });
    return m;
  }

  dispose(): void {
    tf.dispose(this.trainableVariables);
  }
}

/** Append copies of the first channels until there are `channels` (gradient-safe: concat + slice). */
export function padChannelsByCopy(x: tf.Tensor4D, channels: number): tf.Tensor4D {
  const c = x.shape[3];
  if (channels === c) return x;
  if (channels < c) throw new Error(`padChannelsByCopy: cannot pad ${c} channels down to ${channels}`);
  return tf.tidy(() => {
    const parts: tf.Tensor4D[] = [];
    let have = 0;
    while (have < channels) {
      const take = Math.min(c, channels - have);
      parts.push(take === c ? x : tf.slice(x, [0, 0, 0, 0], [-1, -1, -1, take]));
      have += take;
    }
    return tf.concat(parts, 3);
  });
}
