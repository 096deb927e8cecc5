/**
 * Training throughput of the reference net (batch 128, after warm-up), each engine against PyTorch on CPU
 * with 2 threads, in interleaved rounds of one run (PyTorch's figure moves by up to 1.6× minutes apart):
 * - the native engine (oneDNN) in both layouts of the two cores: one trainer with 2 oneDNN threads, and 2
 *   data-parallel workers with 1 thread each; `imagesPerSecond.native` is the one training uses by default;
 * - the wasm engine on 2 data-parallel workers;
 * - PyTorch, 2 threads, same net, batch and optimizer (bench/torch_reference.py);
 * - the integral net's training step against the discrete net's on the native engine, at full size (the same
 *   net, plus sampling its weights from the nodes) and on random sizes (as it trains);
 * and the peak memory of a short training run through the real CLI on each engine. Medians over rounds.
 *
 *   npx tsx bench/train-throughput.ts [--rounds 3] [--steps 20] [--warmup 3]   (JSON on stdout, lines on stderr)
 */
import "@tensorflow/tfjs"; // registers the gradients (tfjs-core's Node bundle has none)
import { spawnSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";
import { initBackend } from "../loaders/backend.js";
import { defaultMnistDir, loadDataset } from "../loaders/datasets.js";
import { chooseEngine, type Engine } from "../loaders/engine.js";
import { ParallelTrainer } from "../loaders/parallel/trainer.js";
import { defaultWorkerCount } from "../loaders/train-job.js";
import { createModel, type ModelSpec } from "../src/lib/models/registry.js";
import { LocalTrainer } from "../src/lib/train/local.js";
import { epochOrder, epochBatches } from "../src/lib/train/seeds.js";
import { resolveSettings } from "../src/lib/train/settings.js";
import type { Trainer } from "../src/lib/train/loop.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const PYTHON = "/usr/bin/python3";
const log = (line: string) => process.stderr.write(line + "\n");

export interface ThroughputOptions {
  steps?: number;
  warmup?: number;
  batch?: number;
}

/** How a training run uses the machine: the engine, data-parallel workers, oneDNN threads per worker. */
export interface TrainerLayout {
  engine: Engine;
  workers: number;
  threads: number;
}

async function timeSteps(trainer: Trainer, trainCount: number, options: ThroughputOptions): Promise<number> {
  const { steps = 20, warmup = 3, batch = 128 } = options;
  const batches = epochBatches(epochOrder(0, 0, trainCount), batch);
  for (let i = 0; i < warmup; i++) await trainer.step(batches[i], 0.001, i);
  const t0 = performance.now();
  for (let i = warmup; i < warmup + steps; i++) await trainer.step(batches[i], 0.001, i);
  return (steps * batch * 1000) / (performance.now() - t0);
}

/** Images/s of training steps of `model` in `layout` (1 worker = in this thread). */
export async function engineThroughput(
  layout: TrainerLayout,
  options: ThroughputOptions = {},
  model: ModelSpec = { name: "reference" },
): Promise<number> {
  const settings = resolveSettings({ batchSize: options.batch ?? 128 });
  if (layout.workers === 1) {
    await initBackend("wasm", { engine: layout.engine, threads: layout.threads });
    const dataset = loadDataset("mnist");
    const net = createModel(model, dataset, 0);
    const trainer = new LocalTrainer(net, dataset, settings);
    try {
      return await timeSteps(trainer, trainer.trainCount, options);
    } finally {
      trainer.dispose();
      net.dispose();
    }
  }
  const trainer = await ParallelTrainer.start({
    workers: layout.workers,
    backend: "wasm",
    engine: layout.engine,
    threads: layout.threads,
    model,
    dataset: "mnist",
    datasetOptions: {},
    settings,
  });
  try {
    return await timeSteps(trainer, trainer.trainCount, options);
  } finally {
    await trainer.close();
  }
}

/** Whether Debian's PyTorch is importable. */
export function torchAvailable(): boolean {
  return spawnSync(PYTHON, ["-c", "import torch"], { stdio: "ignore" }).status === 0;
}

/** Run bench/torch_reference.py in `mode` and parse its JSON. */
export function runTorchReference(mode: string, args: string[] = []): Record<string, unknown> {
  const script = join(ROOT, "bench", "torch_reference.py");
  const run = spawnSync(PYTHON, [script, mode, defaultMnistDir(), ...args], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (run.status !== 0) throw new Error(`torch_reference.py ${mode} failed (exit ${run.status}): ${run.stderr.trim()}`);
  return JSON.parse(run.stdout.trim().split("\n").pop()!);
}

/** Peak RSS of a short training run through the real CLI (its default layout on `engine`), in a fresh process. */
export function trainingRunMemory(
  engine: Engine,
  limitTrain = 4096,
): { peakRssBytes: number; workers: number; images: number } {
  const cli = join(ROOT, "loaders", "train.ts");
  const args = ["--model", "reference", "--epochs", "1", "--limit-train", String(limitTrain), "--limit-test", "1000"];
  const run = spawnSync(process.execPath, ["--import", "tsx", cli, ...args, "--engine", engine, "--quiet"], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  if (run.status !== 0) throw new Error(`train CLI failed (exit ${run.status}): ${run.stderr.trim()}`);
  const result = JSON.parse(run.stdout);
  return { peakRssBytes: result.memory.peakRssBytes, workers: result.workers, images: limitTrain };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The native layouts measured: all cores in one trainer, or one thread per data-parallel worker. */
export function nativeLayouts(): Record<string, TrainerLayout> {
  const workers = defaultWorkerCount();
  return {
    [`1 worker × ${workers} threads`]: { engine: "native", workers: 1, threads: workers },
    [`${workers} workers × 1 thread`]: { engine: "native", workers, threads: 1 },
  };
}

export async function benchTrainThroughput(options: ThroughputOptions & { rounds?: number } = {}) {
  const steps = options.steps ?? 20,
    warmup = options.warmup ?? 3,
    batch = options.batch ?? 128,
    rounds = options.rounds ?? 3;
  const timing = { steps, warmup, batch };
  const native = chooseEngine().engine === "native";
  const torch = torchAvailable();
  const layouts = native ? nativeLayouts() : {};
  const defaultNative = native ? `${defaultWorkerCount()} workers × 1 thread` : null;
  log(`training throughput, reference net, batch ${batch}, ${steps} steps after ${warmup} warm-up, ${rounds} rounds`);
  if (!native) log("  native engine: unavailable (see the notice above) — wasm and PyTorch only");
  if (!torch) log("  PyTorch: not available (/usr/bin/python3 -c 'import torch' failed) — no ratios");
  const samples: Record<string, number[]> = {};
  const add = (key: string, value: number) => (samples[key] ??= []).push(value);
  for (let round = 1; round <= rounds; round++) {
    for (const [name, layout] of Object.entries(layouts)) {
      const ips = await engineThroughput(layout, timing);
      add(`native ${name}`, ips);
      log(`  round ${round}: native, ${name}: ${ips.toFixed(0)} images/s`);
    }
    const wasm = await engineThroughput({ engine: "wasm", workers: defaultWorkerCount(), threads: 1 }, timing);
    add("wasm", wasm);
    log(`  round ${round}: wasm, ${defaultWorkerCount()} workers: ${wasm.toFixed(0)} images/s`);
    if (torch) {
      const args = ["--steps", String(steps), "--warmup", String(warmup), "--batch", String(batch), "--threads", "2"];
      const r = runTorchReference("throughput", args);
      add("pytorch", r.imagesPerSecond as number);
      log(
        `  round ${round}: PyTorch ${r.torchVersion}, 2 threads: ${(r.imagesPerSecond as number).toFixed(0)} images/s`,
      );
    }
    if (native) {
      // The integral net against the discrete net, same engine and layout, back to back.
      const layout = layouts[defaultNative!];
      const discrete = await engineThroughput(layout, timing);
      const full = await engineThroughput(layout, timing, { name: "reference-inn", fullSizeProbability: 1 });
      const random = await engineThroughput(layout, timing, { name: "reference-inn" });
      add("innStepRatioFullSize", discrete / full);
      add("innStepRatioRandomSizes", discrete / random);
      log(
        `  round ${round}: native, integral net ${full.toFixed(0)} (full size), ${random.toFixed(0)} (random sizes) ` +
          `vs discrete ${discrete.toFixed(0)} images/s`,
      );
    }
  }
  const med = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
  const nativeIps = defaultNative ? med[`native ${defaultNative}`] : null;
  const pytorch = med.pytorch ?? null;
  const memory = {
    native: native ? trainingRunMemory("native") : null,
    wasm: trainingRunMemory("wasm"),
  };
  const report = {
    batch,
    steps,
    warmup,
    rounds,
    imagesPerSecond: {
      native: nativeIps,
      wasm: med.wasm,
      pytorch,
      nativeLayouts: Object.fromEntries(Object.keys(layouts).map((name) => [name, med[`native ${name}`]])),
    },
    ratioToPytorch: pytorch
      ? { native: nativeIps === null ? null : nativeIps / pytorch, wasm: med.wasm / pytorch }
      : { native: null, wasm: null },
    nativeLayout: defaultNative,
    // Integral step time / discrete step time (> 1: the integral net is slower).
    innStepRatio: native
      ? { fullSize: med.innStepRatioFullSize, randomSizes: med.innStepRatioRandomSizes }
      : { fullSize: null, randomSizes: null },
    samples,
    memory,
  };
  log(
    `medians: native ${nativeIps?.toFixed(0) ?? "n/a"} (${defaultNative ?? "-"}), wasm ${med.wasm.toFixed(0)}, ` +
      `PyTorch ${pytorch?.toFixed(0) ?? "n/a"} images/s; ratio to PyTorch: native ${report.ratioToPytorch.native?.toFixed(2) ?? "n/a"}, ` +
      `wasm ${report.ratioToPytorch.wasm?.toFixed(2) ?? "n/a"}; integral/discrete step time ` +
      `${report.innStepRatio.fullSize?.toFixed(2) ?? "n/a"} (full size), ${report.innStepRatio.randomSizes?.toFixed(2) ?? "n/a"} (random sizes)`,
  );
  for (const [engine, m] of Object.entries(memory)) {
    if (m)
      log(
        `  peak RSS, ${engine} training run (${m.workers} workers, ${m.images} images): ${(m.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
      );
  }
  return report;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const arg = (name: string, fallback: number) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const report = await benchTrainThroughput({
    rounds: arg("--rounds", 3),
    steps: arg("--steps", 20),
    warmup: arg("--warmup", 3),
  });
  process.stdout.write(JSON.stringify(report, null, 2) + "\n");
}
