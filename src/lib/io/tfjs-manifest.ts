/**
 * The one validator of a tfjs layers model's weights manifest (model.json's "weightsManifest", or tf.io
 * artifacts' weightSpecs), shared by the reference-net importer (io/tfjs-import.ts) and the general
 * converter (convert/weights.ts): every entry a {name, shape, dtype} with non-negative integer dims and a
 * readable dtype, no name twice, and weight bytes equal to what the entries describe. Every refusal is an
 * Error "<source>: <the weight (by name, or by position)>: <the problem>".
 */
import type * as tf from "@tensorflow/tfjs-core";

export type WeightEntry = tf.io.WeightsManifestEntry;

export interface WeightsGroup {
  paths: string[];
  weights: WeightEntry[];
}

type Json = Record<string, unknown>;

const DTYPES = new Set(["float32", "int32", "bool"]);
const QUANTIZED = new Set(["uint8", "uint16", "float16"]);

/**
 * One list of weight entries, checked; `at(i)` names entry i by position (used until it has a name).
 * Names must be unique across `seen` (shared between a manifest's groups, mapping name → position).
 */
function checkEntries(
  specs: unknown,
  source: string,
  at: (i: number) => string,
  seen: Map<string, number>,
): WeightEntry[] {
  const fail = (problem: string): never => {
    throw new Error(`${source}: ${problem}`);
  };
  if (!Array.isArray(specs)) return fail(`${at(-1)} has no weight list`);
  return specs.map((s: unknown, i) => {
    if (typeof s !== "object" || s === null || Array.isArray(s))
      return fail(`${at(i)} is ${JSON.stringify(s) ?? "undefined"}, not a {name, shape, dtype} entry`);
    const e = s as Json;
    if (e.name === undefined) return fail(`${at(i)} has no "name"`);
    if (typeof e.name !== "string" || e.name === "")
      return fail(`${at(i)} has "name" ${JSON.stringify(e.name)}, not a string`);
    const weight = `weight ${JSON.stringify(e.name)}`;
    if (e.shape === undefined) return fail(`${weight} has no shape`);
    if (!Array.isArray(e.shape)) return fail(`${weight} has shape ${JSON.stringify(e.shape)}: not a list of dims`);
    if (!e.shape.every((d) => Number.isInteger(d) && (d as number) >= 0))
      return fail(`${weight} has shape ${JSON.stringify(e.shape)}: dims must be non-negative integers`);
    const q = (e.quantization as Json | undefined)?.dtype;
    if (e.dtype === undefined && q === undefined) return fail(`${weight} has no dtype`);
    if (q !== undefined ? !QUANTIZED.has(q as string) : !DTYPES.has(e.dtype as string))
      return fail(`${weight} has dtype ${JSON.stringify(q ?? e.dtype)}, which holds no numbers`);
    const position = seen.size + 1;
    const before = seen.get(e.name);
    if (before !== undefined) fail(`${weight} is listed twice (weights ${before} and ${position} of the manifest)`);
    seen.set(e.name, position);
    return s as WeightEntry;
  });
}

/**
 * model.json's "weightsManifest" (absent: no weights), checked: each group a {paths, weights} with a list
 * of file paths and valid entries, no weight name twice in the whole manifest.
 */
export function checkWeightsManifest(manifest: unknown, source: string): WeightsGroup[] {
  if (manifest === undefined) return [];
  if (!Array.isArray(manifest)) throw new Error(`${source}: "weightsManifest" is not a list`);
  const seen = new Map<string, number>();
  return manifest.map((group: unknown, g) => {
    const where = `weights group ${g + 1} of the manifest`;
    if (typeof group !== "object" || group === null || Array.isArray(group))
      throw new Error(`${source}: ${where} is ${JSON.stringify(group) ?? "undefined"}, not a {paths, weights} group`);
    const paths = (group as Json).paths;
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === "string" && p !== ""))
      throw new Error(`${source}: ${where} has no list of file paths`);
    const at = (i: number) => (i < 0 ? where : `weight ${i + 1} of weights group ${g + 1}`);
    return { paths: paths as string[], weights: checkEntries((group as Json).weights, source, at, seen) };
  });
}

/** tf.io artifacts' flat weightSpecs, checked as a manifest's entries are. */
export function checkWeightSpecs(specs: unknown, source: string): WeightEntry[] {
  return checkEntries(
    specs,
    source,
    (i) => (i < 0 ? "the weights manifest" : `weight ${i + 1} of the manifest`),
    new Map(),
  );
}

/** Bytes one checked entry takes in the weights data (quantised weights at their stored width). */
export function weightBytes(spec: WeightEntry, source: string): number {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  const q = spec.quantization?.dtype;
  if (q) return count * (q === "uint8" ? 1 : 2);
  if (spec.dtype === "float32" || spec.dtype === "int32") return 4 * count;
  if (spec.dtype === "bool") return count;
  throw new Error(
    `${source}: weight ${JSON.stringify(spec.name)} has dtype ${JSON.stringify(spec.dtype)}, which holds no numbers`,
  );
}

/**
 * Check that `held` bytes (of `file`, e.g. "weights file w.bin") are exactly what `specs` describe, in
 * order. A short file is named truncated at the first weight it cannot hold; a long one gets both counts.
 */
export function checkWeightBytes(
  held: number,
  specs: readonly WeightEntry[],
  source: string,
  file = "weights file",
): void {
  let offset = 0;
  let short: string | null = null;
  for (const s of specs) {
    const end = offset + weightBytes(s, source);
    if (short === null && end > held)
      short = `weight ${JSON.stringify(s.name)} needs bytes ${offset}…${end}, the file holds ${held}`;
    offset = end;
  }
  if (short !== null) throw new Error(`${source}: ${file} is truncated: ${short} (the manifest describes ${offset})`);
  if (held !== offset) throw new Error(`${source}: ${file} has ${held} bytes, the manifest describes ${offset}`);
}
