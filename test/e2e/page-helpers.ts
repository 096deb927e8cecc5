/**
 * Page helpers the end-to-end tests share: open a watched page and wait until it is ready, assert it ran
 * cleanly (no cell/page/console errors, no foreign or failed requests), find an Observable input by its
 * label, read and wait on the data attributes components expose, and save screenshots to test-results/.
 * `serveBuiltSite` gives a suite the built site, served, and a browser.
 */
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { after, before } from "node:test";
import type { BrowserContext } from "playwright-core";
import { launchBrowser, openWatchedPage, type Page, type TestBrowser, type WatchedPage } from "./browser.js";
import { buildSite, distDir, resultsDir } from "./build-site.js";
import { serveStatic, type StaticServer } from "./static-server.js";

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
export async function openReadyPage(
  context: BrowserContext,
  origin: string,
  path: string,
  options: OpenOptions = {},
): Promise<ReadyPage> {
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
  return page
    .locator("form")
    .filter({ has: page.locator(`label:text-matches("^${label.replace(/[()]/g, "\\$&")}")`) })
    .first();
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
export async function changed(
  page: Page,
  selector: string,
  name: string,
  previous: string | null,
): Promise<string | null> {
  await page.waitForFunction(
    ([s, n, p]) => document.querySelector(s!)?.getAttribute(n!) !== p,
    [selector, name, previous],
    { timeout: 10_000 },
  );
  return attr(page, selector, name);
}

/** A full-page screenshot to test-results/<name>.png (the directory must exist). */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(resultsDir, `${name}.png`), fullPage: true });
}

/** The built site served on 127.0.0.1 and a browser, for one suite. */
export interface ServedSite {
  readonly server: StaticServer;
  readonly browser: TestBrowser;
  /** Open a path, wait until `ready` is attached (if given) and the network idles. */
  open(path: string, ready?: string): Promise<ReadyPage>;
}

/**
 * Call inside a `describe`: before its tests build the site (or reuse dist/ with E2E_REUSE_DIST=1), create
 * test-results/, serve dist/ and launch chromium; after them close both.
 */
export function serveBuiltSite(): ServedSite {
  let server: StaticServer | undefined;
  let browser: TestBrowser | undefined;
  before(async () => {
    buildSite();
    await mkdir(resultsDir, { recursive: true });
    server = await serveStatic(distDir);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  const started = <T>(value: T | undefined, name: string): T => {
    if (!value) throw new Error(`serveBuiltSite: the ${name} is not started (use it inside the suite's tests)`);
    return value;
  };
  return {
    get server() {
      return started(server, "server");
    },
    get browser() {
      return started(browser, "browser");
    },
    open(path, ready) {
      return openReadyPage(started(browser, "browser").context, started(server, "server").origin, path, { ready });
    },
  };
}
