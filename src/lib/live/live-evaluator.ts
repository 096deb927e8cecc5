/**
 * Evaluation of resampled nets on a test set for a live page: images in a fixed random order, cut into
 * chunks; the first chunk (≥ 256 images, a uniform random subset) gives an estimate with its uncertainty
 * within a frame or two, later chunks refine it to the exact full-set figure. Between chunks the caller's
 * `yieldToPage` runs (the page stays responsive) and `isCurrent` is checked (a newer request stops this
 * one). The test images are cropped to the receptive field once and kept as tensors; the output of the
 * first two conv stages is kept per chunk and net, and reused while those layers' weights are unchanged
 * (moving only the conv3 slider then costs the last stage alone).
 */
import * as tf from "@tensorflow/tfjs-core";
import { mulberry32, permutation } from "../random.js";
import type { EvalSet } from "../data/evalset.js";
import { accuracyEstimate, type AccuracyEstimate } from "./accuracy-estimate.js";
import { applyHead, applyStage, cropInput, receptiveFieldPlan, type CropStage, type ReferenceWeights } from "./receptive-field.js";

/** A net to evaluate: its weights (owned by the caller, alive until `evaluate` resolves) and identity keys. */
export interface EvaluationTarget {
  /** Which net this is, e.g. "inn" or "l1"; progress is reported per tag. */
  tag: string;
  weights: ReferenceWeights;
  /** One key per conv layer that changes exactly when that layer's weights change (e.g. "cubic|16/32"). */
  layerKeys: readonly [string, string, string];
}

export interface EvaluationProgress {
  tag: string;
  estimate: AccuracyEstimate;
  /** Confusion counts so far, row = true class, column = predicted class (classes × classes). */
  confusion: Int32Array;
}

export interface LiveEvaluatorOptions {
  /** Seed of the image order (default 1). */
  seed?: number;
  /** Images in the first chunk, the subset estimate (default 256). */
  firstChunk?: number;
  /** Images in each later chunk (default 1000). */
  chunkSize?: number;
  /** Keep stage-2 outputs for reuse (default true). */
  reusePrefix?: boolean;
}

export interface EvaluateOptions {
  onProgress?: (progress: EvaluationProgress) => void;
  /** Checked between chunks; false stops the evaluation. */
  isCurrent?: () => boolean;
  /** Awaited between chunks (a page passes a macrotask yield). */
  yieldToPage?: () => Promise<void>;
}

interface Chunk {
  input: tf.Tensor4D;
  labels: Uint8Array;
}

/** The stage after which outputs are cached (conv1 and conv2 done; conv3 and the head remain). */
const CACHED_STAGES = 2;

export class LiveEvaluator {
  readonly plan: CropStage[];
  readonly count: number;
  readonly classes: number;
  readonly chunkSizes: number[];
  private readonly chunks: Chunk[] = [];
  private readonly reusePrefix: boolean;
  private readonly prefix = new Map<string, { key: string; output: tf.Tensor4D }>();
  /** Chunks whose stage-2 output came from the cache, since construction (for benchmarks and tests). */
  prefixHits = 0;

