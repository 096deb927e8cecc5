/**
 * Choices inside the native engine, each measured at the reference net's shapes (batch 128) in one run,
 * as the fastest of interleaved repetitions, in CPU time of this process (stable on a shared machine):
 * - convolution layouts: NHWC in place (zero-copy on the wasm heap) against oneDNN's blocked layout with
 *   reorders in and out, for each pass (forward + bias + ReLU, backward-data, backward-weights);
 * - the edge-padded conv's input gradient: the wasm engine's fold (nine small transposed convolutions,
 *   ops/edge-padded-conv.ts) against one transposed convolution over the padded input + EdgePadGrad;
 * - one oneDNN thread against two, per pass (wall time: threads only help the clock).
 *
 *   npx tsx bench/native-kernels.ts [--repeats 12]   (JSON on stdout, lines on stderr)
 */
import "@tensorflow/tfjs"; // registers the gradients (tfjs-core's Node bundle has none)
import * as tf from "@tensorflow/tfjs-core";
import { pathToFileURL } from "node:url";
import { initBackend } from "../loaders/backend.js";
import { loadNativeAddon } from "../loaders/native/addon.js";
import { setConvLayout, type ConvLayout } from "../loaders/native/kernels/convolution-params.js";
import { edgePaddedConv2dInputGradient } from "../src/lib/ops/edge-padded-conv.js";
import { EdgePadGrad } from "../src/lib/ops/edge-pad.js";

const log = (line: string) => process.stderr.write(line + "\n");
const BATCH = 128;
// The reference net's convolutions on their edge-padded inputs: [padded side, in, out, kernel].
const CONVS = [
  [30, 1, 16, 3],
  [18, 16, 32, 5],
  [11, 32, 64, 5],
] as const;

const cpuMs = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

/** Fastest of `repeats` runs of each function, interleaved, by `clock`. */
function fastest(fs: Record<string, () => void>, repeats: number, clock: () => number): Record<string, number> {
  const best: Record<string, number> = Object.fromEntries(Object.keys(fs).map((k) => [k, Infinity]));
  for (const f of Object.values(fs)) f(); // primitives, memory growth
  for (let r = 0; r < repeats; r++) {
    for (const [name, f] of Object.entries(fs)) {
      const t0 = clock();
      f();
      best[name] = Math.min(best[name], clock() - t0);
    }
  }
  return best;
}

type Pass = "forward" | "backwardData" | "backwardWeights";

function convPasses(
  side: number,
  inC: number,
  outC: number,
  k: number,
): { run: Record<Pass, () => void>; dispose: () => void } {
  const x = tf.randomNormal([BATCH, side, side, inC], 0, 1, "float32", 1) as tf.Tensor4D;
  const w = tf.randomNormal([k, k, inC, outC], 0, 0.1, "float32", 2) as tf.Tensor4D;
  const b = tf.randomNormal([outC], 0, 0.1, "float32", 3) as tf.Tensor1D;
  const o = side - k + 1;
  const dy = tf.randomNormal([BATCH, o, o, outC], 0, 1, "float32", 4) as tf.Tensor4D;
  const conv = { strides: 1, pad: "valid", dataFormat: "NHWC" };
  const kernel = (name: string, inputs: tf.NamedTensorMap, attrs: object) => () =>
    (tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor).dispose();
  return {
    run: {
      forward: kernel(tf.FusedConv2D, { x, filter: w, bias: b }, { ...conv, dilations: [1, 1], activation: "relu" }),
      backwardData: kernel(tf.Conv2DBackpropInput, { dy, filter: w }, { ...conv, inputShape: x.shape }),
      backwardWeights: kernel(tf.Conv2DBackpropFilter, { x, dy }, { ...conv, filterShape: w.shape }),
    },
    dispose: () => tf.dispose([x, w, b, dy]),
  };
}

