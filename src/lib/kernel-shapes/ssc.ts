/**
 * Super-sparse convolution (SSC; Lu et al., "Super Sparse Convolutional Neural Networks", AAAI 2019):
 * every k×k spatial kernel has exactly one non-zero tap, and the taps differ across the input channels a
 * filter sees, so a filter sees its channels in groups of at most k². Implemented without any spatial
 * kernel: a fixed per-channel shift (translate with zero fill) followed by a grouped 1×1 convolution.
 *
 * Channel c of a group of size g takes tap sscTapOrder(k)[c mod g]: the centre first, then outwards in
 * mirror pairs, so a group of one is a 1×1 conv and a group of k² uses every tap once. Stride 1, "same".
 *
 * The SSC module (the paper: "a point-wise layer, two SSC layers with a shuffle-channel operation and an
 * identity mapping"; the exact ordering of normalisation and activations is not public, this is our
 * reconstruction): y = relu(x + SSC₂(shuffle(relu(SSC₁(relu(PW(x))))))).
 */
import * as tf from "@tensorflow/tfjs-core";
import { groupedPointwiseConv, type GroupedPointwiseOptions } from "../grouped/grouped-pointwise.js";
import { heNormalGroupWeights } from "../grouped/uneven-grouped-pointwise.js";
import { ChannelPermutation, interleavePermutation } from "../grouped/interleave.js";
import { mulberry32, type Random } from "../random.js";

/**
 * Tap indices (row-major r·k + c) in the order channels of a group take them: centre first, then ring by
 * ring outwards (Chebyshev, then Manhattan distance from the centre), each tap followed by its mirror
 * image, so a group smaller than k² still looks evenly in all directions. (Row-major order after the
 * centre made a 16-channel group of a 5×5 SSC look almost only up and left: near the top-left corner,
 * which the head reads, most channels saw zero padding; the SSC net reached 16% on MNIST.)
 */
export function sscTapOrder(kernelSize: number): number[] {
  const p = (kernelSize - 1) / 2;
  const key = (t: number): number[] => {
    const r = Math.floor(t / kernelSize) - p,
      c = (t % kernelSize) - p;
    const angle = Math.atan2(r, c); // (−π, π]; a tap and its mirror image share the angle mod π
    const half = angle >= 0 && angle < Math.PI ? 0 : 1; // the one with angle in [0, π) first
    return [
      Math.max(Math.abs(r), Math.abs(c)),
      Math.abs(r) + Math.abs(c),
      half === 0 ? angle : angle < 0 ? angle + Math.PI : 0,
      half,
    ];
  };
  const taps = Array.from({ length: kernelSize * kernelSize }, (_, t) => t);
  return taps.sort((a, b) => {
    const ka = key(a),
      kb = key(b);
    for (let i = 0; i < ka.length; i++) if (Math.abs(ka[i] - kb[i]) > 1e-9) return ka[i] - kb[i];
    return 0;
  });
}

/** Tap (row-major index) of every input channel. */
export function sscChannelTaps(channels: number, kernelSize: number, groupSize: number): number[] {
  const order = sscTapOrder(kernelSize);
  return Array.from({ length: channels }, (_, c) => order[c % groupSize]);
}

/**
 * Shift each channel so that out[h, w, c] = x[h + r_c − p, w + s_c − p, c] (zero outside), where (r_c, s_c)
 * is the channel's tap and p = (k − 1)/2: the correlation of x with a one-hot k×k kernel, "same" padding.
 * Channel c's tap depends only on c mod groupSize, so the shift is groupSize slices of a padded tensor.
 */
export function shiftChannels(x: tf.Tensor4D, kernelSize: number, groupSize: number): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  if (c % groupSize !== 0)
    throw new Error(`shiftChannels: ${c} channels are not a multiple of the group size ${groupSize}`);
  const p = (kernelSize - 1) / 2;
  const order = sscTapOrder(kernelSize);
  return tf.tidy(() => {
    const padded = tf.reshape(
      tf.pad(x, [
        [0, 0],
        [p, p],
        [p, p],
        [0, 0],
      ]),
      [b, h + 2 * p, w + 2 * p, c / groupSize, groupSize],
    );
    const parts = Array.from({ length: groupSize }, (_, q) => {
      const tap = order[q];
      const r = Math.floor(tap / kernelSize),
        s = tap % kernelSize;
      return tf.slice(padded, [0, r, s, 0, q], [b, h, w, c / groupSize, 1]);
    });
    return tf.reshape(groupSize === 1 ? parts[0] : tf.concat(parts, 4), [b, h, w, c]) as tf.Tensor4D;
  });
}

