/**
 * Helpers for tests that convert tfjs-layers models: images of any shape, a model's predictions against a
 * converted net's (softmax applied when the model ends with one), and the worst relative difference.
 */
import * as tf from "@tensorflow/tfjs";
import { mulberry32 } from "../../../src/lib/random.js";
import type { IntegralGraphNet } from "../../../src/lib/graph/graph-net.js";
import { logitDifference } from "../../../src/lib/convert/convert.js";

/** Seeded uniform images in [0, 1]. */
export function images(seed: number, shape: [number, number, number], batch = 6): tf.Tensor4D {
  const random = mulberry32(seed);
  const n = batch * shape[0] * shape[1] * shape[2];
  return tf.tensor4d(
    Float32Array.from({ length: n }, () => random()),
    [batch, ...shape],
  );
}

/** What `net` predicts for `x`, as the model's output (probabilities when the model ends with a softmax). */
export function netOutput(net: IntegralGraphNet, x: tf.Tensor4D, softmax: boolean): tf.Tensor {
  return tf.tidy(() => {
    const logits = net.apply(x, { training: false });
    return softmax ? tf.softmax(logits) : logits;
  });
}

/** max |model(x) − net(x)| / max |model(x)|. */
export function relativeDifference(
  model: tf.LayersModel,
  net: IntegralGraphNet,
  x: tf.Tensor4D,
  softmax: boolean,
): number {
  const expected = model.predict(x) as tf.Tensor;
  const got = netOutput(net, x, softmax);
  const d = logitDifference(expected, got);
  tf.dispose([expected, got]);
  return d.relative;
}

/** A functional model with every spatial option and most element-wise functions; non-square input, 2 channels. */
export function everyKindA(): tf.LayersModel {
  const input = tf.input({ shape: [13, 10, 2], name: "image" });
  let x = tf.layers.rescaling({ scale: 2, offset: -1, name: "rescale" }).apply(input) as tf.SymbolicTensor;
  x = tf.layers
    .zeroPadding2d({
      padding: [
        [1, 0],
        [2, 1],
      ],
      name: "pad",
    })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .conv2d({ filters: 6, kernelSize: [3, 2], strides: [2, 1], activation: "elu", name: "rect" })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ center: false, name: "bn1" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.leakyReLU({ alpha: 0.2, name: "leaky" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .conv2d({
      filters: 6,
      kernelSize: 3,
      dilationRate: 2,
      padding: "same",
      useBias: false,
      activation: "tanh",
      name: "dilated",
    })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .depthwiseConv2d({ kernelSize: 3, strides: 2, padding: "valid", activation: "relu6", name: "dw" })
    .apply(x) as tf.SymbolicTensor;
  const a = tf.layers
    .separableConv2d({ filters: 8, kernelSize: [1, 3], padding: "same", activation: "swish", name: "sep" })
    .apply(x) as tf.SymbolicTensor;
  const b = tf.layers
    .conv2d({ filters: 8, kernelSize: 1, activation: "sigmoid", name: "pw" })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.add({ name: "add" }).apply([a, b]) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ scale: false, name: "bn2" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ maxValue: 1.5, name: "clip" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .averagePooling2d({ poolSize: 2, strides: 1, padding: "same", name: "avg_same" })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.activation({ activation: "softplus", name: "softplus" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .maxPooling2d({ poolSize: [2, 1], strides: 1, padding: "valid", name: "max_valid" })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten({ name: "flatten" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dropout({ rate: 0.5, name: "drop" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 12, activation: "gelu", name: "fc1" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: "bn_fc" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 5, activation: "selu", name: "fc2" }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x, name: "every_kind_a" });
}

/** Concatenation, a 3-way add that links a conv to the concatenation's parts, and the remaining functions. */
export function everyKindB(): tf.LayersModel {
  const input = tf.input({ shape: [9, 9, 3], name: "image" });
  const s = tf.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: "same", activation: "hardSigmoid", name: "stem" })
    .apply(input) as tf.SymbolicTensor;
  const p = tf.layers
    .conv2d({ filters: 3, kernelSize: 3, padding: "same", activation: "softsign", name: "p" })
    .apply(s) as tf.SymbolicTensor;
  const q = tf.layers
    .conv2d({ filters: 5, kernelSize: 1, activation: "mish", name: "q" })
    .apply(s) as tf.SymbolicTensor;
  const cat = tf.layers.concatenate({ name: "cat" }).apply([p, q]) as tf.SymbolicTensor;
  const r = tf.layers.conv2d({ filters: 8, kernelSize: 1, name: "r" }).apply(s) as tf.SymbolicTensor;
  const t = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: "same", name: "t" }).apply(s) as tf.SymbolicTensor;
  let x = tf.layers.add({ name: "add3" }).apply([cat, r, t]) as tf.SymbolicTensor;
  x = tf.layers
    .depthwiseConv2d({ kernelSize: 3, padding: "same", useBias: false, name: "dw" })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 2, padding: "same", name: "max_same" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.averagePooling2d({ poolSize: 2, padding: "valid", name: "avg_valid" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalMaxPooling2d({ name: "gmp" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 4, name: "fc" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.softmax({ name: "probabilities" }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x, name: "every_kind_b" });
}
