/**
 * The live page's panel for a plan network (a SINN model): one slider per hidden group with its
 * training range, the global slider, params/FLOPs, and the accuracy — a subset estimate, then all test
 * images — after resampling and re-estimating the batch-norm statistics at the new sizes on the
 * calibration (training) images. The library does the work (PlanLiveSession, ModelEvaluator); this
 * wires it to the DOM. Its export is a tfjs layers model of stock layers at the current sizes.
 */
import { download, el, errorMessage, pct, si, yieldToPage } from "../dom.js";
import type { StateSchema } from "../url-state.js";
import type { LatestOnly } from "../../lib/live/latest-only.js";
import type { EvaluationProgress } from "../../lib/live/chunked-evaluation.js";
import type { ModelEvaluator } from "../../lib/live/model-evaluator.js";
import type { PlanLiveSession, PreparedPlanNet } from "../../lib/live/graph-session.js";
import { logProgress, type ProgressRecord } from "../../lib/live/progress-log.js";
import { exportPlanTfjsLayersModel } from "../../lib/io/graph-tfjs-export.js";
import { tfjsModelFiles } from "../../lib/io/tfjs-export.js";
import { LiveControls } from "./controls.js";
import { ConfusionMatrix } from "./confusion.js";
import { accuracyText } from "./accuracy-text.js";
import type { DigitPrediction, LiveNet, LivePanel, PanelHost, TfjsModelFiles } from "./panel.js";

/** Query parameters a group may not be named after: the app's and the engine's. */
const RESERVED_PARAMETERS = ["model", "backend"];

/**
 * A plan model's link state: one size per hidden group, named by the group's id (2…its full size; the
 * global slider is derived from the sizes, so they restore it too).
 */
export function graphSchema(session: PlanLiveSession): StateSchema {
  const clash = session.groups.find((g) => RESERVED_PARAMETERS.includes(g.id));
  if (clash)
    throw new Error(
      `the model's group "${clash.id}" has the name of another link parameter, so its size cannot be put in the URL`,
    );
  return Object.fromEntries(
    session.groups.map((g) => [g.id, { kind: "int" as const, default: g.full, min: 2, max: g.full }]),
  );
}

export interface GraphPanelOptions {
  /** Taken over: disposed with the panel. */
  session: PlanLiveSession;
  evaluator: ModelEvaluator;
  scheduler: LatestOnly;
  /** Names the export (e.g. the source id). */
  name: string;
  /** Sizes to start at (default: full size); each must be an integer in 2…the group's full size. */
  sizes?: Record<string, number>;
  host: PanelHost;
}

