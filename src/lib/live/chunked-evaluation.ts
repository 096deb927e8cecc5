/**
 * The part of a live evaluation every model shares: the test images in a fixed random order cut into
 * chunks (the first, ≥ 256 images, a uniform random subset for the estimate), and the loop that runs
 * each target's first chunk, then its remaining chunks, tallying accuracy and confusion, yielding to the
 * page and checking for a newer request between chunks. What a chunk's prediction is (the reference
 * net's receptive-field evaluator, or any Model's forward pass) is the caller's.
 */
import * as tf from "@tensorflow/tfjs-core";
import { mulberry32, permutation } from "../random.js";
import { batchImages } from "../data/dataset.js";
import type { EvalSet } from "../data/evalset.js";
import { accuracyEstimate, type AccuracyEstimate } from "./accuracy-estimate.js";

export interface ChunkOptions {
  /** Seed of the image order (default 1). */
  seed?: number;
  /** Images in the first chunk, the subset estimate (default 256). */
  firstChunk?: number;
  /** Images in each later chunk (default 1000). */
  chunkSize?: number;
}

export interface ImageChunk {
  /** The chunk's images in [0, 1] (after the caller's `prepare`, e.g. a crop). */
  input: tf.Tensor4D;
  labels: Uint8Array;
}

export interface EvaluationProgress {
  tag: string;
  estimate: AccuracyEstimate;
  /** Confusion counts so far, row = true class, column = predicted class (classes × classes). */
  confusion: Int32Array;
}

export interface EvaluateOptions {
  onProgress?: (progress: EvaluationProgress) => void;
  /** Checked between chunks; false stops the evaluation. */
  isCurrent?: () => boolean;
  /** Awaited between chunks (a page passes a macrotask yield). */
  yieldToPage?: () => Promise<void>;
}

/** The set in a fixed random order, cut into chunks kept as tensors (caller disposes `input`s). */
export function orderedChunks(
  set: EvalSet,
  options: ChunkOptions,
  owner: string,
  prepare: (x: tf.Tensor4D) => tf.Tensor4D = (x) => x,
): ImageChunk[] {
  const first = options.firstChunk ?? 256;
  const size = options.chunkSize ?? 1000;
  if (!Number.isInteger(first) || first < 1)
    throw new Error(`${owner}: firstChunk must be a positive integer, got ${first}`);
  if (!Number.isInteger(size) || size < 1)
    throw new Error(`${owner}: chunkSize must be a positive integer, got ${size}`);
  if (set.count < 1) throw new Error(`${owner}: the evaluation set is empty`);
  const order = permutation(mulberry32(options.seed ?? 1), set.count);
  const bounds = [0, Math.min(first, set.count)];
  while (bounds[bounds.length - 1] < set.count) bounds.push(Math.min(set.count, bounds[bounds.length - 1] + size));
  const chunks: ImageChunk[] = [];
  for (let c = 0; c + 1 < bounds.length; c++) {
    const indices = order.subarray(bounds[c], bounds[c + 1]);
    const labels = Uint8Array.from(indices, (i) => set.labels[i]);
    const input = tf.tidy(() => prepare(batchImages(set, indices, set)));
    chunks.push({ input, labels });
  }
  return chunks;
}

/**
 * Evaluate every target: first chunk of each (the estimates), then the remaining chunks of each.
 * `predict(target, c)` resolves to the predicted class of every image of chunk c. Resolves true when all
 * finished, false when `isCurrent` turned false (progress so far was reported).
 */
export async function evaluateChunks<T extends { tag: string }>(
  targets: readonly T[],
  chunks: readonly ImageChunk[],
  classes: number,
  predict: (target: T, chunk: number) => Promise<Int32Array>,
  options: EvaluateOptions = {},
): Promise<boolean> {
  const isCurrent = options.isCurrent ?? (() => true);
  const total = chunks.reduce((n, c) => n + c.labels.length, 0);
  const state = targets.map((t) => ({
    target: t,
    correct: 0,
    evaluated: 0,
    confusion: new Int32Array(classes * classes),
  }));
  const step = async (s: (typeof state)[number], c: number) => {
    const predicted = await predict(s.target, c);
    const labels = chunks[c].labels;
    for (let k = 0; k < labels.length; k++) {
      if (predicted[k] === labels[k]) s.correct++;
      s.confusion[labels[k] * classes + predicted[k]]++;
    }
    s.evaluated += labels.length;
    options.onProgress?.({
      tag: s.target.tag,
      estimate: accuracyEstimate(s.correct, s.evaluated, total),
      confusion: s.confusion.slice(),
    });
  };
  for (const s of state) {
    if (!isCurrent()) return false;
    await step(s, 0);
    await options.yieldToPage?.();
  }
  for (const s of state) {
    for (let c = 1; c < chunks.length; c++) {
      if (!isCurrent()) return false;
      await step(s, c);
      await options.yieldToPage?.();
    }
  }
  return true;
}

/** The argmax of a tensor of logits, read back and disposed. */
export async function readPredictions(predictions: tf.Tensor): Promise<Int32Array> {
  try {
    return (await predictions.data()) as Int32Array;
  } finally {
    predictions.dispose();
  }
}
