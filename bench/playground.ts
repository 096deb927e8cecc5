/**
 * The integral playground in headless Debian chromium (the built site, wasm backend), paired with a peer in
 * the same page, same engine and same run: a plain tfjs-layers MLP of the same shape (2→32→32→2, ReLU,
 * Adam, batch 32; initial weights = net A's discrete layers) trained with trainOnBatch on the same points,
 * without any drawing.
 *
 *  - Training: per round, the page plays for `seconds` while every frame redraws both boundaries, the
 *    accuracy-versus-width curves and the loss chart; steps/s per net = steps taken / wall time (each step
 *    is one step of net A and one of net B). Then the peer trains for as long. Medians over the rounds.
 *    Net A's step is one forward/backward pass at full width, net B's three (the sandwich rule), so the
 *    peer's step is compared with A's, and three peer steps with B's.
 *  - Width slider: per round, `moves` slider positions while paused; the time from the input event to
 *    the end of its handler (both nets resampled, test accuracies measured, both boundaries painted), and
 *    to the next animation frame. Peer: the plain MLP predicting the same grid and test points twice
 *    (what redrawing two boundaries costs without resampling).
 *
 *   npx tsx bench/playground.ts [--rounds N] [--seconds S] [--moves M]      (needs a built dist/: npm run build)
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { loadavg } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { launchBrowser, openWatchedPage, type Page } from "../test/e2e/browser.js";
import { serveStatic } from "../test/e2e/static-server.js";
import { distDir, projectRoot } from "../test/e2e/build-site.js";
import { browserModuleOptions } from "../scripts/bundle-tfjs-wasm.js";

const log = (s: string) => process.stderr.write(`[playground-bench] ${s}\n`);
const median = (xs: number[]) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

export interface PlaygroundBench {
  backend: string;
  rounds: number;
  seconds: number;
  loadAverage: { start: number; end: number };
  /** Steps per second of each net while the page trains and redraws (both nets take every step). */
  stepsPerSecondPerNet: { median: number; rounds: number[] };
  /** Peer: plain tfjs-layers trainOnBatch steps per second (no drawing). */
  peerStepsPerSecond: { median: number; rounds: number[] };
  /** Steps per CPU second of chromium's processes (wall-clock rates fall when other work shares the cores). */
  stepsPerCpuSecond: { ours: number; peer: number };
  /** Median of per-round ratios: our steps/s over the peer's (net A does the peer's work per step). */
  ratioToPeer: number;
  /** The same, against a third of the peer's rate (net B does three passes per step). */
  ratioToPeerThreePasses: number;
  slider: {
    moves: number;
    handlerMs: { median: number; p90: number; max: number };
    nextFrameMs: { median: number; p90: number };
    peerMs: { median: number };
  };
}

/**
 * CPU seconds used so far by this process's descendants (chromium and its renderer): on a machine shared
 * with other work, steps per CPU second says what a reader's otherwise idle core would do.
 */
function descendantCpuSeconds(): number {
  const parent = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parent.set(Number(entry), Number(fields[1]));
      ticks.set(Number(entry), Number(fields[11]) + Number(fields[12]));
    } catch {
      // the process ended while being read
    }
  }
  const isDescendant = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === process.pid) return true;
    return false;
  };
  let total = 0;
  for (const [pid, t] of ticks) if (isDescendant(pid)) total += t;
  return total / 100; // USER_HZ
}

/** The page's tfjs-core module path in dist/ (the one engine the peer must share). */
async function coreModulePath(): Promise<string> {
  const dir = join(distDir, "_node");
  const entries = await readdir(dir);
  const core = entries.find((e) => e.startsWith("@tensorflow"));
  if (!core) throw new Error("dist/_node has no @tensorflow modules: is the site built?");
  const versions = (await readdir(join(dir, "@tensorflow"))).filter((e) => e.startsWith("tfjs-core@"));
  if (versions.length !== 1) throw new Error(`expected one tfjs-core in dist, found ${versions.join(", ")}`);
  const files = (await readdir(join(dir, "@tensorflow", versions[0]))).filter((f) => /^index\.[0-9a-f]+\.js$/.test(f));
  if (files.length !== 1) throw new Error(`expected one tfjs-core index module, found ${files.join(", ")}`);
  return `/_node/@tensorflow/${versions[0]}/${files[0]}`;
}

