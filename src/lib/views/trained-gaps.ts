/**
 * How far each net trained at its compressed size (LHC, SSC, IGPC: kind "trained") lands from the family's dense
 * net at full size (the unpruned point of L1 pruning), read from a curves file. Pure data shaping.
 */
import { fullSizePoint, type CurvesData } from "./curves.js";
import { HEADLINE } from "./curves-summary.js";

export interface TrainedGap {
  method: string;
  label: string;
  accuracy: number;
  paramsCompression: number;
  flopsCompression: number;
  /** The dense net's full-size accuracy, and dense − this net (a fraction: 0.01 = 1 point); null without it. */
  dense: number | null;
  gap: number | null;
}

/** One entry per trained method of `family`, in the file's order. */
export function trainedGaps(c: CurvesData, family = "reference"): TrainedGap[] {
  const f = c.families.find((x) => x.id === family);
  if (!f) return [];
  const dense = fullSizePoint(f.methods.find((m) => m.id === HEADLINE.l1))?.accuracy.mean ?? null;
  return f.methods
    .filter((m) => m.kind === "trained" && m.points.length > 0)
    .map((m) => {
      const p = m.points[0]!;
      return {
        method: m.id,
        label: m.label,
        accuracy: p.accuracy.mean,
        paramsCompression: p.paramsCompression,
        flopsCompression: p.flopsCompression,
        dense,
        gap: dense === null ? null : dense - p.accuracy.mean,
      };
    });
}

/** How long the trained nets train, as the curves file's profile records it. */
export interface TrainedBudget {
  limitTrain: number;
  epochs: number;
}

/** The trained nets' budget from the file's profile, or undefined when the profile does not say. */
export function trainedBudget(c: CurvesData): TrainedBudget | undefined {
  const m = (c.profile as { methodNets?: Partial<TrainedBudget> } | undefined)?.methodNets;
  return m && Number.isInteger(m.limitTrain) && Number.isInteger(m.epochs)
    ? { limitTrain: m.limitTrain!, epochs: m.epochs! }
    : undefined;
}

/**
 * One sentence for the page: each trained net's accuracy and gap to the dense net (`gaps` with a gap only),
 * and how many miss the aim of landing within a point of it. `name` gives a method's short name.
 */
export function trainedGapsSentence(
  gaps: TrainedGap[],
  name: (method: string) => string,
  budget?: TrainedBudget,
): string {
  const measured = gaps.filter((g) => g.gap !== null && g.dense !== null);
  if (!measured.length) return "";
  const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
  const list = measured.map(
    (g) =>
      `${name(g.method)} ${pct(g.accuracy)} (${(100 * Math.abs(g.gap!)).toFixed(1)} points ${g.gap! >= 0 ? "under" : "over"}, ` +
      `${(100 * g.paramsCompression).toFixed(1)}% fewer parameters)`,
  );
  const lead =
    `The nets trained at their size aim to land within 1 point of the dense net, which scores ` +
    `${pct(measured[0]!.dense!)} at full size in this build: ${list.join("; ")}.`;
  const under = measured.filter((g) => g.gap! > 0.01).length;
  if (!under) return `${lead} All of them make it.`;
  const images = budget && (budget.limitTrain ? budget.limitTrain.toLocaleString("en-US") : "all the");
  const why = budget
    ? ` — at this build's budget they train on ${images} images for ${budget.epochs} epoch${budget.epochs === 1 ? "" : "s"}, the dense net longer`
    : "";
  return `${lead} ${under} of ${measured.length} miss that by more than a point${why}.`;
}
