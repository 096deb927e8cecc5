/**
 * Learnable heterogeneous convolution (LHC; upstream code Genera1Z/LearnableHeterogeneousConvolution):
 * a k×k conv whose kernels' *shapes* are learnt with their weights.
 *
 * Free shapes: a trainable effects tensor E [k, k, ceil(Cin/cgi), ceil(Cout/cgo)], one k×k map per tile of
 * cgi input × cgo output channels; mask M = 1[E > 0] expanded to the tiles; the conv uses W ⊙ M. The step
 * has a straight-through gradient: dE = dM where |E| < 1, 0.1·dM elsewhere.
 * Rigid shapes (k = 3): per tile 15 scores, mask = the shape with the largest score (RIGID_SHAPES_3X3);
 * straight-through gradient to the scores: full where |score − mean score of the tile| < 1, 0.1 elsewhere.
 *
 * Mask enabling (reference `LhcUpdate`): a fraction p of output channels uses its mask, the rest the full
 * kernel. The reference redraws the enabled channels every epoch with probability p = epoch / warm-up;
 * here each output channel gets a fixed random rank at construction and is masked iff rank < p, so the
 * schedule is reproducible and channels, once enabled, stay enabled. `lhcMaskEnableFraction` gives p.
 * After the warm-up, `freezeMask()` fixes the masks and removes E from the trainable variables (the
 * frozen-mask fine-tuning stage; build a new optimizer then, since the variable list changes).
 */
import * as tf from "@tensorflow/tfjs-core";
import { mulberry32, gaussian, type Random } from "../random.js";
import { RIGID_SHAPE_COUNT, rigidShapeMatrix, shapeCode } from "./rigid-shapes.js";

/** Width of the full-gradient band of the straight-through estimators and the factor outside it. */
export const STE_BAND = 1;
export const STE_OUTSIDE_SCALE = 0.1;

type Unary = (x: tf.Tensor) => tf.Tensor;
// customGrad's typing passes (...inputs, save); these ops have one input.
const asCustom = (f: (x: tf.Tensor) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor | tf.Tensor[]) => tf.Tensor[] }) =>
  tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as Unary;

/** 1[x > 0] with gradient dy where |x| < 1 and 0.1·dy elsewhere. */
export const stepStraightThrough: Unary = asCustom((x) => ({
  value: tf.cast(tf.greater(x, 0), "float32"),
  gradFunc: (dy) => [
    tf.where(tf.less(tf.abs(x), STE_BAND), dy as tf.Tensor, tf.mul(dy as tf.Tensor, STE_OUTSIDE_SCALE)),
  ],
}));

/**
 * scores [S, T] → one-hot [S, T] of the arg-max over S (first maximum on ties), with gradient dy where
 * |score − mean over S| < 1 and 0.1·dy elsewhere.
 */
export const argMaxStraightThrough: Unary = asCustom((x) => ({
  value: tf.tidy(() => tf.transpose(tf.oneHot(tf.argMax(x, 0), x.shape[0]))),
  gradFunc: (dy) => [
    tf.where(
      tf.less(tf.abs(tf.sub(x, tf.mean(x, 0, true))), STE_BAND),
      dy as tf.Tensor,
      tf.mul(dy as tf.Tensor, STE_OUTSIDE_SCALE),
    ),
  ],
}));

/** Mask-enable fraction at the start of `epoch` (0-based) for a linear warm-up over `warmupEpochs`. */
export function lhcMaskEnableFraction(epoch: number, warmupEpochs: number): number {
  if (!(warmupEpochs >= 0) || !Number.isFinite(epoch))
    throw new Error(`lhcMaskEnableFraction: bad epoch ${epoch} or warm-up ${warmupEpochs}`);
  if (warmupEpochs === 0) return 1;
  return Math.min(1, Math.max(0, epoch / warmupEpochs));
}

export interface LhcConv2dOptions {
  inChannels: number;
  outChannels: number;
  /** Kernel size k (default 3; rigid shapes need 3). */
  kernelSize?: number;
  /** "free" (default) or "rigid" shapes. */
  shapes?: "free" | "rigid";
  /** Input channels per tile sharing one shape (default 1). */
  cgi?: number;
  /** Output channels per tile sharing one shape (default 1). */
  cgo?: number;
  stride?: number;
  padding?: "same" | "valid";
  useBias?: boolean;
  seed?: number;
  random?: Random;
  name?: string;
}

