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
import { distDir } from "./build-site.js";
import { assertClean, screenshot, serveBuiltSite } from "./page-helpers.js";

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
