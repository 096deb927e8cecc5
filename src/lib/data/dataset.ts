/**
 * The dataset contract the trainer, the sweeps and the browser use: uint8 images and labels in
 * memory, turned into float tensors one batch at a time (a whole MNIST split as float32 would
 * be 188 MB; as uint8 it is 47 MB and can be shared with workers cheaply).
 */
import * as tf from "@tensorflow/tfjs-core";

/** One split. `images` is row-major [count, height, width, channels], values 0..255. */
export interface Split {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

export interface Dataset {
  name: string;
  height: number;
  width: number;
  channels: number;
  /** Number of classes; every label is in 0..classes-1. */
  classes: number;
  train: Split;
  test: Split;
}

/** The image geometry a batch is built for (a Dataset satisfies it). */
export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}

function checkIndex(split: Split, index: number, k: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= split.count) {
    throw new Error(`batch index ${index} (position ${k}) is out of range for a split of ${split.count} items`);
  }
}

/** Float images [indices.length, h, w, c] in [0, 1] (pixel / 255), NHWC. */
export function batchImages(split: Split, indices: ArrayLike<number>, shape: ImageShape): tf.Tensor4D {
  const size = shape.height * shape.width * shape.channels;
  if (split.images.length !== split.count * size) {
    throw new Error(
      `split holds ${split.images.length} pixel values, expected ${split.count} × ${shape.height}×${shape.width}×${shape.channels} = ${split.count * size}`,
    );
  }
  const out = new Float32Array(indices.length * size);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    checkIndex(split, i, k);
    const src = i * size;
    const dst = k * size;
    for (let p = 0; p < size; p++) out[dst + p] = split.images[src + p] / 255;
  }
  return tf.tensor4d(out, [indices.length, shape.height, shape.width, shape.channels], "float32");
}

/** One-hot float labels [indices.length, classes]. */
export function batchLabels(split: Split, indices: ArrayLike<number>, classes: number): tf.Tensor2D {
  const out = new Float32Array(indices.length * classes);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    checkIndex(split, i, k);
    const label = split.labels[i];
    if (label >= classes) throw new Error(`label ${label} of item ${i} is out of range for ${classes} classes`);
    out[k * classes + label] = 1;
  }
  return tf.tensor2d(out, [indices.length, classes], "float32");
}

/** Integer labels of a batch, for accuracy counting without a tensor. */
export function batchLabelIndices(split: Split, indices: ArrayLike<number>): Int32Array {
  const out = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    checkIndex(split, indices[k], k);
    out[k] = split.labels[indices[k]];
  }
  return out;
}

/** The first `count` items of a split (views, no copy) — e.g. a small evaluation subset. */
export function headOfSplit(split: Split, count: number, shape: ImageShape): Split {
  if (!Number.isInteger(count) || count < 1 || count > split.count) {
    throw new Error(`cannot take ${count} items of a split of ${split.count}`);
  }
  const size = shape.height * shape.width * shape.channels;
  return { images: split.images.subarray(0, count * size), labels: split.labels.subarray(0, count), count };
}
