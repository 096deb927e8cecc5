/**
 * End-to-end checks of the explorer pages that draw plans, sweep results and trained models (SIB
 * topologies, curves, permutation, the trained-layer sections of weight functions and quadrature), in
 * Debian's chromium against the built site: each page loads offline without page/console errors or
 * requests outside the origin; moving its main control changes what is drawn (asserted on the data
 * attributes the components expose); URL state round-trips; a bad URL value is fixed with a note rather
 * than a crash; Plotly is never requested unless a 3-D surface is on show; screenshots go to
 * test-results/.
 *
 * Pages whose data (src/data/curves.json, src/data/models/*.model) is absent from the build must say so;
 * the tests then check that note instead of the figures.
 *
 * The site is built once (INTEGRAL_LAB_PROFILE=quick); E2E_REUSE_DIST=1 reuses an existing dist/.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  assertClean,
  attr,
  changed,
  control,
  serveBuiltSite,
  screenshot,
  setRange,
  type ReadyPage,
} from "./page-helpers.js";
import { distDir } from "./build-site.js";
import { checkCurvesFile, type CurvesData } from "../../src/lib/views/curves.js";
import { trainedLhcNets } from "../../src/lib/views/lhc-masks.js";

/** The built data/curves.json, checked (null when the build has none). */
function builtCurves(): CurvesData | null {
  const dir = join(distDir, "_file", "data");
  const file = existsSync(dir) ? readdirSync(dir).find((f) => /^curves\.[0-9a-f]+\.json$/.test(f)) : undefined;
  return file ? checkCurvesFile(JSON.parse(readFileSync(join(dir, file), "utf8")), file) : null;
}

/** Plotly downloads the page made (any origin), to check it is fetched only for a 3-D surface. */
function plotlyRequests(watched: ReadyPage): string[] {
  return watched.requested.filter((u) => /plotly/i.test(u));
}