export interface SuperSparseConv2dOptions extends GroupedPointwiseOptions {
  inChannels: number;
  outChannels: number;
  /** k (odd; default 3). */
  kernelSize?: number;
  /** Channels per group, ≤ k² and dividing inChannels (default min(k², inChannels)). */
  groupSize?: number;
  useBias?: boolean;
  seed?: number;
  random?: Random;
  name?: string;
}

let counter = 0;

export class SuperSparseConv2d {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number;
  readonly groupSize: number;
  readonly groups: number;
  /** [groups, groupSize, outChannels / groups]. */
  readonly weights: tf.Variable;
  readonly bias: tf.Variable | null;
  private readonly strategy: GroupedPointwiseOptions["strategy"];

  constructor(options: SuperSparseConv2dOptions) {
    const where = "SuperSparseConv2d";
    const k = options.kernelSize ?? 3;
    for (const [n, v] of [
      ["inChannels", options.inChannels],
      ["outChannels", options.outChannels],
      ["kernelSize", k],
    ] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new Error(`${where}: ${n} must be a positive integer, got ${v}`);
    }
    if (k % 2 !== 1) throw new Error(`${where}: kernelSize must be odd, got ${k}`);
    const g = options.groupSize ?? Math.min(k * k, options.inChannels);
    if (!Number.isInteger(g) || g <= 0 || g > k * k)
      throw new Error(`${where}: groupSize must be an integer in 1..${k * k} (k²), got ${g}`);
    if (options.inChannels % g !== 0)
      throw new Error(`${where}: inChannels ${options.inChannels} is not a multiple of groupSize ${g}`);
    const groups = options.inChannels / g;
    if (options.outChannels % groups !== 0)
      throw new Error(`${where}: outChannels ${options.outChannels} is not a multiple of the ${groups} groups`);
    this.inChannels = options.inChannels;
    this.outChannels = options.outChannels;
    this.kernelSize = k;
    this.groupSize = g;
    this.groups = groups;
    const random = options.random ?? mulberry32(options.seed ?? 1);
    const name = `${options.name ?? "ssc"}_${counter++}`;
    this.weights = heNormalGroupWeights(random, groups, g, options.outChannels / groups, `${name}_w`);
    this.bias =
      options.useBias === false ? null : tf.tidy(() => tf.variable(tf.zeros([options.outChannels]), true, `${name}_b`));
    this.strategy = options.strategy;
  }

  get trainableVariables(): tf.Variable[] {
    return [this.weights, ...(this.bias ? [this.bias] : [])];
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    if (x.shape[3] !== this.inChannels)
      throw new Error(`SuperSparseConv2d: expected ${this.inChannels} input channels, got ${x.shape[3]}`);
    return tf.tidy(() => {
      const y = groupedPointwiseConv(shiftChannels(x, this.kernelSize, this.groupSize), this.weights as tf.Tensor3D, {
        strategy: this.strategy,
      });
      return this.bias ? tf.add(y, this.bias) : y;
    });
  }

  /** The equivalent dense k×k×Cin×Cout binary mask (row-major [k][k][Cin][Cout]). */
  denseMask(): Uint8Array {
    const { kernelSize: k, inChannels: cin, outChannels: cout, groupSize: g } = this;
    const perGroup = cout / this.groups;
    const taps = sscChannelTaps(cin, k, g);
    const m = new Uint8Array(k * k * cin * cout);
    for (let c = 0; c < cin; c++) {
      const grp = Math.floor(c / g);
      for (let j = 0; j < perGroup; j++) m[(taps[c] * cin + c) * cout + grp * perGroup + j] = 1;
    }
    return m;
  }

