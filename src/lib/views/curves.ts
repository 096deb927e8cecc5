/**
 * Reading the sweep's curves file (schema "integral-lab/curves" v2, README "Data files") for display:
 * a structural check with clear errors, one flat row per family × method × point (for the chart, the
 * table and the CSV download), and the range of sizes each integral net was trained on, as a band of
 * compression values. Pure data shaping; the numbers themselves come from the file.
 */

import {
  CURVES_FORMAT,
  CURVES_VERSION,
  lhcMasksProblem,
  modelReportProblem,
  partitionsProblem,
  type CurveMethod,
  type CurvePoint,
  type CurvesFile,
} from "../io/curves-schema.js";

/** A curves file as this reader sees it (the sweep's profile and model reports stay opaque). */
export type CurvesData = CurvesFile;

/** A method's point at full size (fraction 1), if it was measured there. */
export function fullSizePoint(m: CurveMethod | undefined): CurvePoint | undefined {
  return m?.points.find((p) => Math.abs(p.fraction - 1) < 1e-9);
}

/** Throw a clear error naming `source` if `json` is not a curves file this reader understands. */
export function checkCurvesFile(json: unknown, source = "curves.json"): CurvesData {
  const fail = (problem: string): never => {
    throw new Error(`${source}: ${problem}`);
  };
  if (!json || typeof json !== "object") fail("not a JSON object");
  const c = json as CurvesData;
  if (c.format !== CURVES_FORMAT) fail(`format is ${JSON.stringify(c.format)}, expected "${CURVES_FORMAT}"`);
  if (c.version !== CURVES_VERSION)
    fail(`version ${c.version} is not supported (this page reads version ${CURVES_VERSION})`);
  if (!Array.isArray(c.families)) fail(`"families" must be a list`);
  const classes = c.dataset?.classes;
  if (!Number.isInteger(classes) || classes < 2)
    fail(`dataset.classes must be an integer of at least 2, got ${JSON.stringify(classes)}`);
  for (const f of c.families) {
    if (typeof f.id !== "string" || !Array.isArray(f.methods)) fail(`a family lacks an id or its methods`);
    if (f.models !== undefined && !Array.isArray(f.models)) fail(`family ${f.id}: "models" must be a list`);
    for (const r of f.models ?? []) {
      const problem = modelReportProblem(r, classes);
      if (problem) fail(`family ${f.id}: ${problem}`);
    }
    for (const m of f.methods) {
      if (typeof m.id !== "string" || !Array.isArray(m.points))
        fail(`family ${f.id}: a method lacks an id or its points`);
      for (const p of m.points) {
        for (const key of ["fraction", "params", "flops", "paramsCompression", "flopsCompression"] as const) {
          if (!Number.isFinite(p[key])) fail(`family ${f.id}, method ${m.id}: ${key} is ${String(p[key])}`);
        }
        if (!p.accuracy || !Number.isFinite(p.accuracy.mean) || !Number.isFinite(p.accuracy.std))
          fail(`family ${f.id}, method ${m.id}: a point lacks accuracy mean/std`);
        if (p.partitions !== undefined) {
          const problem = partitionsProblem(p.partitions, p.sizes);
          if (problem) fail(`family ${f.id}, method ${m.id}, point at fraction ${p.fraction}: ${problem}`);
        }
        if (p.lhcMasks !== undefined) {
          const problem = lhcMasksProblem(p.lhcMasks);
          if (problem) fail(`family ${f.id}, method ${m.id}, point at fraction ${p.fraction}: ${problem}`);
        }
      }
    }
  }
  return c;
}

export interface CurveRow {
  dataset: string;
  family: string;
  method: string;
  label: string;
  kind: CurveMethod["kind"];
  fraction: number;
  params: number;
  flops: number;
  paramsCompression: number;
  flopsCompression: number;
  accuracyMean: number;
  accuracyStd: number;
  accuracyMin: number;
  accuracyMax: number;
  evaluations: number;
  seeds: string;
}

/** One row per family × method × point, in file order. */
export function curveRows(c: CurvesData): CurveRow[] {
  return c.families.flatMap((f) =>
    f.methods.flatMap((m) =>
      m.points.map((p) => ({
        dataset: c.dataset.name,
        family: f.id,
        method: m.id,
        label: m.label,
        kind: m.kind,
        fraction: p.fraction,
        params: p.params,
        flops: p.flops,
        paramsCompression: p.paramsCompression,
        flopsCompression: p.flopsCompression,
        accuracyMean: p.accuracy.mean,
        accuracyStd: p.accuracy.std,
        accuracyMin: p.accuracy.min,
        accuracyMax: p.accuracy.max,
        evaluations: p.accuracy.n,
        seeds: m.seeds.join(" "),
      })),
    ),
  );
}

