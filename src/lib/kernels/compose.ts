/**
 * Composing backend kernels inside a kernel. A composite kernel cannot call tf ops (that would re-enter the
 * engine, tape and profiler), so it calls other kernels' `kernelFunc`s directly on the same backend, as tfjs's
 * own backends do, and must free every intermediate it creates.
 */
import * as tf from "@tensorflow/tfjs-core";

/** A TensorInfo-returning call of another kernel registered for the backend. */
export class KernelComposer {
  private readonly intermediates: tf.TensorInfo[] = [];

  constructor(
    readonly backend: tf.KernelBackend,
    readonly backendName: string,
  ) {}

  /** Run kernel `name` on this backend; its output is freed by `dispose()` unless passed to `keep`. */
  run(name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): tf.TensorInfo {
    const kernel = tf.getKernel(name, this.backendName);
    if (kernel === undefined) throw new Error(`composite kernel needs "${name}" on backend "${this.backendName}"`);
    const out = kernel.kernelFunc({ inputs, backend: this.backend, attrs });
    if (Array.isArray(out)) throw new Error(`composite kernel: "${name}" returned several outputs`);
    this.intermediates.push(out);
    return out;
  }

  /** Reuse `x`'s data with another shape (the backend's Reshape only bumps a reference count). */
  reshape(x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
    return this.run("Reshape", { x }, { shape });
  }

  transpose(x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
    return this.run("Transpose", { x }, { perm });
  }

  /** Zero-pad (positive entries) and crop (negative entries) each axis: `[before, after]` per axis. */
  padOrCrop(x: tf.TensorInfo, paddings: [number, number][]): tf.TensorInfo {
    let out = x;
    if (paddings.some(([a, b]) => a < 0 || b < 0)) {
      const begin = paddings.map(([a]) => Math.max(0, -a));
      const size = paddings.map(([a, b], i) => x.shape[i] - Math.max(0, -a) - Math.max(0, -b));
      out = this.run("Slice", { x: out }, { begin, size });
    }
    if (paddings.some(([a, b]) => a > 0 || b > 0)) {
      const pads = paddings.map(([a, b]) => [Math.max(0, a), Math.max(0, b)]);
      out = this.run("PadV2", { x: out }, { paddings: pads, constantValue: 0 });
    }
    return out;
  }

  /** Insert `stride - 1` zeros after every row/column of an NHWC tensor ("dilate" it), for strided backprops. */
  dilateSpatial(x: tf.TensorInfo, strideH: number, strideW: number): tf.TensorInfo {
    if (strideH === 1 && strideW === 1) return x;
    const [b, h, w, c] = x.shape;
    const expanded = this.reshape(x, [b, h, 1, w, 1, c]);
    const padded = this.run(
      "PadV2",
      { x: expanded },
      {
        paddings: [
          [0, 0],
          [0, 0],
          [0, strideH - 1],
          [0, 0],
          [0, strideW - 1],
          [0, 0],
        ],
        constantValue: 0,
      },
    );
    return this.reshape(padded, [b, h * strideH, w * strideW, c]);
  }

  /** Track a tensor created outside `run` (e.g. by `backend.write`) so `dispose()` frees it. */
  adopt(x: tf.TensorInfo): tf.TensorInfo {
    this.intermediates.push(x);
    return x;
  }

  /** Exclude `x` from disposal (the composite's result). */
  keep(x: tf.TensorInfo): tf.TensorInfo {
    const i = this.intermediates.indexOf(x);
    if (i >= 0) this.intermediates.splice(i, 1);
    return x;
  }

  /** Free every intermediate not kept. */
  dispose(): void {
    for (const t of this.intermediates) this.backend.disposeData(t.dataId);
    this.intermediates.length = 0;
  }
}

/** Run `body` with a composer; the value it returns is kept, everything else it ran is freed. */
export function composite(
  backend: tf.KernelBackend,
  backendName: string,
  body: (k: KernelComposer) => tf.TensorInfo,
): tf.TensorInfo {
  const k = new KernelComposer(backend, backendName);
  try {
    return k.keep(body(k));
  } finally {
    k.dispose();
  }
}
