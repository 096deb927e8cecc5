/** Test-split evaluation in chunks, so memory stays bounded whatever the split size. */
import * as tf from "@tensorflow/tfjs-core";
import type { Model } from "../model.js";
import { batchImages, batchLabels, type ImageShape, type Split } from "../data/dataset.js";
import { softmaxCrossEntropyPerExample } from "./loss.js";

/** Sums over evaluated items; sums from several workers add up. */
export interface EvaluationSums {
  lossSum: number;
  correct: number;
  count: number;
}

export interface Evaluation {
  loss: number;
  /** Fraction correct, 0..1. */
  accuracy: number;
  count: number;
}

export interface EvaluateOptions {
  /** Items per forward pass (default 500). */
  chunkSize?: number;
  /** Evaluate items [start, end) of the split (default: all). */
  start?: number;
  end?: number;
}

/** Loss and correct-count sums of `model` on a range of `split`. */
export function evaluateSums(
  model: Model,
  split: Split,
  shape: ImageShape & { classes: number },
  options: EvaluateOptions = {},
): EvaluationSums {
  const chunkSize = options.chunkSize ?? 500;
  const start = options.start ?? 0;
  const end = options.end ?? split.count;
  if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= split.count)) {
    throw new Error(`evaluate: range [${start}, ${end}) is not within a split of ${split.count} items`);
  }
  const sums: EvaluationSums = { lossSum: 0, correct: 0, count: 0 };
  for (let from = start; from < end; from += chunkSize) {
    const indices = new Int32Array(Math.min(chunkSize, end - from)).map((_, k) => from + k);
    const [lossSum, correct] = tf.tidy(() => {
      const logits = model.apply(batchImages(split, indices, shape), { training: false });
      const oneHot = batchLabels(split, indices, shape.classes);
      const loss = tf.sum(softmaxCrossEntropyPerExample(logits, oneHot));
      const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(oneHot, 1)), "float32"));
      return [loss.dataSync()[0], hits.dataSync()[0]];
    });
    sums.lossSum += lossSum;
    sums.correct += correct;
    sums.count += indices.length;
  }
  return sums;
}

/** Combine sums (e.g. from several workers) into a mean loss and an accuracy. */
export function summarizeEvaluation(parts: readonly EvaluationSums[]): Evaluation {
  const total = parts.reduce(
    (a, b) => ({ lossSum: a.lossSum + b.lossSum, correct: a.correct + b.correct, count: a.count + b.count }),
    { lossSum: 0, correct: 0, count: 0 },
  );
  if (total.count === 0) throw new Error("evaluate: no items were evaluated");
  return { loss: total.lossSum / total.count, accuracy: total.correct / total.count, count: total.count };
}
