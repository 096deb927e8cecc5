/**
 * Smoothness of weight functions along channel axes. An integral net trained from scratch starts from a
 * discrete net's random initialisation, i.e. nodes that are white noise along every channel coordinate;
 * sampled at m < n points, such a function gives a different net at every size (and, summed by the
 * quadrature, activations whose scale grows like √(n/m)), so random-size training has to fight its own
 * start. `smoothChannelNodes` blurs the initial nodes along the resizable axes (keeping their scale);
 * `channelRoughness` measures how rough a layer's nodes are. (A roughness penalty added to the loss was
 * tried as well and lowered accuracy at every size at every weight tried; see loaders/recipes.ts.)
 */
import * as tf from "@tensorflow/tfjs-core";
import type { IntegralLayer } from "./layers.js";

/** Mean squared difference of neighbouring entries of `x` along `axis`, over the mean square of `x`. */
function relativeRoughness(x: tf.Tensor, axis: number): tf.Scalar {
  return tf.tidy(() => {
    const n = x.shape[axis];
    const begin = x.shape.map(() => 0);
    const size = x.shape.slice();
    size[axis] = n - 1;
    const ahead = tf.slice(
      x,
      begin.map((b, i) => (i === axis ? 1 : b)),
      size,
    );
    const behind = tf.slice(x, begin, size);
    const meanSquare = tf.mean(tf.square(x));
    // White noise scores 2, a constant function 0, whatever the scale of x.
    return tf.div(tf.mean(tf.square(tf.sub(ahead, behind))), tf.add(meanSquare, 1e-12)) as tf.Scalar;
  });
}

/**
 * The channel axes of a layer's nodes that belong to groups in `resizable` and have at least 2 nodes:
 * weight axes (tfjs layout …, in, out) and whether the bias (out) is one.
 */
function channelAxes(layer: IntegralLayer, resizable: ReadonlySet<string>): { weightAxes: number[]; bias: boolean } {
  const shape = layer.weightNodes.shape;
  const rank = shape.length;
  const weightAxes: number[] = [];
  // A depth-wise layer's weight has out = 1 and its channel axis at rank − 2 (in = out group).
  if (resizable.has(layer.inGroup) && shape[rank - 2] > 1) weightAxes.push(rank - 2);
  if (resizable.has(layer.outGroup) && layer.outGroup !== layer.inGroup && shape[rank - 1] > 1)
    weightAxes.push(rank - 1);
  const bias = layer.biasNodes !== undefined && resizable.has(layer.outGroup) && layer.biasNodes.shape[0] > 1;
  return { weightAxes, bias };
}

/**
 * Roughness of a layer's weight and bias nodes along the channel axes of the groups in `resizable`
 * (weights: tfjs layout …, in, out; bias: out). Axes with fewer than 2 nodes add nothing.
 */
export function channelRoughness(layer: IntegralLayer, resizable: ReadonlySet<string>): tf.Scalar {
  return tf.tidy(() => {
    const { weightAxes, bias } = channelAxes(layer, resizable);
    const terms = weightAxes.map((axis) => relativeRoughness(layer.weightNodes, axis));
    if (bias) terms.push(relativeRoughness(layer.biasNodes!, 0));
    return terms.length === 0 ? tf.scalar(0) : (tf.addN(terms) as tf.Scalar);
  });
}

/** Blur `values` (shape `shape`) along `axis` with a normalised Gaussian of `sigma` nodes, edges clamped. */
function blurAxis(values: Float32Array, shape: readonly number[], axis: number, sigma: number): Float32Array {
  const n = shape[axis];
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = values.length / (n * inner);
  const radius = Math.ceil(3 * sigma);
  const taps = Array.from({ length: 2 * radius + 1 }, (_, k) => Math.exp(-0.5 * ((k - radius) / sigma) ** 2));
  const out = new Float32Array(values.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < n; i++) {
      for (let r = 0; r < inner; r++) {
        let sum = 0;
        let weight = 0;
        for (let k = -radius; k <= radius; k++) {
          const j = i + k;
          if (j < 0 || j >= n) continue; // renormalise at the ends instead of inventing values
          sum += taps[k + radius] * values[(o * n + j) * inner + r];
          weight += taps[k + radius];
        }
        out[(o * n + i) * inner + r] = sum / weight;
      }
    }
  }
  return out;
}

/**
 * Make a freshly initialised layer's nodes smooth along the channel axes of `resizable`: blur with a
 * Gaussian of `sigma` nodes, then rescale to the original root-mean-square, so the layer keeps its
 * initial scale (PyTorch's default) while nearby sizes sample nearly the same function from step one.
 */
export function smoothChannelNodes(layer: IntegralLayer, resizable: ReadonlySet<string>, sigma: number): void {
  if (!(sigma > 0 && Number.isFinite(sigma)))
    throw new Error(`smoothChannelNodes: sigma must be a positive number, got ${sigma}`);
  const smooth = (v: tf.Variable, axes: number[]) => {
    if (axes.length === 0) return;
    const original = v.dataSync() as Float32Array;
    let values: Float32Array = original;
    for (const axis of axes) values = blurAxis(values, v.shape, axis, sigma);
    const rms = (x: Float32Array) => Math.sqrt(x.reduce((a, b) => a + b * b, 0) / Math.max(1, x.length));
    const factor = rms(values) > 0 ? rms(original) / rms(values) : 1;
    const scaled = values.map((x) => x * factor);
    tf.tidy(() => v.assign(tf.tensor(scaled, v.shape)));
  };
  const { weightAxes, bias } = channelAxes(layer, resizable);
  smooth(layer.weightNodes, weightAxes);
  if (bias) smooth(layer.biasNodes!, [0]);
  layer.invalidate();
}
