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
