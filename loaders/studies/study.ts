/**
 * A study is the sweep's own tasks under a profile of the study's choosing: the same training, pruning,
 * conversion and evaluation code the built curves come from, with amounts set from the command line and
 * without the job cache. Tables go to stderr, the curves file to stdout.
 */
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { runSweep } from "../sweep/run-sweep.js";
import { curvesTable } from "../sweep/curves.js";
import { sweepProfile, type SweepProfile } from "../sweep/profiles.js";
import { datasetOptionsFromEnv } from "../sweep/job.js";

/** A profile that trains nothing: a study switches on the parts it wants. */
export function emptyProfile(name: string): SweepProfile {
  const full = sweepProfile("full");
  return {
    ...full,
    name,
    seeds: [],
    methodNets: { ...full.methodNets, lhcDensities: [], igpcChannelsPerGroup: [], ssc: false },
    families: { ...full.families, names: [] },
  };
}

/** A whole number ≥ `min` from a flag's text, or an error naming the flag. */
export function wholeNumber(flag: string, text: string | undefined, min = 0): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min)
    throw new Error(`${flag} needs a whole number of at least ${min}, got "${text}"`);
  return Number(text);
}

/** Flags every study takes. */
export const COMMON_OPTIONS = {
  dataset: { type: "string", default: "mnist" },
  "limit-train": { type: "string" },
  "limit-test": { type: "string" },
  workers: { type: "string" },
} as const;

/** Run the study's profile on a dataset; progress and one table per family on stderr, the curves on stdout. */
export async function runStudy(profile: SweepProfile, dataset: string): Promise<void> {
  const started = performance.now();
  const { curves } = await runSweep({ dataset, profile, datasetOptions: datasetOptionsFromEnv() });
  for (const f of curves.families) process.stderr.write(`\n${f.id}:\n${curvesTable(curves, f.id)}\n`);
  process.stderr.write(`\n${profile.name}: ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  process.stdout.write(JSON.stringify(curves, null, 1) + "\n");
}

/** Parse `argv` with the common and the study's own flags, build its profile, run it; errors go to stderr. */
export function studyMain<O extends Record<string, { type: "string" | "boolean"; default?: string | boolean }>>(
  name: string,
  metaUrl: string,
  options: O,
  build: (values: Record<string, string | boolean | undefined>, profile: SweepProfile) => SweepProfile,
): void {
  if (metaUrl !== pathToFileURL(process.argv[1] ?? "").href) return;
  (async () => {
    const values = parseArgs({ options: { ...COMMON_OPTIONS, ...options }, strict: true }).values as Record<
      string,
      string | boolean | undefined
    >;
    const base = emptyProfile(name);
    base.limitTrain = wholeNumber("--limit-train", values["limit-train"] as string | undefined) ?? 0;
    base.limitTest = wholeNumber("--limit-test", values["limit-test"] as string | undefined) ?? 0;
    base.workers = wholeNumber("--workers", values.workers as string | undefined, 1) ?? base.workers;
    await runStudy(build(values, base), values.dataset as string);
  })().catch((e: Error) => {
    process.stderr.write(`${name}: ${e.message}\n`);
    process.exitCode = 1;
  });
}
