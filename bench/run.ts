/**
 * All benchmarks: training throughput vs PyTorch (same run), peak memory, where a step's time goes
 * (per kernel), whether PyTorch and this project build the same initial net, and the browser pages (live
 * model, integral playground). Progress on stderr, the report (text, then JSON) on stdout.
 *
 *   npm run bench        (= npx tsx bench/run.ts)
 */
import "@tensorflow/tfjs"; // registers the gradients (tfjs-core's Node bundle has none)
import { initBackend } from "../loaders/backend.js";
import { loadDataset } from "../loaders/datasets.js";
import { batchImages } from "../src/lib/data/dataset.js";
import { createModel } from "../src/lib/models/registry.js";
import { benchTrainThroughput, runTorchReference, torchAvailable } from "./train-throughput.js";

/** Largest |difference| between our initial logits and PyTorch's for the same seed (null without torch). */
async function initParity(): Promise<number | null> {
  if (!torchAvailable()) return null;
  await initBackend();
  const dataset = loadDataset("mnist");
  const model = createModel({ name: "reference" }, dataset, 5);
  const images = batchImages(dataset.test, [0, 1, 2, 3], dataset);
  const logits = model.apply(images, { training: false });
  const ours = Array.from(logits.dataSync());
  images.dispose();
  logits.dispose();
  model.dispose();
  const theirs = (runTorchReference("init-logits", ["--seed", "5", "--count", "4"]).logits as number[][]).flat();
  return Math.max(...ours.map((v, i) => Math.abs(v - theirs[i])));
}

const report: Record<string, unknown> = {};
const lines: string[] = [];

const parity = await initParity();
report.initParityMaxAbsLogitDiff = parity;
lines.push(
  parity === null
    ? "init parity: PyTorch not available"
    : `init parity (same seed, 4 test images): max |Δlogit| = ${parity.toExponential(2)}`,
);

const throughput = await benchTrainThroughput();
report.trainThroughput = throughput;
const ips = throughput.imagesPerSecond;
const fmt = (v: number | null, digits = 0) => (v === null ? "n/a" : v.toFixed(digits));
lines.push(
  `training throughput (batch ${throughput.batch}, medians of ${throughput.rounds} rounds): native ${fmt(ips.native)} img/s ` +
    `(${throughput.nativeLayout ?? "unavailable"}), wasm ${fmt(ips.wasm)} img/s, PyTorch 2 threads ${fmt(ips.pytorch)} img/s`,
);
lines.push(
  `ratio to PyTorch: native ${fmt(throughput.ratioToPytorch.native, 2)}×, wasm ${fmt(throughput.ratioToPytorch.wasm, 2)}×; ` +
    `integral/discrete step (native) ${fmt(throughput.innStepRatio.fullSize, 2)} at full size, ` +
    `${fmt(throughput.innStepRatio.randomSizes, 2)} on random sizes`,
);
for (const [engine, m] of Object.entries(throughput.memory)) {
  if (m)
    lines.push(`peak RSS, ${engine} training run (${m.workers} workers): ${(m.peakRssBytes / 2 ** 20).toFixed(0)} MiB`);
}

try {
  const { profileReferenceStep } = await import("./kernel-profile.js");
  const profile = await profileReferenceStep();
  report.kernelProfile = profile;
  lines.push(
    `per-kernel time of one step (${profile.engine} engine, 1 thread, ${profile.imagesPerSecond.toFixed(0)} img/s):`,
  );
  for (const k of profile.kernels.slice(0, 10)) lines.push(`  ${k.name.padEnd(28)} ${k.ms.toFixed(1)} ms`);
} catch (e) {
  lines.push(`kernel profile unavailable: ${(e as Error).message}`);
}

