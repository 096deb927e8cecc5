/**
 * End-to-end check of the quadrature page's trained section, in Debian's chromium against the built site:
 * choosing "slice of a trained weight function" changes what is drawn (f at the nodes), the convergence
 * table fits a finite trapezoid order on the slice, the layer and x_out controls change the slice and live
 * in the URL, a shared link restores them, and the page has no page/console errors. The learned partition
 * is not yet published by the sweep: the page must say so. A build without data/models/reference-inn.model
 * must show its note instead of the slice.
 *
 * The site is built once (INTEGRAL_LAB_PROFILE=quick); E2E_REUSE_DIST=1 reuses an existing dist/.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Page } from "./browser.js";
import { distDir } from "./build-site.js";
import { assertClean, attr, changed, control, serveBuiltSite, screenshot } from "./page-helpers.js";

async function trapezoidOrder(page: Page): Promise<string | null> {
  return attr(page, '[data-testid="convergence-orders"] tr[data-rule="trapezoid"]', "data-order");
}

/** Does the built site carry the trained integral net? */
function trainedModelBuilt(): boolean {
  const dir = join(distDir, "_file", "data", "models");
  return existsSync(dir) && readdirSync(dir).some((f) => /^reference-inn\.[0-9a-f]+\.model$/.test(f));
}

describe("quadrature: trained weight-function slice", { timeout: 15 * 60_000 }, () => {
  const site = serveBuiltSite();

  it("the trained slice changes the drawing, has a finite trapezoid order, and its controls live in the URL", async () => {
    const path = "/quadrature";
    const watched = await site.open(path, '[data-testid="convergence-orders"]');
    const { page } = watched;
    const plot = '[data-testid="quadrature-plot"]';
    try {
      // No learned partition is published: the page says so rather than drawing one.
      assert.ok(await page.locator('[data-testid="learned-partition-missing"]').isVisible());
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
      assert.ok((await trapezoidOrder(page)) !== "" && Number.isFinite(order) && order > 0, `trapezoid order on the slice: ${await trapezoidOrder(page)}`);

      // Another layer: another function (and the info line follows).
      await page.locator('form label:text-is("conv3")').click();
      await page.waitForSelector('[data-testid="trained-slice-info"][data-layer="conv3"]');
      const conv3Values = await changed(page, plot, "data-values", sliceValues);
      // Another x_out: another slice of the same layer.
      const box = control(page, "Trained slice: x_out").locator('input[type="number"]');
      await box.fill("0.5");
      await box.press("Enter");
      await changed(page, plot, "data-values", conv3Values);
      await page.waitForFunction(() => /f=trained-slice/.test(location.search) && /layer=conv3/.test(location.search) && /xout=0\.5/.test(location.search));
      const shared = new URL(page.url());
      await screenshot(page, "quadrature-trained");
      await assertClean(watched, path);

      // The shared link restores the same slice.
      const again = await site.open(shared.pathname + shared.search, '[data-testid="trained-slice-info"]');
      try {
        assert.equal(await attr(again.page, '[data-testid="trained-slice-info"]', "data-layer"), "conv3");
        assert.equal(await control(again.page, "Trained slice: x_out").locator('input[type="number"]').inputValue(), "0.5");
        assert.equal(await attr(again.page, plot, "data-values"), await attr(page, plot, "data-values"));
        await assertClean(again, shared.pathname + shared.search);
      } finally {
        await again.page.close();
      }
    } finally {
      await page.close();
    }
  });
});
