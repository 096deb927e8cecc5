/**
 * End-to-end checks of the live page's SINN model (resnet18-sinn, a plan network) in Debian's chromium
 * against the built site (quick profile): selecting it in the picker shows its four group sliders with
 * their training ranges; the accuracy shown at full size and after the global slider moves to 50% equals
 * Node's evaluation of the same weights file on the same test images, with the batch-norm statistics
 * re-estimated at 50% on the same 256 training images (library calls: createModel, assignWeights,
 * assignStatistics, resample, calibrate, evaluateSums — not the page's PlanLiveSession); params fall;
 * the page's URL (and its share link) carries the sizes, and opening it in a fresh page shows the same
 * sizes, global slider, params and accuracy; the tfjs layers export at those sizes, loaded in Node with
 * tf.loadLayersModel, scores the accuracy shown; a link with bad sizes is fixed with a visible note; no
 * request leaves the origin and no page/console error occurs.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { decodeEvalSet } from "../../src/lib/data/evalset.js";
import { batchImages } from "../../src/lib/data/dataset.js";
import { createModel } from "../../src/lib/models/registry.js";
import { assignStatistics, assignWeights, decodeWeightsFile } from "../../src/lib/io/weights-file.js";
import { evaluateSums } from "../../src/lib/train/evaluate.js";
import type { IntegralGraphNet } from "../../src/lib/graph/graph-net.js";
import type { Page, WatchedPage } from "./browser.js";
import { projectRoot } from "./build-site.js";
import {
  finalAccuracy as finalFigure,
  layersAccuracy,
  liveSuite,
  loadExportedPlan,
  openLivePage,
  type LogRecord,
} from "./live-helpers.js";

const cacheData = join(projectRoot, "src", ".observablehq", "cache", "data");

/** Node's accuracy of the SINN file on every test image at `fraction` of every hidden group. */
async function nodeAccuracy(fraction: number): Promise<number> {
  const test = decodeEvalSet(
    new Uint8Array(await readFile(join(cacheData, "mnist-test.evalset"))),
    "mnist-test.evalset",
  );
  const calibration = decodeEvalSet(
    new Uint8Array(await readFile(join(cacheData, "mnist-calibration.evalset"))),
    "mnist-calibration.evalset",
  );
  assert.equal(calibration.count, 256);
  const file = decodeWeightsFile(
    await readFile(join(cacheData, "models", "sinn-resnet18.model"), "utf8"),
    "sinn-resnet18.model",
  );
  const model = createModel(file.model, file.input, file.seed) as IntegralGraphNet;
  try {
    assignWeights(model, file.parameters);
    assert.equal(assignStatistics(model, file.statistics), true);
    model.resample(model.fractionSizes(fraction));
    if (fraction !== 1) {
      const batch = batchImages(
        calibration,
        Int32Array.from({ length: 256 }, (_, i) => i),
        calibration,
      );
      model.calibrate([batch]);
      batch.dispose();
    }
    const sums = evaluateSums(model, test, test, { chunkSize: 1000 });
    return sums.correct / sums.count;
  } finally {
    model.dispose();
  }
}

let watched: WatchedPage;
let page: Page;

type PlanApi = {
  log: LogRecord[];
  setGlobal(f: number): void;
  setSizes(s: Record<string, number>): void;
  groups: { id: string; full: number; range: { min: number; max: number } }[];
};

/** Wait until the newest plan request's evaluation is final; return its accuracy. */
const finalAccuracy = (on: Page = page) => finalFigure(on, "live-plan-acc", "plan", true);

async function params(): Promise<number> {
  return Number(await page.locator("[data-testid=live-plan-cost]").getAttribute("data-params"));
}

