/**
 * End-to-end checks of "Bring your own model" for any tfjs layers model, in Debian's chromium against the
 * built site (quick profile). A functional residual CNN (loaders/layers-models.ts "residual": stride-2 stem,
 * an identity block with Add, a projection block, global average pooling, a dense head) is trained briefly
 * in Node and saved with tf.io as model.json + weights.bin; chosen through the picker, it is converted in
 * the page with its progress under the picker; one slider per linked group appears (the groups Node's
 * converter infers) with the global slider; at full size the converted net and its L1 twin score what the
 * tfjs model itself scores in Node; moving one group's slider gives a first estimate, then the exact
 * accuracy of both the resampled net and the L1-pruned original, and fewer parameters; the URL carries
 * model=own and the sizes, and a fresh page opened at that link asks for the file and, given it, shows those
 * sizes and the same accuracy; the export at those sizes loads in Node with tf.loadLayersModel and scores
 * the accuracy shown; an unsupported model is refused under the picker, naming its layers, and the converted
 * model keeps working. A model's sizes leave the URL when another model is shown. A wide model (a 1024-unit
 * dense group) still converting when the reader chooses a page source: the page answers meanwhile, the
 * newer choice stays, the conversion is dropped without leaving tensors. No request leaves the origin; no
 * page or console error.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { decodeEvalSet, type EvalSet } from "../../src/lib/data/evalset.js";
import { batchImages, batchLabels } from "../../src/lib/data/dataset.js";
import { planFromLayersModel } from "../../src/lib/convert/convert.js";
import { loadDataset } from "../../loaders/datasets.js";
import { buildLayersModel, saveArtifacts, setSeededWeights, writeModelFiles } from "../../loaders/layers-models.js";
import type { Page } from "./browser.js";
import { projectRoot } from "./build-site.js";
import {
  finalAccuracy,
  layersAccuracy,
  liveSuite,
  loadExportedPlan,
  openLivePage,
  type LogRecord,
} from "./live-helpers.js";

const cacheData = join(projectRoot, "src", ".observablehq", "cache", "data");

type PlanApi = {
  log: LogRecord[];
  setSizes(s: Record<string, number>): void;
  groups: { id: string; full: number }[];
};

const planApi = (page: Page) =>
  page.evaluate(() => {
    const api = (window as never as { __liveModel: { plan?: PlanApi } }).__liveModel.plan;
    return api ? { log: api.log, groups: api.groups } : undefined;
  });

/**
 * Choose `files` in the picker, collecting every text its message shows, run `meanwhile` (while the
 * model loads); wait for the picker's verdict.
 */
async function pick(
  page: Page,
  files: string[],
  meanwhile?: () => Promise<void>,
): Promise<{ state: string; text: string; seen: string[] }> {
  await page.evaluate(() => {
    const m = document.querySelector<HTMLElement>("[data-testid=live-file-message]")!;
    m.dataset.state = "idle";
    const seen: string[] = [];
    (window as never as { __pickSeen: string[] }).__pickSeen = seen;
    new MutationObserver(() => seen.push(m.textContent ?? "")).observe(m, {
      childList: true,
      characterData: true,
      subtree: true,
    });
  });
  await page.locator("[data-testid=live-file]").setInputFiles(files);
  await meanwhile?.();
  await page.waitForFunction(
    () => {
      const state = document.querySelector<HTMLElement>("[data-testid=live-file-message]")?.dataset.state;
      return state === "ok" || state === "error" || state === "superseded";
    },
    undefined,
    { timeout: 300_000 },
  );
  const message = page.locator("[data-testid=live-file-message]");
  return {
    state: (await message.getAttribute("data-state")) ?? "",
    text: (await message.textContent()) ?? "",
    seen: await page.evaluate(() => (window as never as { __pickSeen: string[] }).__pickSeen),
  };
}

/** The sizes the plan panel's group sliders show. */
const shownSizes = (page: Page) =>
  page.evaluate(() => {
    const sizes: Record<string, number> = {};
    for (const input of document.querySelectorAll<HTMLInputElement>(
      "[data-testid=live-plan] input[data-testid^=live-size-]",
    ))
      sizes[input.dataset.testid!.slice("live-size-".length)] = Number(input.value);
    return sizes;
  });

const numTensors = (page: Page) =>
  page.evaluate(async () => {
    const live = (window as never as { __liveModel: { idle(): Promise<void>; numTensors(): number } }).__liveModel;
    await live.idle();
    return live.numTensors();
  });

const params = async (page: Page) =>
  Number(await page.locator("[data-testid=live-plan-cost]").getAttribute("data-params"));

