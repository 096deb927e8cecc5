/**
 * Parts shared by the kernel-shape / grouped-point-wise nets (lhc-net, ssc-net, igpc-net): the same
 * skeleton as the reference net (3 conv stages, each followed by ReLU and 2×2 average pooling, features
 * at spatial position [0, 0], dense to the classes), so all methods meet on one chart. Zero padding
 * ("same") instead of the reference net's replicate padding.
 */
import * as tf from "@tensorflow/tfjs-core";
import { mulberry32, gaussian, type Random } from "../random.js";

export function seededVariable(random: Random, shape: number[], std: number, name: string): tf.Variable {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tidy(() =>
    tf.variable(
      tf.tensor(
        Float32Array.from({ length: n }, () => gaussian(random) * std),
        shape,
      ),
      true,
      name,
    ),
  );
}

export function zerosVariable(shape: number[], name: string): tf.Variable {
  return tf.tidy(() => tf.variable(tf.zeros(shape), true, name));
}

/** ReLU → 2×2 average pool. */
export function reluPool(x: tf.Tensor4D): tf.Tensor4D {
  return tf.avgPool(tf.relu(x) as tf.Tensor4D, 2, 2, "valid");
}

/** Features at [0, 0] → dense logits (as the reference net). */
export function headLogits(x: tf.Tensor4D, weight: tf.Variable, bias: tf.Variable): tf.Tensor2D {
  const c = x.shape[3];
  const features = tf.reshape(tf.slice(x, [0, 0, 0, 0], [-1, 1, 1, c]), [x.shape[0], c]) as tf.Tensor2D;
  return tf.add(tf.matMul(features, weight as tf.Tensor2D), bias) as tf.Tensor2D;
}

export { mulberry32 };
