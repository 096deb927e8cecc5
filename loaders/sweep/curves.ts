/**
 * The curves file (schema "integral-lab/curves", version 2; documented in README "Data files"):
 * per-run points from the tasks, aggregated per family and method over seeds (mean, sample standard
 * deviation, min, max). Nothing timing-dependent goes in, so equal inputs give byte-identical files.
 */
import {
  CURVES_FORMAT,
  CURVES_VERSION,
  type AccuracyStats,
  type CurveFamily as CurveFamilyOf,
  type CurveMethod,
  type CurvePoint,
  type CurvesFile as CurvesFileOf,
  nearChance,
} from "../../src/lib/io/curves-schema.js";
import type { MethodRun, ModelReport, TaskResult } from "./tasks/index.js";
import type { SweepProfile } from "./profiles.js";
import type { EngineRecord } from "../engine.js";

export { CURVES_FORMAT, CURVES_VERSION };
export type { AccuracyStats, CurveMethod, CurvePoint };
export type CurveFamily = CurveFamilyOf<ModelReport>;
export type CurvesFile = CurvesFileOf<SweepProfile, ModelReport>;

const METHODS: Record<string, { label: string; kind: CurveMethod["kind"] }> = {
  "discrete-l1": { label: "Discrete net, L1 channel pruning (no fine-tuning)", kind: "pruned" },
  "discrete-random": { label: "Discrete net, random channel pruning (no fine-tuning)", kind: "pruned" },
  "inn-scratch": { label: "INN from scratch, resampled (no fine-tuning)", kind: "resampled" },
  converted: { label: "Converted discrete net, resampled (no fine-tuning)", kind: "resampled" },
  "inn-init": { label: "INN-init (converted, fine-tuned on random sizes), resampled", kind: "resampled" },
  "inn-grid-tuned": { label: "Converted net, grid-tuned partition at each size", kind: "tuned" },
  sinn: { label: "SINN from scratch, resampled (no fine-tuning)", kind: "resampled" },
  ssc: { label: "Super-sparse convolutions (trained)", kind: "trained" },
};
const ORDER = [
  "discrete-l1",
  "discrete-random",
  "inn-scratch",
  "converted",
  "inn-init",
  "inn-grid-tuned",
  "sinn",
  "lhc",
  "ssc",
  "igpc",
];

function describeMethod(id: string): { label: string; kind: CurveMethod["kind"] } {
  if (METHODS[id]) return METHODS[id];
  const lhc = /^lhc-(.+)$/.exec(id);
  if (lhc) return { label: `LHC, free shapes, target density ${lhc[1]} (trained)`, kind: "trained" };
  const igpc = /^igpc-ch(\d+)$/.exec(id);
  if (igpc) return { label: `Interleaved grouped point-wise, Ch = ${igpc[1]} (trained)`, kind: "trained" };
  throw new Error(`curves: unknown method "${id}"`);
}

const rank = (id: string) => {
  const i = ORDER.findIndex((p) => id === p || id.startsWith(`${p}-`));
  return i < 0 ? ORDER.length : i;
};

export function accuracyStats(values: readonly number[]): AccuracyStats {
  if (values.length === 0) throw new Error("curves: no accuracies to summarise");
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, min: Math.min(...values), max: Math.max(...values), n };
}