describe("explorer pages (plans, sweep results, trained models)", { timeout: 15 * 60_000 }, () => {
  const site = serveBuiltSite();

  it("SIB topologies: width, family and block collapse change the graph; hover shows details; URL round-trips", async () => {
    const path = "/sib-topologies";
    const watched = await site.open(path, '[data-testid="topology-graph"]');
    const { page } = watched;
    const graph = '[data-testid="topology-graph"]';
    try {
      assert.ok(await page.locator('[data-testid="reconstruction-note"]').isVisible());
      assert.equal(await attr(page, graph, "data-name"), "resnet18-sinn");
      const params = await attr(page, graph, "data-params");
      const flops = await attr(page, graph, "data-flops");
      // Width: fewer channels, fewer parameters and FLOPs, in the graph and in the table.
      await setRange(page, "Width", 0.5);
      const half = Number(await changed(page, graph, "data-params", params));
      assert.ok(half < Number(params) * 0.5, `params at 50% ${half} vs full ${params}`);
      assert.ok(Number(await attr(page, graph, "data-flops")) < Number(flops));
      const row = '[data-testid="accounting-table"] tr[data-family="resnet18"][data-variant="sinn"]';
      assert.equal(
        Number(await attr(page, row, "data-reduced-params")),
        half,
        "table row equals the graph at the same width",
      );

      // Hover and keyboard focus show the node's details.
      const box = page.locator(`${graph} g[data-kind="pointwise-conv2d"]`).first();
      await box.hover();
      const tip = page.locator('[data-testid="topology-tooltip"]');
      await tip.waitFor({ state: "visible" });
      assert.match((await tip.textContent()) ?? "", /params [\d,]+ · FLOPs [\d,]+/);
      const boxParams = await box.getAttribute("data-params");
      assert.match((await tip.textContent()) ?? "", new RegExp(`params ${Number(boxParams).toLocaleString("en-US")}`));
      await page.mouse.move(0, 0);
      await page.locator(`${graph} g[data-kind="depthwise-conv2d"]`).first().focus();
      await tip.waitFor({ state: "visible" });
      assert.match((await tip.textContent()) ?? "", /depthwise-conv2d/);

      // Collapse a block by keyboard, then expand it by click.
      const boxes = await attr(page, graph, "data-boxes");
      await page.locator(`${graph} [data-toggle-block="block1"]`).first().focus();
      await page.keyboard.press("Enter");
      assert.equal(await changed(page, graph, "data-collapsed", ""), "block1");
      assert.ok(Number(await attr(page, graph, "data-boxes")) < Number(boxes));
      await page.locator(`${graph} g[data-box="block:block1"]`).click();
      assert.equal(await changed(page, graph, "data-collapsed", "block1"), "");

      // Family changes the drawing.
      await control(page, "Family").locator("select").selectOption({ label: "Inception" });
      assert.equal(await changed(page, graph, "data-name", "resnet18-sinn"), "inception-sinn");
      await page.waitForFunction(
        () => location.search.includes("family=inception") && location.search.includes("width=0.5"),
      );
      await screenshot(page, "sib-topologies");

      // Round trip: the URL reproduces the view.
      const url = page.url();
      const again = await site.open(new URL(url).pathname + new URL(url).search, graph);
      assert.equal(await attr(again.page, graph, "data-name"), "inception-sinn");
      assert.equal(await attr(again.page, graph, "data-params"), await attr(page, graph, "data-params"));
      await assertClean(again, path);
      await again.page.close();
      assert.deepEqual(plotlyRequests(watched), []);
      await assertClean(watched, path);
    } finally {
      await page.close();
    }
  });

  it("SIB topologies: bad URL values get a note and the page still draws", async () => {
    const watched = await site.open(
      "/sib-topologies?family=alexnet&width=7&variant=",
      '[data-testid="topology-graph"]',
    );
    try {
      const note = watched.page.locator('[data-testid="url-state-note"]');
      assert.ok(await note.isVisible());
      assert.match((await note.textContent()) ?? "", /alexnet.*resnet18/s);
      assert.match((await note.textContent()) ?? "", /width=7 is outside 0.1…1; using 1/);
      assert.equal(await attr(watched.page, '[data-testid="topology-graph"]', "data-name"), "resnet18-sinn");
      await assertClean(watched, "/sib-topologies (bad URL)");
    } finally {
      await watched.page.close();
    }
  });
  it("curves: the axis toggle and the method filter change the chart (or the page says the sweep is missing); both round-trip through the URL; no Plotly", async () => {
    const path = "/curves";
    const watched = await site.open(path, '[data-testid="curves-chart"], [data-testid="curves-missing"]');
    const { page } = watched;
    try {
      if (await page.locator('[data-testid="curves-missing"]').count()) {
        assert.match(
          (await page.locator('[data-testid="curves-missing"]').textContent()) ?? "",
          /not part of this build/,
        );
      } else {
        const chart = '[data-testid="curves-chart"]';
        assert.equal(await attr(page, chart, "data-axis"), "params");
        const xs = await attr(page, chart, "data-xs");
        await control(page, "Compression of").locator('input[value="1"]').check();
        assert.equal(await changed(page, chart, "data-axis", "params"), "flops");
        assert.notEqual(await attr(page, chart, "data-xs"), xs);
        await page.waitForFunction(() => location.search.includes("axis=flops"));
        assert.ok(Number(await attr(page, chart, "data-points")) > 0);
        const again = await site.open(path + "?axis=flops", chart);
        assert.equal(await attr(again.page, chart, "data-axis"), "flops");
        await again.page.close();

        // The method filter: untick one method; it leaves the chart and the URL records it.
        const methods = (await attr(page, chart, "data-methods"))!.split(",");
        assert.ok(methods.includes("discrete-random"), `methods drawn: ${methods.join(", ")}`);
        const points = Number(await attr(page, chart, "data-points"));
        await control(page, "Methods")
          .locator('label:has-text("random channel pruning") input[type="checkbox"]')
          .uncheck();
        const filtered = (await changed(page, chart, "data-methods", methods.join(",")))!.split(",");
        assert.deepEqual(
          filtered,
          methods.filter((m) => m !== "discrete-random"),
        );
        assert.ok(Number(await attr(page, chart, "data-points")) < points);
        await page.waitForFunction(() => new URLSearchParams(location.search).get("hide") === "discrete-random");
        // Another family and back: the filter is kept.
        await control(page, "Family").locator("select").selectOption({ label: "all families" });
        await page.waitForFunction(() => location.search.includes("family=all"));
        assert.ok(
          !(await attr(page, chart, "data-methods"))!.split(",").includes("discrete-random"),
          "still hidden on all families",
        );
        // A shared link restores the filtered view.
        const shared = new URL(page.url());
        const restored = await site.open(shared.pathname + shared.search, chart);
        try {
          assert.equal(await attr(restored.page, chart, "data-methods"), await attr(page, chart, "data-methods"));
          assert.equal(await attr(restored.page, chart, "data-points"), await attr(page, chart, "data-points"));
          assert.equal(await attr(restored.page, chart, "data-axis"), "flops");
          assert.equal(
            await control(restored.page, "Methods")
              .locator('label:has-text("random channel pruning") input[type="checkbox"]')
              .isChecked(),
            false,
          );
          await assertClean(restored, shared.pathname + shared.search);
        } finally {
          await restored.page.close();
        }
      }
      await screenshot(page, "curves");
      assert.deepEqual(plotlyRequests(watched), []);
      await assertClean(watched, path);
    } finally {
      await page.close();
    }
  });

  it("kernel shapes, trained LHC: the masks of the built curves layer by layer, dense versus masked, shape histogram; URL round-trips", async () => {
    const path = "/kernel-shapes";
    const curves = builtCurves();
    const nets = curves ? trainedLhcNets(curves) : [];
    const watched = await site.open(path, '[data-testid="lhc-trained"], [data-testid="trained-lhc-missing"]');
    const { page } = watched;
    const summary = '[data-testid="lhc-trained"]';
    const side = '[data-testid="lhc-dense-vs-masked"]';
    const histogram = '[data-testid="lhc-shape-histogram"]';
    try {
      if (nets.length === 0) {
        assert.match(
          (await page.locator('[data-testid="trained-lhc-missing"]').textContent()) ?? "",
          /no trained LHC masks/,
        );
        await assertClean(watched, path);
        return;
      }
      const check = async (p: typeof page, method: string, layerName: string) => {
        const net = nets.find((n) => n.method === method)!;
        const layer = net.masks.layers.find((l) => l.name === layerName)!;
        assert.equal(await attr(p, summary, "data-method"), method);
        assert.equal(await attr(p, summary, "data-layer"), layerName);
        const [dense, masked] = [
          p.locator(`${side} [data-testid="mask-matrix"]`).nth(0),
          p.locator(`${side} [data-testid="mask-matrix"]`).nth(1),
        ];
        assert.equal(Number(await dense.getAttribute("data-taps")), layer.totalWeights);
        assert.equal(Number(await dense.getAttribute("data-nonzeros")), layer.totalWeights, "dense keeps every tap");
        assert.equal(Number(await masked.getAttribute("data-taps")), layer.totalWeights);
        assert.equal(
          Number(await masked.getAttribute("data-nonzeros")),
          layer.keptWeights,
          "the drawn mask keeps the published number of taps",
        );
        assert.ok(layer.keptWeights < layer.totalWeights, `${method} ${layerName} drops some taps`);
        // The histogram: every kernel counted once, and kernels × taps adds up to the kept weights drawn.
        assert.equal(Number(await attr(p, histogram, "data-kernels")), layer.inChannels * layer.outChannels);
        const tapCounts = (await attr(p, histogram, "data-tap-counts"))!.split(",").map(Number);
        assert.equal(
          tapCounts.reduce((a, c, taps) => a + c * taps, 0),
          Number(await masked.getAttribute("data-nonzeros")),
        );
        assert.equal(Number(await attr(p, histogram, "data-distinct")), layer.shapeHistogram.distinct);
        const row = `[data-testid="lhc-density-table"] tr[data-layer="${layerName}"]`;
        assert.equal(Number(await attr(p, row, "data-weight-density")), layer.weightDensity);
      };
      await check(page, nets[0]!.method, "conv2");
      await control(page, "LHC layer").locator("label", { hasText: "conv3" }).locator("input").check();
      await changed(page, summary, "data-layer", "conv2");
      await check(page, nets[0]!.method, "conv3");
      let method = nets[0]!.method;
      if (nets.length > 1) {
        method = nets[1]!.method;
        await control(page, "Trained LHC net").locator("select").selectOption({ index: 1 });
        await changed(page, summary, "data-method", nets[0]!.method);
        await check(page, method, "conv3");
      }
      await page.waitForFunction(
        (m) =>
          /layer=conv3/.test(location.search) && (m === null || new URLSearchParams(location.search).get("lhc") === m),
        nets.length > 1 ? method : null,
      );
      await screenshot(page, "kernel-shapes-trained");
      await assertClean(watched, path);
      const shared = new URL(page.url());
      const again = await site.open(shared.pathname + shared.search, summary);
      try {
        await check(again.page, method, "conv3");
        await assertClean(again, shared.pathname + shared.search);
      } finally {
        await again.page.close();
      }
    } finally {
      await page.close();
    }
  });

  it("permutation: restarts/layer change the reordering (or the page says the model is missing); bad URL values are fixed", async () => {
    const path = "/permutation?layer=conv9&restarts=-4";
    const watched = await site.open(path, '[data-testid="tv-summary"], [data-testid="permutation-missing"]');
    const { page } = watched;
    try {
      const note = page.locator('[data-testid="url-state-note"]');
      assert.match((await note.textContent()) ?? "", /conv9/);
      assert.match((await note.textContent()) ?? "", /restarts=-4 is outside 0…200; using 0/);
      if (await page.locator('[data-testid="tv-summary"]').count()) {
        const tv = '[data-testid="tv-summary"]';
        const before = Number(await attr(page, tv, "data-before"));
        const after = Number(await attr(page, tv, "data-after"));
        assert.ok(after <= before, `TV after ${after} ≤ before ${before}`);
        const order = await attr(page, tv, "data-order");
        await control(page, "Layer").locator('input[value="2"]').check();
        const conv3 = (await changed(page, tv, "data-order", order))!.split(",");
        assert.equal(new Set(conv3).size, 64, "conv3 has 64 channels, each once in the order");
        await page.waitForFunction(() => location.search.includes("layer=conv3"));
      } else {
        assert.match(
          (await page.locator('[data-testid="permutation-missing"]').textContent()) ?? "",
          /appear once the trained models are built/,
        );
      }
      await screenshot(page, "permutation");
      assert.deepEqual(plotlyRequests(watched), []);
      await assertClean(watched, "/permutation");
    } finally {
      await page.close();
    }
  });

  it("weight functions, trained layers: heat maps per layer; Plotly only when the surface is switched on", async () => {
    const path = "/weight-functions";
    const watched = await site.open(path, '[data-kind="trained-function"], [data-testid="trained-missing"]');
    const { page } = watched;
    try {
      assert.deepEqual(plotlyRequests(watched), [], "Plotly requested without a surface");
      if (await page.locator('[data-kind="trained-nodes"]').count()) {
        assert.equal(await attr(page, '[data-kind="trained-nodes"]', "data-layer"), "conv2");
        await control(page, "Layer").locator('input[value="0"]').check();
        assert.equal(await changed(page, '[data-kind="trained-nodes"]', "data-layer", "conv2"), "conv1");
        await control(page, "3-D surface").locator('input[type="checkbox"]').check();
        await page.waitForSelector('[data-testid="weight-surface"]', { timeout: 60_000 });
        assert.ok(plotlyRequests(watched).length > 0, "the surface should load Plotly");
        await page.waitForFunction(
          () => location.search.includes("surface=on") && location.search.includes("layer=conv1"),
        );
        await screenshot(page, "weight-functions-trained");
      }
      await assertClean(watched, path);
    } finally {
      await page.close();
    }
  });
});
