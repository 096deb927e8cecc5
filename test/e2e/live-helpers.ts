/**
 * What the live page's end-to-end suites share: the built site served, a browser, the live page opened
 * (optionally with a query, as a shared link would) and ready, and waiting for a final accuracy figure.
 * `window.__liveModel` is the page's test API (src/components/live/app.ts); its `plan` member is the SINN
 * panel's (src/components/live/graph-panel.ts).
 */
import { before } from "node:test";
import type { BrowserContext } from "playwright-core";
import { initBackend } from "../../loaders/backend.js";
import { openWatchedPage, type Page, type TestBrowser, type WatchedPage } from "./browser.js";
import type { StaticServer } from "./static-server.js";
import { serveBuiltSite } from "./page-helpers.js";
import * as tf from "@tensorflow/tfjs";
import type { EvalSet } from "../../src/lib/data/evalset.js";

export interface LogRecord {
  request: number;
  tag: string;
  evaluated: number;
  accuracy: number;
  final: boolean;
  elapsed: number;
}

/** Open /live-model<query> in a new watched page and wait until the app says it is ready. */
export async function openLivePage(context: BrowserContext, origin: string, query = ""): Promise<WatchedPage> {
  const watched = await openWatchedPage(context, origin);
  await watched.page.goto(`${origin}/live-model${query}`, { waitUntil: "load" });
  await watched.page.waitForSelector("[data-testid=live-status][data-state=ready]", { timeout: 120_000 });
  return watched;
}

export interface LiveSuite {
  readonly server: StaticServer;
  readonly browser: TestBrowser;
  /** The live page opened before the suite's tests. */
  readonly watched: WatchedPage;
  readonly page: Page;
}

/**
 * Call inside a `describe`: before its tests serve the built site with a browser (serveBuiltSite: built,
 * or dist/ reused with E2E_REUSE_DIST=1), start Node's wasm engine (for the reference evaluations) and
 * open the live page, handing it to `opened`; after them the browser and the server close.
 */
export function liveSuite(opened?: (watched: WatchedPage) => void): LiveSuite {
  const site = serveBuiltSite();
  let watched: WatchedPage | undefined;
  before(async () => {
    await initBackend("wasm");
    watched = await openLivePage(site.browser.context, site.server.origin);
    opened?.(watched);
  });
  const open = (): WatchedPage => {
    if (!watched) throw new Error("liveSuite: the live page is not open (use it inside the suite's tests)");
    return watched;
  };
  return {
    get server() {
      return site.server;
    },
    get browser() {
      return site.browser;
    },
    get watched() {
      return open();
    },
    get page() {
      return open().page;
    },
  };
}

/**
 * Wait until the element `[data-testid=<testid>]` shows a final figure for the newest request and the
 * progress log (the page's, or with `plan` the SINN panel's) has a final record of `tag` for it; return the
 * accuracy the element shows.
 */
export async function finalAccuracy(
  page: Page,
  testid: string,
  tag: string,
  plan = false,
  timeout = 300_000,
): Promise<number> {
  await page.waitForFunction(
    ([id, t, inPlan]) => {
      const el = document.querySelector(`[data-testid=${id}]`) as HTMLElement | null;
      const live = (window as never as { __liveModel: { log: LogRecord[]; plan?: { log: LogRecord[] } } }).__liveModel;
      const log = inPlan ? live.plan?.log : live.log;
      const last = log?.at(-1);
      return (
        el?.dataset.final === "true" &&
        last !== undefined &&
        el.dataset.request === String(last.request) &&
        log!.some((r) => r.request === last.request && r.tag === t && r.final)
      );
    },
    [testid, tag, plan] as const,
    { timeout },
  );
  return Number(await page.locator(`[data-testid=${testid}]`).getAttribute("data-accuracy"));
}

/** The plan panel's export at its prepared sizes, loaded in Node as a tfjs layers model (caller disposes it). */
export async function loadExportedPlan(page: Page): Promise<{ json: ExportedModelJson; model: tf.LayersModel }> {
  const files = await page.evaluate(() =>
    (
      window as never as { __liveModel: { exportPlan(): { modelJson: string; weightsBin: number[] } } }
    ).__liveModel.exportPlan(),
  );
  const json = JSON.parse(files.modelJson) as ExportedModelJson;
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0].weights,
      weightData: Uint8Array.from(files.weightsBin).buffer,
    }),
  );
  return { json, model };
}

export interface ExportedModelJson {
  modelTopology: object;
  weightsManifest: { weights: (tf.io.WeightsManifestEntry & { name: string; shape: number[] })[] }[];
}

/** Test accuracy of a tfjs layers model (its argmax) on every image of `test`. */
export function layersAccuracy(model: tf.LayersModel, test: EvalSet): number {
  let correct = 0;
  for (let start = 0; start < test.count; start += 1000) {
    const n = Math.min(1000, test.count - start);
    const predicted = tf.tidy(() => {
      const x = tf.tensor4d(
        Float32Array.from(test.images.subarray(start * 784, (start + n) * 784), (v) => v / 255),
        [n, 28, 28, 1],
      );
      return tf.argMax(model.predict(x) as tf.Tensor, 1).dataSync();
    });
    predicted.forEach((p, k) => {
      if (p === test.labels[start + k]) correct++;
    });
  }
  return correct / test.count;
}
