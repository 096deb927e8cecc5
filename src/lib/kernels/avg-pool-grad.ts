/**
 * AvgPoolGrad for non-overlapping windows (filter = stride, no padding), the usual "avg-pool 2": every input
 * pixel of a window receives dy/(fh·fw), so the gradient is dy broadcast over each window — one broadcasting
 * Multiply instead of the wasm backend's slow scalar loop. Other configurations use `fallback`.
 */
import * as tf from "@tensorflow/tfjs-core";
import { composite } from "./compose.js";

interface AvgPoolGradAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: "floor" | "round" | "ceil";
}

const pair = (v: number | [number, number]): [number, number] => (typeof v === "number" ? [v, v] : v);

export function makeAvgPoolGradKernel(fallback: () => tf.KernelFunc | undefined): tf.KernelFunc {
  return (args) => {
    const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const a = args.attrs as unknown as AvgPoolGradAttrs;
    const [fh, fw] = pair(a.filterSize);
    const [sh, sw] = pair(a.strides);
    const [b, h, w, c] = input.shape;
    const [, oh, ow] = dy.shape;
    const unpadded = a.pad === "valid" || a.pad === 0;
    const fast = unpadded && fh === sh && fw === sw && oh === Math.floor(h / fh) && ow === Math.floor(w / fw);
    if (!fast) {
      const native = fallback();
      if (native === undefined) throw new Error("AvgPoolGrad: no kernel for this configuration on wasm");
      return native(args);
    }
    const backend = args.backend as tf.KernelBackend;
    return composite(backend, "wasm", (k) => {
      const share = new Float32Array(fh * fw).fill(1 / (fh * fw));
      const window = k.adopt({
        dataId: backend.write(share, [1, 1, fh, 1, fw, 1], "float32"),
        shape: [1, 1, fh, 1, fw, 1],
        dtype: "float32",
      });
      const spread = k.run("Multiply", { a: k.reshape(dy, [b, oh, 1, ow, 1, c]), b: window });
      const tiled = k.reshape(spread, [b, oh * fh, ow * fw, c]);
      if (oh * fh === h && ow * fw === w) return tiled;
      // Rows/columns past the last full window get no gradient.
      return k.padOrCrop(tiled, [
        [0, 0],
        [0, h - oh * fh],
        [0, w - ow * fw],
        [0, 0],
      ]);
    });
  };
}
