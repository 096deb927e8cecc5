/**
 * Linked channel groups. Channel axes that must have the same size — a layer's output and its
 * consumers' inputs, both sides of a residual add, batch-norm parameters — share one *atomic group*,
 * which owns the partition those axes are sampled on. A concatenation is a *composite group*: its
 * axis is the parts' axes laid end to end, each part sampled on its own partition. Resampling acts on
 * atomic groups only, so every layer touching a group sees the same size and the model stays consistent.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ForwardContext } from "../model.js";
import { cubicKernel, type InterpolationKernel } from "../math/interpolation.js";
import {
  checkSizeRange,
  drawPartitionSize,
  TrainablePartition,
  uniformPartition,
  type SizeRange,
} from "../math/partition.js";
import { MIN_POINTS, quadratureWeights, trapezoidWeightsTensor } from "../math/quadrature.js";
import { interpolationMatrixConstant, interpolationMatrixTensor } from "../math/sampling.js";

/** Quadrature applied along an axis of this group when a layer integrates over it. */
export type GroupQuadrature = "trapezoid" | "simpson" | "left-riemann" | "right-riemann" | "none";

export interface AtomicGroupOptions {
  id: string;
  /** Full size = number of nodes of every weight function along this axis. */
  size: number;
  /** Sizes drawn during training (random-size partitions). Default: fixed at `size`. */
  range?: SizeRange;
  /**
   * Quadrature along this axis for layers that integrate over it. Default "trapezoid", or "none" for
   * groups of 3 or fewer channels (image input, as in the upstream implementation).
   */
  quadrature?: GroupQuadrature;
  /** Interpolation kernel along this axis (default Keys cubic, A = −0.75, as upstream). */
  kernel?: InterpolationKernel;
}

export interface CompositeGroupOptions {
  id: string;
  /** Atomic group ids, in concatenation order. */
  parts: string[];
}

/** Current size of every atomic group, by id. */
export type GroupSizes = Readonly<Record<string, number>>;

/** How an axis of a group is sampled at some size. */
export interface GroupSampling {
  /** Interpolation matrix [size, nodes]. */
  matrix: tf.Tensor2D;
  /** Per-channel factor q_i · V along an integrated axis ([size]); ones when the quadrature is "none". */
  scale: tf.Tensor1D;
}

/** A plain summary for drawing, accounting and files. */
export interface GroupDescription {
  id: string;
  /** Node count (full size); for a composite, the sum of its parts. */
  nodes: number;
  /** Current size. */
  size: number;
  /** Training range (atomic groups). */
  range?: SizeRange;
  quadrature?: GroupQuadrature;
  kernel?: string;
  /** Parts of a composite group. */
  parts?: string[];
  /** True while a trainable partition (grid tuning) replaces the uniform one. */
  trainablePartition?: boolean;
  /** Plan descriptions: the nodes whose channels are this group's (describePlan). */
  members?: GroupMemberDescription[];
}

/** A node linked to a group: it writes its channels, reads them, carries them through (batch norm, depth-wise), or joins branches on them (add, concat). */
export interface GroupMemberDescription {
  node: string;
  role: "produces" | "consumes" | "carries" | "joins";
}

/** Why a group with this quadrature cannot be sampled at `size` channels, or null if it can. */
function quadratureSizeProblem(quadrature: GroupQuadrature, size: number): string | null {
  if (quadrature === "none" || size >= MIN_POINTS[quadrature]) return null;
  return `uses the ${quadrature} rule, which needs at least ${MIN_POINTS[quadrature]} channels`;
}

/** The fewest channels a resampled group gets by fraction: two points are the least a quadrature integrates. */
export const MIN_GROUP_SIZE = 2;

/** Sizes keeping `fraction` of each named group's full size: max(MIN_GROUP_SIZE, round(fraction · full)). */
export function sizesAtFraction(full: GroupSizes, groups: readonly string[], fraction: number): Record<string, number> {
  if (!(fraction > 0 && fraction <= 1)) throw new Error(`sizesAtFraction: fraction must be in (0, 1], got ${fraction}`);
  return Object.fromEntries(
    groups.map((g) => {
      if (!(g in full)) throw new Error(`sizesAtFraction: unknown group "${g}"`);
      return [g, Math.min(full[g], Math.max(MIN_GROUP_SIZE, Math.round(fraction * full[g])))];
    }),
  );
}