export interface LhcLayerStats {
  /** Non-zero (kept) weights of the masked kernel, and all weights. */
  keptWeights: number;
  totalWeights: number;
  weightDensity: number;
  /** Multiply–accumulates of the last forward (kept weights × output area), and of the dense layer. */
  macs: number;
  denseMacs: number;
  flopDensity: number;
}

let counter = 0;

export class LhcConv2d {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number;
  readonly shapes: "free" | "rigid";
  readonly cgi: number;
  readonly cgo: number;
  readonly stride: number;
  readonly padding: "same" | "valid";
  readonly weight: tf.Variable;
  /** Free: [k, k, ngi, ngo]; rigid: [15, ngi, ngo]. */
  readonly effects: tf.Variable;
  readonly bias: tf.Variable | null;
  /** Output area (H·W) of the last forward pass; 0 before the first. */
  lastOutputArea = 0;
  private readonly channelRank: Float32Array;
  private enabled: tf.Tensor1D;
  private enableFraction = 1;
  private frozen: tf.Tensor4D | null = null;
  private readonly shapeMatrix: tf.Tensor2D | null;

  constructor(options: LhcConv2dOptions) {
    const where = "LhcConv2d";
    const k = options.kernelSize ?? 3;
    for (const [n, v] of [
      ["inChannels", options.inChannels],
      ["outChannels", options.outChannels],
      ["kernelSize", k],
      ["cgi", options.cgi ?? 1],
      ["cgo", options.cgo ?? 1],
      ["stride", options.stride ?? 1],
    ] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new Error(`${where}: ${n} must be a positive integer, got ${v}`);
    }
    this.inChannels = options.inChannels;
    this.outChannels = options.outChannels;
    this.kernelSize = k;
    this.shapes = options.shapes ?? "free";
    if (this.shapes === "rigid" && k !== 3) throw new Error(`${where}: rigid shapes are 3×3, got kernelSize ${k}`);
    this.cgi = options.cgi ?? 1;
    this.cgo = options.cgo ?? 1;
    this.stride = options.stride ?? 1;
    this.padding = options.padding ?? "same";
    const random = options.random ?? mulberry32(options.seed ?? 1);
    const name = `${options.name ?? "lhc"}_${counter++}`;
    const ngi = Math.ceil(this.inChannels / this.cgi),
      ngo = Math.ceil(this.outChannels / this.cgo);
    const normal = (shape: number[], std: number) => {
      const n = shape.reduce((a, b) => a * b, 1);
      return tf.tensor(
        Float32Array.from({ length: n }, () => gaussian(random) * std),
        shape,
      );
    };
    this.weight = tf.tidy(() =>
      tf.variable(
        normal([k, k, this.inChannels, this.outChannels], Math.sqrt(2 / (k * k * this.inChannels))),
        true,
        `${name}_w`,
      ),
    );
    // He-normal effects as in the reference (free: fan-in k·k·ngi); rigid scores: unit normal.
    const effectsShape = this.shapes === "free" ? [k, k, ngi, ngo] : [RIGID_SHAPE_COUNT, ngi, ngo];
    this.effects = tf.tidy(() =>
      tf.variable(normal(effectsShape, this.shapes === "free" ? Math.sqrt(2 / (k * k * ngi)) : 1), true, `${name}_e`),
    );
    this.bias =
      options.useBias === false ? null : tf.tidy(() => tf.variable(tf.zeros([this.outChannels]), true, `${name}_b`));
    this.channelRank = Float32Array.from({ length: this.outChannels }, () => random());
    this.enabled = tf.ones([this.outChannels]);
    this.shapeMatrix = this.shapes === "rigid" ? tf.tensor2d(rigidShapeMatrix(), [9, RIGID_SHAPE_COUNT]) : null;
  }

  /** Weights, effects (until frozen), bias — the order is fixed within a training stage. */
  get trainableVariables(): tf.Variable[] {
    return [this.weight, ...(this.frozen ? [] : [this.effects]), ...(this.bias ? [this.bias] : [])];
  }

  get isFrozen(): boolean {
    return this.frozen !== null;
  }

