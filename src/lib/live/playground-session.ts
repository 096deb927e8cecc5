/**
 * The integral playground's state: a seeded toy data set and two integral MLPs built from the same seed
 * (so the same initial nodes) that read the same batches. Net A trains at full width only; net B trains
 * on random widths with the sandwich rule of the site's integral recipe (full width on the labels, the
 * smallest and one random width taught by it, a quarter of their targets from the labels). Either can be
 * resampled to any width at any moment and measured on the test points or over a grid of the plane.
 * Pure tfjs-core: the page draws what this computes.
 */
import * as tf from "@tensorflow/tfjs-core";
import { toyDataset, type ToyDataset, type ToyDatasetName } from "../data/toy-2d.js";
import type { GroupSizes } from "../integral/groups.js";
import type { InterpolationKernelName } from "../math/interpolation.js";
import { IntegralMlp, type MlpQuadrature } from "../models/integral-mlp.js";
import { computeGradients } from "../train/gradients.js";
import { softmaxCrossEntropyPerExample } from "../train/loss.js";
import { createOptimizer, type Optimizer } from "../train/optimizers.js";
import { BatchStream, pointBatch, pointTensor } from "../train/points.js";
import type { SandwichRule } from "../train/sandwich.js";
import { stepRandom } from "../train/seeds.js";

export type NetId = "a" | "b";
export const NET_IDS: readonly NetId[] = ["a", "b"];

/** How net B is trained: the site's integral recipe (loaders/recipes.ts, "inn"), scaled to an MLP. */
export const RANDOM_WIDTH_RECIPE: { minFraction: number; sandwich: SandwichRule; smoothInit: number } = {
  minFraction: 0.25,
  sandwich: { draws: 1, smallest: true, labelWeight: 0.25 },
  smoothInit: 1,
};

export interface PlaygroundConfig {
  data: ToyDatasetName;
  noise: number;
  trainFraction: number;
  seed: number;
  /** Full width of each hidden layer (1–3 layers). */
  hidden: readonly number[];
  kernel: InterpolationKernelName;
  quadrature: MlpQuadrature;
  learningRate: number;
  batchSize: number;
  /** Points in the data set (default 500). */
  points?: number;
}

export interface Evaluation {
  /** Fraction of test points classified correctly. */
  accuracy: number;
  /** Mean cross-entropy on the test points. */
  loss: number;
}

/** One point of an accuracy-versus-width curve. */
export interface WidthPoint {
  /** Mean over hidden layers of size / full width. */
  fraction: number;
  sizes: GroupSizes;
  accuracy: number;
}

export class PlaygroundSession {
  readonly config: Readonly<PlaygroundConfig>;
  readonly dataset: ToyDataset;
  readonly nets: Readonly<Record<NetId, IntegralMlp>>;
  private readonly optimizers: Record<NetId, Optimizer>;
  private readonly stream: BatchStream;
  private readonly testPoints: tf.Tensor2D;
  private readonly testLabels: tf.Tensor1D;
  private readonly grids = new Map<number, tf.Tensor2D>();
  private learningRateValue: number;
  private batchSizeValue: number;
  private stepCount = 0;
  private unchanged = true;

  constructor(config: PlaygroundConfig) {
    checkTraining(config.learningRate, config.batchSize);
    this.config = { ...config, hidden: [...config.hidden] };
    this.dataset = toyDataset({
      name: config.data,
      noise: config.noise,
      trainFraction: config.trainFraction,
      seed: config.seed,
      count: config.points,
    });
    const common = { hidden: config.hidden, seed: config.seed, kernel: config.kernel, quadrature: config.quadrature };
    // Both nets get the same initial nodes: same seed, same widths, same smoothing.
    const smoothInit = RANDOM_WIDTH_RECIPE.smoothInit;
    this.nets = {
      a: new IntegralMlp({ ...common, smoothInit }),
      b: new IntegralMlp({
        ...common,
        smoothInit,
        minFraction: RANDOM_WIDTH_RECIPE.minFraction,
        sandwich: RANDOM_WIDTH_RECIPE.sandwich,
      }),
    };
    this.optimizers = {
      a: createOptimizer("adam", this.nets.a.trainableVariables),
      b: createOptimizer("adam", this.nets.b.trainableVariables),
    };
    this.stream = new BatchStream(config.seed, this.dataset.train.count);
    this.testPoints = pointTensor(this.dataset.test);
    this.testLabels = tf.tensor1d(Int32Array.from(this.dataset.test.labels), "int32");
    this.learningRateValue = config.learningRate;
    this.batchSizeValue = config.batchSize;
  }

