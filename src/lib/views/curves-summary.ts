/**
 * What the curves page says about a curves file, computed from it: the headline numbers (full-size accuracy,
 * the integral net and L1 pruning at 50% and 75% compression, how many seeds), the small multiple each method
 * belongs to, a y range that fits the methods shown, where direct labels go without colliding, and an
 * explanation of any dip — a smaller share of the channels scoring above a larger one. Pure data shaping.
 */
import type { CurveMethod } from "../io/curves-schema.js";
import {
  accuracyAtCompression,
  fullSizePoint,
  trainedCompressionRange,
  type CurveRow,
  type CurvesData,
} from "./curves.js";

export type Axis = "params" | "flops";

/** The method ids the site's argument compares. */
export const HEADLINE = { inn: "inn-scratch", l1: "discrete-l1", random: "discrete-random" } as const;

export type CurvePanelId = "no-fine-tuning" | "trained" | "inn-variants";

export const CURVE_PANELS: readonly { id: CurvePanelId; title: string }[] = [
  { id: "no-fine-tuning", title: "Shrunk after training, no fine-tuning" },
  { id: "trained", title: "Trained at their size" },
  { id: "inn-variants", title: "Other ways to an integral net" },
];

/** The small multiple a method is drawn in: the headline comparison, the trained nets, or the INN variants. */
export function curvePanel(method: { method: string; kind: CurveMethod["kind"] }): CurvePanelId {
  if (method.kind === "trained") return "trained";
  if (Object.values(HEADLINE).includes(method.method as (typeof HEADLINE)[keyof typeof HEADLINE])) {
    return "no-fine-tuning";
  }
  return "inn-variants";
}

const compressionOf = (p: { paramsCompression: number; flopsCompression: number }, axis: Axis) =>
  axis === "params" ? p.paramsCompression : p.flopsCompression;

export interface CurvesHeadline {
  dataset: string;
  family: string;
  axis: Axis;
  /** Training seeds behind each headline curve (the most any of them has). */
  seeds: number;
  testImages: number;
  /** Accuracy at full size (fraction 1): the integral net and its discrete twin (the unpruned L1 point). */
  full: { inn: number | null; discrete: number | null };
  /** Accuracy at each compression, read off the curves between the measured sizes. */
  at: { compression: number; inn: number | null; l1: number | null; random: number | null }[];
}

function methodOf(c: CurvesData, family: string, id: string): CurveMethod | undefined {
  return c.families.find((f) => f.id === family)?.methods.find((m) => m.id === id);
}

function fullSize(m: CurveMethod | undefined): number | null {
  return fullSizePoint(m)?.accuracy.mean ?? null;
}

/** The headline numbers of a family (null when the family has neither the INN nor L1 pruning). */
export function curvesHeadline(
  c: CurvesData,
  family = "reference",
  axis: Axis = "params",
  compressions: readonly number[] = [0.5, 0.75],
): CurvesHeadline | null {
  const inn = methodOf(c, family, HEADLINE.inn);
  const l1 = methodOf(c, family, HEADLINE.l1);
  const random = methodOf(c, family, HEADLINE.random);
  if (!inn && !l1) return null;
  const at = (m: CurveMethod | undefined, x: number) => (m ? accuracyAtCompression(m, x, axis) : null);
  return {
    dataset: c.dataset.name,
    family,
    axis,
    seeds: Math.max(...[inn, l1].map((m) => m?.seeds.length ?? 0)),
    testImages: c.dataset.testCount,
    full: { inn: fullSize(inn), discrete: fullSize(l1) },
    at: compressions.map((x) => ({ compression: x, inn: at(inn, x), l1: at(l1, x), random: at(random, x) })),
  };
}

const pct = (x: number | null, digits = 1) => (x === null ? "—" : `${(100 * x).toFixed(digits)}%`);

