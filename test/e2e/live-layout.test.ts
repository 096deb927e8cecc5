/**
 * The live page as one screen (quick-profile build, Debian's chromium): at 1280×800 the controls are on
 * the left and the accuracy cards, the chart and the digit pad on the right, all above the fold; the
 * digit pad shows what both nets make of a drawn digit at the current sizes — the probabilities Node
 * computes for the same image with the library's own nets (ReferenceInn.apply, pruneReferenceNet) —
 * and follows the sliders; each method has the colour methodStyle gives it on the cards, the chart's
 * lines and dots and the digit pad; the figures have aria descriptions; the progress bar counted the
 * bytes of the files it loaded; nothing scrolls sideways at 390 px; dark mode draws light text on a dark
 * page with no error. Screenshots at both widths, light and dark, go to test-results/.
 */
import assert from "node:assert/strict";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { decodeModelFile, loadContinuousModel } from "../../src/lib/io/model-file.js";
import { fullSizeParametersFromBytes } from "../../src/lib/live/model-sources.js";
import { mnistStyleDigit, upscaleDigit } from "../../src/lib/live/digit-image.js";
import { ReferenceNet } from "../../src/lib/models/reference.js";
import { assignParameters } from "../../src/lib/compression/parameters.js";
import { pruneReferenceNet } from "../../src/lib/compression/pruning.js";
import { methodStyle } from "../../src/components/style/methods.js";
import type { Page } from "./browser.js";
import { distDir, projectRoot } from "./build-site.js";
import { finalAccuracy, liveSuite, openLivePage } from "./live-helpers.js";
import { measureLivePage } from "./live-layout.js";
import { screenshot } from "./page-helpers.js";

const cacheData = join(projectRoot, "src", ".observablehq", "cache", "data");
const input = { height: 28, width: 28, channels: 1, classes: 10 };

/** "#2f6fdf" → "rgb(47, 111, 223)", as getComputedStyle reports colours. */
function rgb(hex: string): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
}

