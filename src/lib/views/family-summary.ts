/**
 * The SIB families side by side, from a curves file: each family's discrete net, INN and SINN at full size,
 * the SINN's gap to its INN, and what the SINN costs against the INN (parameters and FLOPs at full size).
 * Pure data shaping for the curves page.
 */
import { fullSizePoint, type CurvesData } from "./curves.js";

export interface FamilySummaryRow {
  family: string;
  /** Full-size test accuracy (mean over seeds) of each variant, null when it was not built. */
  discrete: number | null;
  inn: number | null;
  sinn: number | null;
  /** INN − SINN accuracy at full size (points as a fraction: 0.01 = 1 point). */
  sinnGap: number | null;
  /** SINN / INN at full size. */
  paramsRatio: number | null;
  flopsRatio: number | null;
}

/** One row per family that has a SINN curve, in the file's order. */
export function familySummary(c: CurvesData): FamilySummaryRow[] {
  return c.families.flatMap((f) => {
    const at = (id: string) => fullSizePoint(f.methods.find((m) => m.id === id));
    const sinn = at("sinn");
    if (!sinn) return [];
    const inn = at("inn-scratch");
    const discrete = at("discrete-l1");
    return [
      {
        family: f.id,
        discrete: discrete ? discrete.accuracy.mean : null,
        inn: inn ? inn.accuracy.mean : null,
        sinn: sinn.accuracy.mean,
        sinnGap: inn ? inn.accuracy.mean - sinn.accuracy.mean : null,
        paramsRatio: inn ? sinn.params / inn.params : null,
        flopsRatio: inn ? sinn.flops / inn.flops : null,
      },
    ];
  });
}