let page: Page;
let dir: string;
let test: EvalSet;
let nodeFull: number;
let groups: string[];
const modelFiles = () => [join(dir, "residual", "model.json"), join(dir, "residual", "weights.bin")];

describe("live model page: any tfjs layers model, converted in the page", { timeout: 1_800_000 }, () => {
  const suite = liveSuite((opened) => {
    page = opened.page;
  });

  before(async () => {
    // liveSuite's before has set up Node's wasm engine. A brief training makes accuracy differences visible;
    // small batches give the batch norms' running statistics (momentum 0.99) enough steps to settle.
    dir = mkdtempSync(join(tmpdir(), "integral-lab-convert-e2e-"));
    const data = loadDataset("mnist");
    const indices = Int32Array.from({ length: 8000 }, (_, i) => i);
    const x = batchImages(data.train, indices, data);
    const y = batchLabels(data.train, indices, data.classes);
    const model = buildLayersModel("residual");
    setSeededWeights(model, 0);
    model.compile({
      optimizer: tf.train.adam(0.003),
      loss: (t: tf.Tensor, p: tf.Tensor) => tf.losses.softmaxCrossEntropy(t, p),
    });
    await model.fit(x, y, { epochs: 1, batchSize: 32, shuffle: false, verbose: 0 });
    tf.dispose([x, y]);
    const artifacts = await saveArtifacts(model);
    writeModelFiles(join(dir, "residual"), artifacts);
    groups = planFromLayersModel(artifacts).plan.hidden.slice();
    test = decodeEvalSet(new Uint8Array(readFileSync(join(cacheData, "mnist-test.evalset"))), "mnist-test.evalset");
    nodeFull = layersAccuracy(model, test);
    model.dispose();
    // An unsupported model: an up-sampling layer and a transposed convolution.
    const bad = tf.sequential();
    bad.add(tf.layers.conv2d({ name: "conv", inputShape: [28, 28, 1], filters: 4, kernelSize: 3 }));
    bad.add(tf.layers.upSampling2d({ name: "up" }));
    bad.add(tf.layers.conv2dTranspose({ name: "deconv", filters: 4, kernelSize: 3 }));
    bad.add(tf.layers.flatten({ name: "flat" }));
    bad.add(tf.layers.dense({ name: "out", units: 10 }));
    writeModelFiles(join(dir, "unsupported"), await saveArtifacts(bad));
    bad.dispose();
    // A wide model: its 1024-unit group takes seconds of channel search, which must not block the page.
    const wide = tf.sequential();
    wide.add(tf.layers.conv2d({ name: "conv", inputShape: [28, 28, 1], filters: 8, kernelSize: 3, strides: 2 }));
    wide.add(tf.layers.globalAveragePooling2d({ name: "pool" }));
    wide.add(tf.layers.dense({ name: "wide", units: 1024, activation: "relu" }));
    wide.add(tf.layers.dense({ name: "out", units: 10 }));
    setSeededWeights(wide, 3);
    writeModelFiles(join(dir, "wide"), await saveArtifacts(wide));
    wide.dispose();
  });

  it("the dropped model is converted with progress; one slider per inferred group and the global slider", async () => {
    assert.deepEqual(groups, ["stem", "b1_conv1", "b2_conv1", "b2_conv2"], "Node's converter infers four groups");
    // The reference net's sizes are in the URL before; they are not once the converted model is shown.
    await page.evaluate(() =>
      (window as never as { __liveModel: { setSizes(s: object): void } }).__liveModel.setSizes({ conv1: 12 }),
    );
    assert.equal(new URL(page.url()).searchParams.get("conv1"), "12");
    const { state, text, seen } = await pick(page, modelFiles());
    assert.equal(state, "ok", text);
    assert.equal(text, "Loaded model.json.");
    assert.ok(
      seen.some((t) => /^model\.json: converting: ordering the \d+ channels of group stem \(1\/4\)…$/.test(t)),
      `progress shown under the picker: ${JSON.stringify(seen)}`,
    );
    await page.waitForSelector("[data-testid=live-plan]");
    assert.equal(await page.locator("[data-testid=live-reference]").count(), 0, "the reference view is gone");
    assert.equal(await page.locator("[data-testid=live-global]").count(), 1, "one global slider");
    assert.deepEqual(Object.keys(await shownSizes(page)), groups, "one slider per group, in the plan's order");
    assert.deepEqual(await shownSizes(page), { stem: 16, b1_conv1: 16, b2_conv1: 32, b2_conv2: 32 });
    assert.equal(await page.locator("[data-testid=live-model]").inputValue(), "own");
    assert.match((await page.locator("[data-testid=live-model]").textContent()) ?? "", /Your file: model\.json/);
    assert.equal(new URL(page.url()).search, "?model=own", "the reference net's conv1 left with it");
  });

  it("at full size the converted net and its L1 twin score what the tfjs model scores in Node", async () => {
    const integral = await finalAccuracy(page, "live-plan-acc", "plan", true);
    const twin = await finalAccuracy(page, "live-plan-l1-acc", "l1", true);
    assert.ok(nodeFull > 0.3, `a trained model: ${nodeFull}`);
    assert.ok(Math.abs(integral - nodeFull) <= 2e-4, `converted ${integral} vs the model in Node ${nodeFull}`);
    assert.ok(Math.abs(twin - nodeFull) <= 2e-4, `L1 twin at full size ${twin} vs ${nodeFull}`);
    assert.equal(await page.locator("[data-testid=live-plan-no-twin]").count(), 0, "no 'no twin' card");
  });

  let moved: { integral: number; twin: number; params: number };

  it("moving one group's slider re-estimates both nets (first an estimate, then exact) and lowers params", async () => {
    const full = await params(page);
    const before = (await planApi(page))!.log.at(-1)!.request;
    await page.locator('[data-testid="live-size-b2_conv1"]').fill("12");
    await page.waitForFunction(() =>
      document.querySelector("[data-testid=live-plan-calibration]")?.textContent?.includes("re-estimated"),
    );
    const integral = await finalAccuracy(page, "live-plan-acc", "plan", true);
    const twin = await finalAccuracy(page, "live-plan-l1-acc", "l1", true);
    const log = (await planApi(page))!.log;
    const request = log.at(-1)!.request;
    assert.ok(request > before, "a new request");
    for (const tag of ["plan", "l1"]) {
      const records = log.filter((r) => r.request === request && r.tag === tag);
      assert.ok(records.length >= 2, `${tag}: an estimate, then more`);
      assert.ok(records[0].evaluated < test.count && !records[0].final, `${tag}: a subset estimate first`);
      assert.ok(
        records.at(-1)!.final && records.at(-1)!.evaluated === test.count,
        `${tag}: exact at the end (${JSON.stringify(records)}, ${test.count} test images)`,
      );
    }
    const twinFigure = page.locator("[data-testid=live-plan-l1-acc]");
    assert.equal(await twinFigure.getAttribute("data-request"), String(request), "the twin's card is this request's");
    assert.notEqual(integral, twin, "two different nets");
    assert.ok(integral !== nodeFull || twin !== nodeFull, "the accuracy moved from the full-size figure");
    assert.deepEqual(await shownSizes(page), { stem: 16, b1_conv1: 16, b2_conv1: 12, b2_conv2: 32 });
    const now = await params(page);
    assert.ok(now < full, `params fall: ${now} < ${full}`);
    moved = { integral, twin, params: now };
  });

  it("the URL carries model=own and the sizes; a fresh page at that link, given the file, shows the same view", async () => {
    const url = new URL(page.url());
    assert.equal(url.searchParams.get("model"), "own");
    assert.equal(url.searchParams.get("b2_conv1"), "12");
    assert.equal(url.searchParams.get("stem"), null, "full sizes are left out");
    assert.equal(
      await page.locator("[data-testid=live-plan-share]").getAttribute("href"),
      url.pathname + url.search,
      "the share link is the page's URL",
    );
    const fresh = await openLivePage(suite.browser.context, suite.server.origin, url.search);
    try {
      const note = fresh.page.locator("[data-testid=url-state-note]");
      assert.equal(await note.isVisible(), true, "the link asks for the file");
      assert.match(
        (await note.textContent()) ?? "",
        /model=own: this link was made with a model file of the reader's own/,
      );
      assert.equal(await fresh.page.locator("[data-testid=live-model]").inputValue(), "reference-inn");
      const { state, text } = await pick(fresh.page, modelFiles());
      assert.equal(state, "ok", text);
      await fresh.page.waitForSelector("[data-testid=live-plan]");
      assert.deepEqual(await shownSizes(fresh.page), { stem: 16, b1_conv1: 16, b2_conv1: 12, b2_conv2: 32 });
      assert.equal(await finalAccuracy(fresh.page, "live-plan-acc", "plan", true), moved.integral);
      assert.equal(await finalAccuracy(fresh.page, "live-plan-l1-acc", "l1", true), moved.twin);
      const sorted = (u: URL) => [...u.searchParams].sort().join("&");
      assert.equal(sorted(new URL(fresh.page.url())), sorted(url), "the same link written back");
      assert.deepEqual([fresh.foreignRequests, fresh.pageErrors, fresh.consoleErrors], [[], [], []]);
    } finally {
      await fresh.page.close();
    }
  });

  it("the export at these sizes is a tfjs layers model whose accuracy in Node is the accuracy shown", async () => {
    const { json, model } = await loadExportedPlan(page);
    const kernel = json.weightsManifest[0].weights.find((w) => w.name === "b2_conv1/kernel");
    assert.equal(kernel?.shape[3], 12, "b2_conv1 exported at the page's size");
    const exported = layersAccuracy(model, test);
    model.dispose();
    assert.ok(
      Math.abs(exported - moved.integral) <= 2e-4,
      `export in Node ${exported} vs the page's ${moved.integral}`,
    );
  });

  it("an unsupported model is refused under the picker, naming its layers; the converted model keeps working", async () => {
    const url = page.url();
    const { state, text } = await pick(page, [
      join(dir, "unsupported", "model.json"),
      join(dir, "unsupported", "weights.bin"),
    ]);
    assert.equal(state, "error", text);
    assert.match(text, /model\.json: 2 layers cannot be converted/);
    assert.match(text, /"up" \(UpSampling2D, layer 2\): not a supported layer/);
    assert.match(text, /"deconv" \(Conv2DTranspose, layer 3\)/);
    assert.match(text, /The previous model is still loaded\.$/);
    assert.equal(page.url(), url, "the link is unchanged");
    assert.equal(await page.locator("[data-testid=live-model]").inputValue(), "own");
    assert.equal(await page.locator("[data-testid=live-plan]").count(), 1, "the converted model's panel stays");
    // It still resamples: back to full size, then to the moved sizes, which give the same figures again.
    await page.locator('[data-testid="live-size-b2_conv1"]').fill("32");
    assert.ok(Math.abs((await finalAccuracy(page, "live-plan-acc", "plan", true)) - nodeFull) <= 2e-4);
    await page.locator('[data-testid="live-size-b2_conv1"]').fill("12");
    assert.equal(await finalAccuracy(page, "live-plan-acc", "plan", true), moved.integral);
    assert.equal(await finalAccuracy(page, "live-plan-l1-acc", "l1", true), moved.twin);
    assert.equal(await params(page), moved.params);
  });

  it("a model chosen while a dropped one converts stays; the conversion is dropped and the page answers meanwhile", async () => {
    const select = page.locator("[data-testid=live-model]");
    await select.selectOption("reference");
    await page.waitForSelector("[data-testid=live-reference]");
    // The reference view comes back at its last state (conv1=12); the converted model's b2_conv1 left.
    assert.equal(new URL(page.url()).search, "?model=reference&conv1=12");
    const alone = await numTensors(page);
    await select.selectOption("reference-inn");
    await page.waitForFunction(() => location.search === "?conv1=12");
    let answer = Infinity;
    const { state, text, seen } = await pick(
      page,
      [join(dir, "wide", "model.json"), join(dir, "wide", "weights.bin")],
      async () => {
        // Once the 1024 channels are being ordered, the page still answers promptly; then another source is chosen.
        await page.waitForFunction(() =>
          document.querySelector("[data-testid=live-file-message]")?.textContent?.includes("group wide (2/2)"),
        );
        const asked = Date.now();
        await page.evaluate(() => 1);
        answer = Date.now() - asked;
        await select.selectOption("reference");
      },
    );
    assert.equal(state, "superseded", text);
    assert.equal(text, "model.json was not shown: another model was chosen while it loaded.");
    assert.ok(
      seen.some((t) => t.includes("ordering the 1024 channels of group wide (2/2)")),
      JSON.stringify(seen),
    );
    assert.ok(answer < 1000, `the page answered in ${answer} ms while the channel search ran`);
    // The reference view's first URL write marks it shown (the dropped conversion may have answered first).
    const sorted = () =>
      [...new URLSearchParams(location.search).entries()]
        .map(([k, v]) => `${k}=${v}`)
        .sort()
        .join("&");
    const sortedQuery = () => page.evaluate(sorted);
    await page.waitForFunction(`(${sorted})() === "conv1=12&model=reference"`).catch(() => undefined);
    assert.equal(await sortedQuery(), "conv1=12&model=reference", "the reference net's link");
    assert.equal(await page.locator("[data-testid=live-reference]").count(), 1);
    assert.equal(await page.locator("[data-testid=live-plan]").count(), 0, "no converted model's panel");
    assert.equal(await select.inputValue(), "reference");
    assert.equal(await page.locator("[data-testid=live-source-problem]").isHidden(), true, "no error shown");
    assert.equal(await numTensors(page), alone, "the dropped conversion left no tensors");
  });

  it("made no request outside the origin and logged no errors", () => {
    assert.deepEqual(suite.watched.foreignRequests, []);
    assert.deepEqual(suite.watched.pageErrors, []);
    assert.deepEqual(suite.watched.consoleErrors, []);
  });
});
