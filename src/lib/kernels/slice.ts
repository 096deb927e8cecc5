/**
 * Slice and SplitV for the wasm backend. Its own Slice copies in JavaScript one innermost row at a time
 * through a fresh typed-array view per row, which dominates edge padding and its gradient (a concat's
 * gradient is a SplitV). This one copies maximal contiguous blocks: every trailing axis kept whole joins the
 * block, and short blocks are copied element by element without creating views.
 */
import * as tf from "@tensorflow/tfjs-core";

/** The parts of the wasm backend's API used here (heap views of tensor data). */
interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** Copy x[begin : begin+size] (row-major) into a new tensor. */
function sliceBlocks(backend: HeapBackend, x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  const total = tf.util.sizeFromShape(size);
  if (total === 0) return out;
  const rank = x.shape.length;
  const strides = [...tf.util.computeStrides(x.shape), 1];
  // Innermost axis that is cut; everything after it is whole, so one block is contiguous in x.
  let cut = rank - 1;
  while (cut > 0 && size[cut] === x.shape[cut] && begin[cut] === 0) cut--;
  const block = size[cut] * strides[cut];
  // Views are taken after makeOutput: allocating may grow (and detach) the heap.
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  const index = new Array<number>(cut).fill(0);
  let base = 0;
  for (let i = 0; i <= cut; i++) base += begin[i] * strides[i];
  for (let o = 0; o < total; o += block) {
    let from = base;
    for (let i = 0; i < cut; i++) from += index[i] * strides[i];
    if (block >= 64) dst.set(src.subarray(from, from + block), o);
    else for (let j = 0; j < block; j++) dst[o + j] = src[from + j];
    for (let i = cut - 1; i >= 0; i--) {
      if (++index[i] < size[i]) break;
      index[i] = 0;
    }
  }
  return out;
}

function native(fallback: () => tf.KernelFunc | undefined, name: string): tf.KernelFunc {
  const k = fallback();
  if (k === undefined) throw new Error(`${name}: the wasm backend's own kernel is not registered`);
  return k;
}

export function makeSliceKernel(fallback: () => tf.KernelFunc | undefined): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === "string" || x.dtype === "complex64") return native(fallback, "Slice")(args);
    const { begin, size } = args.attrs as unknown as { begin: number | number[]; size: number | number[] };
    const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    return sliceBlocks(args.backend as unknown as HeapBackend, x, b, s);
  };
}

export function makeSplitVKernel(fallback: () => tf.KernelFunc | undefined): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === "string" || x.dtype === "complex64") return native(fallback, "SplitV")(args);
    const { numOrSizeSplits, axis } = args.attrs as unknown as { numOrSizeSplits: number | number[]; axis: number };
    const ax = tf.util.parseAxisParam(axis, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, ax);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((n) => {
      const size = [...x.shape];
      size[ax] = n;
      const piece = sliceBlocks(args.backend as unknown as HeapBackend, x, [...begin], size);
      begin[ax] += n;
      return piece;
    });
  };
}