/** The sizes the plan panel's sliders show, and the global slider's value. */
async function shownSizes(on: Page): Promise<{ sizes: Record<string, number>; global: string }> {
  return on.evaluate(() => {
    const sizes: Record<string, number> = {};
    for (const input of document.querySelectorAll<HTMLInputElement>(
      "[data-testid=live-plan] input[data-testid^=live-size-]",
    ))
      sizes[input.dataset.testid!.slice("live-size-".length)] = Number(input.value);
    return {
      sizes,
      global: document.querySelector<HTMLInputElement>("[data-testid=live-plan] [data-testid=live-global]")!.value,
    };
  });
}

describe("live model page: the SINN model", { timeout: 1_800_000 }, () => {
  const suite = liveSuite((opened) => {
    watched = opened;
    page = opened.page;
  });

  it("selecting it shows one slider per group with its training range and the full-size accuracy Node computes", async () => {
    await page.locator("[data-testid=live-model]").selectOption("sinn-resnet18");
    await page.waitForSelector("[data-testid=live-plan]");
    assert.equal(
      await page.locator("[data-testid=live-reference]").isHidden(),
      true,
      "the reference net's sections are hidden",
    );
    assert.equal(await page.locator("[data-testid=live-global]").count(), 1, "one global slider in the page");
    for (const id of ["stem", "block1.mid", "block2.out", "block2.mid"])
      assert.equal(await page.locator(`[data-testid="live-size-${id}"]`).count(), 1, id);
    const groups = await page.evaluate(
      () => (window as never as { __liveModel: { plan: PlanApi } }).__liveModel.plan.groups,
    );
    assert.deepEqual(
      groups.map((g) => [g.id, g.range.min, g.range.max]),
      [
        ["stem", 8, 32],
        ["block1.mid", 8, 32],
        ["block2.out", 16, 64],
        ["block2.mid", 16, 64],
      ],
    );
    assert.match((await page.locator(".live-plan").textContent()) ?? "", /trained on 16–64 of 64/);
    const shown = await finalAccuracy();
    const expected = await nodeAccuracy(1);
    assert.ok(Math.abs(shown - expected) <= 1e-4, `browser ${shown} vs Node ${expected} at full size`);
    assert.ok(shown > 0.5, `a trained model, accuracy ${shown}`);
  });

  it("the global slider at 50% lowers params; the accuracy after calibration matches Node's", async () => {
    const fullParams = await params();
    await page.locator("[data-testid=live-global]").fill("0.5");
    await page.waitForFunction(() =>
      document.querySelector("[data-testid=live-plan-calibration]")?.textContent?.includes("re-estimated"),
    );
    assert.ok((await params()) < fullParams, "params fall");
    const shown = await finalAccuracy();
    const expected = await nodeAccuracy(0.5);
    assert.ok(Math.abs(shown - expected) <= 1e-4, `browser ${shown} vs Node ${expected} at 50%`);
    const log = await page.evaluate(() => (window as never as { __liveModel: { plan: PlanApi } }).__liveModel.plan.log);
    const last = log.at(-1)!.request;
    const first = log.find((r) => r.request === last && r.tag === "plan")!;
    assert.ok(first.evaluated >= 256 && first.evaluated < 10000 && !first.final, "a subset estimate came first");
    assert.match((await page.locator("[data-testid=live-plan-no-twin]").textContent()) ?? "", /No discrete twin/);
  });

  it("a link restores the view: a fresh page shows the same sizes, global slider, params and accuracy", async () => {
    const sizes = { stem: 20, "block1.mid": 12, "block2.out": 40, "block2.mid": 24 };
    await page.evaluate(
      (s) => (window as never as { __liveModel: { plan: PlanApi } }).__liveModel.plan.setSizes(s),
      sizes,
    );
    const shown = await finalAccuracy();
    const shownParams = await params();
    const before = await shownSizes(page);
    assert.deepEqual(before.sizes, sizes);
    const url = new URL(page.url());
    assert.equal(url.searchParams.get("model"), "sinn-resnet18");
    assert.deepEqual(Object.fromEntries(Object.keys(sizes).map((g) => [g, Number(url.searchParams.get(g))])), sizes);
    assert.equal(
      await page.locator("[data-testid=live-plan-share]").getAttribute("href"),
      url.pathname + url.search,
      "the share link is the page's URL",
    );
    const fresh = await openLivePage(suite.browser.context, suite.server.origin, url.search);
    try {
      await fresh.page.waitForSelector("[data-testid=live-plan]");
      assert.equal(await fresh.page.locator("[data-testid=live-model]").inputValue(), "sinn-resnet18");
      assert.deepEqual(await shownSizes(fresh.page), before);
      assert.equal(await finalAccuracy(fresh.page), shown, "the same accuracy");
      assert.equal(
        Number(await fresh.page.locator("[data-testid=live-plan-cost]").getAttribute("data-params")),
        shownParams,
      );
      assert.equal(
        await fresh.page.locator("[data-testid=url-state-note]").isHidden(),
        true,
        "a good link needs no note",
      );
      assert.equal(new URL(fresh.page.url()).search, url.search, "the restored page writes the same link back");
      assert.deepEqual([fresh.foreignRequests, fresh.pageErrors, fresh.consoleErrors], [[], [], []]);
    } finally {
      await fresh.page.close();
    }
  });

  it("the export at these sizes is a tfjs layers model whose accuracy in Node is the accuracy shown", async () => {
    const shown = await finalAccuracy();
    const { json, model } = await loadExportedPlan(page);
    const kernel = json.weightsManifest[0].weights.find((w) => w.name === "stem/kernel");
    assert.equal(kernel?.shape[3], 20, "the stem conv exported at the page's size");
    const test = decodeEvalSet(
      new Uint8Array(await readFile(join(cacheData, "mnist-test.evalset"))),
      "mnist-test.evalset",
    );
    const exported = layersAccuracy(model, test);
    model.dispose();
    assert.ok(Math.abs(exported - shown) <= 1e-4, `exported model in Node ${exported} vs the page's ${shown}`);
  });

  it("a link with bad sizes is fixed with a visible note and the fixed sizes are resampled", async () => {
    const fresh = await openLivePage(
      suite.browser.context,
      suite.server.origin,
      "?model=sinn-resnet18&stem=999&block1.mid=abc&block2.out=1&block2.mid=30.4",
    );
    try {
      await fresh.page.waitForSelector("[data-testid=live-plan]");
      const note = fresh.page.locator("[data-testid=url-state-note]");
      assert.equal(await note.isVisible(), true);
      const text = (await note.textContent()) ?? "";
      assert.match(text, /stem=999 is outside 2…32; using 32\./);
      assert.match(text, /block1\.mid="abc" is not a decimal number; using the default 32\./);
      assert.match(text, /block2\.out=1 is outside 2…64; using 2\./);
      assert.match(text, /block2\.mid=30\.4 is not a whole number; using 30\./);
      assert.deepEqual((await shownSizes(fresh.page)).sizes, {
        stem: 32,
        "block1.mid": 32,
        "block2.out": 2,
        "block2.mid": 30,
      });
      const query = new URL(fresh.page.url()).searchParams;
      assert.deepEqual(
        [query.get("stem"), query.get("block1.mid"), query.get("block2.out"), query.get("block2.mid")],
        [null, null, "2", "30"],
        "the URL now holds the fixed sizes",
      );
      await fresh.page.waitForSelector("[data-testid=live-plan-cost][data-params]");
      await fresh.page.waitForSelector("[data-testid=live-plan-acc][data-evaluated]");
      assert.deepEqual([fresh.foreignRequests, fresh.pageErrors, fresh.consoleErrors], [[], [], []]);
    } finally {
      await fresh.page.close();
    }
  });

  it("made no request outside the origin and logged no errors", () => {
    assert.deepEqual(watched.foreignRequests, []);
    assert.deepEqual(watched.pageErrors, []);
    assert.deepEqual(watched.consoleErrors, []);
  });
});
