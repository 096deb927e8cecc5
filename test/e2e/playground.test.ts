/**
 * End-to-end checks of the integral playground in Debian's chromium against the built site: the default
 * run shows the claim (net B at 25% width well above net A after a fixed number of steps; circles, seed 2),
 * a link replays a run to the same accuracies, bad link values are clamped with a visible note, the
 * controls work, the width slider redraws both boundaries, and 2,000 steps plus 500 slider moves leave
 * tf.memory().numTensors unchanged; no page error, no request outside the origin.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "./browser.js";
import { assertClean, screenshot, serveBuiltSite, type ReadyPage } from "./page-helpers.js";

interface Readout {
  step: number;
  width: number;
  accuracy: { a: number; b: number };
  fullWidthAccuracy: { a?: number; b?: number };
  running: boolean;
  reproducible: boolean;
  numTensors: number;
  backend: string;
}

const readout = (page: Page) => page.evaluate(() => window.__playground!.readout() as Readout);
const train = (page: Page, steps: number) => page.evaluate((n) => window.__playground!.train(n), steps);
const ready = async (page: Page) =>
  page.waitForFunction(() => document.querySelector(".pg")?.getAttribute("data-state") === "ready", undefined, {
    timeout: 300_000,
  });

/** The decision-boundary canvas of a net as a data URL (its pixels). */
const pixels = (page: Page, net: "a" | "b") =>
  page.locator(`[data-testid=pg-boundary-${net}] canvas`).evaluate((c) => (c as HTMLCanvasElement).toDataURL());