/** The headline as one sentence. */
export function headlineSentence(h: CurvesHeadline): string {
  const what = h.axis === "params" ? "parameters" : "FLOPs";
  const parts: string[] = [];
  if (h.full.inn !== null) {
    parts.push(
      `On ${h.dataset}, the integral net scores ${pct(h.full.inn)} at full size` +
        (h.full.discrete !== null ? ` (its discrete twin ${pct(h.full.discrete)})` : "") +
        ".",
    );
  }
  const known = h.at.filter((a) => a.inn !== null || a.l1 !== null);
  known.forEach((a, k) => {
    const fewer = `${Math.round(100 * a.compression)}% fewer ${what}`;
    parts.push(
      k === 0
        ? `Shrunk to ${fewer} without fine-tuning, it keeps ${pct(a.inn)}, where L1 channel pruning of the twin keeps ${pct(a.l1)}.`
        : `At ${fewer}: ${pct(a.inn)} against ${pct(a.l1)}.`,
    );
  });
  parts.push(
    `${h.seeds} training seed${h.seeds === 1 ? "" : "s"}, ${h.testImages.toLocaleString("en-US")} test images; ` +
      `accuracies between the measured sizes are read off the straight line joining them.`,
  );
  return parts.join(" ");
}

/** How the curves' y axis is cut: fit to the rows shown, 80–100 %, or 0–100 %. */
export type YZoom = "auto" | "80" | "full";

/** Lower end of the y axis (in accuracy, 0…1) for a zoom mode over the rows shown; the top is always 1. */
export function yLower(rows: readonly CurveRow[], mode: YZoom): number {
  if (mode === "full" || rows.length === 0) return 0;
  if (mode === "80") return 0.8;
  const lowest = Math.min(...rows.map((r) => r.accuracyMean - r.accuracyStd));
  // Round down to the next 5 points, with a little room below the lowest band.
  return Math.max(0, Math.floor((lowest - 0.01) * 20) / 20);
}

/**
 * Positions for direct labels along one axis: each label as close to its wanted position as it can be with
 * at least `gap` between neighbours, inside [lo, hi], order preserved. Overlapping labels form a cluster
 * centred on their wanted positions' mean; clusters that then touch merge, until none do.
 */
export function spreadLabels(wanted: readonly number[], gap: number, lo = -Infinity, hi = Infinity): number[] {
  const order = wanted.map((_, i) => i).sort((a, b) => wanted[a] - wanted[b]);
  // A cluster of consecutive labels (in sorted order) placed from `start`, `gap` apart.
  let clusters = order.map((i) => ({ members: [i], start: wanted[i] }));
  const place = (c: { members: number[] }) => {
    const n = c.members.length;
    const mean = c.members.reduce((s, i) => s + wanted[i], 0) / n;
    const span = (n - 1) * gap;
    return Math.min(Math.max(mean - span / 2, lo), hi - span);
  };
  for (let merged = true; merged;) {
    merged = false;
    const next: typeof clusters = [];
    for (const c of clusters) {
      const last = next[next.length - 1];
      if (last && last.start + (last.members.length - 1) * gap + gap > c.start + 1e-9) {
        last.members.push(...c.members);
        last.start = place(last);
        merged = true;
      } else {
        next.push({ members: c.members, start: place(c) });
      }
    }
    clusters = next;
  }
  const out = new Array<number>(wanted.length);
  for (const c of clusters) c.members.forEach((i, k) => (out[i] = c.start + k * gap));
  return out;
}

export interface CurveDip {
  family: string;
  method: string;
  label: string;
  /** The larger share and the smaller one that scores above it. */
  larger: { fraction: number; accuracy: number };
  smaller: { fraction: number; accuracy: number };
  /** How far the smaller share scores above the larger one (accuracy, 0…1). */
  rise: number;
  /** Standard error of that difference: the test set's sampling error and the seeds' spread, both points. */
  noise: number;
  /** The smaller share is the bottom of the range the net was trained on. */
  smallestTrained: boolean;
  /** The net's training drew the smallest size at every step (the sandwich rule). */
  sandwich: boolean;
}

/** Standard error of one point's mean accuracy: test-set sampling (binomial) plus the seeds' spread. */
function pointError(accuracy: { mean: number; std: number; n: number }, testImages: number): number {
  const p = accuracy.mean;
  const sampling = testImages > 0 ? (p * (1 - p)) / testImages : 0;
  const seeds = accuracy.n > 1 ? accuracy.std ** 2 / accuracy.n : 0;
  return Math.sqrt(sampling + seeds);
}

/**
 * Every dip in the curves of the methods that are resampled or pruned (not trained at size): for each pair
 * of neighbouring measured shares, the smaller scoring above the larger. The largest rise per method first.
 */