/** The peer: tfjs-layers bundled for the browser with tfjs-core left to the page's own module. */
async function peerBundle(corePath: string): Promise<string> {
  const source = `
    import * as tf from "@tensorflow/tfjs-core";
    import * as tfl from "@tensorflow/tfjs-layers";
    let model, x, y, grid;
    window.__peer = {
      // Initial weights: net A's discrete layers at full width (tfjs random initialisers are not needed).
      setup(points, labels, hidden, learningRate, gridPoints, weights) {
        model = tfl.sequential();
        const init = { kernelInitializer: "zeros", biasInitializer: "zeros" };
        hidden.forEach((n, i) => model.add(tfl.layers.dense(i === 0 ? { ...init, units: n, activation: "relu", inputShape: [2] } : { ...init, units: n, activation: "relu" })));
        model.add(tfl.layers.dense({ ...init, units: 2, activation: "softmax" }));
        model.setWeights(weights.map((w) => tf.tensor(w.values, w.shape)));
        model.compile({ optimizer: tf.train.adam(learningRate), loss: "categoricalCrossentropy" });
        x = tf.tensor2d(points, [points.length / 2, 2]);
        y = tf.oneHot(tf.tensor1d(labels, "int32"), 2);
        grid = tf.tensor2d(gridPoints, [gridPoints.length / 2, 2]);
      },
      async trainFor(ms, batch) {
        const n = x.shape[0];
        let steps = 0;
        const start = performance.now();
        while (performance.now() - start < ms) {
          const from = (steps * batch) % Math.max(1, n - batch);
          const xb = tf.slice(x, [from, 0], [batch, 2]);
          const yb = tf.slice(y, [from, 0], [batch, 2]);
          await model.trainOnBatch(xb, yb);
          tf.dispose([xb, yb]);
          steps++;
        }
        return { steps, ms: performance.now() - start, tensors: tf.memory().numTensors };
      },
      redrawTwice() {
        const start = performance.now();
        for (let k = 0; k < 2; k++) tf.tidy(() => model.predict(grid, { batchSize: grid.shape[0] }).dataSync());
        return performance.now() - start;
      },
    };`;
  const result = await build({
    ...browserModuleOptions,
    stdin: { contents: source, resolveDir: projectRoot, loader: "js" },
    plugins: [
      {
        name: "page-tfjs-core",
        setup(b) {
          b.onResolve({ filter: /^@tensorflow\/tfjs-core$/ }, () => ({ path: corePath, external: true }));
        },
      },
    ],
  });
  return result.outputFiles[0].text;
}

interface PageReadout {
  step: number;
  backend: string;
  numTensors: number;
}

const readout = (page: Page) =>
  page.evaluate(() => (window as unknown as { __playground: { readout(): PageReadout } }).__playground.readout());

