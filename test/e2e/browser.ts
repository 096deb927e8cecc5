/**
 * Debian's chromium driven by playwright-core (no `npx playwright install` here), plus a page wrapper
 * that records what a test must assert on: page errors, console errors, and any request that leaves
 * the site's origin (aborted, so an offline machine and an online one behave alike).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-quic",
  "--disable-sync",
];

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** One persistent context in a fresh user-data-dir (removed on close). */
export async function launchBrowser(): Promise<TestBrowser> {
  const userDataDir = await mkdtemp(join(tmpdir(), "integral-lab-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
    viewport: { width: 1280, height: 900 },
  });
  // Tests run under tsx, whose esbuild keepNames wraps named functions as `__name(fn, "name")`; a
  // function passed to page.evaluate is serialized with those calls, so the page needs a no-op __name.
  await context.addInitScript("globalThis.__name = globalThis.__name || ((f) => f);");
  return {
    context,
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

export interface WatchedPage {
  page: Page;
  pageErrors: string[];
  consoleErrors: string[];
  /** URLs of requests to any origin other than `origin` (each was aborted). */
  foreignRequests: string[];
  failedRequests: string[];
}

/** A new page that aborts and records requests outside `origin` and collects errors. */
export async function openWatchedPage(context: BrowserContext, origin: string): Promise<WatchedPage> {
  const page = await context.newPage();
  const watched: WatchedPage = { page, pageErrors: [], consoleErrors: [], foreignRequests: [], failedRequests: [] };
  await page.route("**/*", async (route) => {
    const url = route.request().url();
    // data: and blob: URLs never leave the machine; everything else must come from the site's origin.
    if (url.startsWith("data:") || url.startsWith("blob:") || new URL(url).origin === origin) {
      await route.continue();
    } else {
      watched.foreignRequests.push(url);
      await route.abort("blockedbyclient");
    }
  });
  page.on("pageerror", (error) => watched.pageErrors.push(`${error.name}: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") watched.consoleErrors.push(`${message.text()} (${message.location().url})`);
  });
  page.on("requestfailed", (request) => {
    if (!watched.foreignRequests.includes(request.url())) {
      watched.failedRequests.push(`${request.url()}: ${request.failure()?.errorText ?? "failed"}`);
    }
  });
  return watched;
}

export type { Browser, Page };