export function GraphPanel(o: GraphPanelOptions): LivePanel {
  const { session, host } = o;
  const schema = graphSchema(session);
  const nets: LiveNet[] = [{ tag: "plan", label: "SINN, resampled" }];
  const controls = LiveControls({
    groups: session.groups,
    value: {
      sizes: { ...session.fullSizes, ...o.sizes },
      kernel: "as trained",
      quadrature: "as trained",
      partition: "uniform",
    },
    kernels: ["as trained"],
    quadratures: ["as trained"],
    partitions: ["uniform"],
  });
  const problemBox = el("p", { className: "warning", testid: "live-plan-problem" });
  problemBox.hidden = true;
  const accLine = el("span", { testid: "live-plan-acc" });
  const costLine = el("span", { testid: "live-plan-cost" });
  const calibrationLine = el("span", { testid: "live-plan-calibration" });
  const twinNote = el("p", {
    testid: "live-plan-no-twin",
    textContent:
      "No discrete twin of this model is built, so there is no L1-pruned comparison here (the reference nets above have one).",
  });
  const confusionBox = el("div");
  const share = el("a", { testid: "live-plan-share", textContent: "link to this configuration" });
  const exportButton = el("button", {
    type: "button",
    testid: "live-plan-export",
    textContent: "Download the resampled model (tfjs: model.json + weights.bin)",
  });
  const element = el(
    "div",
    {},
    el("h2", {}, "Sizes (per linked group)"),
    el(
      "p",
      {},
      "Kernel and quadrature are the ones the model was trained with; this model file stores no grid-tuned partition.",
    ),
    el(
      "div",
      { className: "live-plan", testid: "live-plan" },
      controls,
      problemBox,
      el("p", {}, el("strong", {}, `${nets[0].label}: `), accLine),
      el("p", {}, costLine),
      el("p", {}, calibrationLine),
      twinNote,
      el("h3", {}, "Confusion matrix"),
      confusionBox,
    ),
    el("h2", {}, "Export"),
    el(
      "p",
      {},
      "The download is a tfjs layers model (stock layers: Rescaling, Conv2D, DepthwiseConv2D, BatchNormalization, pooling, Add, Concatenate, Dense) at the sizes shown, with the batch-norm statistics re-estimated there; tf.loadLayersModel reads it without custom classes.",
    ),
    el("p", {}, exportButton, " · ", share),
  );

  const log: ProgressRecord[] = [];
  let requestStart = 0;
  const show = (p: EvaluationProgress, request: number) => {
    logProgress(log, request, p.tag, p.estimate, performance.now() - requestStart);
    accLine.textContent = accuracyText(p.estimate);
    accLine.dataset.accuracy = String(p.estimate.accuracy);
    accLine.dataset.evaluated = String(p.estimate.evaluated);
    accLine.dataset.final = String(p.estimate.final);
    accLine.dataset.request = String(request);
    confusionBox.replaceChildren(ConfusionMatrix(p.confusion, o.evaluator.classes));
  };
  const showPrepared = (prepared: PreparedPlanNet) => {
    const c = prepared.compression;
    costLine.dataset.params = String(c.after.params);
    costLine.dataset.flops = String(c.after.flops);
    costLine.dataset.compression = String(c.params);
    costLine.textContent = `Parameters ${si(c.after.params)} of ${si(c.full.params)} (compression ${pct(c.params, 1)}); FLOPs per image ${si(c.after.flops)} of ${si(c.full.flops)} (compression ${pct(c.flops, 1)}).`;
    calibrationLine.textContent = prepared.calibrated
      ? `Batch-norm statistics re-estimated at these sizes on 256 training images (${prepared.calibrationMs.toFixed(0)} ms).`
      : "Full size: the batch-norm statistics stored in the model file (estimated by the build on 1,024 training images).";
  };

  const changed = () => {
    const sizes = controls.value.sizes;
    host.onChange({ ...sizes });
    share.href = host.link({ ...sizes });
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
        showPrepared(prepared);
        host.onPrepared();
        await o.evaluator.evaluate([{ tag: "plan", logits: (x) => session.logits(x) }], {
          isCurrent,
          yieldToPage,
          onProgress: (p) => show(p, request),
        });
      })
      .catch((error: unknown) => {
        problemBox.hidden = false;
        problemBox.textContent = `Resampling failed: ${errorMessage(error)}`;
      });
  };
  controls.addEventListener("input", changed);

  const exportFiles = (): TfjsModelFiles => {
    const prepared = session.prepared;
    if (!prepared) throw new Error("no plan model is prepared");
    return tfjsModelFiles(
      exportPlanTfjsLayersModel(session.model, {
        name: `integral_lab_${o.name}_${Object.values(prepared.sizes).join("_")}`.replace(/[^A-Za-z0-9_]/g, "_"),
      }),
    );
  };
  exportButton.addEventListener("click", () => {
    const files = exportFiles();
    download("model.json", files.modelJson, "application/json");
    download("weights.bin", files.weightsBin, "application/octet-stream");
  });

  const panel: LivePanel = {
    element,
    nets,
    schema,
    summary: "its batch-norm statistics are re-estimated at every reduced size",
    state: () => ({ ...controls.value.sizes }),
    api: {
      setSizes: (sizes) => controls.setSizes(sizes),
      setGlobal: (fraction) => controls.setSizes(session.fractionSizes(fraction)),
      idle: () => o.scheduler.idle(),
      log,
      groups: session.groups.map((g) => ({ ...g, range: { ...g.range } })),
    },
    classify(image): DigitPrediction[] {
      if (!session.prepared) return [];
      return [{ tag: "plan", probabilities: session.classify(image) }];
    },
    exportFiles,
    async dispose() {
      await o.scheduler.request(async () => undefined); // stop running work before the session goes
      session.dispose();
    },
  };
  changed();
  return panel;
}
