/**
 * Loss and gradients of a model on one batch. Callers (the in-process trainer, data-parallel workers)
 * own the returned gradient tensors and must dispose them.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ForwardContext, Model } from "../model.js";
import { softmaxCrossEntropy } from "./loss.js";

export interface BatchGradients {
  /** Mean loss over the batch. */
  loss: number;
  /** ∂loss/∂variable, aligned with model.trainableVariables. */
  gradients: tf.Tensor[];
}

export function computeGradients(
  model: Model,
  images: tf.Tensor4D,
  oneHot: tf.Tensor2D,
  context: ForwardContext,
): BatchGradients {
  const variables = model.trainableVariables;
  const { value, grads } = tf.variableGrads(() => {
    const taskLoss =
      context.training && model.trainingLoss
        ? model.trainingLoss(images, oneHot, context)
        : softmaxCrossEntropy(model.apply(images, context), oneHot);
    // A model's own training term (after the forward pass, which it may depend on).
    return context.training && model.regularization
      ? (tf.add(taskLoss, model.regularization()) as tf.Scalar)
      : taskLoss;
  }, variables);
  const loss = value.dataSync()[0];
  value.dispose();
  const gradients = variables.map((v) => {
    const g = grads[v.name];
    // A variable the loss does not touch (e.g. unused nodes) gets a zero gradient.
    return g ?? tf.zerosLike(v);
  });
  return { loss, gradients };
}

/** Flatten gradients into one Float32Array (for sending to another thread), then dispose them. */
export function flattenAndDispose(tensors: tf.Tensor[], into?: Float32Array): Float32Array {
  const total = tensors.reduce((n, t) => n + t.size, 0);
  const out = into ?? new Float32Array(total);
  if (out.length !== total) throw new Error(`flatten: buffer holds ${out.length} values, tensors hold ${total}`);
  let offset = 0;
  for (const t of tensors) {
    out.set(t.dataSync() as Float32Array, offset);
    offset += t.size;
  }
  tf.dispose(tensors);
  return out;
}

/** Assign a flat array (variable order, as flattenAndDispose lays it out) to variables. */
export function assignFlatWeights(variables: readonly tf.Variable[], flat: Float32Array): void {
  const values = unflatten(flat, variables);
  variables.forEach((v, i) => v.assign(values[i]));
  tf.dispose(values);
}

/** Tensors shaped like `like`, filled from a flat array (the inverse of flattenAndDispose). */
export function unflatten(flat: Float32Array, like: readonly tf.Tensor[]): tf.Tensor[] {
  const total = like.reduce((n, t) => n + t.size, 0);
  if (flat.length !== total) throw new Error(`unflatten: got ${flat.length} values, expected ${total}`);
  let offset = 0;
  return like.map((t) => {
    const values = flat.slice(offset, offset + t.size);
    offset += t.size;
    return tf.tensor(values, t.shape, "float32");
  });
}
