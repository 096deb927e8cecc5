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
import { tapFrequency, trainedLhcNets } from "../../src/lib/views/lhc-masks.js";
import { curveDips, curvesHeadline } from "../../src/lib/views/curves-summary.js";
import { familySummary } from "../../src/lib/views/family-summary.js";
import { trainedGaps } from "../../src/lib/views/trained-gaps.js";
import { CONTEXT_COLOR, methodStyle } from "../../src/components/style/methods.js";

/** "#2f6fdf" → "rgb(47, 111, 223)", as getComputedStyle reports it. */
function hexToRgb(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `rgb(${r}, ${g}, ${b})`;
}

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
    const graph = '[data-testid="topology-graph"][data-side="right"]';
    const left = '[data-testid="topology-graph"][data-side="left"]';
    try {
      assert.ok(await page.locator('[data-testid="reconstruction-note"]').isVisible());
      assert.equal(await attr(page, graph, "data-name"), "resnet18-sinn");
      assert.equal(await attr(page, left, "data-name"), "resnet18-discrete");
      // Side by side at desktop width.
      const [l, r] = [await page.locator(left).boundingBox(), await page.locator(graph).boundingBox()];
      assert.ok(l && r && r.x > l.x + l.width - 1 && Math.abs(r.y - l.y) < 40, "the two graphs sit side by side");
      // Linked hover: a SINN depth-wise conv lights up the discrete conv it replaces.
      const dw = page.locator(`${graph} g[data-kind="depthwise-conv2d"]`).first();
      const key = (await dw.getAttribute("data-link"))!;
      await dw.hover();
      const lit = await page
        .locator(`${left} g[data-highlighted]`)
        .evaluateAll((gs) => gs.map((g) => g.getAttribute("data-link")));
      assert.deepEqual(lit, [key], `discrete boxes lit for ${key}`);
      assert.equal(await page.locator(`${left} g[data-link="${key}"]`).getAttribute("data-kind"), "conv2d");
      await page.mouse.move(0, 0);
      assert.equal(await page.locator(`${left} g[data-highlighted]`).count(), 0);
      // Shortcut edges run in a lane right of every box they pass, so they cross no label.
      const crossings = await page.locator(graph).evaluate((fig) => {
        const boxes = [...fig.querySelectorAll("g[data-box]")].map((g) => g.getBoundingClientRect());
        return [...fig.querySelectorAll("path[data-shortcut]")].flatMap((p) => {
          const e = p.getBoundingClientRect();
          // The vertical run is the path's right edge.
          return boxes.filter(
            (b) => b.left < e.right - 1 && b.right > e.right - 1 && b.top < e.bottom && b.bottom > e.top,
          ).length
            ? [p.getAttribute("data-to")]
            : [];
        });
      });
      assert.deepEqual(crossings, []);
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
      const tip = page.locator(`${graph} [data-testid="topology-tooltip"]`);
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
      assert.equal(await attr(page, left, "data-collapsed"), "block1", "both graphs collapse together");
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
      assert.equal(
        await attr(watched.page, '[data-testid="topology-graph"][data-side="right"]', "data-name"),
        "resnet18-sinn",
      );
      await assertClean(watched, "/sib-topologies (bad URL)");
    } finally {
      await watched.page.close();
    }
  });
  it("curves: headline cards equal the built curves; the legend toggles a line and the URL; hover brings a method forward in its methodStyle colour; axis, zoom, panels, table, dips; no Plotly", async () => {
    const path = "/curves";
    const curves = builtCurves();
    const watched = await site.open(path, '[data-testid="curves-chart"], [data-testid="curves-missing"]');
    const { page } = watched;
    try {
      if (!curves) {
        assert.match(
          (await page.locator('[data-testid="curves-missing"]').textContent()) ?? "",
          /not part of this build/,
        );
        await assertClean(watched, path);
        return;
      }
      const chart = '[data-testid="curves-chart"]';
      const legend = '[data-testid="curves-legend"]';
      // The chart is on the first screen at 1280×800: its plot starts at least 200 px above the fold.
      await page.setViewportSize({ width: 1280, height: 800 });
      const plotTop = await page.locator(chart).evaluate((f) => {
        const plots = [...f.querySelectorAll("svg")].sort(
          (a, b) => b.getBoundingClientRect().height - a.getBoundingClientRect().height,
        );
        return plots[0]!.getBoundingClientRect().top + window.scrollY;
      });
      assert.ok(plotTop < 600, `the curves plot starts ${Math.round(plotTop)} px down`);
      // The headline: every card's number is the built file's, read through the same view-model.
      const headline = curvesHeadline(curves, "reference", "params")!;
      const full = page.locator('[data-testid="curves-headline"] [data-kind="full"]');
      assert.equal(Number(await full.getAttribute("data-inn")), headline.full.inn);
      assert.equal(Number(await full.getAttribute("data-discrete")), headline.full.discrete);
      assert.match((await full.textContent()) ?? "", new RegExp(`${(100 * headline.full.inn!).toFixed(1)}%`));
      for (const at of headline.at) {
        const card = page.locator(`[data-testid="curves-headline"] [data-compression="${at.compression}"]`);
        assert.equal(Number(await card.getAttribute("data-inn")), at.inn);
        assert.equal(Number(await card.getAttribute("data-l1")), at.l1);
      }
      assert.equal(
        Number(await attr(page, '[data-testid="curves-headline"] [data-kind="seeds"]', "data-seeds")),
        Math.max(
          ...["inn-scratch", "discrete-l1"].map(
            (id) => curves.families[0]!.methods.find((m) => m.id === id)?.seeds.length ?? 0,
          ),
        ),
      );

      // One colour per method, the same as methodStyle: on the legend swatch and on the headline lines.
      for (const button of await page.locator(`${legend} button[data-method]`).all()) {
        const id = (await button.getAttribute("data-method"))!;
        assert.equal(await button.locator("svg").getAttribute("fill"), methodStyle(id).color, `${id} swatch`);
      }
      for (const id of ["inn-scratch", "discrete-l1", "discrete-random"]) {
        const stroke = await page.locator(`${chart} g[data-method="${id}"][stroke]`).first().getAttribute("stroke");
        assert.equal(stroke, methodStyle(id).color, `${id} line`);
      }
      // Context methods are grey at rest and their own colour when their legend entry is hovered.
      const context = "converted";
      const line = page.locator(`${chart} g[data-method="${context}"][stroke]`).first();
      assert.equal(await line.getAttribute("stroke"), CONTEXT_COLOR);
      await page.locator(`${legend} button[data-method="${context}"]`).hover();
      await page.waitForFunction(
        (m) => document.querySelector('[data-testid="curves-chart"] svg[data-focus]')?.getAttribute("data-focus") === m,
        context,
      );
      const hovered = await line.evaluate((g) => getComputedStyle(g).stroke);
      assert.equal(hovered, hexToRgb(methodStyle(context).color), "hovered context line takes its colour");
      await page.mouse.move(0, 0);

      // The legend is the switch: turn random pruning off; it leaves the chart, the table and the URL records it.
      assert.equal(await attr(page, chart, "data-axis"), "params");
      const methods = (await attr(page, chart, "data-methods"))!.split(",");
      assert.ok(methods.includes("discrete-random"), `methods drawn: ${methods.join(", ")}`);
      const points = Number(await attr(page, chart, "data-points"));
      const rows = Number(await attr(page, '[data-testid="curves-table"]', "data-rows"));
      const random = page.locator(`${legend} button[data-method="discrete-random"]`);
      assert.equal(await random.getAttribute("aria-pressed"), "true");
      await random.click();
      const filtered = (await changed(page, chart, "data-methods", methods.join(",")))!.split(",");
      assert.deepEqual(
        filtered,
        methods.filter((m) => m !== "discrete-random"),
      );
      assert.ok(Number(await attr(page, chart, "data-points")) < points);
      assert.ok(Number(await attr(page, '[data-testid="curves-table"]', "data-rows")) < rows);
      assert.equal(await page.locator(`${chart} g[data-method="discrete-random"]`).count(), 0);
      assert.equal(
        await page.locator(`${legend} button[data-method="discrete-random"]`).getAttribute("aria-pressed"),
        "false",
      );
      await page.waitForFunction(() => new URLSearchParams(location.search).get("hide") === "discrete-random");

      // Axis and zoom: FLOPs move every point; the 0–100 zoom starts the axis at 0.
      const xs = await attr(page, chart, "data-xs");
      await control(page, "Compression of").locator('input[value="1"]').check();
      assert.equal(await changed(page, chart, "data-axis", "params"), "flops");
      assert.notEqual(await attr(page, chart, "data-xs"), xs);
      assert.equal(await attr(page, chart, "data-y-lower"), "0.8");
      await control(page, "Accuracy axis").getByRole("radio", { name: "0–100%", exact: true }).check();
      assert.equal(await changed(page, chart, "data-y-lower", "0.8"), "0");
      await page.waitForFunction(() => /axis=flops/.test(location.search) && /y=full/.test(location.search));

      // A shared link restores the filtered, zoomed view; the legend switch survives another family.
      const shared = new URL(page.url());
      const restored = await site.open(shared.pathname + shared.search, chart);
      try {
        assert.equal(await attr(restored.page, chart, "data-methods"), await attr(page, chart, "data-methods"));
        assert.equal(await attr(restored.page, chart, "data-axis"), "flops");
        assert.equal(await attr(restored.page, chart, "data-y-lower"), "0");
        await control(restored.page, "Family").locator("select").selectOption({ label: "all families" });
        await restored.page.waitForFunction(() => location.search.includes("family=all"));
        assert.ok(!(await attr(restored.page, chart, "data-methods"))!.split(",").includes("discrete-random"));
        await assertClean(restored, shared.pathname + shared.search);
      } finally {
        await restored.page.close();
      }

      // Small multiples: every drawn method is in exactly one panel; the trained nets are in theirs.
      const panels = await page
        .locator('[data-testid="curves-panels"] figure[data-panel]')
        .evaluateAll((fs) =>
          fs.map((f) => ({ panel: f.getAttribute("data-panel"), methods: f.getAttribute("data-methods")!.split(",") })),
        );
      const inPanels = panels.flatMap((p) => p.methods).sort();
      assert.deepEqual(inPanels, [...new Set((await attr(page, chart, "data-methods"))!.split(","))].sort());
      const trained = curves.families[0]!.methods.filter((m) => m.kind === "trained").map((m) => m.id);
      if (trained.length)
        assert.deepEqual(panels.find((p) => p.panel === "trained")?.methods.sort(), [...trained].sort());

      // The dips: one sentence for each headline curve the data shows rising as the network shrinks.
      const dips = curveDips(curves, "reference").filter((d) => methodStyle(d.method).headline);
      const expected = new Set(dips.map((d) => d.method)).size;
      assert.equal(Number(await attr(page, '[data-testid="curves-dips"]', "data-count")), expected);
      // The trained nets against the dense one: one sentence naming each, with its gap.
      const gaps = trainedGaps(curves, "reference");
      assert.equal(Number(await attr(page, '[data-testid="trained-gaps"]', "data-count")), gaps.length);
      const gapText = (await page.locator('[data-testid="trained-gaps"]').textContent()) ?? "";
      for (const g of gaps)
        assert.ok(gapText.includes(`${(100 * g.gap!).toFixed(1)} points`), `${g.method} gap in "${gapText}"`);
      // The SIB families' table: one row per family with a SINN, its ratios those of the built curves.
      const summary = familySummary(curves);
      const familyRows = await page.locator('[data-testid="family-table"] tbody tr').evaluateAll((trs) =>
        trs.map((tr) => ({
          family: tr.getAttribute("data-family"),
          cells: [...tr.children].map((c) => c.textContent),
        })),
      );
      assert.deepEqual(
        familyRows.map((r) => r.family),
        summary.map((r) => r.family),
      );
      for (const [i, r] of summary.entries())
        assert.deepEqual(familyRows[i]!.cells.slice(5), [r.paramsRatio!.toFixed(2), r.flopsRatio!.toFixed(2)]);
      // Nothing in the table is cut off.
      const truncated = await page
        .locator('[data-testid="curves-table"] td')
        .evaluateAll((tds) => tds.filter((td) => td.scrollWidth > td.clientWidth + 1).map((td) => td.textContent));
      assert.deepEqual(truncated, []);
      await screenshot(page, "curves");
      assert.deepEqual(plotlyRequests(watched), []);
      await assertClean(watched, path);
    } finally {
      await page.close();
    }
  });

  it("kernel shapes, trained LHC: the masks of the built curves layer by layer: the trained mask alone, the tap-count bars and the tap-frequency map; URL round-trips", async () => {
    const path = "/kernel-shapes";
    const curves = builtCurves();
    const nets = curves ? trainedLhcNets(curves) : [];
    const watched = await site.open(path, '[data-testid="lhc-trained"], [data-testid="trained-lhc-missing"]');
    const { page } = watched;
    const summary = '[data-testid="lhc-trained"]';
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
        // Only the trained mask is drawn (no full-height grid of a dense layer beside it).
        assert.equal(await p.locator('[data-testid="mask-matrix"][data-kind="lhc-trained"]').count(), 1);
        const masked = p.locator('[data-testid="mask-matrix"][data-kind="lhc-trained"]');
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
        // The tap-frequency map: each tap's share of kernels, which over all taps adds up to the kept weights.
        const frequency = (await attr(p, histogram, "data-tap-frequency"))!.split(",").map(Number);
        assert.equal(frequency.length, layer.kernelSize ** 2);
        const kept = frequency.reduce((a, f) => a + f, 0) * layer.inChannels * layer.outChannels;
        assert.ok(
          Math.abs(kept - layer.keptWeights) < 0.05, // shares are published to six decimals
          `tap shares give ${kept} kept weights, not ${layer.keptWeights}`,
        );
        assert.deepEqual(
          frequency,
          Array.from(tapFrequency(layer), (f) => Number(f.toFixed(6))),
        );
        assert.equal(await p.locator(`${histogram} [data-tap]`).count(), layer.kernelSize ** 2);
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
        // The 2-opt passes from the trained order: TV falls with every pass, from the trained order's TV.
        const passes = '[data-testid="two-opt-passes"]';
        await page.waitForFunction(() =>
          document.querySelector('[data-testid="two-opt-passes"]')?.getAttribute("data-tv"),
        );
        const tvs = (await attr(page, passes, "data-tv"))!.split(",").map(Number);
        assert.ok(tvs.length >= 2, `${tvs.length - 1} passes`);
        assert.ok(
          Math.abs(tvs[0]! - Number(await attr(page, tv, "data-before"))) < 1e-5,
          "pass 0 is the trained order",
        );
        for (let k = 1; k < tvs.length; k++) assert.ok(tvs[k]! < tvs[k - 1]!, `pass ${k} lowers TV: ${tvs.join(", ")}`);
        // Play runs through the passes: the drawn pass starts over and advances.
        await page.locator("button", { hasText: "Play the passes" }).click();
        await page.waitForFunction(
          () => document.querySelector('[data-kind="distance-pass"]')?.getAttribute("data-pass") === "1",
          undefined,
          { timeout: 10_000 },
        );
        // One weight entry against channel position, before and after.
        const entry = '[data-testid="weight-entry-chart"]';
        assert.ok(Number(await attr(page, entry, "data-steps-after")) >= 0);
        const shown = await attr(page, entry, "data-entry");
        await setRange(page, "Filter entry", 0);
        assert.equal(await changed(page, entry, "data-entry", shown), "0");
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
        // The m slider beside the maps is the drag chart's m: moving it moves both.
        const m = page.locator('[data-testid="trained-controls"] input[type="number"]');
        await m.fill("7");
        await m.press("Enter");
        assert.equal(await changed(page, '[data-testid="node-editor"]', "data-m", "12"), "7");
        assert.equal(await attr(page, '[data-kind="trained-function"]', "data-m"), "7");
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
