/**
 * Grouped 1×1 convolution vs a dense 1×1 conv of the same in/out shape, on the current backend.
 * Prints, per shape and strategy, time(grouped)/time(dense) next to FLOPs(grouped)/FLOPs(dense) = 1/G:
 * a perfect grouped kernel would have the two ratios equal. Forward and forward+backward are timed.
 * Run: `npx tsx bench/grouped-conv.ts` (wasm engine), or via the lead's bench runner.
 */
import * as tf from "@tensorflow/tfjs-core";
import { groupedPointwiseConv, chooseGroupedStrategy } from "../src/lib/grouped/grouped-pointwise.js";

interface Shape {
  batch: number;
  size: number;
  inChannels: number;
  outChannels: number;
  groups: number;
}

const SHAPES: Shape[] = [
  { batch: 32, size: 14, inChannels: 64, outChannels: 64, groups: 2 },
  { batch: 32, size: 14, inChannels: 64, outChannels: 64, groups: 4 },
  { batch: 32, size: 14, inChannels: 128, outChannels: 128, groups: 8 },
  { batch: 32, size: 7, inChannels: 256, outChannels: 256, groups: 16 },
  { batch: 16, size: 7, inChannels: 1024, outChannels: 256, groups: 64 },
];

/** Median milliseconds of `run` (after warm-up); `run` must read its result back so work is done. */
function timeMs(run: () => void, minTotalMs = 300, maxReps = 40): number {
  run();
  run();
  const times: number[] = [];
  let total = 0;
  while ((total < minTotalMs || times.length < 3) && times.length < maxReps) {
    const t0 = performance.now();
    run();
    const dt = performance.now() - t0;
    times.push(dt);
    total += dt;
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export async function benchGroupedConv(): Promise<object> {
  const rows: object[] = [];
  for (const s of SHAPES) {
    const ci = s.inChannels / s.groups,
      co = s.outChannels / s.groups;
    const x = tf.randomNormal([s.batch, s.size, s.size, s.inChannels]) as tf.Tensor4D;
    const wDense = tf.randomNormal([1, 1, s.inChannels, s.outChannels]) as tf.Tensor4D;
    const wGroup = tf.randomNormal([s.groups, ci, co]) as tf.Tensor3D;
    const dense = () => tf.tidy(() => tf.conv2d(x, wDense, 1, "same").dataSync());
    const denseGrad = () =>
      tf.tidy(() => {
        tf.grads((a: tf.Tensor, w: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, 1, "same")))([
          x,
          wDense,
        ]).forEach((g) => g.dataSync());
      });
    const tDense = timeMs(dense);
    let tDenseGrad: number | null = null;
    try {
      tDenseGrad = timeMs(denseGrad);
    } catch {
      tDenseGrad = null;
    } // wasm lacks Conv2DBackpropFilter until the engine registers it
    const flopRatio = 1 / s.groups;
    for (const strategy of ["batched", "blockDiagonal", "blockDiagonalConv"] as const) {
      const fwd = () => tf.tidy(() => groupedPointwiseConv(x, wGroup, { strategy }).dataSync());
      const bwd = () =>
        tf.tidy(() => {
          tf.grads((a: tf.Tensor, w: tf.Tensor) =>
            tf.sum(groupedPointwiseConv(a as tf.Tensor4D, w as tf.Tensor3D, { strategy })),
          )([x, wGroup]).forEach((g) => g.dataSync());
        });
      const tFwd = timeMs(fwd);
      const tBwd = timeMs(bwd);
      rows.push({
        ...s,
        strategy,
        auto: chooseGroupedStrategy(s.groups, ci, co) === strategy,
        flopRatio: +flopRatio.toFixed(4),
        forwardTimeRatio: +(tFwd / tDense).toFixed(3),
        trainTimeRatio: tDenseGrad === null ? null : +(tBwd / tDenseGrad).toFixed(3),
        denseForwardMs: +tDense.toFixed(2),
        groupedForwardMs: +tFwd.toFixed(2),
        denseTrainMs: tDenseGrad === null ? null : +tDenseGrad.toFixed(2),
        groupedTrainMs: +tBwd.toFixed(2),
      });
    }
    tf.dispose([x, wDense, wGroup]);
  }
  return {
    backend: tf.getBackend(),
    note: "time ratio = grouped/dense 1×1 conv, same run; flopRatio = 1/groups",
    rows,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { initBackend } = await import("../loaders/backend.js");
  const backend = (process.argv[2] as "wasm" | "cpu" | undefined) ?? "wasm";
  await initBackend(backend);
  // tfjs-core alone registers no gradients; until the engine does, borrow them from the union package.
  if (!tf.getGradient("Sum")) await import("@tensorflow/tfjs");
  const result = (await benchGroupedConv()) as { backend: string; rows: Record<string, unknown>[] };
  console.error(`backend ${result.backend}`);
  for (const r of result.rows) {
    console.error(
      `${r.inChannels}->${r.outChannels} G=${r.groups} ${String(r.strategy).padEnd(17)} flops ${r.flopRatio}  time fwd ${r.forwardTimeRatio}  train ${r.trainTimeRatio}${r.auto ? "  (auto)" : ""}`,
    );
  }
  console.log(JSON.stringify(result, null, 2));
}
