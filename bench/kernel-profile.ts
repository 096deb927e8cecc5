/**
 * Where one training step of the reference MNIST net goes, kernel by kernel, on one thread of each engine
 * (native: oneDNN; wasm); and, on the wasm engine, the step throughput with each composite kernel
 * (Conv2DBackpropInput, AvgPoolGrad, Slice, SplitV, Identity, Cast) against the wasm backend's own, and with
 * the folded edge-padded conv input gradient (ops/edge-padded-conv.ts) against autodiff through edgePad +
 * conv, each as a ratio measured in the same run.
 *
 *   npx tsx bench/kernel-profile.ts [--cpu-time]   (progress and table on stderr, JSON summary on stdout)
 *
 * --cpu-time times each kernel by this process's CPU time instead of the wall clock: on a machine shared
 * with other jobs the wall clock counts their time too (one thread per engine here, so CPU time is the work).
 *
 * The net (local to this bench, batch 128, NHWC): conv 1→16 3×3 (edge pad 1) → ReLU → avgpool 2 →
 * conv 16→32 5×5 (edge pad 2) → ReLU → avgpool 2 → conv 32→64 5×5 (edge pad 2) → ReLU → avgpool 2 →
 * take [0,0] → dense 64→10, softmax cross-entropy, Adam.
 */
import "@tensorflow/tfjs"; // registers the gradients (the ESM register_all_gradients cannot load in Node)
import * as tf from "@tensorflow/tfjs-core";
import { fileURLToPath } from "node:url";
import { activeEngine, initBackend } from "../loaders/backend.js";
import { chooseEngine, type Engine } from "../loaders/engine.js";
import { type ComposedKernelName, useComposedKernel } from "../src/lib/kernels/register.js";
import { edgePaddedConv2d } from "../src/lib/ops/edge-padded-conv.js";

const BATCH = 128;

interface ReferenceNet {
  variables: tf.Variable[];
  loss(x: tf.Tensor4D, labels: tf.Tensor2D): tf.Scalar;
}

function glorot(shape: number[], seed: number): tf.Variable {
  const fanIn = shape.slice(0, -1).reduce((a, b) => a * b, 1);
  const init = tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), "float32", seed);
  const v = tf.variable(init);
  init.dispose(); // the variable holds its own reference to the data
  return v;
}

function zeros(n: number): tf.Variable {
  const init = tf.zeros([n]);
  const v = tf.variable(init);
  init.dispose();
  return v;
}

/**
 * `folded`: conv2 and conv3 take ops/edge-padded-conv.ts's folded input gradient, as the project's models do
 * in training (conv1 reads the images and needs none); otherwise autodiff through edgePad + conv.
 */
function referenceNet(folded: boolean): ReferenceNet {
  const w1 = glorot([3, 3, 1, 16], 1),
    b1 = zeros(16);
  const w2 = glorot([5, 5, 16, 32], 2),
    b2 = zeros(32);
  const w3 = glorot([5, 5, 32, 64], 3),
    b3 = zeros(64);
  const wd = glorot([64, 10], 4),
    bd = zeros(10);
  const block = (x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D, pad: number, fold: boolean): tf.Tensor4D =>
    tf.avgPool(
      edgePaddedConv2d({ x, filter: w, bias: b, pad, activation: "relu", foldedGradient: fold }),
      2,
      2,
      "valid",
    );
  return {
    variables: [w1, b1, w2, b2, w3, b3, wd, bd],
    loss(x, labels) {
      let h = block(x, w1 as tf.Tensor as tf.Tensor4D, b1 as tf.Tensor as tf.Tensor1D, 1, false);
      h = block(h, w2 as tf.Tensor as tf.Tensor4D, b2 as tf.Tensor as tf.Tensor1D, 2, folded);
      h = block(h, w3 as tf.Tensor as tf.Tensor4D, b3 as tf.Tensor as tf.Tensor1D, 2, folded);
      const features = tf.reshape(tf.slice(h, [0, 0, 0, 0], [-1, 1, 1, -1]), [-1, 64]);
      const logits = tf.add(tf.matMul(features, wd), bd);
      return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
    },
  };
}