function aggregate(runs: MethodRun[]): CurveMethod {
  const first = runs[0];
  const sorted = [...runs].sort((a, b) => a.seed - b.seed);
  const points = first.points.map((p, i) => {
    for (const r of sorted) {
      const q = r.points[i];
      if (!q || q.fraction !== p.fraction || JSON.stringify(q.sizes) !== JSON.stringify(p.sizes))
        throw new Error(`curves: runs of ${first.family}/${first.method} disagree on point ${i}`);
    }
    const all = sorted.flatMap((r) => r.points[i].accuracies);
    const densities = sorted.map((r) => r.points[i].weightDensity).filter((d): d is number => d !== undefined);
    return {
      fraction: p.fraction,
      sizes: p.sizes,
      params: p.params,
      flops: p.flops,
      paramsCompression: 1 - p.params / first.familyFull.params,
      flopsCompression: 1 - p.flops / first.familyFull.flops,
      accuracy: accuracyStats(all),
      runs: sorted.map((r) => ({ seed: r.seed, accuracies: r.points[i].accuracies })),
      ...(densities.length ? { weightDensity: densities.reduce((a, b) => a + b, 0) / densities.length } : {}),
      // Learned grid-tuning partitions: the first seed's (runs[0]), as the schema documents.
      ...(sorted[0].points[i].partitions ? { partitions: sorted[0].points[i].partitions } : {}),
      // LHC masks: the first seed's, as the schema documents.
      ...(sorted[0].points[i].lhcMasks ? { lhcMasks: sorted[0].points[i].lhcMasks } : {}),
    };
  });
  return {
    id: first.method,
    ...describeMethod(first.method),
    model: first.model,
    seeds: sorted.map((r) => r.seed),
    training: sorted.map((r) => ({ seed: r.seed, ...r.training })),
    points,
  };
}

/** Assemble the curves file from every task's result (any order). */
export function buildCurves(
  results: readonly TaskResult[],
  profile: SweepProfile,
  dataset: CurvesFile["dataset"],
  engine: EngineRecord,
): CurvesFile {
  const ordered = [...results].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const familyIds = [...new Set(ordered.flatMap((r) => r.runs.map((m) => m.family)))].sort((a, b) =>
    a === "reference" ? -1 : b === "reference" ? 1 : a < b ? -1 : 1,
  );
  const families = familyIds.map((family) => {
    const runs = ordered.flatMap((r) => r.runs.filter((m) => m.family === family));
    const byMethod = new Map<string, MethodRun[]>();
    for (const run of runs) byMethod.set(run.method, [...(byMethod.get(run.method) ?? []), run]);
    const methods = [...byMethod.values()]
      .map(aggregate)
      .sort((a, b) => rank(a.id) - rank(b.id) || (a.id < b.id ? -1 : 1));
    const models = ordered
      .flatMap((r) => r.models.filter((m) => m.family === family))
      .map((m) => (nearChance(m.testAccuracy, dataset.classes) ? { ...m, nearChance: true as const } : m))
      .sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : a.seed - b.seed));
    return { id: family, full: runs[0].familyFull, methods, models };
  });
  return {
    format: CURVES_FORMAT,
    version: CURVES_VERSION,
    profile,
    engine,
    dataset,
    fractions: profile.fractions,
    families,
  };
}

/** A Markdown table: accuracy (mean ± std, %) per method at each fraction, with compressions. */
export function curvesTable(curves: CurvesFile, family = "reference"): string {
  const f = curves.families.find((x) => x.id === family);
  if (!f) return `(no family "${family}")`;
  const pct = (v: number) => (100 * v).toFixed(2);
  const lines = [
    "| method | " + curves.fractions.map((x) => `${Math.round(100 * x)}%`).join(" | ") + " |",
    "|---|" + curves.fractions.map(() => "---|").join(""),
  ];
  for (const m of f.methods) {
    const cells = curves.fractions.map((x) => {
      const p = m.points.find((q) => q.fraction === x);
      return p ? `${pct(p.accuracy.mean)}${p.accuracy.n > 1 ? ` ± ${pct(p.accuracy.std)}` : ""}` : "";
    });
    if (m.kind === "trained") {
      const p = m.points[0];
      lines.push(
        `| ${m.id} (params −${pct(p.paramsCompression)}%, FLOPs −${pct(p.flopsCompression)}%) | ${pct(p.accuracy.mean)} (trained point) |` +
          curves.fractions
            .slice(1)
            .map(() => " |")
            .join(""),
      );
    } else lines.push(`| ${m.id} | ${cells.join(" | ")} |`);
  }
  const ref = f.methods.find((m) => m.kind !== "trained");
  if (ref)
    lines.push(
      `| params / FLOPs compression | ${ref.points.map((p) => `${pct(p.paramsCompression)} / ${pct(p.flopsCompression)}`).join(" | ")} |`,
    );
  return lines.join("\n");
}
