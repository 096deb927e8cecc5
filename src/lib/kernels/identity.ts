/**
 * Identity, and Cast to the same dtype, that share the input's data (one more reference) instead of copying
 * it, as the cpu backend does. The wasm backend copies, and tfjs clones every tensor a gradient saves, so a
 * training step copied each saved activation once more. Tensors are never written in place, so sharing is safe.
 */
import * as tf from "@tensorflow/tfjs-core";

function share(backend: tf.KernelBackend, x: tf.TensorInfo): tf.TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const sharedIdentityKernel: tf.KernelFunc = ({ inputs, backend }) =>
  share(backend as tf.KernelBackend, (inputs as { x: tf.TensorInfo }).x);

/** Cast that shares when the dtype does not change; other casts go to `fallback` (the backend's own). */
export function makeSharedCastKernel(fallback: () => tf.KernelFunc | undefined): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === (args.attrs as { dtype?: string }).dtype) return share(args.backend as tf.KernelBackend, x);
    const own = fallback();
    if (own === undefined) throw new Error("Cast: no kernel on wasm for this cast");
    return own(args);
  };
}
