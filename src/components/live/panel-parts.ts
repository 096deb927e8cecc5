/**
 * What every live panel does alike: run a slider move as one latest-only request (its problem shown
 * instead, or prepare then evaluate, each step logged against the request with its delay), and offer the
 * resampled model as a download beside the share link.
 */
import { download, el, errorMessage } from "../dom.js";
import type { LatestOnly } from "../../lib/live/latest-only.js";
import type { AccuracyEstimate } from "../../lib/live/accuracy-estimate.js";
import { logProgress, type ProgressRecord } from "../../lib/live/progress-log.js";
import type { TfjsModelFiles } from "./panel.js";

export interface PanelRequests {
  /** The progress log tests and the benchmark read. */
  readonly log: ProgressRecord[];
  /** Log a step of `request` (an evaluation step's estimate, or none for e.g. "prepare"). */
  record(request: number, tag: string, estimate?: AccuracyEstimate): void;
  /** Show `problem` and stop, or queue `work` as the newest request (a newer one stops it between steps). */
  run(problem: string | undefined, work: (request: number, isCurrent: () => boolean) => Promise<void>): void;
}

export function panelRequests(scheduler: LatestOnly, problemBox: HTMLElement): PanelRequests {
  const log: ProgressRecord[] = [];
  let started = 0;
  const record = (request: number, tag: string, estimate?: AccuracyEstimate) =>
    logProgress(log, request, tag, estimate, performance.now() - started);
  return {
    log,
    record,
    run(problem, work) {
      problemBox.hidden = !problem;
      problemBox.textContent = problem ? `Cannot resample: ${problem}.` : "";
      if (problem) return;
      started = performance.now();
      const request = scheduler.latest + 1;
      void scheduler
        .request((isCurrent) => work(request, isCurrent))
        .catch((error: unknown) => {
          problemBox.hidden = false;
          problemBox.textContent = `Resampling failed: ${errorMessage(error)}`;
        });
    },
  };
}

/** The download button (model.json + weights.bin of `files()`) and the share link, test ids `<prefix>-export` / `-share`. */
export function exportRow(prefix: string, files: () => TfjsModelFiles): { row: HTMLElement; share: HTMLAnchorElement } {
  const share = el("a", { testid: `${prefix}-share`, textContent: "link to this configuration" });
  const button = el("button", {
    type: "button",
    testid: `${prefix}-export`,
    textContent: "Download the resampled model (tfjs: model.json + weights.bin)",
  });
  button.addEventListener("click", () => {
    const f = files();
    download("model.json", f.modelJson, "application/json");
    download("weights.bin", f.weightsBin, "application/octet-stream");
  });
  return { row: el("p", {}, button, " · ", share), share };
}