/** One training step on a fixed batch; returns nothing and leaves no tensor behind. */
function makeStep(folded = true): { step: () => void; dispose: () => void } {
  const net = referenceNet(folded);
  const optimizer = tf.train.adam(1e-3);
  const x = tf.randomUniform([BATCH, 28, 28, 1], 0, 1, "float32", 7) as tf.Tensor4D;
  const labels = tf.tidy(
    () => tf.oneHot(tf.randomUniform([BATCH], 0, 10, "int32", 8) as tf.Tensor1D, 10) as tf.Tensor2D,
  );
  const step = (): void => {
    tf.tidy(() => {
      const { grads, value } = tf.variableGrads(() => net.loss(x, labels), net.variables);
      optimizer.applyGradients(grads as unknown as Parameters<typeof optimizer.applyGradients>[0]);
      value.dataSync(); // wait for the step (wasm is synchronous, but be explicit)
    });
  };
  const dispose = (): void => {
    optimizer.dispose();
    tf.dispose([x, labels, ...net.variables]);
  };
  return { step, dispose };
}

/** Mean and best-step throughput over `steps` steps after one warm-up step. */
function throughput(step: () => void, steps: number): { mean: number; best: number } {
  step(); // warm-up: XNNPACK operator creation, memory growth
  let total = 0;
  let best = Infinity;
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    step();
    const ms = performance.now() - t0;
    total += ms;
    best = Math.min(best, ms);
  }
  return { mean: (BATCH * steps * 1000) / total, best: (BATCH * 1000) / best };
}

/** Set up `engine` on one thread (the composites' comparisons need the wasm engine: native kernels sit in front). */
async function useEngine(engine: Engine): Promise<void> {
  if (tf.getBackend() !== "wasm" || activeEngine() !== engine) await initBackend("wasm", { engine, threads: 1 });
}

/**
 * Per-kernel time (ms, summed over calls) of one training step and the step throughput on `engine` (default:
 * native when the addon loads), one thread.
 */
export async function profileReferenceStep(
  options: { steps?: number; profiledSteps?: number; engine?: Engine; cpuTime?: boolean } = {},
): Promise<{
  engine: Engine;
  imagesPerSecond: number;
  bestStepImagesPerSecond: number;
  kernels: { name: string; ms: number; calls: number }[];
}> {
  const engine = options.engine ?? chooseEngine().engine;
  await useEngine(engine);
  const { step, dispose } = makeStep();
  try {
    const rate = throughput(step, options.steps ?? 5);
    // Average the profile over a few steps: the machine is shared and single steps are noisy.
    const profiled = options.profiledSteps ?? 3;
    const backend = tf.backend() as unknown as { time(f: () => void): Promise<{ kernelMs: number }> };
    const wallTime = backend.time;
    if (options.cpuTime) {
      backend.time = async (f) => {
        const c0 = process.cpuUsage();
        f();
        const c = process.cpuUsage(c0);
        return { kernelMs: (c.user + c.system) / 1000 };
      };
    }
    const profile = await tf
      .profile(() => {
        for (let i = 0; i < profiled; i++) step();
      })
      .finally(() => {
        backend.time = wallTime;
      });
    const byName = new Map<string, { ms: number; calls: number }>();
    for (const k of profile.kernels) {
      // A custom gradient shows up as "forward" / a scope with the time of the kernels it ran, which are listed too.
      if (k.name === "forward" || k.name === "unnamed scope") continue;
      const entry = byName.get(k.name) ?? { ms: 0, calls: 0 };
      entry.ms += (k.kernelTimeMs as number) / profiled;
      entry.calls += 1 / profiled;
      byName.set(k.name, entry);
    }
    const kernels = [...byName].map(([name, e]) => ({ name, ...e })).sort((a, b) => b.ms - a.ms);
    return { engine, imagesPerSecond: rate.mean, bestStepImagesPerSecond: rate.best, kernels };
  } finally {
    dispose();
  }
}

/**
 * Step throughput with composite `name` on and off (the backend's own kernel), measured in interleaved
 * rounds and taking each side's fastest step, so load from other processes hurts both sides alike.
 */
