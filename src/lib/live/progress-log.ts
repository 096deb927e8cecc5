/**
 * The live page's progress log (one record per prepared configuration and per evaluation step), which
 * tests and the benchmark read through `window.__liveModel`: what was evaluated, how far, and how long
 * after the request. Bounded, so a reader playing with the sliders for an hour does not grow it forever.
 */
import type { AccuracyEstimate } from "./accuracy-estimate.js";

export interface ProgressRecord {
  request: number;
  tag: string;
  evaluated: number;
  accuracy: number;
  final: boolean;
  /** ms since the request was made. */
  elapsed: number;
}

/** Records kept (about twenty fully evaluated requests of the reference panel); older ones are dropped. */
export const PROGRESS_LOG_LIMIT = 500;

/**
 * Append a record for `request` to `log` — an evaluation step's `estimate`, or none for a step that
 * evaluates nothing (e.g. "prepare") — and drop the oldest records beyond PROGRESS_LOG_LIMIT.
 */
export function logProgress(
  log: ProgressRecord[],
  request: number,
  tag: string,
  estimate: AccuracyEstimate | undefined,
  elapsed: number,
): void {
  log.push({
    request,
    tag,
    evaluated: estimate?.evaluated ?? 0,
    accuracy: estimate?.accuracy ?? 0,
    final: estimate?.final ?? false,
    elapsed,
  });
  if (log.length > PROGRESS_LOG_LIMIT) log.splice(0, log.length - PROGRESS_LOG_LIMIT);
}
