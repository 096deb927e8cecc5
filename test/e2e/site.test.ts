/**
 * End-to-end: build the real site, serve dist/ on 127.0.0.1, open every page of the config in Debian's
 * chromium and check it works offline — no page error, no console error, no cell error, no 404, no
 * request outside the origin — and that the home page's tfjs engine comes up on a real backend that lives
 * in the one tfjs-core the site ships.
 *
 * INTEGRAL_LAB_PROFILE defaults to "quick" so data loaders train briefly. E2E_REUSE_DIST=1 skips the build
 * when dist/ exists (for iterating on the test itself; CI always builds).
 */
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import config from "../../observablehq.config.js";
import { distDir, resultsDir } from "./build-site.js";
import { assertClean, screenshot, serveBuiltSite } from "./page-helpers.js";
import { openWatchedPage } from "./browser.js";
import { checkCurvesFile, nearChanceNotes } from "../../src/lib/views/curves.js";
import { measuredAtShare } from "../../src/lib/views/curves-summary.js";

type NavEntry = { path?: string; pages?: readonly NavEntry[] };

/** Every page path in the navigation, sections flattened. */
function navigationPaths(entries: readonly NavEntry[]): string[] {
  return entries.flatMap((entry) => [...(entry.path ? [entry.path] : []), ...navigationPaths(entry.pages ?? [])]);
}

/** "/" plus every page the navigation lists, then the home page with each non-GPU backend pinned. */
const sitePaths = ["/", ...navigationPaths(config.pages), "/?backend=wasm", "/?backend=cpu"];
const backends = ["webgl", "wasm", "cpu"];

async function listFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/** "/" → "index", "/quadrature" → "quadrature", "/?backend=wasm" → "index_backend_wasm". */
function screenshotName(path: string): string {
  const [pathname = "/", query = ""] = path.split("?");
  const base = pathname === "/" ? "index" : pathname.slice(1).replace(/[^\w-]+/g, "_");
  return query ? `${base}_${query.replace(/[^\w-]+/g, "_")}` : base;
}