/** Training range of a group of `size` channels down to `minFraction`: [max(MIN_GROUP_SIZE, ⌈minFraction · size⌉), size]. */
export function rangeAtFraction(size: number, minFraction: number): SizeRange {
  if (!(minFraction > 0 && minFraction <= 1))
    throw new Error(`rangeAtFraction: minFraction must be in (0, 1], got ${minFraction}`);
  return { min: Math.min(size, Math.max(MIN_GROUP_SIZE, Math.ceil(minFraction * size))), max: size };
}

interface AtomicGroup {
  id: string;
  nodes: number;
  range: SizeRange;
  quadrature: GroupQuadrature;
  kernel: InterpolationKernel;
  /** V = (nodes − 1)/2: interior trapezoid weights of the full-size uniform partition become 1. */
  volume: number;
  partition?: TrainablePartition;
}

/** How training draws random sizes. */
export interface SizeSamplingOptions {
  /**
   * Probability that a training step uses every group at full size instead of random draws (default 0:
   * always draw). Mixing in full-size steps lets the full-size net learn as fast as a discrete one
   * while the other steps keep it robust to resampling (cf. the "sandwich rule" of slimmable networks).
   */
  fullSizeProbability?: number;
  /**
   * Probability that a random-size step draws ONE fraction f for all groups instead of one independent
   * draw per group (default 0): each group then gets round(f · its full size), clamped to its range, the
   * sizes `sizesAtFraction` evaluates, so the uniformly compressed nets a global slider produces are the
   * ones trained. f is uniform between the smallest range's lower end (relative to its size) and 1.
   */
  sharedDrawProbability?: number;
}

export class ChannelGroups {
  /** Probability of an all-full-size training step (see SizeSamplingOptions). */
  readonly fullSizeProbability: number;
  /** Probability of one shared size draw for all groups (see SizeSamplingOptions). */
  readonly sharedDrawProbability: number;
  private readonly atomic = new Map<string, AtomicGroup>();
  private readonly composite = new Map<string, string[]>();
  private current: Record<string, number> = {};
  /** Constant samplings of uniform partitions, by "id:size" (kept; freed by dispose). */
  private readonly cache = new Map<string, GroupSampling>();
  /** Bumped whenever a partition changes; layers key their cached weights on it. */
  private revision = 0;

  constructor(
    atomic: AtomicGroupOptions[],
    composite: CompositeGroupOptions[] = [],
    sampling: SizeSamplingOptions = {},
  ) {
    const p = sampling.fullSizeProbability ?? 0;
    if (!(p >= 0 && p <= 1)) throw new Error(`ChannelGroups: fullSizeProbability must be in [0, 1], got ${p}`);
    this.fullSizeProbability = p;
    const shared = sampling.sharedDrawProbability ?? 0;
    if (!(shared >= 0 && shared <= 1))
      throw new Error(`ChannelGroups: sharedDrawProbability must be in [0, 1], got ${shared}`);
    this.sharedDrawProbability = shared;
    for (const g of atomic) {
      if (this.atomic.has(g.id)) throw new Error(`ChannelGroups: duplicate group id "${g.id}"`);
      if (!Number.isInteger(g.size) || g.size < 1)
        throw new Error(`ChannelGroups: group "${g.id}" size must be a positive integer, got ${g.size}`);
      const range = g.range ?? { min: g.size, max: g.size };
      checkSizeRange(range, g.size, `ChannelGroups: group "${g.id}"`);
      const quadrature = g.quadrature ?? (g.size <= 3 ? "none" : "trapezoid");
      const problem = quadratureSizeProblem(quadrature, g.size);
      if (problem) throw new Error(`ChannelGroups: group "${g.id}" ${problem}, but has ${g.size} nodes`);
      const rangeProblem = quadratureSizeProblem(quadrature, range.min);
      if (rangeProblem)
        throw new Error(
          `ChannelGroups: group "${g.id}" ${rangeProblem}, but its training range starts at ${range.min}`,
        );
      this.atomic.set(g.id, {
        id: g.id,
        nodes: g.size,
        range: { ...range },
        quadrature,
        kernel: g.kernel ?? cubicKernel(),
        volume: (g.size - 1) / 2,
      });
      this.current[g.id] = g.size;
    }
    for (const c of composite) {
      if (this.atomic.has(c.id) || this.composite.has(c.id))
        throw new Error(`ChannelGroups: duplicate group id "${c.id}"`);
      if (c.parts.length === 0) throw new Error(`ChannelGroups: composite group "${c.id}" has no parts`);
      for (const p of c.parts)
        if (!this.atomic.has(p))
          throw new Error(`ChannelGroups: composite group "${c.id}" names unknown atomic group "${p}"`);
      this.composite.set(c.id, [...c.parts]);
    }
  }

