/**
 * End-to-end checks of the explorer pages that need only the library (weight functions, quadrature,
 * grouped point-wise wiring, kernel shapes), in Debian's chromium against the built site:
 * each page loads offline without errors; moving its main control changes what is drawn (asserted on the
 * data attributes the components expose); the fitted convergence orders of the trapezoid and Simpson rules
 * are ≈ 2 and ≈ 4; URL state round-trips; bad URL values are fixed with a visible note instead of a crash;
 * a screenshot of each page goes to test-results/.
 *
 * The site is built once (INTEGRAL_LAB_PROFILE=quick); E2E_REUSE_DIST=1 reuses an existing dist/.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "./browser.js";
import { assertClean, attr, changed, control, serveBuiltSite, screenshot, setRange } from "./page-helpers.js";

async function orders(page: Page): Promise<Record<string, number | null>> {
  return page.$$eval('[data-testid="convergence-orders"] tr[data-rule]', (rows) =>
    Object.fromEntries(
      rows.map((r) => [
        r.getAttribute("data-rule"),
        r.getAttribute("data-order") ? Number(r.getAttribute("data-order")) : null,
      ]),
    ),
  );
}

describe("explorer pages (library only)", { timeout: 15 * 60_000 }, () => {
  const site = serveBuiltSite();

  it("weight functions: A, m and the nodes (keyboard) change the drawing; state goes to the URL", async () => {
    const path = "/weight-functions";
    const watched = await site.open(path, '[data-testid="node-editor"]');
    const { page } = watched;
    try {
      assert.equal(await attr(page, '[data-testid="kernel-plot"]', "data-a"), "-0.75");
      const u = await attr(page, '[data-testid="kernel-plot"]', "data-u-one-and-half");
      await setRange(page, "Keys' A", -0.5);
      assert.equal(await changed(page, '[data-testid="kernel-plot"]', "data-a", "-0.75"), "-0.5");
      assert.notEqual(await attr(page, '[data-testid="kernel-plot"]', "data-u-one-and-half"), u);

      const editor = '[data-testid="node-editor"]';
      const samples = await attr(page, editor, "data-samples");
      await setRange(page, "Samples m", 5);
      assert.equal(await changed(page, editor, "data-m", "12"), "5");
      assert.notEqual(await attr(page, editor, "data-samples"), samples);
      assert.equal((await attr(page, editor, "data-samples"))!.split(",").length, 5);
      assert.equal((await attr(page, '[data-testid="sampled-weights"]', "data-layer-weights"))!.split(",").length, 5);

      const nodes = await attr(page, editor, "data-nodes");
      await page.locator(`${editor} g.node`).nth(2).focus();
      await page.keyboard.press("ArrowUp");
      const moved = (await changed(page, editor, "data-nodes", nodes))!.split(",").map(Number);
      assert.ok(Math.abs(moved[2] - (Number(nodes!.split(",")[2]) + 0.05)) < 1e-9, `node 3 moved to ${moved[2]}`);

      // The URL is written after the drawing; wait for all three values, not just the first two.
      await page.waitForFunction(
        () =>
          location.search.includes("m=5") && location.search.includes("a=-0.5") && location.search.includes("nodes="),
      );
      assert.match(await page.evaluate(() => location.search), /nodes=/);
      await screenshot(page, "weight-functions");
      await assertClean(watched, path);
    } finally {
      await page.close();
    }
  });

  it("quadrature: fitted orders ≈ 1, 1, 2, 4; n and the rule change the drawing", async () => {
    const path = "/quadrature";
    const watched = await site.open(path, '[data-testid="convergence-orders"]');
    const { page } = watched;
    try {
      const o = await orders(page);
      assert.ok(o.trapezoid! >= 1.9 && o.trapezoid! <= 2.1, `trapezoid order ${o.trapezoid}`);
      assert.ok(o.simpson! >= 3.8 && o.simpson! <= 4.2, `simpson order ${o.simpson}`);
      assert.ok(
        Math.abs(o["left-riemann"]! - 1) < 0.15 && Math.abs(o["right-riemann"]! - 1) < 0.15,
        `Riemann orders ${JSON.stringify(o)}`,
      );

      const plot = '[data-testid="quadrature-plot"]';
      const weights = await attr(page, '[data-testid="quadrature-weights"]', "data-weights");
      await setRange(page, "Points n", 11);
      assert.equal(await changed(page, plot, "data-points", "7"), "11");
      assert.notEqual(await attr(page, '[data-testid="quadrature-weights"]', "data-weights"), weights);

      await page.locator('form label:text-is("Simpson")').click();
      assert.equal(await changed(page, plot, "data-rule", "trapezoid"), "simpson");
      const q = (await attr(page, '[data-testid="quadrature-weights"]', "data-weights"))!.split(",").map(Number);
      assert.ok(Math.abs(q[1] / q[0] - 4) < 1e-6, `Simpson weight ratio q1/q0 = ${q[1] / q[0]}`);

      // A random partition: the trapezoid stays second order, Simpson does not apply.
      await page.locator('form label:text-is("random (jittered)")').click();
      await page.waitForSelector('[data-testid="rule-not-applicable"]');
      await page.waitForFunction(
        () => document.querySelector('tr[data-rule="simpson"]')?.getAttribute("data-order") === "",
      );
      const jittered = await orders(page);
      assert.ok(
        jittered.trapezoid! >= 1.8 && jittered.trapezoid! <= 2.2,
        `jittered trapezoid order ${jittered.trapezoid}`,
      );
      await page.waitForFunction(
        () =>
          /rule=simpson/.test(location.search) &&
          /partition=jittered/.test(location.search) &&
          /n=11/.test(location.search),
      );
      await screenshot(page, "quadrature");
      await assertClean(watched, path);
    } finally {
      await page.close();
    }
  });

  it("quadrature: URL state round-trips into the controls", async () => {
    const path = "/quadrature?f=wave&rule=gauss-legendre&n=9&seed=42";
    const watched = await site.open(path, '[data-testid="quadrature-plot"]');
    const { page } = watched;
    try {
      assert.equal(await attr(page, '[data-testid="quadrature-plot"]', "data-rule"), "gauss-legendre");
      assert.equal(await attr(page, '[data-testid="quadrature-plot"]', "data-points"), "9");
      assert.equal(await control(page, "Points n").locator('input[type="number"]').inputValue(), "9");
      assert.equal(await control(page, "Random seed").locator('input[type="number"]').inputValue(), "42");
      assert.ok(await page.locator('form label:text-is("Gauss–Legendre") input').isChecked());
      assert.equal(
        await control(page, "Function f").locator("select option:checked").textContent(),
        "wave cos 4x + x/2",
      );
      assert.ok(await page.locator('[data-testid="url-state-note"]').isHidden());
      await assertClean(watched, path);
    } finally {
      await page.close();
    }
  });

  it("bad URL values are clamped or reset with a visible note, and the pages keep working", async () => {
    const cases = [
      {
        path: "/quadrature?n=99999&rule=euler&f=%3Cscript%3E&seed=-3",
        ready: '[data-testid="quadrature-plot"]',
        expect: /n=99999 is outside 2…64; using 64/,
      },
      {
        path: "/weight-functions?a=NaN&nodes=1,zz,3&m=0.5&kernel=sinc",
        ready: '[data-testid="node-editor"]',
        expect: /kernel="sinc"/,
      },
      {
        path: "/grouped-pointwise?cin=-5&f=1e9&ch=x",
        ready: '[data-testid="wiring-error"]',
        expect: /cin=-5 is outside/,
      },
      {
        path: "/kernel-shapes?shape=99&k=7&g=%25",
        ready: '[data-testid="shape-grid"]',
        expect: /shape=99 is outside 0…14; using 14/,
      },
    ];
    for (const { path, ready, expect } of cases) {
      const watched = await site.open(path, ready);
      try {
        const note = watched.page.locator('[data-testid="url-state-note"]');
        assert.ok(await note.isVisible(), `${path}: no visible note`);
        assert.match((await note.textContent()) ?? "", expect);
        await assertClean(watched, path);
      } finally {
        await watched.page.close();
      }
    }
  });

  it("grouped point-wise: Ch and the counts redraw the wiring; non-divisible counts show copies and one-filter groups", async () => {
    const path = "/grouped-pointwise?cin=20&f=14&ch=4";
    const watched = await site.open(path, '[data-testid="wiring-diagram"]');
    const { page } = watched;
    try {
      const diagram = '[data-testid="wiring-diagram"]';
      assert.equal(await attr(page, diagram, "data-k-groups"), "9"); // 5 groups of 2 filters + 4 one-filter groups
      assert.equal(await attr(page, diagram, "data-k-one-filter-groups"), "4");
      assert.ok((await page.locator(`${diagram} rect.one-filter`).count()) >= 4);
      // Hovering a group brings its edges forward and fades every other group's.
      await page.locator(`${diagram} rect[data-group="K1"]`).hover();
      assert.equal(await attr(page, diagram, "data-highlight"), "K1");
      const opacities = await page
        .locator(`${diagram} line[data-group]`)
        .evaluateAll((ls) => ls.map((l) => [l.getAttribute("data-group"), (l as SVGElement).style.strokeOpacity]));
      assert.ok(opacities.some(([g]) => g === "K1"));
      for (const [g, o] of opacities) assert.equal(o, g === "K1" ? "1" : "0.06", `group ${g}`);
      await page.mouse.move(0, 0);
      assert.equal(await attr(page, diagram, "data-highlight"), "");
      await setRange(page, "Channels per group", 8);
      assert.equal(await changed(page, diagram, "data-k-groups", "9"), "5"); // ceil(20/8) = 3 groups + 14 mod 3 = 2 one-filter groups
      assert.equal(await attr(page, diagram, "data-replicated"), "4");
      assert.ok((await page.locator(`${diagram} circle.k-in.replicated`).count()) === 4);
      await setRange(page, "Input channels", 16);
      await setRange(page, "Filters", 16);
      await setRange(page, "Channels per group", 4);
      await page.waitForFunction(
        () => document.querySelector('[data-testid="wiring-diagram"]')?.getAttribute("data-k-groups") === "4",
      );
      assert.equal(await attr(page, diagram, "data-replicated"), "0");
      assert.equal(await attr(page, diagram, "data-k-one-filter-groups"), "0");
      const cost = page.locator('[data-testid="igpc-cost"] tbody tr').first();
      assert.ok(Number(await cost.getAttribute("data-params")) < Number(await cost.getAttribute("data-dense-params")));
      await page.waitForFunction(
        () => /cin=16/.test(location.search) && /f=16/.test(location.search) && !/ch=/.test(location.search),
      ); // ch=4 is the default, so omitted
      await setRange(page, "Channels per group", 20);
      await page.waitForSelector('[data-testid="wiring-error"]');
      await setRange(page, "Channels per group", 4);
      await screenshot(page, "grouped-pointwise");
      await assertClean(watched, path);
    } finally {
      await page.close();
    }
  });

  it("kernel shapes: 15 rigid shapes; the shape and the SSC group size change what is drawn", async () => {
    const path = "/kernel-shapes";
    const watched = await site.open(path, '[data-testid="mask-matrix"]');
    const { page } = watched;
    try {
      assert.equal(await attr(page, '[data-testid="shape-grid"]', "data-count"), "15");
      // The gallery is the shape chooser: click a shape (or use the arrow keys).
      await page.locator('[data-testid="shape-grid"] button[data-index="14"]').click();
      assert.equal(await changed(page, '[data-testid="shape-density"]', "data-taps", "4"), "9");
      assert.equal(await attr(page, '[data-testid="shape-grid"] [data-selected]', "data-index"), "14");
      await page.keyboard.press("ArrowLeft");
      assert.equal(await changed(page, '[data-testid="shape-density"]', "data-taps", "9"), "6");
      await page.keyboard.press("ArrowRight");
      await changed(page, '[data-testid="shape-density"]', "data-taps", "6");
      const ssc = page.locator('[data-testid="mask-matrix"]:not([data-kind])');
      const nonzeros = await ssc.getAttribute("data-nonzeros");
      assert.equal(nonzeros, String((18 * 12) / 2)); // one tap per kernel, each filter sees its group of 9
      await setRange(page, "Group size", 3);
      await page.waitForFunction(
        (n) =>
          document.querySelector('[data-testid="mask-matrix"]:not([data-kind])')?.getAttribute("data-nonzeros") !== n,
        nonzeros,
      );
      assert.equal(await ssc.getAttribute("data-nonzeros"), String((18 * 12) / 6));
      await page.waitForFunction(() => /g=3/.test(location.search) && /shape=14/.test(location.search));
      await screenshot(page, "kernel-shapes");
      await assertClean(watched, path);
    } finally {
      await page.close();
    }
  });
});
