/**
 * Layout measurements of the live page, shared by its layout test and by a before/after comparison run
 * against another build: where the controls and the results are at a viewport size, and what is widest.
 */
import type { Page } from "./browser.js";

export interface LiveLayout {
  viewport: { width: number; height: number };
  /** Top edges (page coordinates, px) of the first slider and of the integral net's accuracy figure. */
  controlsTop: number;
  resultsTop: number;
  /** |resultsTop − controlsTop|: how far the eye travels from the sliders to what they change. */
  controlsToResults: number;
  /** Whether the results are beside the controls (to their right) rather than below them. */
  resultsBeside: boolean;
  /** Bottom edges (px) of the chart and of the digit pad's canvas. */
  chartBottom: number;
  digitBottom: number;
  /** The document's scroll width, and the widest element (its right edge) with a short description. */
  scrollWidth: number;
  widest: { right: number; what: string };
}

/** Measure the open live page at the current viewport (scrolled to the top). */
export async function measureLivePage(page: Page): Promise<LiveLayout> {
  return page.evaluate(() => {
    window.scrollTo(0, 0);
    const box = (selector: string) => {
      const e = document.querySelector(selector);
      if (!e) throw new Error(`no ${selector} on the page`);
      return e.getBoundingClientRect();
    };
    const slider = box("[data-testid=live-global]");
    const results = box("[data-testid=live-acc-inn]");
    const chart = box("[data-testid=live-curve]");
    const digit = box("[data-testid=live-draw-canvas]");
    let widest = { right: 0, what: "" };
    for (const e of Array.from(document.body.querySelectorAll("*"))) {
      const r = e.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      // Content inside a scrolling box does not widen the page.
      let clipped = false;
      for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
        const overflow = getComputedStyle(p).overflowX;
        if (overflow === "auto" || overflow === "scroll" || overflow === "hidden") clipped = true;
      }
      if (!clipped && r.right > widest.right) {
        const id = (e as HTMLElement).dataset?.testid;
        widest = {
          right: Math.round(r.right),
          what: `${e.tagName.toLowerCase()}${id ? `[data-testid=${id}]` : ""}${e.className && typeof e.className === "string" ? `.${e.className.split(" ")[0]}` : ""}`,
        };
      }
    }
    return {
      viewport: { width: innerWidth, height: innerHeight },
      controlsTop: Math.round(slider.top),
      resultsTop: Math.round(results.top),
      controlsToResults: Math.round(Math.abs(results.top - slider.top)),
      resultsBeside: results.left >= slider.right,
      chartBottom: Math.round(chart.bottom),
      digitBottom: Math.round(digit.bottom),
      scrollWidth: document.documentElement.scrollWidth,
      widest,
    };
  });
}

/**
 * `npx tsx test/e2e/live-layout.ts [dist]`: the measurements of a built site's live page (default dist/) at
 * 1280×800 and 390×844, as JSON lines — e.g. to compare a build of another branch with this one.
 */
async function main(dist: string): Promise<void> {
  const { launchBrowser, openWatchedPage } = await import("./browser.js");
  const { serveStatic } = await import("./static-server.js");
  const server = await serveStatic(dist);
  const browser = await launchBrowser();
  try {
    for (const [width, height] of [
      [1280, 800],
      [390, 844],
    ]) {
      const { page } = await openWatchedPage(browser.context, server.origin);
      await page.setViewportSize({ width, height });
      await page.goto(`${server.origin}/live-model`, { waitUntil: "load" });
      await page.waitForSelector("[data-testid=live-status][data-state=ready]", { timeout: 180_000 });
      await page.waitForFunction(
        () => document.querySelector<HTMLElement>("[data-testid=live-acc-inn]")?.dataset.final === "true",
        null,
        { timeout: 180_000 },
      );
      process.stdout.write(`${JSON.stringify(await measureLivePage(page))}\n`);
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv[2] ?? "dist");
