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