/** Relative luminance (0 black … 1 white) of a computed "rgb(r, g, b)" colour. */
function luminance(css: string): number {
  const [r, g, b] = (css.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}

type Api = {
  setSizes(s: object): void;
  testDigit(i: number): { pixels: number[]; label: number };
  drawDigit(p: number[]): void;
};

const setSizes = (page: Page, sizes: object) =>
  page.evaluate((s) => (window as never as { __liveModel: Api }).__liveModel.setSizes(s), sizes);

/** The image the page classifies after painting test digit `i` onto its 224-px canvas (bytes, as a canvas keeps them). */
function paintedDigit(pixels: number[]): Float32Array {
  const big = upscaleDigit(pixels, 224);
  const ink = Float32Array.from(big, (v) => Math.round(255 * Math.max(0, Math.min(1, v))) / 255);
  return mnistStyleDigit(ink, 224, 224);
}

/** Node's class probabilities of `image` by the page's integral net and L1 twin at `sizes`. */
async function nodeProbabilities(image: Float32Array, sizes: { conv1: number; conv2: number; conv3: number }) {
  const innBytes = new Uint8Array(await readFile(join(cacheData, "models", "reference-inn.model")));
  const twinBytes = new Uint8Array(await readFile(join(cacheData, "models", "reference.model")));
  const inn = loadContinuousModel(decodeModelFile(innBytes, "reference-inn.model"));
  const discrete = new ReferenceNet(input, 0);
  assignParameters(discrete, fullSizeParametersFromBytes(twinBytes, "reference.model"));
  const { model: pruned } = pruneReferenceNet(discrete, sizes, { method: "l1" });
  inn.resample(sizes);
  const x = tf.tensor4d(image, [1, 28, 28, 1]);
  const probs = (m: { apply(x: tf.Tensor4D, c: { training: boolean }): tf.Tensor2D }) =>
    Array.from(tf.tidy(() => tf.softmax(m.apply(x, { training: false })).dataSync()));
  const out = { inn: probs(inn), l1: probs(pruned) };
  tf.dispose(x);
  for (const m of [inn, discrete, pruned]) m.dispose();
  return out;
}

/** The page's digit rows: predicted class and its probability as shown (percent, one decimal). */
async function shownDigit(page: Page, tag: string): Promise<{ predicted: number; percent: number; color: string }> {
  return page.evaluate((t) => {
    const row = document.querySelector<HTMLElement>(`[data-testid=live-digit-${t}]`)!;
    const best = row.querySelector(".live-prob-best")!.textContent!;
    return {
      predicted: Number(row.dataset.predicted),
      percent: Number(/([\d.]+)%/.exec(best)![1]),
      color: getComputedStyle(row.querySelector(".live-prob-name .live-swatch")!).backgroundColor,
    };
  }, tag);
}

let page: Page;

describe("live model page: one screen", { timeout: 1_800_000 }, () => {
  const suite = liveSuite((opened) => {
    page = opened.page;
  });

  it("at 1280×800 the controls are left and the cards, chart and digit pad right, above the fold", async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await finalAccuracy(page, "live-acc-inn", "inn");
    const m = await measureLivePage(page);
    process.stderr.write(`[live-layout] 1280×800: ${JSON.stringify(m)}\n`);
    assert.ok(m.resultsBeside, "the accuracy cards are to the right of the sliders");
    assert.ok(m.controlsToResults <= 120, `sliders to results: ${m.controlsToResults} px`);
    assert.ok(m.chartBottom <= 800, `the chart ends at ${m.chartBottom} px`);
    assert.ok(m.digitBottom <= 800, `the digit pad ends at ${m.digitBottom} px`);
    assert.ok(m.scrollWidth <= 1280);
    await screenshot(page, "live-model-1280");
  });

  it("the progress bar counted the bytes of the test images and both model files, then hid", async () => {
    const files = async (dir: string): Promise<string[]> =>
      (await readdir(dir, { withFileTypes: true })).flatMap((d) => (d.isDirectory() ? [] : [join(dir, d.name)]));
    const data = join(distDir, "_file", "data");
    const all = [...(await files(data)), ...(await files(join(data, "models")))];
    const size = async (re: RegExp) => (await stat(all.find((f) => re.test(f))!)).size;
    const expected =
      (await size(/mnist-test\.[0-9a-f]+\.evalset$/)) +
      (await size(/reference-inn\.[0-9a-f]+\.model$/)) +
      (await size(/[/]reference\.[0-9a-f]+\.model$/));
    const bar = await page.evaluate(() => {
      const p = document.querySelector<HTMLProgressElement>("[data-testid=live-progress]")!;
      return { max: p.max, value: p.value, hidden: p.closest<HTMLElement>(".live-loading")!.hidden };
    });
    assert.deepEqual(bar, { max: expected, value: expected, hidden: true });
    assert.ok(expected > 7e6, `${expected} bytes`);
  });

  it("the digit pad shows both nets' predictions at the current sizes, as Node computes them, and follows the sliders", async () => {
    const digit = await page.evaluate(() => (window as never as { __liveModel: Api }).__liveModel.testDigit(0));
    const image = paintedDigit(digit.pixels);
    await page.evaluate((p) => (window as never as { __liveModel: Api }).__liveModel.drawDigit(p), digit.pixels);
    for (const sizes of [
      { conv1: 16, conv2: 32, conv3: 64 },
      { conv1: 4, conv2: 8, conv3: 12 },
    ]) {
      await setSizes(page, sizes);
      await finalAccuracy(page, "live-acc-inn", "inn");
      const node = await nodeProbabilities(image, sizes);
      for (const tag of ["inn", "l1"] as const) {
        const shown = await shownDigit(page, tag);
        const best = node[tag].indexOf(Math.max(...node[tag]));
        assert.equal(shown.predicted, best, `${tag} at ${JSON.stringify(sizes)}: predicted class`);
        assert.ok(
          Math.abs(shown.percent - 100 * node[tag][best]) <= 0.051,
          `${tag} at ${JSON.stringify(sizes)}: ${shown.percent}% shown, Node ${100 * node[tag][best]}%`,
        );
      }
      if (sizes.conv1 === 16) assert.equal((await shownDigit(page, "inn")).predicted, digit.label);
    }
  });

  it("each method has methodStyle's colour on the cards, the chart's lines, labels and dots, and the digit pad", async () => {
    for (const [tag, method] of [
      ["inn", "inn-scratch"],
      ["l1", "discrete-l1"],
    ] as const) {
      const color = methodStyle(method).color;
      const seen = await page.evaluate(
        ([t, m]) => {
          const card = document.querySelector<HTMLElement>(`.live-card[data-method="${m}"]`)!;
          const line = document.querySelector(`[data-testid=live-curve] g[data-method="${m}"]`);
          const label = document.querySelector(`[data-testid=live-curve] text[data-method="${m}"]`);
          const dot = document.querySelector(`[data-testid=live-curve] circle[data-point="${t}"]`);
          return {
            card: getComputedStyle(card).borderTopColor,
            name: getComputedStyle(card.querySelector(".live-card-name .live-swatch")!).backgroundColor,
            line: line?.getAttribute("stroke"),
            label: label?.getAttribute("fill"),
            dot: dot?.getAttribute("fill"),
          };
        },
        [tag, method] as const,
      );
      assert.deepEqual(
        seen,
        { card: rgb(color), name: rgb(color), line: color, label: color, dot: color },
        `${method}: ${JSON.stringify(seen)}`,
      );
      assert.equal((await shownDigit(page, tag)).color, rgb(color), `${method} on the digit pad`);
    }
  });

  it("direct labels of the chart never overlap, and the figures have aria descriptions", async () => {
    const labels = await page.evaluate(() =>
      Array.from(document.querySelectorAll("[data-testid=live-curve] .live-labels text"), (t) => {
        const r = t.getBoundingClientRect();
        return { top: r.top, bottom: r.bottom, text: t.textContent };
      }),
    );
    assert.ok(labels.length >= 3, `${labels.length} labels`);
    const sorted = labels.slice().sort((a, b) => a.top - b.top);
    for (let i = 1; i < sorted.length; i++)
      assert.ok(sorted[i].top >= sorted[i - 1].bottom - 0.5, `${sorted[i - 1].text} and ${sorted[i].text} overlap`);
    const aria = await page.evaluate(() => ({
      chart: document.querySelector("[data-testid=live-curve] svg")?.getAttribute("aria-description") ?? "",
      canvas: document.querySelector("[data-testid=live-draw-canvas]")?.getAttribute("aria-label") ?? "",
    }));
    assert.match(
      aria.chart,
      /Live nets at \d+(\.\d)?% parameter compression: INN \(random sizes\) \d+\.\d%; L1 pruning/,
    );
    assert.match(aria.canvas, /draw a digit/i);
  });

  it("nothing scrolls sideways at 390×844, and the screen stacks: cards, controls, chart, digit pad", async () => {
    const narrow = await openLivePage(suite.browser.context, suite.server.origin);
    try {
      await narrow.page.setViewportSize({ width: 390, height: 844 });
      await finalAccuracy(narrow.page, "live-acc-inn", "inn");
      const m = await measureLivePage(narrow.page);
      process.stderr.write(`[live-layout] 390×844: ${JSON.stringify(m)}\n`);
      assert.ok(m.scrollWidth <= 390, `the page is ${m.scrollWidth} px wide`);
      assert.ok(m.widest.right <= 390, `widest element: ${JSON.stringify(m.widest)}`);
      assert.ok(m.resultsTop < m.controlsTop && m.chartBottom < m.digitBottom, "stacked in reading order");
      assert.ok(m.controlsToResults <= 250, `the cards are ${m.controlsToResults} px above the sliders`);
      await screenshot(narrow.page, "live-model-390");
      assert.deepEqual([narrow.pageErrors, narrow.consoleErrors], [[], []]);
    } finally {
      await narrow.page.close();
    }
  });

  it("dark mode: light text on a dark page, the chart's too, at both widths, with no error", async () => {
    for (const [width, height] of [
      [1280, 800],
      [390, 844],
    ]) {
      const dark = await openLivePage(suite.browser.context, suite.server.origin);
      try {
        await dark.page.emulateMedia({ colorScheme: "dark" });
        await dark.page.setViewportSize({ width, height });
        await dark.page.reload({ waitUntil: "load" });
        await dark.page.waitForSelector("[data-testid=live-status][data-state=ready]", { timeout: 120_000 });
        await finalAccuracy(dark.page, "live-acc-inn", "inn");
        const colours = await dark.page.evaluate(() => ({
          background: getComputedStyle(document.body).backgroundColor,
          text: getComputedStyle(document.querySelector(".live-card-figure")!).color,
          chart: getComputedStyle(document.querySelector("[data-testid=live-curve] svg")!).color,
        }));
        assert.ok(luminance(colours.background) < 0.3, `background ${colours.background}`);
        assert.ok(luminance(colours.text) > 0.6, `card text ${colours.text}`);
        assert.ok(luminance(colours.chart) > 0.6, `chart text ${colours.chart}`);
        await screenshot(dark.page, `live-model-dark-${width}`);
        assert.deepEqual([dark.pageErrors, dark.consoleErrors, dark.foreignRequests], [[], [], []]);
      } finally {
        await dark.page.close();
      }
    }
  });

  it("made no request outside the origin and logged no errors", () => {
    assert.deepEqual(suite.watched.foreignRequests, []);
    assert.deepEqual(suite.watched.pageErrors, []);
    assert.deepEqual(suite.watched.consoleErrors, []);
  });
});