try {
  const { benchIntegralStep } = await import("./integral-step.js");
  const integral = await benchIntegralStep();
  report.integralStep = integral;
  lines.push(
    `integral vs discrete training step (1 thread, batch ${integral.batch}): full size ×${integral.ratioFullSize.toFixed(2)}, ` +
      `random sizes ×${integral.ratioRandomSizes.toFixed(2)}; resample whole model: median ${integral.resampleMsMedian.toFixed(2)} ms`,
  );
} catch (e) {
  lines.push(`integral step benchmark failed: ${(e as Error).message}`);
}

try {
  const { benchGroupedConv } = await import("./grouped-conv.js");
  const grouped = (await benchGroupedConv()) as { rows: Record<string, unknown>[] };
  report.groupedConv = grouped;
  lines.push("grouped 1×1 conv vs dense 1×1 conv of the same shape (time ratio vs FLOP ratio):");
  for (const r of grouped.rows) {
    if (!r.auto) continue;
    lines.push(
      `  ${r.inChannels}→${r.outChannels} G=${r.groups} (${r.strategy}): FLOPs ×${r.flopRatio}, forward time ×${r.forwardTimeRatio}, train time ×${r.trainTimeRatio}`,
    );
  }
} catch (e) {
  lines.push(`grouped conv benchmark failed: ${(e as Error).message}`);
}

try {
  // Needs a built site (npm run build): the live page in headless chromium, and PyTorch on the same images.
  const { benchLiveResample } = await import("./live-resample.js");
  const live = await benchLiveResample();
  report.liveResample = live;
  for (const [name, m] of [
    ["reference INN", live.reference],
    ["SINN resnet18", live.sinn],
  ] as const) {
    lines.push(
      `live page, ${name} (${live.backend}, ${m.positions.length} slider positions, load average ${live.loadAverage.start.toFixed(1)}→${live.loadAverage.end.toFixed(1)}): first estimate median ${m.firstEstimateMs.toFixed(0)} ms, ` +
        `full 10k median ${m.fullSetMs.toFixed(0)} ms` +
        (m.pytorchMs !== null
          ? `; PyTorch (${live.pytorchThreads} threads, same nets) full 10k median ${m.pytorchMs.toFixed(0)} ms, ratio ${m.ratioFullSetToPytorch?.toFixed(2)}×`
          : "; PyTorch not available"),
    );
  }
} catch (e) {
  lines.push(`live page benchmark unavailable: ${(e as Error).message}`);
}

try {
  // Needs a built site (npm run build): the playground in headless chromium beside a plain tfjs-layers MLP.
  const { benchPlayground } = await import("./playground.js");
  const pg = await benchPlayground();
  report.playground = pg;
  lines.push(
    `playground (${pg.backend}, 2→32→32→2, batch 32, ${pg.rounds} rounds of ${pg.seconds} s, load average ${pg.loadAverage.start.toFixed(1)}→${pg.loadAverage.end.toFixed(1)}): ` +
      `${pg.stepsPerSecondPerNet.median.toFixed(1)} steps/s per net while redrawing; plain tfjs-layers MLP ${pg.peerStepsPerSecond.median.toFixed(1)} steps/s ` +
      `(ratio ${pg.ratioToPeer.toFixed(2)}×; against a third of it, B's three passes, ${pg.ratioToPeerThreePasses.toFixed(2)}×); ` +
      `per CPU second of chromium: ours ${pg.stepsPerCpuSecond.ours.toFixed(1)}, peer ${pg.stepsPerCpuSecond.peer.toFixed(1)}; ` +
      `width slider median ${pg.slider.handlerMs.median.toFixed(1)} ms (p90 ${pg.slider.handlerMs.p90.toFixed(1)}, next frame ${pg.slider.nextFrameMs.median.toFixed(1)}), ` +
      `peer two grid predictions ${pg.slider.peerMs.median.toFixed(1)} ms`,
  );
} catch (e) {
  lines.push(`playground benchmark unavailable: ${(e as Error).message}`);
}

process.stdout.write(lines.join("\n") + "\n\n" + JSON.stringify(report, null, 2) + "\n");