export async function compareComposite(
  name: ComposedKernelName,
  options: { rounds?: number; steps?: number } = {},
): Promise<{ composed: number; native: number; ratio: number }> {
  await useEngine("wasm");
  const wasActive = useComposedKernel(name, true);
  const { step, dispose } = makeStep();
  const best = { composed: Infinity, native: Infinity };
  try {
    for (let round = 0; round < (options.rounds ?? 3); round++) {
      for (const side of ["native", "composed"] as const) {
        useComposedKernel(name, side === "composed");
        step(); // warm-up after the switch
        for (let i = 0; i < (options.steps ?? 2); i++) {
          const t0 = performance.now();
          step();
          best[side] = Math.min(best[side], performance.now() - t0);
        }
      }
    }
    const composed = (BATCH * 1000) / best.composed;
    const native = (BATCH * 1000) / best.native;
    return { composed, native, ratio: composed / native };
  } finally {
    dispose();
    useComposedKernel(name, wasActive);
  }
}

/** Step throughput with the folded edge-padded conv gradient against autodiff, interleaved, fastest steps. */
export async function compareFoldedGradient(
  options: { rounds?: number; steps?: number } = {},
): Promise<{ folded: number; autodiff: number; ratio: number }> {
  await useEngine("wasm");
  const sides = { folded: makeStep(true), autodiff: makeStep(false) };
  const best = { folded: Infinity, autodiff: Infinity };
  try {
    for (let round = 0; round < (options.rounds ?? 3); round++) {
      for (const side of ["autodiff", "folded"] as const) {
        sides[side].step();
        for (let i = 0; i < (options.steps ?? 2); i++) {
          const t0 = performance.now();
          sides[side].step();
          best[side] = Math.min(best[side], performance.now() - t0);
        }
      }
    }
    const folded = (BATCH * 1000) / best.folded;
    const autodiff = (BATCH * 1000) / best.autodiff;
    return { folded, autodiff, ratio: folded / autodiff };
  } finally {
    sides.folded.dispose();
    sides.autodiff.dispose();
  }
}

async function main(): Promise<void> {
  const profiles = [];
  for (const engine of [...new Set([chooseEngine().engine, "wasm" as const])]) {
    await useEngine(engine);
    const before = tf.memory().numTensors;
    const p = await profileReferenceStep({ engine, cpuTime: process.argv.includes("--cpu-time") });
    profiles.push(p);
    const total = p.kernels.reduce((s, k) => s + k.ms, 0);
    console.error(
      `reference net, batch ${BATCH}, ${engine} engine, one thread: ${p.imagesPerSecond.toFixed(0)} images/s ` +
        `(fastest step ${p.bestStepImagesPerSecond.toFixed(0)}); kernel time of one step: ${total.toFixed(1)} ms` +
        (process.argv.includes("--cpu-time") ? " (CPU)" : ""),
    );
    for (const k of p.kernels.slice(0, 15)) {
      console.error(
        `  ${k.name.padEnd(28)} ${k.ms.toFixed(2).padStart(8)} ms  ${((100 * k.ms) / total).toFixed(1).padStart(5)}%  ${k.calls.toFixed(0).padStart(3)} calls`,
      );
    }
    const leaked = tf.memory().numTensors - before;
    if (leaked !== 0) console.error(`warning: ${leaked} tensors leaked`);
  }
  const composites: Record<string, { composed: number; native: number; ratio: number }> = {};
  for (const name of [
    "Conv2DBackpropInput",
    "AvgPoolGrad",
    "Slice",
    "SplitV",
    "Identity",
    "Cast",
  ] as ComposedKernelName[]) {
    const cmp = await compareComposite(name);
    composites[name] = cmp;
    console.error(
      `wasm engine: ${name} composite vs wasm's own: ${cmp.composed.toFixed(0)} vs ${cmp.native.toFixed(0)} images/s ` +
        `(best step, ×${cmp.ratio.toFixed(2)})`,
    );
  }
  const foldedGradient = await compareFoldedGradient();
  console.error(
    `wasm engine: edge-padded conv input gradient, folded vs autodiff: ${foldedGradient.folded.toFixed(0)} vs ${foldedGradient.autodiff.toFixed(0)} images/s ` +
      `(best step, ×${foldedGradient.ratio.toFixed(2)})`,
  );
  process.stdout.write(JSON.stringify({ profiles, composites, foldedGradient }, null, 2) + "\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
