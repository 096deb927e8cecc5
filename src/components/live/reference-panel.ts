/**
 * The live page's panel for the reference net: sliders for conv1–conv3 with their training ranges, the
 * kernel and quadrature selects, and the two nets the library prepares at those sizes (LiveSession: the
 * resampled integral net and its discrete twin pruned by L1) evaluated on the test set — a subset
 * estimate, then all images (LiveEvaluator). Also the curves chart with the live points, the integral
 * net's confusion matrix and sampled weight matrices, the export and the share link.
 */
import { download, el, errorMessage, pct, si, yieldToPage } from "../dom.js";
import type { StateSchema } from "../url-state.js";
import { LiveControls, type LiveControlsValue } from "./controls.js";
import { ConfusionMatrix } from "./confusion.js";
import { WeightMatrices, layerMatrix } from "./weights.js";
import { CurveChart, type LiveCurves } from "./curve-chart.js";
import { accuracyText } from "./accuracy-text.js";
import type { DigitPrediction, LiveNet, LivePanel, PanelHost, TfjsModelFiles } from "./panel.js";
import type { LiveEvaluator, EvaluationProgress } from "../../lib/live/live-evaluator.js";
import type { LatestOnly } from "../../lib/live/latest-only.js";
import {
  LIVE_KERNELS,
  LIVE_QUADRATURES,
  type LiveConfig,
  type LiveSession,
  type PreparedNets,
} from "../../lib/live/reference-session.js";
import type { AccuracyEstimate } from "../../lib/live/accuracy-estimate.js";
import { logProgress, type ProgressRecord } from "../../lib/live/progress-log.js";
import { exportTfjsLayersModel, tfjsModelFiles } from "../../lib/io/tfjs-export.js";
import { MIN_GROUP_SIZE, sizesAtFraction, type GroupQuadrature } from "../../lib/integral/groups.js";
import type { InterpolationKernelName } from "../../lib/math/interpolation.js";
import { REFERENCE_INN_GROUPS } from "../../lib/models/reference-inn.js";
import { REFERENCE_SIZES } from "../../lib/models/reference.js";

/**
 * The reference view's link parameters. Kernel and quadrature default to the ones the model was trained
 * with: any other default would show a resampled net the model file does not describe.
 */
export function referenceSchema(trained: LiveSession["trained"]) {
  return {
    conv1: { kind: "int" as const, default: REFERENCE_SIZES.conv1, min: MIN_GROUP_SIZE, max: 1024 },
    conv2: { kind: "int" as const, default: REFERENCE_SIZES.conv2, min: MIN_GROUP_SIZE, max: 1024 },
    conv3: { kind: "int" as const, default: REFERENCE_SIZES.conv3, min: MIN_GROUP_SIZE, max: 1024 },
    kernel: { kind: "choice" as const, default: trained.kernel as string, choices: LIVE_KERNELS },
    quadrature: { kind: "choice" as const, default: trained.quadrature as string, choices: LIVE_QUADRATURES },
    partition: { kind: "choice" as const, default: "uniform", choices: ["uniform", "grid-tuned"] },
  } satisfies StateSchema;
}

export type ReferenceState = LiveControlsValue;

/**
 * The state to open `session` at: `wanted` (a link's values, or the previous reference view's) with its
 * sizes clamped to this model's groups; a kernel or quadrature left at the previous model's trained
 * default follows this model's. Each fix is a sentence in `notes`.
 */
export function referenceState(
  session: LiveSession,
  wanted: ReferenceState,
  notes: string[],
  previousDefaults?: { kernel: string; quadrature: string },
): ReferenceState {
  const full = session.fullSizes;
  const sizes: Record<string, number> = { ...full };
  for (const g of REFERENCE_INN_GROUPS) {
    const v = wanted.sizes[g] ?? full[g];
    const c = Math.max(MIN_GROUP_SIZE, Math.min(full[g], v));
    if (c !== v) notes.push(`${g}=${v} does not fit this model (${MIN_GROUP_SIZE}…${full[g]}); using ${c}.`);
    sizes[g] = c;
  }
  const state = { ...wanted, sizes };
  if (previousDefaults) {
    if (state.kernel === previousDefaults.kernel) state.kernel = session.trained.kernel;
    if (state.quadrature === previousDefaults.quadrature) state.quadrature = session.trained.quadrature;
  }
  if (state.partition === "grid-tuned") {
    notes.push(
      "partition=grid-tuned: this model file stores no grid-tuned partition (model files v1 do not); using uniform.",
    );
    state.partition = "uniform";
  }
  return state;
}