describe("built site", { timeout: 15 * 60_000 }, () => {
  const site = serveBuiltSite();

  it("ships one tfjs-core, the wasm binaries, and a wasm bundle without its own tfjs-core", async () => {
    const files = (await listFiles(distDir)).map((file) => file.slice(distDir.length));
    const cores = files.filter((file) => /^\/_node\/@tensorflow\/tfjs-core@[^/]+\/index\.[0-9a-f]+\.js$/.test(file));
    assert.equal(cores.length, 1, `expected one tfjs-core module in dist, found: ${cores.join(", ")}`);
    for (const binary of ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm"]) {
      assert.ok(
        files.some((file) => file.endsWith(`/${binary}`)),
        `dist/ lacks ${binary}`,
      );
    }
    const wasmBundles = files.filter((file) => file.startsWith("/_import/vendor/tfjs-backend-wasm."));
    assert.equal(wasmBundles.length, 1, `expected the vendored wasm backend once, found: ${wasmBundles.join(", ")}`);
    const bundle = await readFile(join(distDir, wasmBundles[0]!), "utf-8");
    const core = await readFile(join(distDir, cores[0]!), "utf-8");
    // "_tfengine" is the global slot tfjs-core's engine lives in: the core has it, the backend bundle must not.
    assert.ok(core.includes("_tfengine"), "marker check is stale: tfjs-core no longer mentions _tfengine");
    assert.ok(!bundle.includes("_tfengine"), "the wasm backend bundle contains its own copy of tfjs-core");
    assert.match(
      bundle,
      /from\s*["'][./]*\/_node\/@tensorflow\/tfjs-core@/,
      "the wasm bundle does not import the shared tfjs-core",
    );
  });

  for (const path of sitePaths) {
    it(`page ${path} loads offline without errors`, async () => {
      const watched = await site.open(path);
      const { page } = watched;
      try {
        if (path === "/" || path.startsWith("/?")) {
          const pinned = new URLSearchParams(path.slice(1)).get("backend");
          const badge = page.locator('[data-testid="tfjs-backend"]');
          await badge.waitFor({ state: "attached", timeout: 30_000 });
          await page.waitForFunction(
            () => document.querySelector('[data-testid="tfjs-backend"]')?.getAttribute("data-state") !== "pending",
            undefined,
            { timeout: 60_000 },
          );
          const state = await badge.getAttribute("data-state");
          const shown = (await badge.textContent())?.trim() ?? "";
          assert.equal(state, "ready", `home page engine failed: ${shown}`);
          assert.ok(backends.includes(shown), `backend shown is "${shown}", expected one of ${backends.join("/")}`);
          if (pinned) assert.equal(shown, pinned, `?backend=${pinned} was not honoured`);
          assert.match(
            (await page.locator(".tfjs-engine-status").textContent()) ?? "",
            /^tfjs backend: (webgl|wasm|cpu)$/,
          );

          // The same engine src/lib will see: import the tfjs-core URL the page loaded (same URL → same module
          // instance) and ask it which backend is active, what is registered, and whether it computes.
          const engine = await page.evaluate(async () => {
            const urls = [
              ...new Set(
                performance
                  .getEntriesByType("resource")
                  .map((entry) => entry.name)
                  .filter((name) => name.includes("/_node/@tensorflow/tfjs-core@")),
              ),
            ];
            if (urls.length !== 1) return { urls };
            const tf = await import(urls[0]!);
            const sum = tf.tidy(() => tf.add(tf.tensor1d([1, 2, 3]), tf.tensor1d([10, 20, 30])).dataSync());
            return { urls, backend: tf.getBackend(), registered: tf.engine().backendNames(), sum: Array.from(sum) };
          });
          assert.equal(
            engine.urls.length,
            1,
            `page loaded tfjs-core from ${engine.urls.length} URLs: ${engine.urls.join(", ")}`,
          );
          assert.equal(engine.backend, shown, "the shared tfjs-core runs a different backend than the badge shows");
          for (const name of backends) {
            assert.ok(engine.registered?.includes(name), `backend ${name} is not registered in the shared tfjs-core`);
          }
          assert.deepEqual(engine.sum, [11, 22, 33]);
          // KaTeX typeset the formula with its own fonts, served from the site (not a fallback face).
          const katex = await page.evaluate(async () => {
            await document.fonts.ready;
            const loaded = [...document.fonts].filter((face) => face.status === "loaded").map((face) => face.family);
            return { formulas: document.querySelectorAll(".katex").length, loaded };
          });
          assert.ok(katex.formulas >= 1, "no KaTeX formula on the home page");
          assert.ok(
            katex.loaded.some((family) => /KaTeX_Main/.test(family)),
            `KaTeX fonts not loaded: ${katex.loaded.join(", ")}`,
          );
          if (shown === "wasm") {
            const wasmLoaded = await page.evaluate(() =>
              performance
                .getEntriesByType("resource")
                .some((entry) => /tfjs-backend-wasm[\w-]*\.wasm$/.test(entry.name)),
            );
            assert.ok(wasmLoaded, "wasm backend active but no .wasm file was fetched from the site");
          }
        }

        assert.ok((await page.title()).includes("Integral Lab"), `${path}: title is "${await page.title()}"`);
        await screenshot(page, screenshotName(path));
        // Framework renders a failed cell (e.g. an unresolved import) as an inspector error; assertClean checks those.
        await assertClean(watched, path);
        assert.deepEqual(site.server.notFound, [], `${path}: 404s`);
      } finally {
        await page.close();
      }
    });
  }
});

/** The built data/curves.json (null when the build has none). */
async function builtCurvesFile(): Promise<{ name: string; text: string } | null> {
  const dir = join(distDir, "_file", "data");
  const files = await readdir(dir).catch(() => [] as string[]);
  const name = files.find((f) => /^curves\.[0-9a-f]+\.json$/.test(f));
  return name ? { name, text: await readFile(join(dir, name), "utf-8") } : null;
}

/** WCAG contrast ratio of two "rgb(r, g, b)" colours. */
function contrast(a: number[], b: number[]): number {
  const lum = (c: number[]) => {
    const [r, g, bl] = c.map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

describe("every page, as a phone and a reader see it", { timeout: 20 * 60_000 }, () => {
  const site = serveBuiltSite();
  const pagePaths = ["/", ...navigationPaths(config.pages)];

  for (const scheme of ["light", "dark"] as const) {
    it(`at 390 px in ${scheme} mode no page scrolls sideways or throws, and text reaches 4.5:1`, async () => {
      for (const path of pagePaths) {
        const watched = await openWatchedPage(site.browser.context, site.server.origin);
        const { page } = watched;
        try {
          await page.setViewportSize({ width: 390, height: 844 });
          await page.emulateMedia({ colorScheme: scheme });
          await page.goto(site.server.origin + path, { waitUntil: "load" });
          await page.waitForLoadState("networkidle");
          await page.waitForTimeout(500);
          const widest = await page.evaluate(() => document.documentElement.scrollWidth);
          assert.ok(widest <= 390, `${path} (${scheme}) is ${widest} px wide at 390 px`);
          assert.deepEqual(watched.pageErrors, [], `${path} (${scheme}): page errors`);
          assert.deepEqual(watched.consoleErrors, [], `${path} (${scheme}): console errors`);
          // Every HTML text on the page against the background it sits on (the first opaque one up the tree).
          const low = await page.evaluate(() => {
            // Any CSS colour (rgb(), color(srgb …), oklch() …) to 0–255 RGB plus alpha, through a canvas pixel.
            const ctx = document.createElement("canvas").getContext("2d", { willReadFrequently: true })!;
            const rgba = (css: string): number[] => {
              ctx.clearRect(0, 0, 1, 1);
              ctx.fillStyle = "#000";
              ctx.fillStyle = css;
              ctx.fillRect(0, 0, 1, 1);
              const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
              return /transparent|rgba\(0, 0, 0, 0\)/.test(css) ? [0, 0, 0, 0] : [r!, g!, b!, a! / 255];
            };
            const rgb = (css: string) => rgba(css);
            const background = (el: Element | null): number[] => {
              for (; el; el = el.parentElement) {
                const c = rgb(getComputedStyle(el).backgroundColor);
                if (c.length === 3 || (c.length === 4 && c[3]! > 0.9)) return c.slice(0, 3);
              }
              return rgb(getComputedStyle(document.documentElement).backgroundColor).slice(0, 3);
            };
            const out: { text: string; color: number[]; background: number[]; needed: number }[] = [];
            for (const el of document.querySelectorAll("body *")) {
              if (el.closest("svg, .katex, [hidden], .il-visually-hidden, #observablehq-sidebar, #observablehq-toc"))
                continue;
              const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent!.trim());
              const box = el.getBoundingClientRect();
              if (!own || box.width === 0 || getComputedStyle(el).visibility === "hidden") continue;
              const style = getComputedStyle(el);
              const size = parseFloat(style.fontSize);
              out.push({
                text: el.textContent!.trim().slice(0, 40),
                color: rgb(style.color).slice(0, 3),
                background: background(el),
                // WCAG's large text (24 px, or 18.7 px bold) needs 3:1, the rest 4.5:1.
                needed: size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700) ? 3 : 4.5,
              });
            }
            return out;
          });
          const failing = low
            .filter((t) => contrast(t.color, t.background) < t.needed)
            .map((t) => `"${t.text}" ${contrast(t.color, t.background).toFixed(2)}:1`);
          assert.deepEqual(failing, [], `${path} (${scheme}): text below 4.5:1`);
          await page.screenshot({
            path: join(resultsDir, `${screenshotName(path)}-390-${scheme}.png`),
            fullPage: true,
          });
        } finally {
          await page.close();
        }
      }
    });
  }

  it("every page has lang, a description, link-preview tags, a favicon that loads, pinch-zoom, and described figures", async () => {
    for (const path of pagePaths) {
      const watched = await site.open(path);
      const { page } = watched;
      try {
        const head = await page.evaluate(() => ({
          lang: document.documentElement.lang,
          description: document.querySelector('meta[name="description"]')?.getAttribute("content") ?? "",
          ogTitle: document.querySelector('meta[property="og:title"]')?.getAttribute("content") ?? "",
          ogDescription: document.querySelector('meta[property="og:description"]')?.getAttribute("content") ?? "",
          icon: (document.querySelector('link[rel="icon"]') as HTMLLinkElement | null)?.href ?? "",
          viewport: document.querySelector('meta[name="viewport"]')?.getAttribute("content") ?? "",
        }));
        assert.equal(head.lang, "en", path);
        assert.ok(
          head.description.length > 40 && head.ogTitle && head.ogDescription,
          `${path}: ${JSON.stringify(head)}`,
        );
        assert.doesNotMatch(head.viewport, /maximum-scale|user-scalable=no/, `${path}: pinch-zoom blocked`);
        const icon = await page.request.get(head.icon);
        assert.equal(icon.status(), 200, `${path}: favicon ${head.icon}`);
        // Every drawing (an SVG or canvas of real size, outside legends and buttons) has an accessible name.
        const unnamed = await page.evaluate(() =>
          [...document.querySelectorAll("main svg, main canvas")]
            .filter((el) => {
              const box = el.getBoundingClientRect();
              if (box.width < 100 || box.height < 60 || el.closest("button, .plot-swatches, [aria-hidden=true]"))
                return false;
              const named = (e: Element) =>
                e.getAttribute("aria-label") || e.getAttribute("aria-labelledby") || e.getAttribute("aria-describedby");
              for (let e: Element | null = el; e && e.tagName !== "MAIN"; e = e.parentElement)
                if (named(e) && (e === el || e.tagName === "FIGURE")) return false;
              return true;
            })
            .map((el) => `${el.tagName} in ${el.closest("[data-testid]")?.getAttribute("data-testid") ?? "?"}`),
        );
        assert.deepEqual(unnamed, [], `${path}: figures without an accessible name`);
        await assertClean(watched, path);
        assert.deepEqual(site.server.notFound, [], `${path}: 404s`);
      } finally {
        await page.close();
      }
    }
  });

  it("the home hero resamples its weight function with the slider and shows the built curves' numbers", async () => {
    const built = await builtCurvesFile();
    const watched = await site.open("/", '[data-testid="home-hero"]');
    const { page } = watched;
    try {
      const samples = '[data-testid="hero-samples"]';
      await page.waitForSelector(samples);
      assert.equal(await page.locator(samples).getAttribute("data-m"), "8"); // 50% of 16 channels
      const box = page.locator('[data-testid="home-hero"] input[type="number"]');
      for (const share of [100, 35, 25]) {
        await box.fill(String(share));
        await box.press("Enter");
        await page.waitForFunction(
          (m) => document.querySelector('[data-testid="hero-samples"]')?.getAttribute("data-m") === m,
          String(Math.max(2, Math.round((share / 100) * 16))),
        );
        if (!built) continue;
        const expected = measuredAtShare(checkCurvesFile(JSON.parse(built.text), built.name), share / 100)!;
        const numbers = page.locator('[data-testid="hero-numbers"]');
        assert.equal(Number(await numbers.getAttribute("data-fraction")), expected.fraction);
        assert.equal(Number(await numbers.getAttribute("data-inn")), expected.inn);
        assert.equal(Number(await numbers.getAttribute("data-l1")), expected.l1);
        assert.match((await numbers.textContent()) ?? "", new RegExp(`${(100 * expected.inn!).toFixed(1)}%`));
      }
      if (!built) assert.ok(await page.locator('[data-testid="hero-curves-missing"]').isVisible());
      assert.equal(await page.locator('[data-testid="section-cards"] a.card').count(), config.pages.length);
      assert.match((await page.locator('[data-testid="about"]').textContent()) ?? "", /tfjs backend/);
      await assertClean(watched, "/");
    } finally {
      await page.close();
    }
  });

  it("the curves page lists every dataset the build links, draws the chosen one's curves, notes models near chance, and says why a skipped one is missing", async () => {
    const built = await builtCurvesFile();
    if (!built) return;
    // The build links each user dataset's curves in the page head and lists skipped folders there; stand in
    // for a build with one good dataset ("digits": the MNIST file, its first reference model near chance as
    // a small set's would be) and one corrupt folder.
    const mnistCurves = checkCurvesFile(JSON.parse(built.text), built.name);
    const digits = structuredClone(mnistCurves);
    digits.dataset.name = "digits";
    const flagged = digits.families.find((f) => f.id === "reference")!.models[0]!;
    Object.assign(flagged, { testAccuracy: 0.168, nearChance: true });
    const watched = await openWatchedPage(site.browser.context, site.server.origin);
    const { page } = watched;
    try {
      await page.route("**/_file/data/digits-curves.json", (route) =>
        route.fulfill({ contentType: "application/json", body: JSON.stringify(digits) }),
      );
      await page.route("**/curves", async (route) => {
        const response = await route.fetch();
        const html = (await response.text())
          .replace(/<script type="application\/json" id="curves-datasets">[^<]*<\/script>/, "")
          .replace(
            "</head>",
            `<link rel="alternate" type="application/json" href="./_file/data/digits-curves.json" data-curves-dataset="digits">` +
              `<script type="application/json" id="curves-datasets">${JSON.stringify({ skipped: [{ name: "broken", file: "broken/train-labels-idx1-ubyte", problem: "not an IDX file (wrong magic number)" }] })}</script></head>`,
          );
        await route.fulfill({ response, body: html });
      });
      await page.goto(site.server.origin + "/curves", { waitUntil: "load" });
      await page.waitForSelector('[data-testid="curves-chart"]');
      const options = await page.locator('form:has(label:text-is("Dataset")) option').allTextContents();
      assert.deepEqual(options, ["mnist", "digits"]);
      assert.match(
        (await page.locator('[data-testid="datasets-skipped"]').textContent()) ?? "",
        /broken — data\/broken\/train-labels-idx1-ubyte: not an IDX file \(wrong magic number\)/,
      );
      const points = await page.locator('[data-testid="curves-chart"]').getAttribute("data-points");
      await page.waitForFunction(
        (n) => document.querySelectorAll('[data-testid="curves-near-chance"] li').length === n,
        nearChanceNotes(mnistCurves, "reference").length,
      );
      await page.locator('form:has(label:text-is("Dataset")) select').selectOption("digits");
      await page.waitForFunction(() => new URLSearchParams(location.search).get("dataset") === "digits");
      await page.waitForSelector('[data-testid="curves-chart"]');
      assert.equal(await page.locator('[data-testid="curves-chart"]').getAttribute("data-points"), points);
      // The flagged model is noted beside the chart (with any the MNIST file flags itself).
      const note = page.locator('[data-testid="curves-near-chance"] li');
      await page.waitForFunction(
        (model) => !!document.querySelector(`[data-testid="curves-near-chance"] li[data-model="${model}"]`),
        flagged.model,
      );
      const texts = await note.allTextContents();
      assert.deepEqual(
        texts,
        nearChanceNotes(digits, "reference").map((n) => n.text),
      );
      assert.ok(
        texts.includes(`${flagged.model} (seed ${flagged.seed}) ended at 16.8% on digits, near chance (16.8% ≈ 1/10)`),
        texts.join("\n"),
      );
      assert.deepEqual(watched.pageErrors, []);
    } finally {
      await page.close();
    }
  });
});
