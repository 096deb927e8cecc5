/**
 * Integral reference net versus the discrete one in the same engine (the default: native when the addon
 * loads, else wasm; one thread, batch 128):
 * time of a forward+backward step (variableGrads of the cross-entropy, the same for both), with the
 * integral net at full size and with random-size partitions; and the time of resampling the whole
 * integral net (groups + cached discrete weights). Ratios are taken within one run, steps interleaved.
 *
 *   npx tsx bench/integral-step.ts [--steps 8] [--warmup 2]   (JSON on stdout, lines on stderr)
 */
import "@tensorflow/tfjs"; // registers the gradients (tfjs-core's Node bundle has none)
import * as tf from "@tensorflow/tfjs-core";
import { activeEngine, initBackend } from "../loaders/backend.js";
import { ReferenceNet } from "../src/lib/models/reference.js";
import { ReferenceInn } from "../src/lib/models/reference-inn.js";
import type { ForwardContext, Model } from "../src/lib/model.js";
import { mulberry32 } from "../src/lib/random.js";

const log = (line: string) => process.stderr.write(line + "\n");
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

function step(model: Model, images: tf.Tensor4D, labels: tf.Tensor2D, context: ForwardContext): void {
  const { value, grads } = tf.variableGrads(
    () => tf.losses.softmaxCrossEntropy(labels, model.apply(images, context)) as tf.Scalar,
    model.trainableVariables,
  );
  value.dataSync();
  tf.dispose([value, grads]);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export interface IntegralStepResult {
  backend: string;
  engine: string | null;
  batch: number;
  stepMs: Record<string, number>;
  ratioFullSize: number;
  ratioRandomSizes: number;
  resampleMsMedian: number;
  resampleMs: number[];
}

/** Step time of the integral net vs the discrete net (same run, interleaved) and whole-model resample time. */
export async function benchIntegralStep({ steps = 8, warmup = 2 } = {}): Promise<IntegralStepResult> {
  const backend = await initBackend("wasm", { threads: 1 });
  const input = { height: 28, width: 28, channels: 1, classes: 10 };
  const discrete = new ReferenceNet(input, 0);
  const inn = ReferenceInn.fromDiscrete(discrete);
  const random = mulberry32(1);
  const images = tf.tensor4d(
    Float32Array.from({ length: 128 * 28 * 28 }, () => random()),
    [128, 28, 28, 1],
  );
  const labels = tf.tidy(
    () =>
      tf.oneHot(
        tf.tensor1d(
          Array.from({ length: 128 }, (_, i) => i % 10),
          "int32",
        ),
        10,
      ) as tf.Tensor2D,
  );
  const runs: Record<string, number[]> = { discrete: [], innFull: [], innRandom: [] };
  const contexts: Record<string, [Model, (i: number) => ForwardContext]> = {
    discrete: [discrete, () => ({ training: true })],
    innFull: [inn, () => ({ training: true })],
    innRandom: [inn, (i) => ({ training: true, random: mulberry32(1000 + i) })],
  };
  for (let i = 0; i < warmup + steps; i++) {
    for (const [key, [model, context]] of Object.entries(contexts)) {
      const t0 = performance.now();
      step(model, images, labels, context(i));
      if (i >= warmup) runs[key].push(performance.now() - t0);
    }
  }
  const ms = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, median(v)]));
  // Resample the whole model (cold sizes each time, so nothing is cached), then an evaluation at the new sizes.
  const resampleMs: number[] = [];
  const sizes = [
    [12, 24, 48],
    [8, 16, 32],
    [4, 8, 16],
    [16, 32, 64],
    [10, 20, 40],
    [6, 12, 24],
    [14, 28, 56],
  ];
  for (const [a, b, c] of sizes) {
    const t0 = performance.now();
    inn.resample({ conv1: a, conv2: b, conv3: c });
    resampleMs.push(performance.now() - t0);
  }
  const result: IntegralStepResult = {
    backend,
    engine: activeEngine(),
    batch: 128,
    stepMs: ms,
    ratioFullSize: ms.innFull / ms.discrete,
    ratioRandomSizes: ms.innRandom / ms.discrete,
    resampleMsMedian: median(resampleMs),
    resampleMs,
  };
  tf.dispose([images, labels]);
  inn.dispose();
  discrete.dispose();
  return result;
}

async function main(): Promise<void> {
  const result = await benchIntegralStep({ steps: arg("steps", 8), warmup: arg("warmup", 2) });
  const ms = result.stepMs;
  log(
    `step ms: discrete ${ms.discrete.toFixed(1)}, integral full ${ms.innFull.toFixed(1)} (×${result.ratioFullSize.toFixed(2)}), integral random sizes ${ms.innRandom.toFixed(1)} (×${result.ratioRandomSizes.toFixed(2)})`,
  );
  log(`resample whole model: median ${result.resampleMsMedian.toFixed(2)} ms`);
  process.stdout.write(JSON.stringify(result, null, 2) + "\n");
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) await main();
