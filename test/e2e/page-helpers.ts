/**
 * Page helpers the end-to-end tests share: open a watched page and wait until it is ready, assert it ran
 * cleanly (no cell/page/console errors, no foreign or failed requests), find an Observable input by its
 * label, read and wait on the data attributes components expose, and save screenshots to test-results/.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { BrowserContext } from "playwright-core";
import { openWatchedPage, type Page, type WatchedPage } from "./browser.js";
import { resultsDir } from "./build-site.js";

/** A watched page on the site at `origin`, with every URL it requested (same-origin ones too). */
export interface ReadyPage extends WatchedPage {
  origin: string;
  requested: string[];
}

export interface OpenOptions {
  /** Selector that must be attached before the page counts as ready (its cells ran). */
  ready?: string;
}

/** Open `path` on the site, check the HTTP status, wait for `ready` (if given) and for the network to idle. */
export async function openReadyPage(context: BrowserContext, origin: string, path: string, options: OpenOptions = {}): Promise<ReadyPage> {
  const watched = await openWatchedPage(context, origin);
  const requested: string[] = [];
  // Recorded before navigation so the page's first requests are in the list.
  watched.page.on("request", (r) => requested.push(r.url()));
  const response = await watched.page.goto(origin + path, { waitUntil: "load" });
  assert.equal(response?.status(), 200, `${path}: HTTP ${response?.status()}`);
  if (options.ready) await watched.page.waitForSelector(options.ready, { state: "attached", timeout: 30_000 });
  await watched.page.waitForLoadState("networkidle");
  return { ...watched, origin, requested };
}

/** No page/console/cell errors, no failed requests and nothing fetched from outside the origin. */
export async function assertClean(watched: ReadyPage, path: string): Promise<void> {
  assert.deepEqual(await watched.page.locator(".observablehq--error").allTextContents(), [], `${path}: cell errors`);
  assert.deepEqual(watched.foreignRequests, [], `${path}: requests outside ${watched.origin}`);
  assert.deepEqual(watched.pageErrors, [], `${path}: page errors`);
  assert.deepEqual(watched.consoleErrors, [], `${path}: console errors`);
  assert.deepEqual(watched.failedRequests, [], `${path}: failed requests`);
}

/** The form (an Observable input) whose label starts with `label`. */
export function control(page: Page, label: string) {
  return page.locator("form").filter({ has: page.locator(`label:text-matches("^${label.replace(/[()]/g, "\\$&")}")`) }).first();
}

/** Set an Inputs.range by typing into its number box, as a keyboard user would. */
export async function setRange(page: Page, label: string, value: number): Promise<void> {
  const box = control(page, label).locator('input[type="number"]');
  await box.fill(String(value));
  await box.press("Enter");
}

/** An attribute of the first element matching `selector`. */
export async function attr(page: Page, selector: string, name: string): Promise<string | null> {
  return page.locator(selector).first().getAttribute(name);
}

/** Wait until an attribute differs from `previous`, then return it. */
export async function changed(page: Page, selector: string, name: string, previous: string | null): Promise<string | null> {
  await page.waitForFunction(([s, n, p]) => document.querySelector(s!)?.getAttribute(n!) !== p, [selector, name, previous], { timeout: 10_000 });
  return attr(page, selector, name);
}

/** A full-page screenshot to test-results/<name>.png (the directory must exist). */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(resultsDir, `${name}.png`), fullPage: true });
}