  /** Atomic group ids in declaration order (the order random sizes are drawn in). */
  get atomicIds(): string[] {
    return [...this.atomic.keys()];
  }

  has(id: string): boolean {
    return this.atomic.has(id) || this.composite.has(id);
  }

  /** Revision counter of the partitions (changes on resample-independent partition edits). */
  get partitionRevision(): number {
    return this.revision;
  }

  /** Current sizes of the atomic groups. */
  get sizes(): GroupSizes {
    return { ...this.current };
  }

  /** Full sizes (node counts) of the atomic groups. */
  get fullSizes(): GroupSizes {
    return Object.fromEntries([...this.atomic.values()].map((g) => [g.id, g.nodes]));
  }

  private group(id: string): AtomicGroup {
    const g = this.atomic.get(id);
    if (!g) throw new Error(`ChannelGroups: unknown atomic group "${id}"`);
    return g;
  }

  /** Training range of an atomic group. */
  range(id: string): SizeRange {
    return { ...this.group(id).range };
  }

  /** Node count of a group (sum of parts for a composite). */
  nodesOf(id: string): number {
    const parts = this.composite.get(id);
    return parts ? parts.reduce((a, p) => a + this.group(p).nodes, 0) : this.group(id).nodes;
  }

  /** Size of a group under `sizes` (sum of parts for a composite). */
  sizeOf(id: string, sizes: GroupSizes = this.current): number {
    const parts = this.composite.get(id) ?? [id];
    return parts.reduce((a, p) => {
      this.group(p);
      const s = sizes[p];
      if (!Number.isInteger(s) || s < 1) throw new Error(`ChannelGroups: no valid size for group "${p}" (got ${s})`);
      return a + s;
    }, 0);
  }

  /** Signature of a group's sampling under `sizes`: every atomic part's size (a composite's sum is not enough). */
  sizesKey(id: string, sizes: GroupSizes = this.current): string {
    return (this.composite.get(id) ?? [id]).map((p) => `${p}:${this.sizeOf(p, sizes)}`).join(",");
  }

  /**
   * Set the current size of some atomic groups (others keep theirs). Sizes may be anything from 1 to
   * the node count — outside the training range is allowed (that is the experiment) but recorded by
   * `describe`. A trainable partition of a group whose size changes is dropped.
   */
  resample(sizes: Readonly<Record<string, number>>): void {
    for (const [id, size] of Object.entries(sizes)) {
      if (this.composite.has(id))
        throw new Error(`ChannelGroups.resample: "${id}" is a composite group; resample its parts`);
      const g = this.group(id);
      if (!Number.isInteger(size) || size < 1 || size > g.nodes) {
        throw new Error(
          `ChannelGroups.resample: group "${id}" size must be an integer in [1, ${g.nodes}], got ${size}`,
        );
      }
      const problem = quadratureSizeProblem(g.quadrature, size);
      if (problem) throw new Error(`ChannelGroups.resample: group "${id}" ${problem}, got ${size}`);
    }
    for (const [id, size] of Object.entries(sizes)) {
      const g = this.group(id);
      if (g.partition && g.partition.size !== size) {
        g.partition.dispose();
        g.partition = undefined;
        this.revision++;
      }
      this.current[id] = size;
    }
  }

