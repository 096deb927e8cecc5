/**
 * Zero-copy access to the wasm backend's tensors: each lives at a byte offset of the backend's heap, and
 * native kernels read and write there directly. Allocating an output can grow (and so replace) the heap, so
 * callers allocate every output before taking `heapOf`.
 */
import type * as tf from "@tensorflow/tfjs-core";

/** The parts of tfjs-backend-wasm's BackendWasm that native kernels use. */
export interface WasmBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

export function heapOf(backend: WasmBackend): ArrayBuffer {
  return backend.wasm.HEAPU8.buffer as ArrayBuffer;
}

export function offsetOf(backend: WasmBackend, t: tf.TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (data === undefined) throw new Error(`native kernel: tensor of shape [${t.shape}] is not on the wasm backend`);
  return data.memoryOffset;
}

/** Whether every tensor is float32 (the only dtype the native kernels compute in). */
export function allFloat32(...tensors: (tf.TensorInfo | undefined)[]): boolean {
  return tensors.every((t) => t === undefined || t.dtype === "float32");
}
