/**
 * Evaluation of resampled nets on a test set for a live page: images in a fixed random order, cut into
 * chunks; the first chunk (≥ 256 images, a uniform random subset) gives an estimate with its uncertainty
 * within a frame or two, later chunks refine it to the exact full-set figure. Between chunks the caller's
 * `yieldToPage` runs (the page stays responsive) and `isCurrent` is checked (a newer request stops this
 * one). The test images are cropped to the receptive field (and edge-padded for conv1) once and kept as tensors; the output of the
 * first two conv stages is kept per chunk and net, and reused while those layers' weights are unchanged
 * (moving only the conv3 slider then costs the last stage alone).
 */
import * as tf from "@tensorflow/tfjs-core";
import type { EvalSet } from "../data/evalset.js";
import {
  evaluateChunks,
  orderedChunks,
  readPredictions,
  type ChunkOptions,
  type EvaluateOptions,
  type ImageChunk,
} from "./chunked-evaluation.js";
import {
  applyHead,
  applyStage,
  cropInput,
  padStageInput,
  receptiveFieldLogits,
  receptiveFieldPlan,
  type CropStage,
  type ReferenceWeights,
} from "./receptive-field.js";

export type { EvaluateOptions, EvaluationProgress } from "./chunked-evaluation.js";

/** A net to evaluate: its weights (owned by the caller, alive until `evaluate` resolves) and identity keys. */
export interface EvaluationTarget {
  /** Which net this is, e.g. "inn" or "l1"; progress is reported per tag. */
  tag: string;
  weights: ReferenceWeights;
  /** One key per conv layer that changes exactly when that layer's weights change (e.g. "cubic|16/32"). */
  layerKeys: readonly [string, string, string];
}

export interface LiveEvaluatorOptions extends ChunkOptions {
  /** Keep stage-2 outputs for reuse (default true). */
  reusePrefix?: boolean;
}

/** The stage after which outputs are cached (conv1 and conv2 done; conv3 and the head remain). */
const CACHED_STAGES = 2;

export class LiveEvaluator {
  readonly plan: CropStage[];
  readonly count: number;
  readonly classes: number;
  readonly chunkSizes: number[];
  /** One image's shape [height, width, channels]. */
  readonly imageShape: [number, number, number];
  private readonly chunks: ImageChunk[];
  private readonly reusePrefix: boolean;
  private readonly prefix = new Map<string, { key: string; output: tf.Tensor4D }>();
  /** Chunks whose stage-2 output came from the cache, since construction (for benchmarks and tests). */
  prefixHits = 0;

  constructor(set: EvalSet, options: LiveEvaluatorOptions = {}) {
    this.plan = receptiveFieldPlan(set.height, set.width);
    this.count = set.count;
    this.classes = set.classes;
    this.imageShape = [set.height, set.width, set.channels];
    this.reusePrefix = options.reusePrefix ?? true;
    // The test images never change: crop and edge-pad them for the first conv once.
    this.chunks = orderedChunks(set, options, "LiveEvaluator", (x) =>
      padStageInput(cropInput(x, this.plan), 0, this.plan),
    );
    this.chunkSizes = this.chunks.map((c) => c.labels.length);
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
        for (let s = 0; s < CACHED_STAGES; s++) h = applyStage(h, s, this.plan, target.weights.convs[s], s === 0);
        if (this.reusePrefix) {
          if (cached) cached.output.dispose();
          this.prefix.set(slot, { key, output: tf.keep(h) });
        }
      }
      for (let s = CACHED_STAGES; s < this.plan.length; s++) h = applyStage(h, s, this.plan, target.weights.convs[s]);
      return tf.argMax(applyHead(h, target.weights.dense), 1);
    });
    return readPredictions(predictions);
  }

  /**
   * Evaluate every target: first chunk of each (the estimates), then the remaining chunks of each.
   * Resolves true when all finished, false when `isCurrent` turned false (progress so far was reported).
   */
  async evaluate(targets: readonly EvaluationTarget[], options: EvaluateOptions = {}): Promise<boolean> {
    return evaluateChunks(targets, this.chunks, this.classes, (t, c) => this.predictChunk(t, c), options);
  }

  /** Class probabilities of one image (pixels [height, width, channels] in [0, 1]) by `target`. */
  classify(target: EvaluationTarget, image: Float32Array): Float32Array {
    return tf.tidy(() => {
      const x = cropInput(tf.tensor4d(image, [1, ...this.imageShape]), this.plan);
      return tf.softmax(receptiveFieldLogits(x, target.weights, this.plan)).dataSync() as Float32Array;
    });
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