  /** Optimizer steps taken so far (both nets take every step). */
  get steps(): number {
    return this.stepCount;
  }

  get learningRate(): number {
    return this.learningRateValue;
  }

  get batchSize(): number {
    return this.batchSizeValue;
  }

  /**
   * True while every step so far ran with the current learning rate, batch size, kernel and quadrature,
   * i.e. replaying `steps` steps of a fresh session with the current settings reproduces this one.
   */
  get reproducible(): boolean {
    return this.unchanged;
  }

  setLearningRate(learningRate: number): void {
    checkTraining(learningRate, this.batchSizeValue);
    if (learningRate !== this.learningRateValue && this.stepCount > 0) this.unchanged = false;
    this.learningRateValue = learningRate;
  }

  setBatchSize(batchSize: number): void {
    checkTraining(this.learningRateValue, batchSize);
    if (batchSize !== this.batchSizeValue && this.stepCount > 0) this.unchanged = false;
    this.batchSizeValue = batchSize;
  }

  /** The kernel and quadrature both nets are sampled (and from now on trained) with. */
  get sampling(): { kernel: InterpolationKernelName; quadrature: MlpQuadrature } {
    return { kernel: this.nets.a.kernel, quadrature: this.nets.a.quadrature };
  }

  setSampling(sampling: { kernel?: InterpolationKernelName; quadrature?: MlpQuadrature }): void {
    const now = this.sampling;
    const changed =
      (sampling.kernel !== undefined && sampling.kernel !== now.kernel) ||
      (sampling.quadrature !== undefined && sampling.quadrature !== now.quadrature);
    if (!changed) return;
    if (this.stepCount > 0) this.unchanged = false;
    for (const id of NET_IDS) this.nets[id].setSampling(sampling);
  }

  /**
   * One optimizer step of each net on the same batch (the next of the seeded stream), with the same
   * per-step random source (only net B draws widths from it). Returns each net's training loss.
   */
  step(): Record<NetId, number> {
    const indices = this.stream.next(this.batchSizeValue);
    const { points, oneHot } = pointBatch(this.dataset.train, indices);
    const losses = {} as Record<NetId, number>;
    try {
      for (const id of NET_IDS) {
        const random = stepRandom(this.config.seed, this.stepCount);
        const { loss, gradients } = computeGradients(this.nets[id], points, oneHot, { training: true, random });
        this.optimizers[id].step(gradients, this.learningRateValue);
        tf.dispose(gradients);
        losses[id] = loss;
      }
    } finally {
      tf.dispose([points, oneHot]);
    }
    this.stepCount++;
    return losses;
  }

  /** Hidden sizes of `net` at `fraction` of its full widths. */
  sizesAt(fraction: number, net: NetId = "a"): GroupSizes {
    return this.nets[net].sizesAt(fraction);
  }