export async function benchNativeKernels({ repeats = 12 } = {}) {
  const { addon, reason } = loadNativeAddon();
  if (!addon) throw new Error(`the native engine is unavailable: ${reason}`);
  await initBackend("wasm", { engine: "native", threads: 1 });
  const layouts: Record<string, Record<Pass, Record<ConvLayout, number>>> = {};
  const threads: Record<string, Record<Pass, { one: number; two: number }>> = {};
  for (const [side, inC, outC, k] of CONVS) {
    const name = `conv ${inC}→${outC} ${k}×${k} on ${side}×${side}`;
    const { run, dispose } = convPasses(side, inC, outC, k);
    layouts[name] = {} as Record<Pass, Record<ConvLayout, number>>;
    threads[name] = {} as Record<Pass, { one: number; two: number }>;
    for (const pass of Object.keys(run) as Pass[]) {
      const inLayout = (layout: ConvLayout) => () => {
        setConvLayout(layout);
        run[pass]();
      };
      const ms = fastest({ nhwc: inLayout("nhwc"), blocked: inLayout("blocked") }, repeats, cpuMs);
      setConvLayout("nhwc");
      layouts[name][pass] = { nhwc: ms.nhwc, blocked: ms.blocked };
      const withThreads = (n: number) => () => {
        addon.setThreads(n);
        run[pass]();
      };
      const wall = fastest({ one: withThreads(1), two: withThreads(2) }, repeats, () => performance.now());
      addon.setThreads(1);
      threads[name][pass] = { one: wall.one, two: wall.two };
      log(
        `${name}, ${pass}: NHWC ${ms.nhwc.toFixed(2)} ms, blocked + reorders ${ms.blocked.toFixed(2)} ms (CPU); ` +
          `1 thread ${wall.one.toFixed(2)} ms, 2 threads ${wall.two.toFixed(2)} ms (wall)`,
      );
    }
    dispose();
  }
  const inputGradient: Record<string, { folded: number; padded: number }> = {};
  for (const [side, inC, outC, k] of CONVS.slice(1)) {
    const p = (k - 1) / 2,
      h = side - 2 * p;
    const dy = tf.randomNormal([BATCH, h, h, outC], 0, 1, "float32", 5) as tf.Tensor4D;
    const w = tf.randomNormal([k, k, inC, outC], 0, 0.1, "float32", 6) as tf.Tensor4D;
    const ms = fastest(
      {
        folded: () => edgePaddedConv2dInputGradient(dy, w, [BATCH, h, h, inC], p).dispose(),
        padded: () =>
          tf
            .tidy(() => {
              const dxp = tf
                .engine()
                .runKernel(
                  tf.Conv2DBackpropInput,
                  { dy, filter: w },
                  { strides: 1, pad: "valid", dataFormat: "NHWC", inputShape: [BATCH, side, side, inC] },
                ) as tf.Tensor;
              return tf
                .engine()
                .runKernel(EdgePadGrad, { dy: dxp }, { top: p, bottom: p, left: p, right: p }) as tf.Tensor;
            })
            .dispose(),
      },
      repeats,
      cpuMs,
    );
    const name = `conv ${inC}→${outC} ${k}×${k}, input ${h}×${h}`;
    inputGradient[name] = { folded: ms.folded, padded: ms.padded };
    log(
      `${name}, input gradient: folded ${ms.folded.toFixed(2)} ms, padded + EdgePadGrad ${ms.padded.toFixed(2)} ms (CPU)`,
    );
    tf.dispose([dy, w]);
  }
  return {
    batch: BATCH,
    repeats,
    onednn: addon.version(),
    layoutsCpuMs: layouts,
    threadsWallMs: threads,
    inputGradientCpuMs: inputGradient,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const i = process.argv.indexOf("--repeats");
  const report = await benchNativeKernels({ repeats: i >= 0 ? Number(process.argv[i + 1]) : 12 });
  process.stdout.write(JSON.stringify(report, null, 2) + "\n");
}