export interface ReferencePanelOptions {
  /** Taken over: disposed with the panel. */
  session: LiveSession;
  /** Shared with other panels (its cropped test images stay); the panel clears its cached stage outputs. */
  evaluator: LiveEvaluator;
  scheduler: LatestOnly;
  state: ReferenceState;
  curves?: LiveCurves;
  host: PanelHost;
}

export type ReferencePanel = LivePanel & { readonly session: LiveSession; value: ReferenceState };

export function ReferencePanel(o: ReferencePanelOptions): ReferencePanel {
  const { session, evaluator, scheduler, host } = o;
  const schema = referenceSchema(session.trained);
  let value: ReferenceState = { ...o.state, sizes: { ...o.state.sizes } };
  const nets: LiveNet[] = [
    { tag: "inn", label: "Integral net, resampled" },
    { tag: "l1", label: "Discrete twin, L1-pruned to the same sizes" },
  ];

  const problemBox = el("p", { className: "warning", testid: "live-problem" });
  problemBox.hidden = true;
  const lines = { inn: el("span", { testid: "live-acc-inn" }), l1: el("span", { testid: "live-acc-l1" }) };
  const costLine = el("span", { testid: "live-cost" });
  const curveBox = el("div");
  const confusionBox = el("div");
  const weightsBox = el("div");
  const shareLink = el("a", { testid: "live-share", textContent: "link to this configuration" });
  const exportButton = el("button", {
    type: "button",
    testid: "live-export",
    textContent: "Download the resampled model (tfjs: model.json + weights.bin)",
  });
  const controls = LiveControls({
    groups: REFERENCE_INN_GROUPS.map((g) => ({ id: g, full: session.fullSizes[g], range: session.trainingRanges[g] })),
    value,
    kernels: LIVE_KERNELS,
    quadratures: LIVE_QUADRATURES,
    partitions: ["uniform"],
  });
  const element = el(
    "div",
    { testid: "live-reference" },
    el("h2", {}, "Sizes, kernel, quadrature"),
    controls,
    problemBox,
    el("h2", {}, "Results"),
    el(
      "div",
      { className: "live-results" },
      ...nets.map((n) => el("p", {}, el("strong", {}, `${n.label}: `), lines[n.tag as "inn" | "l1"])),
      el("p", {}, costLine),
    ),
    curveBox,
    el("h3", {}, "Confusion matrix of the integral net"),
    confusionBox,
    el("h3", {}, "Sampled weight matrices (sum over spatial taps; rows out, columns in)"),
    weightsBox,
    el("h2", {}, "Export"),
    el("p", {}, exportButton, " · ", shareLink),
  );

  const log: ProgressRecord[] = [];
  let requestStart = 0;
  let prepared: PreparedNets | undefined;
  const last: Partial<Record<"inn" | "l1", AccuracyEstimate>> = {};

  const state = () => ({
    ...value.sizes,
    kernel: value.kernel,
    quadrature: value.quadrature,
    partition: value.partition,
  });
  const config = (): LiveConfig => ({
    sizes: { conv1: value.sizes.conv1, conv2: value.sizes.conv2, conv3: value.sizes.conv3 },
    kernel: value.kernel as InterpolationKernelName,
    quadrature: value.quadrature as GroupQuadrature,
  });

  const drawCurve = () =>
    curveBox.replaceChildren(
      CurveChart(o.curves, {
        compression: prepared?.compression.params ?? 0,
        inn: last.inn?.accuracy,
        l1: last.l1?.accuracy,
      }),
    );

  const showProgress = (p: EvaluationProgress, request: number) => {
    logProgress(log, request, p.tag, p.estimate, performance.now() - requestStart);
    const line = lines[p.tag as "inn" | "l1"];
    line.textContent = accuracyText(p.estimate);
    line.dataset.accuracy = String(p.estimate.accuracy);
    line.dataset.evaluated = String(p.estimate.evaluated);
    line.dataset.final = String(p.estimate.final);
    line.dataset.request = String(request);
    last[p.tag as "inn" | "l1"] = p.estimate;
    if (p.tag === "inn") confusionBox.replaceChildren(ConfusionMatrix(p.confusion, evaluator.classes));
    drawCurve();
  };

  const showPrepared = (nets: PreparedNets) => {
    const c = nets.compression;
    costLine.dataset.params = String(c.after.params);
    costLine.dataset.flops = String(c.after.flops);
    costLine.dataset.compression = String(c.params);
    costLine.textContent = `Parameters ${si(c.after.params)} of ${si(c.full.params)} (compression ${pct(c.params, 1)}); FLOPs per image ${si(c.after.flops)} of ${si(c.full.flops)} (compression ${pct(c.flops, 1)}). Both nets have these counts.`;
    weightsBox.replaceChildren(
      WeightMatrices(
        ["conv1", "conv2", "conv3", "dense"].map((id, i) => {
          const w = i < 3 ? nets.inn.weights.convs[i].weight : nets.inn.weights.dense.weight;
          return layerMatrix(id, w.dataSync(), w.shape);
        }),
      ),
    );
  };

  const changed = () => {
    host.onChange(state());
    shareLink.href = host.link(state());
    const problem = session.problem(config());
    problemBox.hidden = !problem;
    problemBox.textContent = problem ? `Cannot resample: ${problem}.` : "";
    if (problem) return;
    requestStart = performance.now();
    const cfg = config();
    const request = scheduler.latest + 1;
    void scheduler
      .request(async (isCurrent) => {
        prepared = session.prepare(cfg);
        logProgress(log, request, "prepare", undefined, performance.now() - requestStart);
        showPrepared(prepared);
        host.onPrepared();
        await evaluator.evaluate([prepared.inn, prepared.l1], {
          isCurrent,
          yieldToPage,
          onProgress: (p) => showProgress(p, request),
        });
      })
      .catch((error: unknown) => {
        problemBox.hidden = false;
        problemBox.textContent = `Resampling failed: ${errorMessage(error)}`;
      });
  };
  controls.addEventListener("input", () => {
    value = controls.value;
    changed();
  });

  const exportFiles = (): TfjsModelFiles =>
    tfjsModelFiles(
      exportTfjsLayersModel(session.discreteParameters(), session.input, {
        name: `integral_lab_${value.sizes.conv1}_${value.sizes.conv2}_${value.sizes.conv3}`,
      }),
    );
  exportButton.addEventListener("click", () => {
    const files = exportFiles();
    download("model.json", files.modelJson, "application/json");
    download("weights.bin", files.weightsBin, "application/octet-stream");
  });

  const panel: ReferencePanel = {
    element,
    nets,
    schema,
    session,
    get value() {
      return value;
    },
    summary: `comparing with ${session.twinLabel}`,
    state,
    api: {
      setSizes: (sizes) => controls.setSizes(sizes),
      setGlobal: (fraction) => controls.setSizes(sizesAtFraction(session.fullSizes, REFERENCE_INN_GROUPS, fraction)),
      idle: () => scheduler.idle(),
      log,
      groups: REFERENCE_INN_GROUPS.map((g) => ({
        id: g,
        full: session.fullSizes[g],
        range: { ...session.trainingRanges[g] },
      })),
    },
    classify(image): DigitPrediction[] {
      const nets = prepared;
      if (!nets) return [];
      return [nets.inn, nets.l1].map((target) => ({
        tag: target.tag,
        probabilities: evaluator.classify(target, image),
      }));
    },
    exportFiles,
    async dispose() {
      await scheduler.request(async () => undefined); // stop running work before the weights go
      session.dispose();
      evaluator.clearPrefixCache();
      prepared = undefined;
    },
  };
  drawCurve();
  changed();
  return panel;
}
