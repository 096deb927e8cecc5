/**
 * The live page's panel for a plan network (a SINN model): one slider per hidden group with its
 * training range, the global slider, params/FLOPs, and the accuracy — a subset estimate, then all test
 * images — after resampling and re-estimating the batch-norm statistics at the new sizes on the
 * calibration (training) images. The library does the work (PlanLiveSession, ModelEvaluator); this
 * wires it to the DOM. `api` is what tests and the benchmark drive (same calls as a reader's clicks).
 */
import type { LatestOnly } from "../../lib/live/latest-only.js";
import type { EvaluationProgress } from "../../lib/live/chunked-evaluation.js";
import type { ModelEvaluator } from "../../lib/live/model-evaluator.js";
import type { PlanLiveSession, PreparedPlanNet } from "../../lib/live/graph-session.js";
import type { AccuracyEstimate } from "../../lib/live/accuracy-estimate.js";
import { logProgress, type ProgressRecord } from "../../lib/live/progress-log.js";
import { LiveControls } from "./controls.js";
import { ConfusionMatrix } from "./confusion.js";

export interface PlanPanelApi {
  setSizes(sizes: Record<string, number>): void;
  setGlobal(fraction: number): void;
  idle(): Promise<void>;
  log: ProgressRecord[];
  groups: { id: string; full: number; range: { min: number; max: number } }[];
}

export interface PlanPanelOptions {
  session: PlanLiveSession;
  evaluator: ModelEvaluator;
  scheduler: LatestOnly;
  classes: number;
  yieldToPage: () => Promise<void>;
  /** Sizes to start at (default: full size); each must be an integer in 2…the group's full size. */
  sizes?: Record<string, number>;
  /** Called with the sizes on every change, the first one included (e.g. to write them to the URL). */
  onChange?: (sizes: Record<string, number>) => void;
  /** Called after every prepared configuration (e.g. to redraw the digit's probabilities). */
  onPrepared?: (prepared: PreparedPlanNet) => void;
  accuracyText: (e: AccuracyEstimate) => string;
  costText: (p: PreparedPlanNet) => string;
}

export type PlanPanelElement = HTMLElement & { api: PlanPanelApi };

export function PlanPanel(o: PlanPanelOptions): PlanPanelElement {
  const root = document.createElement("div") as unknown as PlanPanelElement;
  root.className = "live-plan";
  root.dataset.testid = "live-plan";
  const { session } = o;
  const full = session.fullSizes;
  const controls = LiveControls({
    groups: session.groups,
    value: { sizes: { ...full, ...o.sizes }, kernel: "as trained", quadrature: "as trained", partition: "uniform" },
    kernels: ["as trained"],
    quadratures: ["as trained"],
    partitions: ["uniform"],
  });
  const problemBox = document.createElement("p");
  problemBox.className = "warning";
  problemBox.dataset.testid = "live-plan-problem";
  problemBox.hidden = true;
  const line = (testid: string) => {
    const span = document.createElement("span");
    span.dataset.testid = testid;
    return span;
  };
  const accLine = line("live-plan-acc");
  const costLine = line("live-plan-cost");
  const calibrationLine = line("live-plan-calibration");
  const para = (label: string, child: Node) => {
    const p = document.createElement("p");
    const strong = document.createElement("strong");
    strong.textContent = label;
    p.append(strong, child);
    return p;
  };
  const twinNote = document.createElement("p");
  twinNote.dataset.testid = "live-plan-no-twin";
  twinNote.textContent =
    "No discrete twin of this model is built, so there is no L1-pruned comparison here (the reference nets above have one).";
  const confusionBox = document.createElement("div");
  const h = (tag: "h3", text: string) => {
    const e = document.createElement(tag);
    e.textContent = text;
    return e;
  };
  root.append(
    controls,
    problemBox,
    para("SINN, resampled: ", accLine),
    para("", costLine),
    para("", calibrationLine),
    twinNote,
    h("h3", "Confusion matrix"),
    confusionBox,
  );

  const log: ProgressRecord[] = [];
  let requestStart = 0;
  const show = (p: EvaluationProgress, request: number) => {
    logProgress(log, request, p.tag, p.estimate, performance.now() - requestStart);
    accLine.textContent = o.accuracyText(p.estimate);
    accLine.dataset.accuracy = String(p.estimate.accuracy);
    accLine.dataset.evaluated = String(p.estimate.evaluated);
    accLine.dataset.final = String(p.estimate.final);
    accLine.dataset.request = String(request);
    confusionBox.replaceChildren(ConfusionMatrix(p.confusion, o.classes));
  };

  const changed = () => {
    const sizes = controls.value.sizes;
    o.onChange?.(sizes);
    const problem = session.problem(sizes);
    problemBox.hidden = !problem;
    problemBox.textContent = problem ? `Cannot resample: ${problem}.` : "";
    if (problem) return;
    requestStart = performance.now();
    const request = o.scheduler.latest + 1;
    void o.scheduler
      .request(async (isCurrent) => {
        const prepared = session.prepare(sizes);
        logProgress(log, request, "prepare", undefined, performance.now() - requestStart);
        const c = prepared.compression;
        costLine.dataset.params = String(c.after.params);
        costLine.dataset.flops = String(c.after.flops);
        costLine.dataset.compression = String(c.params);
        costLine.textContent = o.costText(prepared);
        calibrationLine.textContent = prepared.calibrated
          ? `Batch-norm statistics re-estimated at these sizes on 256 training images (${prepared.calibrationMs.toFixed(0)} ms).`
          : "Full size: the batch-norm statistics stored in the model file (estimated by the build on 1,024 training images).";
        o.onPrepared?.(prepared);
        await o.evaluator.evaluate([{ tag: "plan", logits: (x) => session.logits(x) }], {
          isCurrent,
          yieldToPage: o.yieldToPage,
          onProgress: (p) => show(p, request),
        });
      })
      .catch((error: unknown) => {
        problemBox.hidden = false;
        problemBox.textContent = `Resampling failed: ${error instanceof Error ? error.message : String(error)}`;
      });
  };
  controls.addEventListener("input", changed);

  root.api = {
    setSizes: (sizes) => controls.setSizes(sizes),
    setGlobal: (fraction) => controls.setSizes(session.fractionSizes(fraction)),
    idle: () => o.scheduler.idle(),
    log,
    groups: session.groups.map((g) => ({ ...g, range: { ...g.range } })),
  };
  changed();
  return root;
}