  constructor(set: EvalSet, options: LiveEvaluatorOptions = {}) {
    const first = options.firstChunk ?? 256;
    const size = options.chunkSize ?? 1000;
    if (!Number.isInteger(first) || first < 1) throw new Error(`LiveEvaluator: firstChunk must be a positive integer, got ${first}`);
    if (!Number.isInteger(size) || size < 1) throw new Error(`LiveEvaluator: chunkSize must be a positive integer, got ${size}`);
    if (set.count < 1) throw new Error("LiveEvaluator: the evaluation set is empty");
    this.plan = receptiveFieldPlan(set.height, set.width);
    this.count = set.count;
    this.classes = set.classes;
    this.reusePrefix = options.reusePrefix ?? true;
    const order = permutation(mulberry32(options.seed ?? 1), set.count);
    const pixels = set.height * set.width * set.channels;
    const bounds = [0, Math.min(first, set.count)];
    while (bounds[bounds.length - 1] < set.count) bounds.push(Math.min(set.count, bounds[bounds.length - 1] + size));
    this.chunkSizes = [];
    for (let c = 0; c + 1 < bounds.length; c++) {
      const n = bounds[c + 1] - bounds[c];
      const floats = new Float32Array(n * pixels);
      const labels = new Uint8Array(n);
      for (let k = 0; k < n; k++) {
        const i = order[bounds[c] + k];
        labels[k] = set.labels[i];
        for (let p = 0; p < pixels; p++) floats[k * pixels + p] = set.images[i * pixels + p] / 255;
      }
      const input = tf.tidy(() => cropInput(tf.tensor4d(floats, [n, set.height, set.width, set.channels]), this.plan));
      this.chunks.push({ input, labels });
      this.chunkSizes.push(n);
    }
  }

  /** Predicted classes of chunk `c` for `target` (reusing / refreshing the stage-2 cache). */
  private async predictChunk(target: EvaluationTarget, c: number): Promise<Int32Array> {
    const chunk = this.chunks[c];
    const key = `${target.layerKeys[0]}|${target.layerKeys[1]}`;
    const slot = `${target.tag}#${c}`;
    const cached = this.reusePrefix ? this.prefix.get(slot) : undefined;
    const predictions = tf.tidy(() => {
      let h: tf.Tensor4D;
      if (cached && cached.key === key) {
        h = cached.output;
        this.prefixHits++;
      } else {
        h = chunk.input;
        for (let s = 0; s < CACHED_STAGES; s++) h = applyStage(h, s, this.plan, target.weights.convs[s]);
        if (this.reusePrefix) {
          if (cached) cached.output.dispose();
          this.prefix.set(slot, { key, output: tf.keep(h) });
        }
      }
      for (let s = CACHED_STAGES; s < this.plan.length; s++) h = applyStage(h, s, this.plan, target.weights.convs[s]);
      return tf.argMax(applyHead(h, target.weights.dense), 1);
    });
    try {
      return (await predictions.data()) as Int32Array;
    } finally {
      predictions.dispose();
    }
  }

  /**
   * Evaluate every target: first chunk of each (the estimates), then the remaining chunks of each.
   * Resolves true when all finished, false when `isCurrent` turned false (progress so far was reported).
   */
  async evaluate(targets: readonly EvaluationTarget[], options: EvaluateOptions = {}): Promise<boolean> {
    const isCurrent = options.isCurrent ?? (() => true);
    const state = targets.map((t) => ({ target: t, correct: 0, evaluated: 0, confusion: new Int32Array(this.classes * this.classes) }));
    const step = async (s: (typeof state)[number], c: number) => {
      const predicted = await this.predictChunk(s.target, c);
      const labels = this.chunks[c].labels;
      for (let k = 0; k < labels.length; k++) {
        if (predicted[k] === labels[k]) s.correct++;
        s.confusion[labels[k] * this.classes + predicted[k]]++;
      }
      s.evaluated += labels.length;
      options.onProgress?.({ tag: s.target.tag, estimate: accuracyEstimate(s.correct, s.evaluated, this.count), confusion: s.confusion.slice() });
    };
    for (const s of state) {
      if (!isCurrent()) return false;
      await step(s, 0);
      await options.yieldToPage?.();
    }
    for (const s of state) {
      for (let c = 1; c < this.chunks.length; c++) {
        if (!isCurrent()) return false;
        await step(s, c);
        await options.yieldToPage?.();
      }
    }
    return true;
  }

  /** Drop cached stage outputs (e.g. when a model is replaced). */
  clearPrefixCache(): void {
    for (const { output } of this.prefix.values()) output.dispose();
    this.prefix.clear();
  }

  dispose(): void {
    this.clearPrefixCache();
    for (const c of this.chunks) c.input.dispose();
    this.chunks.length = 0;
  }
}
