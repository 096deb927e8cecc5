/**
 * End-to-end check of the quadrature page's trained section, in Debian's chromium against the built site:
 * choosing "slice of a trained weight function" changes what is drawn (f at the nodes), the convergence
 * table fits a finite trapezoid order on the slice, the layer and x_out controls change the slice and live
 * in the URL, a shared link restores them, and the page has no page/console errors. A build without
 * data/models/reference-inn.model must show its note instead of the slice.
 *
 * The grid-tuned partition: the points drawn are the ones the built data/curves.json publishes for the
 * chosen group and size (non-uniform), the rule's weights follow them, the choice lives in the URL, and the
 * trapezoid rule fits an order near 2 over the learned partitions. A build whose curves lack learned
 * partitions must say so.
 *
 * The site is built once (INTEGRAL_LAB_PROFILE=quick); E2E_REUSE_DIST=1 reuses an existing dist/.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Page } from "./browser.js";
import { distDir } from "./build-site.js";
import { assertClean, attr, changed, control, serveBuiltSite, screenshot } from "./page-helpers.js";
import { checkCurvesFile } from "../../src/lib/views/curves.js";
import { learnedPartitions, type LearnedPartition } from "../../src/lib/views/learned-partitions.js";
import { trapezoidWeights } from "../../src/lib/math/quadrature.js";

async function trapezoidOrder(page: Page): Promise<string | null> {
  return attr(page, '[data-testid="convergence-orders"] tr[data-rule="trapezoid"]', "data-order");
}

/** Does the built site carry the trained integral net? */
function trainedModelBuilt(): boolean {
  const dir = join(distDir, "_file", "data", "models");
  return existsSync(dir) && readdirSync(dir).some((f) => /^reference-inn\.[0-9a-f]+\.model$/.test(f));
}

/** The learned partitions of the built data/curves.json (empty when the build has none). */
function builtLearnedPartitions(): LearnedPartition[] {
  const dir = join(distDir, "_file", "data");
  const file = existsSync(dir) ? readdirSync(dir).find((f) => /^curves\.[0-9a-f]+\.json$/.test(f)) : undefined;
  return file ? learnedPartitions(checkCurvesFile(JSON.parse(readFileSync(join(dir, file), "utf8")), file)) : [];
}

