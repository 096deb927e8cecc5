/**
 * UnsortedSegmentSum as a scatter-add: out[s, …] = Σ_{i : ids[i] = s} x[i, …]. ScatterNd sums updates that
 * share an index, which is exactly this. Ids outside [0, numSegments) contribute nothing (as in the cpu
 * backend); they are sent to a spare row that is cut off, since ScatterNd does not bounds-check.
 */
import * as tf from "@tensorflow/tfjs-core";
import { composite } from "./compose.js";

export const unsortedSegmentSumKernel: tf.KernelFunc = ({ inputs, backend: anyBackend, attrs }) => {
  const backend = anyBackend as tf.KernelBackend;
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const numSegments = (attrs as unknown as { numSegments: number }).numSegments;
  if (!Number.isInteger(numSegments) || numSegments < 0) {
    throw new Error(`UnsortedSegmentSum: numSegments must be a non-negative integer, got ${numSegments}`);
  }
  const idRank = segmentIds.shape.length;
  const rowShape = x.shape.slice(idRank);
  const n = tf.util.sizeFromShape(segmentIds.shape);
  const outShape = [numSegments, ...rowShape];
  return composite(backend, "wasm", (k) => {
    if (n === 0 || tf.util.sizeFromShape(outShape) === 0) {
      return k.run("Fill", {}, { shape: outShape, value: 0, dtype: x.dtype });
    }
    const ids = backend.readSync(segmentIds.dataId) as Int32Array;
    let outOfRange = false;
    for (let i = 0; i < n; i++) if (!(ids[i] >= 0 && ids[i] < numSegments)) outOfRange = true;
    const updates = k.reshape(x, [n, ...rowShape]);
    if (!outOfRange) {
      const indices = k.reshape(segmentIds, [n, 1]);
      return k.run("ScatterNd", { indices, updates }, { shape: outShape });
    }
    const safeIds = new Int32Array(n);
    for (let i = 0; i < n; i++) safeIds[i] = ids[i] >= 0 && ids[i] < numSegments ? ids[i] : numSegments;
    const indices = k.adopt({ dataId: backend.write(safeIds, [n, 1], "int32"), shape: [n, 1], dtype: "int32" });
    const withSpare = k.run("ScatterNd", { indices, updates }, { shape: [numSegments + 1, ...rowShape] });
    return k.run("Slice", { x: withSpare }, { begin: outShape.map(() => 0), size: outShape });
  });
};