describe("integral playground", { timeout: 40 * 60_000 }, () => {
  const site = serveBuiltSite();
  const open = async (path: string): Promise<ReadyPage> => {
    const watched = await site.open(path, ".pg");
    await ready(watched.page);
    return watched;
  };

  it("trains both nets, and at 25% width net B stays ≥ 10 points above net A (circles, seed 2, 300 steps)", async () => {
    const watched = await open("/playground");
    const { page } = watched;
    const start = await readout(page);
    assert.equal(start.step, 0);
    assert.equal(start.width, 25, "the default view is the 25% width");
    assert.equal(start.backend, "wasm");
    await train(page, 300);
    const after = await readout(page);
    assert.equal(after.step, 300);
    const { a, b } = after.accuracy;
    // The page's defaults (circles, seed 2). Measured (docs/experiments.md): A 46.0%, B 100% at 25% width,
    // both 100% at full width; over seeds 1–3 the margin is 16–54 points.
    assert.ok(b - a >= 0.1, `at 25% width B has ${(100 * b).toFixed(1)}%, A ${(100 * a).toFixed(1)}%`);
    assert.ok(after.fullWidthAccuracy.a! > 0.9, `A at full width: ${after.fullWidthAccuracy.a}`);
    const shown = await page.locator("[data-testid=pg-acc-b]").getAttribute("data-accuracy");
    assert.equal(Number(shown), b, "the page shows the accuracy it measured");
    assert.match((await page.locator("[data-testid=pg-step-count]").textContent()) ?? "", /step 300/);
    await screenshot(page, "playground-300-steps");
    await assertClean(watched, "/playground");
    await page.close();
  });

  it("a link replays the run: the same settings and steps give the same accuracies", async () => {
    const path =
      "/playground?data=xor&noise=0.1&seed=5&hidden=24,16&kernel=cubic&quad=simpson&width=40&lr=0.01&batch=16&train=60";
    const first = await open(path);
    await train(first.page, 120);
    const trained = await readout(first.page);
    const link = new URL(first.page.url());
    assert.equal(link.searchParams.get("step"), "120", "a paused, reproducible run writes its step count");
    assert.equal(link.searchParams.get("kernel"), "cubic");
    const second = await open(link.pathname + link.search);
    const replayed = await readout(second.page);
    assert.equal(replayed.step, 120);
    assert.deepEqual(replayed.accuracy, trained.accuracy);
    assert.deepEqual(replayed.fullWidthAccuracy, trained.fullWidthAccuracy);
    assert.equal(await pixels(second.page, "b"), await pixels(first.page, "b"), "the same boundary");
    // A change of the learning rate mid-run makes the run unrepeatable from a link: the step is dropped.
    await second.page.selectOption("select[name=lr]", "0.03");
    await train(second.page, 1);
    assert.equal((await readout(second.page)).reproducible, false);
    await second.page.waitForFunction(() => !new URLSearchParams(location.search).has("step"), undefined, {
      timeout: 5_000,
    });
    assert.equal(new URL(second.page.url()).searchParams.get("lr"), null, "0.03 is the default");
    assert.equal(await second.page.locator("[data-testid=pg-replay-note]").isVisible(), true);
    for (const watched of [first, second]) {
      await assertClean(watched, path);
      await watched.page.close();
    }
  });

  it("clamps bad link values with a visible note and keeps working", async () => {
    const watched = await open("/playground?width=400&data=moons&hidden=32,99.5&layer=3&batch=-4");
    const { page } = watched;
    const note = page.locator("[data-testid=url-state-note]");
    assert.equal(await note.isVisible(), true);
    const text = (await note.textContent()) ?? "";
    for (const expected of [/width=400 is outside 5…100; using 100/, /data="moons"/, /hidden/, /layer=3/, /batch=-4/])
      assert.match(text, expected);
    const state = await readout(page);
    assert.equal(state.width, 100);
    assert.equal(await page.locator("[data-testid=pg-width]").inputValue(), "100");
    await train(page, 3);
    assert.equal((await readout(page)).step, 3);
    await assertClean(watched, "/playground (bad link)");
    await page.close();
  });

  it("play, pause, step and reset; the width slider redraws both boundaries", async () => {
    const watched = await open("/playground?width=100");
    const { page } = watched;
    const initial = await readout(page);
    await page.click("[data-testid=pg-play]");
    await page.waitForFunction(() => window.__playground!.readout().step >= 5, undefined, { timeout: 120_000 });
    await page.click("[data-testid=pg-play]");
    const paused = await readout(page);
    assert.equal(paused.running, false);
    await page.waitForTimeout(300);
    assert.equal((await readout(page)).step, paused.step, "no steps after pause");
    await page.click("[data-testid=pg-step]");
    assert.equal((await readout(page)).step, paused.step + 1);
    const before = { a: await pixels(page, "a"), b: await pixels(page, "b") };
    await page.locator("[data-testid=pg-width]").fill("20");
    const narrow = await readout(page);
    assert.equal(narrow.width, 20);
    assert.notEqual(await pixels(page, "a"), before.a, "net A's boundary was not redrawn");
    assert.notEqual(await pixels(page, "b"), before.b, "net B's boundary was not redrawn");
    await page.waitForFunction(() => new URLSearchParams(location.search).get("width") === "20", undefined, {
      timeout: 5_000,
    });
    await page.click("[data-testid=pg-reset]");
    await page.locator("[data-testid=pg-width]").fill("100");
    const reset = await readout(page);
    assert.equal(reset.step, 0);
    assert.deepEqual(reset.accuracy, initial.accuracy, "reset returns to the same start");
    await assertClean(watched, "/playground (controls)");
    await page.close();
  });

  it("keeps tf.memory().numTensors unchanged over 2,000 steps and 500 slider moves", async () => {
    const watched = await open("/playground");
    const { page } = watched;
    // Visit every width once first: the groups keep one sampling matrix per size (a bounded cache).
    const warm = async () =>
      page.evaluate(() => {
        const app = window.__playground!;
        for (let p = 5; p <= 100; p++) app.setWidth(p);
      });
    await train(page, 20);
    await warm();
    await train(page, 1);
    await warm();
    const before = (await readout(page)).numTensors;
    for (let round = 0; round < 10; round++) {
      await train(page, 200);
      await page.evaluate(() => {
        const app = window.__playground!;
        for (let k = 0; k < 50; k++) app.setWidth(5 + ((k * 37) % 96));
      });
    }
    await warm();
    const after = await readout(page);
    assert.equal(after.step, 2021);
    assert.equal(after.numTensors, before, `tensors: ${before} before, ${after.numTensors} after`);
    await assertClean(watched, "/playground (memory)");
    await page.close();
  });
});