  /** The interpolation kernel and quadrature an atomic group's axis is sampled with. */
  axisSampling(id: string): { kernel: InterpolationKernel; quadrature: GroupQuadrature } {
    const g = this.group(id);
    return { kernel: g.kernel, quadrature: g.quadrature };
  }

  /**
   * Change how an atomic group's axis is sampled from now on: its interpolation kernel and/or quadrature
   * (the nodes stay; the function they define is read with the new kernel). Cached samplings of the group
   * are dropped and the revision bumped, so layers recompute their discrete weights.
   */
  setAxisSampling(id: string, sampling: { kernel?: InterpolationKernel; quadrature?: GroupQuadrature }): void {
    const g = this.group(id);
    const quadrature = sampling.quadrature ?? g.quadrature;
    for (const [what, size] of [
      ["nodes", g.nodes],
      ["channels now", this.current[id]],
      ["as the start of its training range", g.range.min],
    ] as const) {
      const problem = quadratureSizeProblem(quadrature, size);
      if (problem) throw new Error(`ChannelGroups.setAxisSampling: group "${id}" ${problem}, but has ${size} ${what}`);
    }
    if (g.partition && quadrature !== "trapezoid" && quadrature !== "none")
      throw new Error(`ChannelGroups: group "${id}" has a trainable partition, which needs the trapezoid rule`);
    g.quadrature = quadrature;
    if (sampling.kernel) g.kernel = sampling.kernel;
    for (const [key, s] of this.cache) {
      if (key.startsWith(`${id}:`)) {
        tf.dispose([s.matrix, s.scale]);
        this.cache.delete(key);
      }
    }
    this.revision++;
  }

  /** Lower end of a shared draw's fraction: the smallest lower end of a range relative to its group's size. */
  private get sharedDrawLow(): number {
    let low = 1;
    for (const g of this.atomic.values()) if (g.range.min < g.range.max) low = Math.min(low, g.range.min / g.nodes);
    return low;
  }

  /**
   * The sizes a forward pass uses: in training with a random source, one draw per atomic group from
   * its range (in declaration order, so every data-parallel worker draws the same); otherwise the
   * current sizes. Groups under grid tuning keep their partition's size. With a `fullSizeProbability`
   * p > 0, one extra draw first decides (with probability p) that the whole step runs at full size.
   */
  stepSizes(context: ForwardContext): GroupSizes {
    if (!context.training || !context.random) return this.sizes;
    const out: Record<string, number> = {};
    if (this.fullSizeProbability > 0 && context.random() < this.fullSizeProbability) {
      for (const g of this.atomic.values()) out[g.id] = g.partition ? g.partition.size : g.nodes;
      return out;
    }
    const fraction =
      this.sharedDrawProbability > 0 && context.random() < this.sharedDrawProbability
        ? this.sharedDrawLow + context.random() * (1 - this.sharedDrawLow)
        : undefined;
    for (const g of this.atomic.values()) {
      const drawn =
        g.range.min === g.range.max
          ? g.range.max
          : fraction !== undefined
            ? Math.min(g.range.max, Math.max(g.range.min, Math.round(fraction * g.nodes)))
            : drawPartitionSize(context.random, g.range);
      out[g.id] = g.partition ? g.partition.size : drawn;
    }
    return out;
  }

  /**
   * Replace the uniform partition of an atomic group (at its current size) by a trainable one, for
   * grid tuning. Needs the trapezoid or "none" quadrature (the only differentiable ones here).
   */
  enableTrainablePartition(id: string, options: { fixedEndpoints?: boolean } = {}): TrainablePartition {
    const g = this.group(id);
    if (g.quadrature !== "trapezoid" && g.quadrature !== "none") {
      throw new Error(
        `ChannelGroups: group "${id}" uses ${g.quadrature}; trainable partitions need the trapezoid rule`,
      );
    }
    g.partition?.dispose();
    g.partition = new TrainablePartition(uniformPartition(this.current[id]), { ...options, name: `partition_${id}` });
    this.revision++;
    return g.partition;
  }

  /** Back to the uniform partition. */
  disableTrainablePartition(id: string): void {
    const g = this.group(id);
    g.partition?.dispose();
    g.partition = undefined;
    this.revision++;
  }