export async function benchPlayground(
  options: { rounds?: number; seconds?: number; moves?: number } = {},
): Promise<PlaygroundBench> {
  if (!existsSync(join(distDir, "playground.html")))
    throw new Error("dist/playground.html is missing: run npm run build first");
  const rounds = options.rounds ?? 3;
  const seconds = options.seconds ?? 6;
  const moves = options.moves ?? 40;
  const loadStart = loadavg()[0];
  const corePath = await coreModulePath();
  const peer = await peerBundle(corePath);
  const server = await serveStatic(distDir);
  const browser = await launchBrowser();
  try {
    const watched = await openWatchedPage(browser.context, server.origin);
    const { page } = watched;
    await page.route("**/__bench/peer.js", (route) =>
      route.fulfill({ status: 200, contentType: "text/javascript", body: peer }),
    );
    // The benchmark's shape: 2→32→32→2, batch 32 (the page's defaults, as is the rest).
    await page.goto(`${server.origin}/playground?hidden=32,32&batch=32`, { waitUntil: "load" });
    await page.waitForFunction(() => document.querySelector(".pg")?.getAttribute("data-state") === "ready", undefined, {
      timeout: 300_000,
    });
    await page.addScriptTag({ type: "module", url: `${server.origin}/__bench/peer.js` });
    await page.waitForFunction(() => "__peer" in window, undefined, { timeout: 60_000 });
    await page.evaluate(() => {
      type Layer = { discreteWeights(sizes: unknown, training: boolean): { weight: Tensor; bias: Tensor } };
      type Tensor = { shape: number[]; dataSync(): Float32Array };
      type Session = {
        dataset: { train: { xy: Float32Array; labels: Uint8Array } };
        config: { learningRate: number };
        nets: { a: { layers: Layer[]; sizesAt(f: number): unknown } };
      };
      const app = (window as unknown as { __playground: { session: Session } }).__playground;
      const grid: number[] = [];
      for (let r = 0; r < 64; r++) for (let c = 0; c < 64; c++) grid.push(-1 + (2 * c + 1) / 64, 1 - (2 * r + 1) / 64);
      const train = app.session.dataset.train;
      const net = app.session.nets.a;
      const weights = net.layers.flatMap((layer) => {
        const { weight, bias } = layer.discreteWeights(net.sizesAt(1), false);
        return [weight, bias].map((t) => ({ shape: t.shape, values: Array.from(t.dataSync()) }));
      });
      (window as unknown as { __peer: { setup(...a: unknown[]): void } }).__peer.setup(
        Array.from(train.xy),
        Array.from(train.labels),
        [32, 32],
        app.session.config.learningRate,
        grid,
        weights,
      );
    });
    const backend = (await readout(page)).backend;
    log(`backend ${backend}, ${rounds} rounds of ${seconds} s, load average ${loadStart.toFixed(1)}`);
    const ours: number[] = [];
    const theirs: number[] = [];
    const oursCpu: number[] = [];
    const theirsCpu: number[] = [];
    const handler: number[] = [];
    const nextFrame: number[] = [];
    const peerRedraw: number[] = [];
    for (let round = 0; round < rounds; round++) {
      await page.click("[data-testid=pg-play]");
      await page.waitForTimeout(500);
      const cpuA = descendantCpuSeconds();
      const a = await page.evaluate(() => ({
        step: (window as unknown as { __playground: { readout(): { step: number } } }).__playground.readout().step,
        t: performance.now(),
      }));
      await page.waitForTimeout(seconds * 1000);
      const b = await page.evaluate(() => ({
        step: (window as unknown as { __playground: { readout(): { step: number } } }).__playground.readout().step,
        t: performance.now(),
      }));
      const cpuB = descendantCpuSeconds();
      await page.click("[data-testid=pg-play]");
      ours.push((b.step - a.step) / ((b.t - a.t) / 1000));
      oursCpu.push((b.step - a.step) / Math.max(1e-9, cpuB - cpuA));
      const cpuC = descendantCpuSeconds();
      const p = await page.evaluate(
        (ms) =>
          (
            window as unknown as { __peer: { trainFor(ms: number, b: number): Promise<{ steps: number; ms: number }> } }
          ).__peer.trainFor(ms, 32),
        seconds * 1000,
      );
      theirs.push(p.steps / (p.ms / 1000));
      theirsCpu.push(p.steps / Math.max(1e-9, descendantCpuSeconds() - cpuC));
      const timings = await page.evaluate(async (count) => {
        const app = (window as unknown as { __playground: { setWidth(p: number): number } }).__playground;
        const peerApi = (window as unknown as { __peer: { redrawTwice(): number } }).__peer;
        const out = { handler: [] as number[], nextFrame: [] as number[], peer: [] as number[] };
        let seed = 11;
        for (let k = 0; k < count; k++) {
          seed = (seed * 16807) % 2147483647;
          const start = performance.now();
          out.handler.push(app.setWidth(5 + (seed % 96)));
          await new Promise(requestAnimationFrame);
          out.nextFrame.push(performance.now() - start);
          out.peer.push(peerApi.redrawTwice());
        }
        return out;
      }, moves);
      handler.push(...timings.handler);
      nextFrame.push(...timings.nextFrame);
      peerRedraw.push(...timings.peer);
      log(
        `round ${round + 1}: ours ${ours.at(-1)!.toFixed(1)} steps/s per net (${oursCpu.at(-1)!.toFixed(1)} per CPU second), peer ${theirs.at(-1)!.toFixed(1)} steps/s (${theirsCpu.at(-1)!.toFixed(1)}); slider median ${median(timings.handler).toFixed(1)} ms`,
      );
    }
    const sorted = handler.slice().sort((x, y) => x - y);
    const p90 = (xs: number[]) => xs.slice().sort((x, y) => x - y)[Math.floor(0.9 * (xs.length - 1))];
    return {
      backend,
      rounds,
      seconds,
      loadAverage: { start: loadStart, end: loadavg()[0] },
      stepsPerSecondPerNet: { median: median(ours), rounds: ours },
      peerStepsPerSecond: { median: median(theirs), rounds: theirs },
      stepsPerCpuSecond: { ours: median(oursCpu), peer: median(theirsCpu) },
      ratioToPeer: median(ours.map((o, i) => o / theirs[i])),
      ratioToPeerThreePasses: median(ours.map((o, i) => o / (theirs[i] / 3))),
      slider: {
        moves: handler.length,
        handlerMs: { median: median(handler), p90: p90(handler), max: sorted.at(-1)! },
        nextFrameMs: { median: median(nextFrame), p90: p90(nextFrame) },
        peerMs: { median: median(peerRedraw) },
      },
    };
  } finally {
    await browser.close();
    await server.close();
  }
}

if (process.argv[1]?.endsWith("playground.ts")) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const result = await benchPlayground({ rounds: arg("rounds"), seconds: arg("seconds"), moves: arg("moves") });
  process.stdout.write(JSON.stringify(result, null, 2) + "\n");
}
