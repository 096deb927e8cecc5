/**
 * Build the real site for the end-to-end tests (quick training profile unless INTEGRAL_LAB_PROFILE says
 * otherwise). Each test file calls this; the build script's loader cache makes every build after the
 * first in a run cheap. E2E_REUSE_DIST=1 skips the build when dist/ exists (for iterating on a test).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const distDir = join(projectRoot, "dist");
export const resultsDir = join(projectRoot, "test-results");

export function buildSite(): void {
  if (process.env.E2E_REUSE_DIST === "1" && existsSync(join(distDir, "index.html"))) return;
  const result = spawnSync("npm", ["run", "build"], {
    cwd: projectRoot,
    env: {
      ...process.env,
      INTEGRAL_LAB_PROFILE: process.env.INTEGRAL_LAB_PROFILE ?? "quick",
      OBSERVABLE_TELEMETRY_DISABLE: "1",
    },
    encoding: "utf-8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    const hint = existsSync(join(projectRoot, "src", "vendor", "tfjs-backend-wasm.js"))
      ? ""
      : "\nsrc/vendor/tfjs-backend-wasm.js is missing: the build must run `tsx scripts/bundle-tfjs-wasm.ts` first.";
    throw new Error(
      `npm run build failed (exit ${result.status}):\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-4000)}${hint}`,
    );
  }
}
