/**
 * The element-wise functions a plan's "activation" node applies, defined as tfjs-layers defines them, so a
 * converted model computes what its tfjs original computes.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ElementwiseFunction, NodeOp } from "./plan.js";

type ActivationOp = Extract<NodeOp, { op: "activation" }>;

/** The Keras activation name of each function that has one (the others are layers: LeakyReLU, ReLU). */
export const KERAS_ACTIVATION_NAMES: Partial<Record<ElementwiseFunction, string>> = {
  relu6: "relu6",
  sigmoid: "sigmoid",
  "hard-sigmoid": "hard_sigmoid",
  tanh: "tanh",
  elu: "elu",
  selu: "selu",
  softplus: "softplus",
  softsign: "softsign",
  swish: "swish",
  gelu: "gelu",
  mish: "mish",
};

export function elementwise(x: tf.Tensor, op: ActivationOp): tf.Tensor {
  return tf.tidy(() => {
    switch (op.fn) {
      case "relu6":
        return tf.minimum(6, tf.relu(x));
      case "sigmoid":
        return tf.sigmoid(x);
      case "hard-sigmoid":
        return tf.clipByValue(tf.add(0.5, tf.mul(0.2, x)), 0, 1);
      case "tanh":
        return tf.tanh(x);
      case "elu":
        return tf.elu(x);
      case "selu":
        return tf.selu(x);
      case "softplus":
        return tf.softplus(x);
      case "softsign":
        return tf.div(x, tf.add(1, tf.abs(x)));
      case "swish":
        return tf.mul(tf.sigmoid(x), x);
      case "gelu":
        return tf.mul(x, tf.mul(0.5, tf.add(1, tf.erf(tf.div(x, Math.SQRT2)))));
      case "mish":
        return tf.mul(x, tf.tanh(tf.softplus(x)));
      case "leaky-relu":
        return tf.leakyRelu(x, op.alpha ?? 0.3);
      case "clipped-relu": {
        // Keras ReLU: x above the threshold (capped at maxValue), alpha · (x − threshold) below it.
        const t = op.threshold ?? 0;
        const above = op.maxValue === undefined ? x : tf.minimum(x, op.maxValue);
        const below = tf.mul(op.alpha ?? 0, tf.sub(x, t));
        return tf.where(tf.greaterEqual(x, t), above, below);
      }
    }
  });
}