  /** Use the mask on the output channels whose rank < fraction; the others use the full kernel. */
  setMaskEnable(fraction: number): void {
    if (!(fraction >= 0 && fraction <= 1))
      throw new Error(`LhcConv2d.setMaskEnable: fraction must be in [0, 1], got ${fraction}`);
    this.enableFraction = fraction;
    this.enabled.dispose();
    this.enabled = tf.tensor1d(Array.from(this.channelRank, (r) => (r < fraction ? 1 : 0)));
  }

  get maskEnableFraction(): number {
    return this.enableFraction;
  }

  /** The binary tile mask M expanded to [k, k, Cin, Cout], differentiable to E through the STE. */
  tileMask(): tf.Tensor4D {
    if (this.frozen) return this.frozen.clone();
    const k = this.kernelSize;
    const ngi = Math.ceil(this.inChannels / this.cgi),
      ngo = Math.ceil(this.outChannels / this.cgo);
    return tf.tidy(() => {
      let perTile: tf.Tensor; // [k, k, ngi, ngo]
      if (this.shapes === "free") perTile = stepStraightThrough(this.effects);
      else {
        const oneHot = argMaxStraightThrough(tf.reshape(this.effects, [RIGID_SHAPE_COUNT, ngi * ngo]));
        perTile = tf.reshape(tf.matMul(this.shapeMatrix!, oneHot as tf.Tensor2D), [k, k, ngi, ngo]);
      }
      if (this.cgi === 1 && this.cgo === 1) return perTile as tf.Tensor4D;
      // Expand tiles by broadcasting (gradient = sum over the tile), then crop a partial last tile.
      const spread = tf.mul(tf.reshape(perTile, [k, k, ngi, 1, ngo, 1]), tf.ones([1, 1, 1, this.cgi, 1, this.cgo]));
      const full = tf.reshape(spread, [k, k, ngi * this.cgi, ngo * this.cgo]);
      return tf.slice(full, [0, 0, 0, 0], [k, k, this.inChannels, this.outChannels]) as tf.Tensor4D;
    });
  }

  /** The mask the conv uses: M on enabled output channels, ones on the others. */
  effectiveMask(): tf.Tensor4D {
    return tf.tidy(() => {
      const m = this.tileMask();
      if (this.frozen || this.enableFraction >= 1) return m;
      // 1 − en·(1 − M): keeps the STE path to E on enabled channels.
      return tf.sub(1, tf.mul(this.enabled, tf.sub(1, m))) as tf.Tensor4D;
    });
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    if (x.shape[3] !== this.inChannels)
      throw new Error(`LhcConv2d: expected ${this.inChannels} input channels, got ${x.shape[3]}`);
    return tf.tidy(() => {
      let y = tf.conv2d(x, tf.mul(this.weight, this.effectiveMask()) as tf.Tensor4D, this.stride, this.padding);
      if (this.bias) y = tf.add(y, this.bias);
      this.lastOutputArea = y.shape[1] * y.shape[2];
      return y;
    });
  }

  /** Fix the current tile mask (all channels masked) and stop training E. */
  freezeMask(): void {
    if (this.frozen) return;
    const m = tf.tidy(() => tf.cast(tf.greater(this.tileMask(), 0.5), "float32")) as tf.Tensor4D;
    this.frozen = tf.keep(m);
    this.setMaskEnable(1);
  }

  /** The binary mask [k, k, Cin, Cout] as plain numbers (row-major), for drawing and statistics. */
  maskData(): { shape: [number, number, number, number]; data: Uint8Array } {
    const m = tf.tidy(() => this.effectiveMask());
    const values = m.dataSync();
    m.dispose();
    return {
      shape: [this.kernelSize, this.kernelSize, this.inChannels, this.outChannels],
      data: Uint8Array.from(values, (v) => (v > 0.5 ? 1 : 0)),
    };
  }

  stats(): LhcLayerStats {
    const { data } = this.maskData();
    let kept = 0;
    for (const v of data) kept += v;
    const total = data.length;
    return {
      keptWeights: kept,
      totalWeights: total,
      weightDensity: kept / total,
      macs: kept * this.lastOutputArea,
      denseMacs: total * this.lastOutputArea,
      flopDensity: kept / total,
    };
  }

  dispose(): void {
    tf.dispose(this.trainableVariables);
    if (this.frozen) this.effects.dispose();
    tf.dispose([this.enabled, ...(this.frozen ? [this.frozen] : []), ...(this.shapeMatrix ? [this.shapeMatrix] : [])]);
  }
}

