/** Softmax cross-entropy, the classification loss (PyTorch's nn.CrossEntropyLoss). */
import * as tf from "@tensorflow/tfjs-core";

/** Per-example loss [batch] for logits [batch, classes] and one-hot targets [batch, classes]. */
export function softmaxCrossEntropyPerExample(logits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1)) as tf.Tensor1D);
}

/** Mean loss over the batch (a scalar). */
export function softmaxCrossEntropy(logits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.mean(softmaxCrossEntropyPerExample(logits, oneHot)) as tf.Scalar);
}

// customGrad's typing passes (...inputs, save); this op has one input.
/** Identity in the forward pass, zero gradient in the backward pass (PyTorch's `detach`). */
const stopGradient = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor) => tf.Tensor;

/**
 * In-place distillation (Yu & Huang, "Universally slimmable networks", 2019): mean cross-entropy of
 * `studentLogits` against the teacher's softmax, with no gradient flowing into the teacher — the
 * full-size net teaches the smaller ones from its own predictions, not the other way round.
 */
export function distillationLoss(studentLogits: tf.Tensor2D, teacherLogits: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => softmaxCrossEntropy(studentLogits, stopGradient(tf.softmax(teacherLogits)) as tf.Tensor2D));
}
