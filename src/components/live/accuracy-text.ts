/** How the live page words an accuracy estimate: a subset estimate with its interval, or the exact figure. */
import type { AccuracyEstimate } from "../../lib/live/accuracy-estimate.js";
import { pct } from "../dom.js";

export function accuracyText(e: AccuracyEstimate): string {
  return e.final
    ? `${pct(e.accuracy)} (all ${e.total.toLocaleString("en")} test images)`
    : `${pct(e.accuracy, 1)} ± ${pct(1.96 * e.standardError, 1)} (95% interval ${pct(e.low, 1)}–${pct(e.high, 1)}, ${e.evaluated.toLocaleString("en")} of ${e.total.toLocaleString("en")} images; refining…)`;
}