  /** The equivalent dense conv filter [k, k, Cin, Cout] (weights at the mask's non-zeros). */
  denseKernel(): tf.Tensor4D {
    const { kernelSize: k, inChannels: cin, outChannels: cout, groupSize: g } = this;
    const perGroup = cout / this.groups;
    const taps = sscChannelTaps(cin, k, g);
    const w = this.weights.dataSync();
    const out = new Float32Array(k * k * cin * cout);
    for (let c = 0; c < cin; c++) {
      const grp = Math.floor(c / g),
        i = c % g;
      for (let j = 0; j < perGroup; j++)
        out[(taps[c] * cin + c) * cout + grp * perGroup + j] = w[(grp * g + i) * perGroup + j];
    }
    return tf.tensor4d(out, [k, k, cin, cout]);
  }

  /** Weights (= multiply–accumulates per output pixel) and the dense k×k conv's count. */
  cost(): { params: number; macsPerPixel: number; denseParams: number; denseMacsPerPixel: number } {
    const weights = this.groupSize * this.outChannels;
    const dense = this.kernelSize * this.kernelSize * this.inChannels * this.outChannels;
    const b = this.bias ? this.outChannels : 0;
    return { params: weights + b, macsPerPixel: weights, denseParams: dense + b, denseMacsPerPixel: dense };
  }

  dispose(): void {
    tf.dispose(this.trainableVariables);
  }
}

export interface SscModuleOptions extends GroupedPointwiseOptions {
  kernelSize?: number;
  groupSize?: number;
  seed?: number;
  random?: Random;
}

/** The SSC module (see the file comment): point-wise, SSC, channel shuffle, SSC, identity shortcut. */
export class SscModule {
  readonly channels: number;
  readonly pointwise: tf.Variable;
  readonly pointwiseBias: tf.Variable;
  readonly first: SuperSparseConv2d;
  readonly second: SuperSparseConv2d;
  readonly shuffle: ChannelPermutation | null;

  constructor(channels: number, options: SscModuleOptions = {}) {
    const random = options.random ?? mulberry32(options.seed ?? 1);
    const common = {
      inChannels: channels,
      outChannels: channels,
      kernelSize: options.kernelSize,
      groupSize: options.groupSize,
      strategy: options.strategy,
      random,
    };
    this.channels = channels;
    this.first = new SuperSparseConv2d({ ...common, name: "ssc_module_a" });
    this.second = new SuperSparseConv2d({ ...common, name: "ssc_module_b" });
    this.pointwise = heNormalGroupWeights(random, 1, channels, channels, "ssc_module_pw");
    this.pointwiseBias = tf.tidy(() => tf.variable(tf.zeros([channels]), true, `ssc_module_pw_b_${counter++}`));
    // ShuffleNet shuffle over the first SSC layer's groups: output k takes one channel from each group in turn.
    const perGroup = channels / this.first.groups;
    this.shuffle = this.first.groups > 1 ? new ChannelPermutation(interleavePermutation(channels, perGroup)) : null;
  }

  get trainableVariables(): tf.Variable[] {
    return [this.pointwise, this.pointwiseBias, ...this.first.trainableVariables, ...this.second.trainableVariables];
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const pw = tf.relu(
        tf.add(groupedPointwiseConv(x, this.pointwise as tf.Tensor3D), this.pointwiseBias),
      ) as tf.Tensor4D;
      let y = tf.relu(this.first.apply(pw)) as tf.Tensor4D;
      if (this.shuffle) y = this.shuffle.apply(y);
      return tf.relu(tf.add(x, this.second.apply(y))) as tf.Tensor4D;
    });
  }

  cost(): { params: number; macsPerPixel: number } {
    const a = this.first.cost(),
      b = this.second.cost();
    const c = this.channels;
    return { params: c * c + c + a.params + b.params, macsPerPixel: c * c + a.macsPerPixel + b.macsPerPixel };
  }

  dispose(): void {
    tf.dispose([this.pointwise, this.pointwiseBias]);
    this.first.dispose();
    this.second.dispose();
    this.shuffle?.dispose();
  }
}
