/**
 * The sweep as a cached job: several thin data loaders (curves, model files) need one sweep's outputs,
 * so the sweep runs once into a job directory keyed by (code key, profile, dataset and its files,
 * options) and each loader reads its piece. Writes are atomic (a temporary directory renamed into place
 * when everything is written); a lock directory makes a second loader wait for the first instead of
 * training again; a failing sweep leaves nothing behind and every waiting loader gets its error.
 *
 * Job directory: $INTEGRAL_LAB_JOB_CACHE (default src/.observablehq/cache/integral-lab-jobs) /
 *   sweep-<dataset>-<profile>-<key16>/ { curves.json, timings.json, *.model, job.json }
 * The key includes the engine (INTEGRAL_LAB_ENGINE, else native when it loads; see ../engine.ts).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  checkDatasetName,
  defaultDataDir,
  defaultMnistDir,
  METADATA_FILE,
  STANDARD_FILES,
  type DatasetOptions,
} from "../datasets.js";
import { nearChanceNotes } from "../../src/lib/views/curves.js";
import type { CurvesFile } from "./curves.js";
import { runSweep, sweepEngine } from "./run-sweep.js";
import type { Engine } from "../engine.js";
import { sweepProfile, type SweepProfile } from "./profiles.js";

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** What a sweep's results depend on besides its options (the thin loaders in src/data do not count). */
const CODE_INPUTS = ["src/lib", "loaders", "package-lock.json", "native/src", "native/binding.gyp"];

function listFiles(path: string): string[] {
  if (!existsSync(path)) return [];
  if (statSync(path).isFile()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => (name.startsWith(".") ? [] : listFiles(join(path, name))));
}

/** sha256 over the paths and contents of every file the sweep's code consists of. */
export function codeKey(root = PROJECT_ROOT): string {
  const hash = createHash("sha256");
  for (const file of CODE_INPUTS.flatMap((p) => listFiles(join(root, p)))) {
    hash.update(relative(root, file) + "\n");
    hash.update(readFileSync(file));
  }
  return hash.digest("hex");
}

/** sha256 of a dataset's files (so replacing data/<name>/ reruns its sweep). */
function datasetKey(name: string, options: DatasetOptions): string {
  const dir =
    name === "mnist" ? (options.mnistDir ?? defaultMnistDir()) : join(options.dataDir ?? defaultDataDir(), name);
  const hash = createHash("sha256");
  for (const base of [...Object.values(STANDARD_FILES), METADATA_FILE]) {
    for (const file of [join(dir, base), join(dir, `${base}.gz`)]) {
      if (existsSync(file)) {
        hash.update(file.slice(dir.length) + "\n");
        hash.update(readFileSync(file));
      }
    }
  }
  return hash.digest("hex");
}

export interface SweepJobOptions {
  dataset: string;
  datasetOptions?: DatasetOptions;
  /** Default: sweepProfile() (INTEGRAL_LAB_PROFILE, else "full"). */
  profile?: SweepProfile;
  /** Job cache root (default $INTEGRAL_LAB_JOB_CACHE or src/.observablehq/cache/integral-lab-jobs). */
  cacheDir?: string;
  workers?: number;
  /** Compute engine (default: INTEGRAL_LAB_ENGINE, else native when the addon loads); part of the key. */
  engine?: Engine;
  log?: (line: string) => void;
}

export function defaultJobCacheDir(): string {
  return process.env.INTEGRAL_LAB_JOB_CACHE || join(PROJECT_ROOT, "src", ".observablehq", "cache", "integral-lab-jobs");
}

/** Dataset options from the environment: INTEGRAL_LAB_DATA_DIR overrides the user data folder. */
export function datasetOptionsFromEnv(): DatasetOptions {
  return process.env.INTEGRAL_LAB_DATA_DIR ? { dataDir: process.env.INTEGRAL_LAB_DATA_DIR } : {};
}