  /** Accuracy and loss of `net` on the test points at hidden `sizes`. */
  evaluate(net: NetId, sizes: GroupSizes): Evaluation {
    const [accuracy, loss] = tf.tidy(() => {
      const logits = this.nets[net].logits(this.testPoints, sizes);
      const hits = tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), this.testLabels), "float32"));
      const oneHot = tf.oneHot(this.testLabels, 2) as tf.Tensor2D;
      const ce = tf.mean(softmaxCrossEntropyPerExample(logits, oneHot));
      return [hits.dataSync()[0], ce.dataSync()[0]];
    });
    return { accuracy, loss };
  }

  /**
   * P(class 1) of `net` at `sizes` on a resolution × resolution grid over [-1, 1]², row-major from the
   * top-left corner (y = 1, x = −1), cell centres.
   */
  boundary(net: NetId, sizes: GroupSizes, resolution: number): Float32Array {
    const grid = this.grid(resolution);
    return tf.tidy(() => classOneProbability(this.nets[net].logits(grid, sizes)).dataSync()) as Float32Array;
  }

  /** `evaluate` and `boundary` in one forward pass over the test points and the grid together. */
  measure(net: NetId, sizes: GroupSizes, resolution: number): Evaluation & { boundary: Float32Array } {
    const n = this.dataset.test.count;
    const grid = this.grid(resolution);
    const [accuracy, loss, boundary] = tf.tidy(() => {
      const logits = this.nets[net].logits(tf.concat([this.testPoints, grid]), sizes);
      const test = tf.slice(logits, [0, 0], [n, -1]);
      const hits = tf.mean(tf.cast(tf.equal(tf.argMax(test, 1), this.testLabels), "float32"));
      const ce = tf.mean(softmaxCrossEntropyPerExample(test, tf.oneHot(this.testLabels, 2) as tf.Tensor2D));
      const p = classOneProbability(tf.slice(logits, [n, 0], [-1, -1]));
      return [hits.dataSync()[0], ce.dataSync()[0], p.dataSync() as Float32Array];
    });
    return { accuracy: accuracy as number, loss: loss as number, boundary: boundary as Float32Array };
  }

  /**
   * Every distinct set of hidden sizes a width slider reaches (1% … 100% of the full widths), smallest
   * first: the x positions of an accuracy-versus-width curve.
   */
  widthLadder(net: NetId = "a"): { fraction: number; sizes: GroupSizes }[] {
    const mlp = this.nets[net];
    const seen = new Set<string>();
    const out: { fraction: number; sizes: GroupSizes }[] = [];
    for (let percent = 1; percent <= 100; percent++) {
      const sizes = mlp.sizesAt(percent / 100);
      const key = mlp.hiddenIds.map((id) => sizes[id]).join(",");
      if (seen.has(key)) continue;
      seen.add(key);
      const fraction = mlp.hiddenIds.reduce((a, id, i) => a + sizes[id] / mlp.hidden[i], 0) / mlp.hiddenIds.length;
      out.push({ fraction, sizes });
    }
    return out;
  }

  /** Test accuracy of `net` at every width of the ladder. */
  accuracyCurve(net: NetId): WidthPoint[] {
    return this.widthLadder(net).map(({ fraction, sizes }) => ({
      fraction,
      sizes,
      accuracy: this.evaluate(net, sizes).accuracy,
    }));
  }

  /** Free every tensor the session owns (nets, optimizer state, test points, grids). */
  dispose(): void {
    for (const id of NET_IDS) {
      this.optimizers[id].dispose();
      this.nets[id].dispose();
    }
    tf.dispose([this.testPoints, this.testLabels, ...this.grids.values()]);
    this.grids.clear();
  }

  private grid(resolution: number): tf.Tensor2D {
    if (!Number.isInteger(resolution) || resolution < 2 || resolution > 512)
      throw new Error(`boundary: resolution must be an integer in [2, 512], got ${resolution}`);
    let grid = this.grids.get(resolution);
    if (!grid) {
      const xy = new Float32Array(2 * resolution * resolution);
      for (let r = 0; r < resolution; r++)
        for (let c = 0; c < resolution; c++) {
          const k = r * resolution + c;
          xy[2 * k] = -1 + (2 * (c + 0.5)) / resolution;
          xy[2 * k + 1] = 1 - (2 * (r + 0.5)) / resolution;
        }
      grid = tf.tensor2d(xy, [resolution * resolution, 2]);
      this.grids.set(resolution, grid);
    }
    return grid;
  }
}

/** softmax(logits)[:, 1] for two classes, as the sigmoid of the logit difference. */
function classOneProbability(logits: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(
    () =>
      tf.reshape(
        tf.sigmoid(tf.sub(tf.slice(logits, [0, 1], [-1, 1]), tf.slice(logits, [0, 0], [-1, 1]))),
        [-1],
      ) as tf.Tensor1D,
  );
}

function checkTraining(learningRate: number, batchSize: number): void {
  if (!(Number.isFinite(learningRate) && learningRate > 0))
    throw new Error(`playground: learning rate must be a positive number, got ${learningRate}`);
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`playground: batch size must be a positive integer, got ${batchSize}`);
}