/**
 * Distinct kernel shapes of a mask [k, k, Cin, Cout]: code (bit r·k + c set when tap (r, c) is kept) →
 * number of (input, output) kernels with that shape, most frequent first.
 */
export function shapeHistogram(mask: {
  shape: [number, number, number, number];
  data: Uint8Array;
}): { code: number; count: number; taps: number }[] {
  const [k, , cin, cout] = mask.shape;
  const counts = new Map<number, number>();
  const taps = new Array<number>(k * k);
  for (let i = 0; i < cin; i++) {
    for (let o = 0; o < cout; o++) {
      for (let t = 0; t < k * k; t++) taps[t] = mask.data[(t * cin + i) * cout + o];
      const code = shapeCode(taps);
      counts.set(code, (counts.get(code) ?? 0) + 1);
    }
  }
  return [...counts]
    .map(([code, count]) => ({ code, count, taps: popcount(code) }))
    .sort((a, b) => b.count - a.count || a.code - b.code);
}

function popcount(v: number): number {
  let c = 0;
  for (; v; v &= v - 1) c++;
  return c;
}

export interface MaskRegularizerOptions {
  /** Weight of the FLOP-density term (reference 0.01). */
  flopWeight?: number;
  /** Weight of the |target − weight density| term (reference 0.99). */
  densityWeight?: number;
}

/**
 * Mask regulariser toward a target weight density t (reference `LhcUpdate.mask_regularization_loss`):
 *
 *   R = a · Σ_l n_l·A_l / Σ_l N_l·A_l  +  b · | t − Σ_l n_l / Σ_l N_l |
 *
 * n_l = Σ M_l (kept weights of layer l, through the straight-through mask, all tiles, regardless of the
 * enable schedule), N_l = its weight count, A_l = its output area of the last forward (FLOPs ∝ n_l·A_l);
 * a = 0.01, b = 0.99 by default. The reference ramps R's weight in over the first epochs and scales it to
 * the initial task loss; that is the trainer's business (multiply R by a schedule).
 */
export function maskRegularizer(
  layers: LhcConv2d[],
  targetDensity: number,
  options: MaskRegularizerOptions = {},
): tf.Scalar {
  if (!(targetDensity > 0 && targetDensity < 1))
    throw new Error(`maskRegularizer: target density must be in (0, 1), got ${targetDensity}`);
  if (layers.length === 0) throw new Error("maskRegularizer: no LHC layers");
  for (const l of layers)
    if (l.lastOutputArea === 0)
      throw new Error("maskRegularizer: run a forward pass first (the FLOP term needs each layer's output area)");
  const a = options.flopWeight ?? 0.01,
    b = options.densityWeight ?? 0.99;
  return tf.tidy(() => {
    let kept: tf.Scalar = tf.scalar(0),
      keptFlops: tf.Scalar = tf.scalar(0);
    let total = 0,
      totalFlops = 0;
    for (const l of layers) {
      const n = tf.sum(l.tileMask()) as tf.Scalar;
      const size = l.kernelSize * l.kernelSize * l.inChannels * l.outChannels;
      kept = tf.add(kept, n);
      keptFlops = tf.add(keptFlops, tf.mul(n, l.lastOutputArea));
      total += size;
      totalFlops += size * l.lastOutputArea;
    }
    return tf.add(
      tf.mul(a, tf.div(keptFlops, totalFlops)),
      tf.mul(b, tf.abs(tf.sub(targetDensity, tf.div(kept, total)))),
    ) as tf.Scalar;
  });
}

/** Totals over layers: weight density Σn/ΣN and FLOP density Σn·A/ΣN·A. */
export function lhcDensity(layers: LhcConv2d[]): {
  weightDensity: number;
  flopDensity: number;
  keptWeights: number;
  totalWeights: number;
  macs: number;
  denseMacs: number;
} {
  let keptWeights = 0,
    totalWeights = 0,
    macs = 0,
    denseMacs = 0;
  for (const l of layers) {
    const s = l.stats();
    keptWeights += s.keptWeights;
    totalWeights += s.totalWeights;
    macs += s.macs;
    denseMacs += s.denseMacs;
  }
  return {
    weightDensity: keptWeights / totalWeights,
    flopDensity: denseMacs > 0 ? macs / denseMacs : NaN,
    keptWeights,
    totalWeights,
    macs,
    denseMacs,
  };
}