/** The job's key and directory (nothing is run). */
export function sweepJobPath(options: SweepJobOptions): {
  key: string;
  dir: string;
  keyInputs: Record<string, unknown>;
} {
  const profile = options.profile ?? sweepProfile();
  const datasetOptions = options.datasetOptions ?? {};
  checkDatasetName(options.dataset, datasetOptions);
  const keyInputs = {
    code: codeKey(),
    profile,
    dataset: options.dataset,
    datasetFiles: datasetKey(options.dataset, datasetOptions),
    classes: datasetOptions.classes ?? null,
    workers: options.workers ?? null,
    // Engines (and the native one's thread count) order float sums differently: each has its own curves.
    engine: sweepEngine(profile, options),
  };
  const key = createHash("sha256").update(JSON.stringify(keyInputs)).digest("hex");
  const root = resolve(options.cacheDir ?? defaultJobCacheDir());
  const dir = resolve(root, `sweep-${options.dataset}-${profile.name}-${key.slice(0, 16)}`);
  // The name checks above keep this inside the cache; this guards every later path derived from `dir`.
  if (dirname(dir) !== root) throw new Error(`sweep job directory ${dir} would lie outside the cache ${root}`);
  return { key, dir, keyInputs };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Take the lock directory, or return false if a live process holds it (a dead holder's lock is broken). */
function tryLock(lock: string): boolean {
  try {
    mkdirSync(lock);
    writeFileSync(join(lock, "owner"), String(process.pid));
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    let owner = NaN;
    try {
      owner = Number(readFileSync(join(lock, "owner"), "utf8"));
    } catch {
      /* being created */
    }
    if (Number.isInteger(owner) && owner > 0 && !processAlive(owner)) rmSync(lock, { recursive: true, force: true });
    return false;
  }
}

/**
 * The directory holding the sweep's complete outputs: reused if it exists, else computed now (or
 * awaited, if another process is computing it). Throws the sweep's error; leaves no partial directory.
 */
export async function ensureSweepJob(options: SweepJobOptions): Promise<string> {
  const log = options.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const profile = options.profile ?? sweepProfile();
  const { key, dir, keyInputs } = sweepJobPath({ ...options, profile });
  const lock = `${dir}.lock`;
  const failure = `${dir}.failed`;
  let waited = false;
  mkdirSync(dirname(dir), { recursive: true });
  for (;;) {
    if (existsSync(join(dir, "job.json"))) {
      log(
        `[sweep] reusing ${relative(PROJECT_ROOT, dir) || dir} (same code, profile ${profile.name}, dataset ${options.dataset})`,
      );
      return dir;
    }
    if (tryLock(lock)) break;
    if (!waited) log(`[sweep] another process is running this sweep (${lock}); waiting for it`);
    waited = true;
    await sleep(1000);
    // The holder failed while we waited: report its error rather than training again.
    if (existsSync(failure) && !existsSync(lock)) throw new Error(readFileSync(failure, "utf8"));
  }
  const tmp = `${dir}.tmp-${process.pid}`;
  // Interrupted (Ctrl-C, a killed build): leave neither the lock nor a partial directory behind.
  const onSignal = (signal: NodeJS.Signals) => {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(lock, { recursive: true, force: true });
    process.stderr.write(`[sweep] interrupted (${signal}); nothing written\n`);
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    rmSync(failure, { force: true });
    if (existsSync(join(dir, "job.json"))) return dir;
    rmSync(tmp, { recursive: true, force: true });
    const result = await runSweep({
      dataset: options.dataset,
      datasetOptions: options.datasetOptions,
      profile,
      workers: options.workers,
      engine: options.engine,
      log,
    });
    mkdirSync(tmp, { recursive: true });
    writeFileSync(join(tmp, "curves.json"), JSON.stringify(result.curves) + "\n");
    writeFileSync(join(tmp, "timings.json"), JSON.stringify(result.timings, null, 2) + "\n");
    for (const [name, bytes] of Object.entries(result.files)) writeFileSync(join(tmp, name), bytes);
    // job.json last: its presence marks a complete job (the rename makes it appear with everything else).
    writeFileSync(
      join(tmp, "job.json"),
      JSON.stringify(
        { key, keyInputs, files: ["curves.json", "timings.json", ...Object.keys(result.files)] },
        null,
        2,
      ) + "\n",
    );
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    return dir;
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    const message = `sweep of dataset "${options.dataset}" (profile ${profile.name}) failed: ${(e as Error).message}`;
    try {
      mkdirSync(dirname(failure), { recursive: true });
      writeFileSync(failure, message);
    } catch {
      /* best effort */
    }
    throw new Error(message);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    rmSync(lock, { recursive: true, force: true });
  }
}

/** One output file of the sweep (running the sweep first if needed). */
export async function sweepOutput(name: string, options: SweepJobOptions): Promise<Buffer> {
  const dir = await ensureSweepJob(options);
  const path = join(dir, name);
  if (!existsSync(path)) {
    const have = JSON.parse(readFileSync(join(dir, "job.json"), "utf8")).files as string[];
    throw new Error(`the sweep of "${options.dataset}" produced no ${name} (it produced: ${have.join(", ")})`);
  }
  return readFileSync(path);
}

/**
 * The build log's warnings for a curves file: one line per model the sweep flagged near chance. Logged
 * where the curves are handed over (loader, CLI), so a reused job warns as a fresh one does.
 */
export function nearChanceWarnings(curvesText: string): string[] {
  return nearChanceNotes(JSON.parse(curvesText) as CurvesFile).map(
    (n) => `[sweep] warning: ${n.text}: too little data or training`,
  );
}

/**
 * Body of a thin data loader: write one sweep output to stdout (the data file), progress and errors to
 * stderr; a failure exits non-zero having written nothing to stdout.
 */
export async function sweepLoader(name: string, dataset: string): Promise<void> {
  try {
    const bytes = await sweepOutput(name, { dataset, datasetOptions: datasetOptionsFromEnv() });
    if (name === "curves.json")
      for (const w of nearChanceWarnings(bytes.toString("utf8"))) process.stderr.write(w + "\n");
    await new Promise<void>((resolveWrite, reject) =>
      process.stdout.write(bytes, (e) => (e ? reject(e) : resolveWrite())),
    );
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