/**
 * The compression interval an integral net saw during training: the points whose fraction lies in the
 * random-size range it was trained on (the smallest min/max ratio over its groups and seeds, up to full
 * size). Null for a method with no training ranges (pruned or separately trained nets).
 */
export function trainedCompressionRange(
  m: CurveMethod,
  axis: "params" | "flops",
): { minFraction: number; lo: number; hi: number } | null {
  const ratios = m.training.flatMap((t) =>
    Object.values(t.trainingRanges ?? {})
      .filter((r) => r.max > 0)
      .map((r) => r.min / r.max),
  );
  if (ratios.length === 0) return null;
  const minFraction = Math.min(...ratios);
  // Fractions are rounded to channels: allow half a channel of slack on a 64-channel group.
  const inside = m.points.filter((p) => p.fraction >= minFraction - 1e-9 - 1 / 128);
  if (inside.length === 0) return null;
  const values = inside.map((p) => (axis === "params" ? p.paramsCompression : p.flopsCompression));
  return { minFraction, lo: Math.min(...values), hi: Math.max(...values) };
}

/**
 * Mean accuracy of a curve at a given compression, read off the straight line between the two points
 * around it (points need not be sorted). Null outside the curve's compression span or for a single point.
 */
export function accuracyAtCompression(
  m: CurveMethod,
  compression: number,
  axis: "params" | "flops" = "params",
): number | null {
  const points = m.points
    .map((p) => ({ c: axis === "params" ? p.paramsCompression : p.flopsCompression, a: p.accuracy.mean }))
    .sort((x, y) => x.c - y.c);
  for (let i = 1; i < points.length; i++) {
    const [lo, hi] = [points[i - 1], points[i]];
    if (compression < lo.c || compression > hi.c) continue;
    return hi.c === lo.c ? Math.max(lo.a, hi.a) : lo.a + ((compression - lo.c) / (hi.c - lo.c)) * (hi.a - lo.a);
  }
  return null;
}

const CSV_COLUMNS: (keyof CurveRow)[] = [
  "dataset",
  "family",
  "method",
  "label",
  "kind",
  "fraction",
  "params",
  "flops",
  "paramsCompression",
  "flopsCompression",
  "accuracyMean",
  "accuracyStd",
  "accuracyMin",
  "accuracyMax",
  "evaluations",
  "seeds",
];

/** RFC 4180 CSV (header row, quoted fields where needed, \r\n line ends). */
export function curveRowsCsv(rows: readonly CurveRow[]): string {
  const cell = (v: unknown) => {
    const s = String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return (
    [CSV_COLUMNS.join(","), ...rows.map((r) => CSV_COLUMNS.map((k) => cell(r[k])).join(","))].join("\r\n") + "\r\n"
  );
}

/** A trained model the sweep flagged as near chance, with the sentence the page and the build log show. */
export interface NearChanceNote {
  family: string;
  model: string;
  seed: number;
  accuracy: number;
  classes: number;
  /** e.g. "reference-inn (seed 0) ended at 16.8% on digits, near chance (16.8% ≈ 1/10)". */
  text: string;
}

/** Every flagged model of `family` (all families when omitted), in file order. */
export function nearChanceNotes(c: Pick<CurvesData, "dataset" | "families">, family?: string): NearChanceNote[] {
  const classes = c.dataset.classes;
  return c.families
    .filter((f) => family === undefined || f.id === family)
    .flatMap((f) =>
      (f.models ?? [])
        .filter((m) => m.nearChance)
        .map((m) => {
          const pct = `${(100 * m.testAccuracy).toFixed(1)}%`;
          const who = `${m.model}${f.id === "reference" ? "" : ` (family ${f.id})`}`;
          return {
            family: f.id,
            model: m.model,
            seed: m.seed,
            accuracy: m.testAccuracy,
            classes,
            text: `${who} (seed ${m.seed}) ended at ${pct} on ${c.dataset.name}, near chance (${pct} ≈ 1/${classes})`,
          };
        }),
    );
}