export function curveDips(c: CurvesData, family?: string): CurveDip[] {
  const dips: CurveDip[] = [];
  for (const f of c.families) {
    if (family !== undefined && f.id !== family) continue;
    for (const m of f.methods) {
      if (m.kind === "trained") continue;
      const points = [...m.points].sort((a, b) => b.fraction - a.fraction);
      const range = trainedCompressionRange(m, "params");
      const sandwich = m.training.some((t) => {
        const settings = t.settings as Record<string, unknown> | undefined;
        return settings?.sandwich === true && settings?.sandwichSmallest === true;
      });
      const found: CurveDip[] = [];
      for (let k = 1; k < points.length; k++) {
        const [larger, smaller] = [points[k - 1], points[k]];
        const rise = smaller.accuracy.mean - larger.accuracy.mean;
        if (rise <= 0) continue;
        found.push({
          family: f.id,
          method: m.id,
          label: m.label,
          larger: { fraction: larger.fraction, accuracy: larger.accuracy.mean },
          smaller: { fraction: smaller.fraction, accuracy: smaller.accuracy.mean },
          rise,
          noise: Math.hypot(
            pointError(larger.accuracy, c.dataset.testCount),
            pointError(smaller.accuracy, c.dataset.testCount),
          ),
          smallestTrained: range !== null && Math.abs(smaller.fraction - range.minFraction) <= 1 / 128 + 1e-9,
          sandwich,
        });
      }
      dips.push(...found.sort((a, b) => b.rise - a.rise));
    }
  }
  return dips;
}

/** One sentence per dip explaining it from the data (the method's name comes from `name`). */
export function dipSentence(d: CurveDip, name: (method: string) => string, testImages: number): string {
  const share = (f: number) => `${Math.round(100 * f)}%`;
  const points = (x: number) => `${(100 * x).toFixed(1)} points`;
  const lead =
    `${name(d.method)} scores ${pct(d.smaller.accuracy, 2)} at ${share(d.smaller.fraction)} of the channels, ` +
    `${points(d.rise)} above its ${pct(d.larger.accuracy, 2)} at ${share(d.larger.fraction)}`;
  const reasons: string[] = [];
  if (d.smallestTrained) {
    reasons.push(
      d.sandwich
        ? `${share(d.smaller.fraction)} is the smallest size it was trained at, which the sandwich rule trains in every step, while the sizes between are drawn only now and then`
        : `${share(d.smaller.fraction)} is the smallest size it was trained at (the bottom of its training range)`,
    );
  }
  const within = d.rise <= 2 * d.noise;
  reasons.push(
    `${within ? "the rise is within" : "the rise is larger than"} the noise of these numbers ` +
      `(one standard error of the difference is ${points(d.noise)}, from ${testImages.toLocaleString("en-US")} test images and the seeds' spread)`,
  );
  return `${lead}: ${reasons.join("; ")}.`;
}

export interface MeasuredShare {
  /** The measured share of the channels nearest the one asked for. */
  fraction: number;
  /** Parameter compression at that share (of the integral net's point, else L1's). */
  compression: number;
  inn: number | null;
  l1: number | null;
  random: number | null;
}

/** The headline methods' measured accuracies at the measured share of the channels nearest `share`. */
export function measuredAtShare(c: CurvesData, share: number, family = "reference"): MeasuredShare | null {
  const methods = Object.fromEntries(Object.entries(HEADLINE).map(([k, id]) => [k, methodOf(c, family, id)])) as Record<
    keyof typeof HEADLINE,
    CurveMethod | undefined
  >;
  const fractions = [...new Set([methods.inn, methods.l1].flatMap((m) => m?.points.map((p) => p.fraction) ?? []))];
  if (!fractions.length) return null;
  const fraction = fractions.reduce((best, f) => (Math.abs(f - share) < Math.abs(best - share) ? f : best));
  const point = (m: CurveMethod | undefined) => m?.points.find((p) => p.fraction === fraction);
  const reference = point(methods.inn) ?? point(methods.l1)!;
  return {
    fraction,
    compression: reference.paramsCompression,
    inn: point(methods.inn)?.accuracy.mean ?? null,
    l1: point(methods.l1)?.accuracy.mean ?? null,
    random: point(methods.random)?.accuracy.mean ?? null,
  };
}