describe("quadrature: trained weight-function slice", { timeout: 15 * 60_000 }, () => {
  const site = serveBuiltSite();

  /** Open a shared link in a fresh page, run `check` on it, and assert it loaded cleanly. */
  async function reopenShared(shared: URL, ready: string, check: (again: Page) => Promise<void>): Promise<void> {
    const path = shared.pathname + shared.search;
    const again = await site.open(path, ready);
    try {
      await check(again.page);
      await assertClean(again, path);
    } finally {
      await again.page.close();
    }
  }

  it("the trained slice changes the drawing, has a finite trapezoid order, and its controls live in the URL", async () => {
    const path = "/quadrature";
    const watched = await site.open(path, '[data-testid="convergence-orders"]');
    const { page } = watched;
    const plot = '[data-testid="quadrature-plot"]';
    try {
      // The learned-partition section draws the published partition, or says there is none.
      const learnedId = builtLearnedPartitions().length ? "learned-partition-info" : "learned-partition-missing";
      assert.ok(await page.locator(`[data-testid="${learnedId}"]`).isVisible(), `${learnedId} visible`);
      const expValues = await attr(page, plot, "data-values");
      await control(page, "Function f").locator("select").selectOption({ label: "slice of a trained weight function" });
      if (!trainedModelBuilt()) {
        await page.waitForSelector('[data-testid="trained-slice-missing"]');
        await assertClean(watched, path);
        return;
      }
      const sliceValues = await changed(page, plot, "data-values", expValues);
      const values = sliceValues!.split(",").map(Number);
      assert.equal(values.length, 7);
      assert.ok(values.every(Number.isFinite), `slice values ${sliceValues}`);
      assert.equal(await attr(page, '[data-testid="quadrature-result"]', "data-function"), "trained-slice");
      await page.waitForSelector('[data-testid="trained-slice-info"][data-layer="conv2"]');
      const order = Number(await trapezoidOrder(page));
      assert.ok(
        (await trapezoidOrder(page)) !== "" && Number.isFinite(order) && order > 0,
        `trapezoid order on the slice: ${await trapezoidOrder(page)}`,
      );

      // Another layer: another function (and the info line follows).
      await page.locator('form label:text-is("conv3")').click();
      await page.waitForSelector('[data-testid="trained-slice-info"][data-layer="conv3"]');
      const conv3Values = await changed(page, plot, "data-values", sliceValues);
      // Another x_out: another slice of the same layer.
      const box = control(page, "Trained slice: x_out").locator('input[type="number"]');
      await box.fill("0.5");
      await box.press("Enter");
      await changed(page, plot, "data-values", conv3Values);
      await page.waitForFunction(
        () =>
          /f=trained-slice/.test(location.search) &&
          /layer=conv3/.test(location.search) &&
          /xout=0\.5/.test(location.search),
      );
      const shared = new URL(page.url());
      await screenshot(page, "quadrature-trained");
      await assertClean(watched, path);

      // The shared link restores the same slice.
      await reopenShared(shared, '[data-testid="trained-slice-info"]', async (again) => {
        assert.equal(await attr(again, '[data-testid="trained-slice-info"]', "data-layer"), "conv3");
        assert.equal(await control(again, "Trained slice: x_out").locator('input[type="number"]').inputValue(), "0.5");
        assert.equal(await attr(again, plot, "data-values"), await attr(page, plot, "data-values"));
      });
    } finally {
      await page.close();
    }
  });

  it("the grid-tuned partition draws the learned, non-uniform points of the data; its choice lives in the URL", async () => {
    const path = "/quadrature";
    const learned = builtLearnedPartitions();
    const watched = await site.open(path, '[data-testid="convergence-orders"]');
    const { page } = watched;
    const plot = '[data-testid="quadrature-plot"]';
    const strip = '[data-testid="learned-partition"]';
    try {
      const uniformValues = await attr(page, plot, "data-values");
      await control(page, "Partition").locator("label", { hasText: "grid-tuned" }).locator("input").check();
      if (learned.length === 0) {
        await page.waitForSelector('.warning[data-testid="learned-partition-missing"]');
        await assertClean(watched, path);
        return;
      }
      // Default: conv2 at the size nearest half its channels.
      const conv2 = learned
        .filter((p) => p.group === "conv2")
        .sort((a, b) => Math.abs(a.fraction - 0.5) - Math.abs(b.fraction - 0.5))[0]!;
      await changed(page, plot, "data-values", uniformValues);
      assert.equal(await attr(page, strip, "data-group"), "conv2");
      assert.equal(Number(await attr(page, plot, "data-points")), conv2.size);
      assert.equal(await attr(page, strip, "data-points"), Array.from(conv2.points, (x) => x.toPrecision(8)).join(","));
      assert.equal(await attr(page, strip, "data-seed"), String(conv2.seed));
      // The trapezoid weights drawn are those of the learned points, and they are not uniform.
      const weights = (await attr(page, '[data-testid="quadrature-weights"]', "data-weights"))!.split(",").map(Number);
      const expected = trapezoidWeights(conv2.points);
      assert.equal(weights.length, expected.length);
      weights.forEach((q, i) => assert.ok(Math.abs(q - expected[i]!) < 1e-6, `q${i} = ${q}, expected ${expected[i]}`));
      const interior = weights.slice(1, -1);
      assert.ok(
        Math.max(...interior) / Math.min(...interior) > 1.01,
        `learned interior weights vary: ${interior.join(", ")}`,
      );
      assert.ok(
        Number(await attr(page, strip, "data-max-shift")) > 1e-3,
        "the learned points moved off the uniform grid",
      );
      // Over the learned partitions of conv2, the trapezoid rule on exp is still about second order.
      const order = Number(await trapezoidOrder(page));
      assert.ok(Math.abs(order - 2) < 0.3, `trapezoid order on learned partitions: ${order}`);

      // Another group and size: conv3 at full size.
      const conv3 = learned.find((p) => p.group === "conv3" && p.size === p.fullSize)!;
      await control(page, "Grid-tuned partition")
        .locator("select")
        .selectOption({ index: learned.indexOf(conv3) });
      assert.equal(await changed(page, strip, "data-group", "conv2"), "conv3");
      assert.equal(Number(await attr(page, plot, "data-points")), conv3.size);
      assert.equal(await attr(page, strip, "data-points"), Array.from(conv3.points, (x) => x.toPrecision(8)).join(","));
      await page.waitForFunction(
        (id) =>
          /partition=grid-tuned/.test(location.search) && new URLSearchParams(location.search).get("tuned") === id,
        conv3.id,
      );
      await screenshot(page, "quadrature-grid-tuned");
      await assertClean(watched, path);

      const shared = new URL(page.url());
      await reopenShared(shared, strip, async (again) => {
        assert.equal(await attr(again, strip, "data-group"), "conv3");
        assert.equal(await attr(again, plot, "data-values"), await attr(page, plot, "data-values"));
      });
    } finally {
      await page.close();
    }
  });
});
