/**
 * The sweep from the command line, with the options the data loaders use:
 *
 *   npx tsx loaders/sweep/cli.ts [--dataset mnist] [--profile quick|full] [--workers 2] [--data-dir DIR] [--cache-dir DIR]
 *
 * Runs (or reuses) the cached sweep job; progress and the reference family's table on stderr, the job
 * directory's curves.json on stdout.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { ensureSweepJob, datasetOptionsFromEnv, nearChanceWarnings } from "./job.js";
import { sweepProfile } from "./profiles.js";
import { curvesTable, type CurvesFile } from "./curves.js";
import { parseDecimal } from "../../src/lib/io/decimal.js";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dataset: { type: "string", default: "mnist" },
      profile: { type: "string" },
      workers: { type: "string" },
      "data-dir": { type: "string" },
      "cache-dir": { type: "string" },
    },
    strict: true,
  });
  const workers = values.workers === undefined ? undefined : parseDecimal(values.workers);
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1))
    throw new Error(`--workers must be a positive integer, got "${values.workers}"`);
  const started = performance.now();
  const dir = await ensureSweepJob({
    dataset: values.dataset!,
    profile: sweepProfile(values.profile),
    workers,
    cacheDir: values["cache-dir"],
    datasetOptions: values["data-dir"] ? { dataDir: values["data-dir"] } : datasetOptionsFromEnv(),
  });
  const text = readFileSync(join(dir, "curves.json"), "utf8");
  const curves = JSON.parse(text) as CurvesFile;
  for (const f of curves.families) process.stderr.write(`\n${f.id}:\n${curvesTable(curves, f.id)}\n`);
  for (const w of nearChanceWarnings(text)) process.stderr.write(w + "\n");
  process.stderr.write(`\njob directory ${dir}; ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  process.stdout.write(text);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((e: Error) => {
    process.stderr.write(`sweep: ${e.message}\n`);
    process.exitCode = 1;
  });
}
