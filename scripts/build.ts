/**
 * `npm run build`: Observable Framework's build, made honest about cached loader outputs.
 *
 * Framework's `observable build` reuses a cached loader output even when the loader or the code it
 * imports changed (it builds with `useStale`). A research notebook must not publish results computed by
 * older code, so before building we compute a key over everything a loader's output depends on — the
 * library (src/lib), the jobs (loaders/), the loaders themselves (src/data), the native kernels' source
 * (native/), the lockfile, the training profile and the engine that trains — and drop every cached output
 * produced under another key. Framework then reruns
 * those loaders. A failing loader fails the build; its partial output is removed.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, renameSync } from "node:fs";
import { join, relative } from "node:path";
import { spawnSync } from "node:child_process";
import { chooseEngine, engineRecord } from "../loaders/engine.js";
import { listDatasets, loadDataset } from "../loaders/datasets.js";
import { sweepProfile } from "../loaders/sweep/profiles.js";
import { estimateSweep } from "../loaders/sweep/estimate.js";

const root = process.cwd();
const cacheDir = join(root, "src", ".observablehq", "cache");
const keyFile = join(cacheDir, "integral-lab-key.json");
const inputs = ["src/lib", "loaders", "src/data", "package-lock.json", "native/src", "native/binding.gyp"];

/** Every file below a path, sorted, so the key does not depend on directory order. */
function listFiles(path: string): string[] {
  if (!existsSync(path)) return [];
  if (statSync(path).isFile()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => (name.startsWith(".") ? [] : listFiles(join(path, name))));
}

/** The engine the loaders will train on (INTEGRAL_LAB_ENGINE, else native when it loads), as a key part. */
function engineKey(): string {
  const { name, onednn, isa } = engineRecord(chooseEngine().engine, 1);
  return JSON.stringify({ name, onednn, isa });
}

export function loaderInputsKey(profile: string, engine = engineKey()): string {
  const hash = createHash("sha256");
  hash.update(`profile=${profile}\n`);
  hash.update(`engine=${engine}\n`);
  for (const file of inputs.flatMap((p) => listFiles(join(root, p)))) {
    hash.update(relative(root, file) + "\n");
    hash.update(readFileSync(file));
  }
  return hash.digest("hex");
}

/** One line: the training time the sweeps will take when none is cached (every dataset's, one after another). */
function estimateLine(profile: string): string {
  const engine = chooseEngine().engine;
  const parts = listDatasets().map((name) => {
    const { seconds } = estimateSweep(sweepProfile(profile), engine, loadDataset(name).train.count);
    return { name, minutes: seconds / 60 };
  });
  const total = parts.reduce((a, p) => a + p.minutes, 0);
  const each = parts.map((p) => `${p.name} ${p.minutes.toFixed(0)} min`).join(", ");
  return `[build] estimated training time, if no sweep is cached: ~${total.toFixed(0)} min on the ${engine} engine (${each}); the pages take about a minute more`;
}

function main(): void {
  const profile = process.env.INTEGRAL_LAB_PROFILE ?? "full";
  console.error(estimateLine(profile));
  const key = loaderInputsKey(profile);
  const previous = existsSync(keyFile) ? JSON.parse(readFileSync(keyFile, "utf8")).key : undefined;
  const dataCache = join(cacheDir, "data");
  if (previous !== key && existsSync(dataCache)) {
    console.error(`[build] loader inputs changed (profile ${profile}); discarding cached loader outputs`);
    rmSync(dataCache, { recursive: true, force: true });
  }
  const env = { ...process.env, OBSERVABLE_TELEMETRY_DISABLE: "1", INTEGRAL_LAB_PROFILE: profile };
  const result = spawnSync("npx", ["observable", "build", ...process.argv.slice(2)], { stdio: "inherit", env });
  // Framework keeps a failed loader's partial output as `<file>.<pid>.err`: remove it.
  for (const file of listFiles(dataCache)) if (/\.\d+(\.err)?$/.test(file)) rmSync(file, { force: true });
  if (result.status !== 0) {
    console.error(`[build] observable build failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(keyFile + ".tmp", JSON.stringify({ key, profile }) + "\n");
  renameSync(keyFile + ".tmp", keyFile);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
