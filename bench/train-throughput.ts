/**
 * Training throughput of the reference net (batch 128, after warm-up) in this project's engine — one
 * wasm thread in-process, and data-parallel over 2 workers — and in PyTorch on CPU with 2 threads,
 * measured in the same run; plus the peak memory of a short training run through the real CLI.
 *
 *   npx tsx bench/train-throughput.ts [--steps 20] [--warmup 3]   (JSON on stdout, lines on stderr)
 */
import "@tensorflow/tfjs"; // registers the gradients (tfjs-core's Node bundle has none)
import { spawnSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";
import { initBackend } from "../loaders/backend.js";
import { defaultMnistDir, loadDataset } from "../loaders/datasets.js";
import { ParallelTrainer } from "../loaders/parallel/trainer.js";
import { createModel } from "../src/lib/models/registry.js";
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

async function timeSteps(trainer: Trainer, trainCount: number, options: ThroughputOptions): Promise<number> {
  const { steps = 20, warmup = 3, batch = 128 } = options;
  const batches = epochBatches(epochOrder(0, 0, trainCount), batch);
  for (let i = 0; i < warmup; i++) await trainer.step(batches[i], 0.001, i);
  const t0 = performance.now();
  for (let i = warmup; i < warmup + steps; i++) await trainer.step(batches[i], 0.001, i);
  return (steps * batch * 1000) / (performance.now() - t0);
}

/** Images/s of training steps with `workers` workers (1 = in this thread). */
export async function engineThroughput(workers: number, options: ThroughputOptions = {}): Promise<number> {
  const settings = resolveSettings({ batchSize: options.batch ?? 128 });
  if (workers === 1) {
    await initBackend();
    const dataset = loadDataset("mnist");
    const model = createModel({ name: "reference" }, dataset, 0);
    const trainer = new LocalTrainer(model, dataset, settings);
    try {
      return await timeSteps(trainer, trainer.trainCount, options);
    } finally {
      trainer.dispose();
      model.dispose();
    }
  }
  const trainer = await ParallelTrainer.start({
    workers,
    backend: "wasm",
    model: { name: "reference" },
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

/** Peak RSS of a short 2-worker training run through the real CLI, in a fresh process. */
export function trainingRunMemory(limitTrain = 4096): { peakRssBytes: number; workers: number; images: number } {
  const cli = join(ROOT, "loaders", "train.ts");
  const run = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      cli,
      "--model",
      "reference",
      "--epochs",
      "1",
      "--limit-train",
      String(limitTrain),
      "--limit-test",
      "1000",
      "--quiet",
    ],
    { cwd: ROOT, encoding: "utf8", maxBuffer: 64 << 20 },
  );
  if (run.status !== 0) throw new Error(`train CLI failed (exit ${run.status}): ${run.stderr.trim()}`);
  const result = JSON.parse(run.stdout);
  return { peakRssBytes: result.memory.peakRssBytes, workers: result.workers, images: limitTrain };
}

export async function benchTrainThroughput(options: ThroughputOptions = {}) {
  const steps = options.steps ?? 20,
    warmup = options.warmup ?? 3,
    batch = options.batch ?? 128;
  log(`training throughput, reference net, batch ${batch}, ${steps} steps after ${warmup} warm-up`);
  const oneWorker = await engineThroughput(1, { steps, warmup, batch });
  log(`  ours, 1 wasm thread:        ${oneWorker.toFixed(0)} images/s`);
  const twoWorkers = await engineThroughput(2, { steps, warmup, batch });
  log(`  ours, 2 workers (parallel): ${twoWorkers.toFixed(0)} images/s`);
  let torch: number | null = null;
  if (torchAvailable()) {
    const r = runTorchReference("throughput", [
      "--steps",
      String(steps),
      "--warmup",
      String(warmup),
      "--batch",
      String(batch),
      "--threads",
      "2",
    ]);
    torch = r.imagesPerSecond as number;
    log(`  PyTorch ${r.torchVersion}, 2 threads:  ${torch.toFixed(0)} images/s`);
    log(
      `  ratio ours(2 workers)/PyTorch: ${(twoWorkers / torch).toFixed(2)}, ours(1)/PyTorch: ${(oneWorker / torch).toFixed(2)}`,
    );
  } else {
    log("  PyTorch: not available (/usr/bin/python3 -c 'import torch' failed) — no ratio");
  }
  const memory = trainingRunMemory();
  log(
    `  peak RSS of a 2-worker training run (${memory.images} images): ${(memory.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
  );
  return {
    batch,
    steps,
    warmup,
    imagesPerSecond: { ours1Worker: oneWorker, ours2Workers: twoWorkers, pytorch2Threads: torch },
    ratioToPytorch: torch ? { ours1Worker: oneWorker / torch, ours2Workers: twoWorkers / torch } : null,
    memory,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const arg = (name: string, fallback: number) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const report = await benchTrainThroughput({ steps: arg("--steps", 20), warmup: arg("--warmup", 3) });
  process.stdout.write(JSON.stringify(report, null, 2) + "\n");
}
