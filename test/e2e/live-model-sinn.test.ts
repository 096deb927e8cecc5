/**
 * End-to-end checks of the live page's SINN model (resnet18-sinn, a plan network) in Debian's chromium
 * against the built site (quick profile): selecting it in the picker shows its four group sliders with
 * their training ranges; the accuracy shown at full size and after the global slider moves to 50% equals
 * Node's evaluation of the same weights file on the same test images, with the batch-norm statistics
 * re-estimated at 50% on the same 256 training images (library calls: createModel, assignWeights,
 * assignStatistics, resample, calibrate, evaluateSums — not the page's PlanLiveSession); params fall;
 * no request leaves the origin and no page/console error occurs.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { initEngine } from "../../loaders/engine.js";
import { decodeEvalSet } from "../../src/lib/data/evalset.js";
import { batchImages } from "../../src/lib/data/dataset.js";
import { createModel } from "../../src/lib/models/registry.js";
import { assignStatistics, assignWeights, decodeWeightsFile } from "../../src/lib/train/weights-file.js";
import { evaluateSums } from "../../src/lib/train/evaluate.js";
import type { IntegralGraphNet } from "../../src/lib/sinn/network.js";
import { launchBrowser, openWatchedPage, type Page, type TestBrowser, type WatchedPage } from "./browser.js";
import { serveStatic, type StaticServer } from "./static-server.js";
import { buildSite, distDir, projectRoot } from "./build-site.js";

const cacheData = join(projectRoot, "src", ".observablehq", "cache", "data");

/** Node's accuracy of the SINN file on every test image at `fraction` of every hidden group. */
async function nodeAccuracy(fraction: number): Promise<number> {
  const test = decodeEvalSet(new Uint8Array(await readFile(join(cacheData, "mnist-test.evalset"))), "mnist-test.evalset");
  const calibration = decodeEvalSet(new Uint8Array(await readFile(join(cacheData, "mnist-calibration.evalset"))), "mnist-calibration.evalset");
  assert.equal(calibration.count, 256);
  const file = decodeWeightsFile(await readFile(join(cacheData, "models", "sinn-resnet18.model"), "utf8"), "sinn-resnet18.model");
  const model = createModel(file.model, file.input, file.seed) as IntegralGraphNet;
  try {
    assignWeights(model, file.parameters);
    assert.equal(assignStatistics(model, file.statistics), true);
    model.resample(model.fractionSizes(fraction));
    if (fraction !== 1) {
      const batch = batchImages(calibration, Int32Array.from({ length: 256 }, (_, i) => i), calibration);
      model.calibrate([batch]);
      batch.dispose();
    }
    const sums = evaluateSums(model, test, test, { chunkSize: 1000 });
    return sums.correct / sums.count;
  } finally {
    model.dispose();
  }
}

let server: StaticServer;
let browser: TestBrowser;
let watched: WatchedPage;
let page: Page;

interface LogRecord { request: number; tag: string; evaluated: number; accuracy: number; final: boolean; elapsed: number }
type PlanApi = { log: LogRecord[]; setGlobal(f: number): void; groups: { id: string; full: number; range: { min: number; max: number } }[] };

/** Wait until the newest plan request's evaluation is final; return its accuracy. */
async function finalAccuracy(): Promise<number> {
  await page.waitForFunction(() => {
    const el = document.querySelector("[data-testid=live-plan-acc]") as HTMLElement | null;
    const api = (window as never as { __liveModel: { plan?: PlanApi } }).__liveModel.plan;
    const last = api?.log.at(-1);
    return el?.dataset.final === "true" && last !== undefined && el.dataset.request === String(last.request) && api!.log.some((r) => r.request === last.request && r.tag === "plan" && r.final);
  }, undefined, { timeout: 300_000 });
  return Number(await page.locator("[data-testid=live-plan-acc]").getAttribute("data-accuracy"));
}

async function params(): Promise<number> {
  return Number(await page.locator("[data-testid=live-plan-cost]").getAttribute("data-params"));
}

describe("live model page: the SINN model", { timeout: 1_800_000 }, () => {
  before(async () => {
    buildSite();
    await initEngine("wasm");
    server = await serveStatic(distDir);
    browser = await launchBrowser();
    watched = await openWatchedPage(browser.context, server.origin);
    page = watched.page;
    await page.goto(`${server.origin}/live-model`, { waitUntil: "load" });
    await page.waitForSelector("[data-testid=live-status][data-state=ready]", { timeout: 120_000 });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it("selecting it shows one slider per group with its training range and the full-size accuracy Node computes", async () => {
    await page.locator("[data-testid=live-model]").selectOption("sinn-resnet18");
    await page.waitForSelector("[data-testid=live-plan]");
    assert.equal(await page.locator("[data-testid=live-reference]").isHidden(), true, "the reference net's sections are hidden");
    assert.equal(await page.locator("[data-testid=live-global]").count(), 1, "one global slider in the page");
    for (const id of ["stem", "block1.mid", "block2.out", "block2.mid"]) assert.equal(await page.locator(`[data-testid="live-size-${id}"]`).count(), 1, id);
    const groups = await page.evaluate(() => (window as never as { __liveModel: { plan: PlanApi } }).__liveModel.plan.groups);
    assert.deepEqual(groups.map((g) => [g.id, g.range.min, g.range.max]), [["stem", 8, 32], ["block1.mid", 8, 32], ["block2.out", 16, 64], ["block2.mid", 16, 64]]);
    assert.match(await page.locator(".live-plan").textContent() ?? "", /trained on 16–64 of 64/);
    const shown = await finalAccuracy();
    const expected = await nodeAccuracy(1);
    assert.ok(Math.abs(shown - expected) <= 1e-4, `browser ${shown} vs Node ${expected} at full size`);
    assert.ok(shown > 0.5, `a trained model, accuracy ${shown}`);
  });

  it("the global slider at 50% lowers params; the accuracy after calibration matches Node's", async () => {
    const fullParams = await params();
    await page.locator("[data-testid=live-global]").fill("0.5");
    await page.waitForFunction(() => document.querySelector("[data-testid=live-plan-calibration]")?.textContent?.includes("re-estimated"));
    assert.ok((await params()) < fullParams, "params fall");
    const shown = await finalAccuracy();
    const expected = await nodeAccuracy(0.5);
    assert.ok(Math.abs(shown - expected) <= 1e-4, `browser ${shown} vs Node ${expected} at 50%`);
    const log = await page.evaluate(() => (window as never as { __liveModel: { plan: PlanApi } }).__liveModel.plan.log);
    const last = log.at(-1)!.request;
    const first = log.find((r) => r.request === last && r.tag === "plan")!;
    assert.ok(first.evaluated >= 256 && first.evaluated < 10000 && !first.final, "a subset estimate came first");
    assert.match(await page.locator("[data-testid=live-plan-no-twin]").textContent() ?? "", /No discrete twin/);
  });

  it("made no request outside the origin and logged no errors", () => {
    assert.deepEqual(watched.foreignRequests, []);
    assert.deepEqual(watched.pageErrors, []);
    assert.deepEqual(watched.consoleErrors, []);
  });
});