  /** Variables of all trainable partitions (grid tuning trains these). */
  get partitionVariables(): tf.Variable[] {
    return [...this.atomic.values()].flatMap((g) => (g.partition ? g.partition.variables : []));
  }

  /** Current points of an atomic group's partition (uniform unless grid-tuned). */
  points(id: string, size: number = this.current[id]): Float64Array {
    const g = this.group(id);
    if (g.partition && g.partition.size === size) return g.partition.pointsArray();
    return uniformPartition(size);
  }

  /**
   * Sampling of a group's axis at `sizes`. Uniform partitions come from a cache of kept constants;
   * trainable partitions are computed afresh (call inside tf.tidy). Composite groups are
   * block-diagonal in their parts.
   */
  sampling(id: string, sizes: GroupSizes): GroupSampling {
    const parts = this.composite.get(id);
    if (!parts) return this.atomicSampling(this.group(id), this.sizeOf(id, sizes));
    const samplings = parts.map((p) => this.atomicSampling(this.group(p), this.sizeOf(p, sizes)));
    return tf.tidy(() => {
      const rows = samplings.map((s, k) => {
        const before = parts.slice(0, k).reduce((a, p) => a + this.group(p).nodes, 0);
        const after = this.nodesOf(id) - before - this.group(parts[k]).nodes;
        return tf.pad(s.matrix, [
          [0, 0],
          [before, after],
        ]);
      });
      return {
        matrix: tf.concat(rows, 0) as tf.Tensor2D,
        scale: tf.concat(samplings.map((s) => s.scale)) as tf.Tensor1D,
      };
    });
  }

  private atomicSampling(g: AtomicGroup, size: number): GroupSampling {
    if (g.partition && g.partition.size === size) {
      const partition = g.partition;
      return tf.tidy(() => {
        const x = partition.points();
        const matrix = interpolationMatrixTensor(g.nodes, x, g.kernel);
        const scale = g.quadrature === "none" ? tf.ones([size]) : tf.mul(trapezoidWeightsTensor(x), g.volume);
        return { matrix, scale: scale as tf.Tensor1D };
      });
    }
    const key = `${g.id}:${size}`;
    let s = this.cache.get(key);
    if (!s) {
      const points = uniformPartition(size);
      const q =
        g.quadrature === "none"
          ? new Float64Array(size).fill(1)
          : quadratureWeights(g.quadrature, points).map((v) => v * g.volume);
      s = tf.tidy(() => ({
        matrix: tf.keep(interpolationMatrixConstant(g.nodes, points, g.kernel)),
        scale: tf.keep(tf.tensor1d(Float32Array.from(q))),
      }));
      this.cache.set(key, s);
    }
    return s;
  }

  /** Full-size uniform scale q · V of an atomic or composite group, as plain numbers (exact initialisation). */
  fullScale(id: string): Float64Array {
    const parts = this.composite.get(id) ?? [id];
    const out: number[] = [];
    for (const p of parts) {
      const g = this.group(p);
      if (g.quadrature === "none") out.push(...new Array<number>(g.nodes).fill(1));
      else out.push(...quadratureWeights(g.quadrature, uniformPartition(g.nodes)).map((v) => v * g.volume));
    }
    return Float64Array.from(out);
  }

  describe(sizes: GroupSizes = this.current): GroupDescription[] {
    const atomic = [...this.atomic.values()].map((g) => ({
      id: g.id,
      nodes: g.nodes,
      size: sizes[g.id],
      range: { ...g.range },
      quadrature: g.quadrature,
      kernel: g.kernel.name === "cubic" ? `cubic(A=${g.kernel.a})` : g.kernel.name,
      trainablePartition: g.partition !== undefined,
    }));
    const composite = [...this.composite.entries()].map(([id, parts]) => ({
      id,
      nodes: this.nodesOf(id),
      size: this.sizeOf(id, sizes),
      parts: [...parts],
    }));
    return [...atomic, ...composite];
  }

  dispose(): void {
    for (const s of this.cache.values()) tf.dispose([s.matrix, s.scale]);
    this.cache.clear();
    for (const g of this.atomic.values()) {
      g.partition?.dispose();
      g.partition = undefined;
    }
  }
}
