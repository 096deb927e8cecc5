/**
 * The live page's panel for a plan network (a SINN model, or a reader's tfjs model converted in the page):
 * one slider per hidden group with its training range, the global slider, params/FLOPs, and the accuracy
 * — a subset estimate, then all test images — after resampling and re-estimating the batch-norm
 * statistics at the new sizes on the calibration (training) images. When the session keeps the discrete
 * original (a converted model), its L1-pruned twin at the same sizes, calibrated on the same images, is
 * evaluated beside it; otherwise the second card says there is none. The library does the work
 * (PlanLiveSession, ModelEvaluator); this wires it to the DOM. Its export is a tfjs layers model of stock
 * layers at the current sizes.
 */
import type * as tf from "@tensorflow/tfjs-core";
import { el, yieldToPage } from "../dom.js";
import { exportRow, panelRequests } from "./panel-parts.js";
import type { StateSchema } from "../url-state.js";
import type { LatestOnly } from "../../lib/live/latest-only.js";
import type { EvaluationProgress } from "../../lib/live/chunked-evaluation.js";
import type { ModelEvaluator } from "../../lib/live/model-evaluator.js";
import { CALIBRATION_IMAGES, type PlanLiveSession, type PreparedPlanNet } from "../../lib/live/graph-session.js";
import { exportPlanTfjsLayersModel } from "../../lib/io/graph-tfjs-export.js";
import { tfjsModelFiles } from "../../lib/io/tfjs-export.js";
import { LiveControls } from "./controls.js";
import { ConfusionMatrix } from "./confusion.js";
import { AccuracyCard, CostCard } from "./cards.js";
import type { DigitPrediction, LiveNet, LivePanel, PanelHost, TfjsModelFiles } from "./panel.js";

/** The live page's query parameters that belong to no model (the app's and the engine's): no group may take their names. */
export const PAGE_PARAMETERS: readonly string[] = ["model", "backend"];

/**
 * A plan model's link state: one size per hidden group, named by the group's id (2…its full size; the
 * global slider is derived from the sizes, so they restore it too).
 */
export function graphSchema(session: PlanLiveSession): StateSchema {
  const clash = session.groups.find((g) => PAGE_PARAMETERS.includes(g.id));
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
  /** Method id of the net (default "sinn"). */
  method?: string;
  /** The curves file's family of this model (e.g. "resnet18"), for the chart's lines. */
  family?: string;
  /** Sizes to start at (default: full size); each must be an integer in 2…the group's full size. */
  sizes?: Record<string, number>;
  host: PanelHost;
  /** How the page names the model (headings; default "SINN") and its net's card ("SINN, resampled"). */
  title?: string;
  netLabel?: string;
  /** The note above the sliders (default: the SINN model file's). */
  note?: string;
  /** Where the full-size batch-norm statistics come from (default: the SINN model file's build). */
  fullSizeStatistics?: string;
}

export function GraphPanel(o: GraphPanelOptions): LivePanel {
  const { session, host } = o;
  const schema = graphSchema(session);
  const title = o.title ?? "SINN";
  const twin = session.hasTwin;
  const nets: LiveNet[] = [{ tag: "plan", label: o.netLabel ?? `${title}, resampled`, method: o.method ?? "sinn" }];
  if (twin) nets.push({ tag: "l1", label: "Original, L1-pruned", method: "discrete-l1" });
  const hasBatchNorm = session.model.statisticsVariables.length > 0;
  const controlsBox = LiveControls({
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
  const card = AccuracyCard({
    testid: "live-plan-acc",
    method: nets[0].method,
    caption: "resampled, batch norm re-estimated",
  });
  const twinCard = twin
    ? AccuracyCard({
        testid: "live-plan-l1-acc",
        method: "discrete-l1",
        caption: "the original, same channels cut by L1 norm",
      })
    : undefined;
  const cost = CostCard("live-plan-cost", twin ? "of the parameters, both nets" : "of the parameters of its full size");
  const calibrationLine = el("span", { testid: "live-plan-calibration" });
  const twinNote =
    twinCard ??
    el(
      "div",
      { className: "card live-card live-card-empty", testid: "live-plan-no-twin" },
      el("span", { className: "live-card-name", textContent: "No twin" }),
      el("span", {
        className: "live-card-detail",
        textContent:
          "No discrete twin of this model is built, so there is no L1-pruned comparison here (the reference nets have one).",
      }),
    );
  const confusionBox = el("div", { className: "live-scroll" });
  const exportFiles = (): TfjsModelFiles => {
    const prepared = session.prepared;
    if (!prepared) throw new Error("no plan model is prepared");
    return tfjsModelFiles(
      exportPlanTfjsLayersModel(session.model, {
        outputSoftmax: session.outputSoftmax,
        name: `integral_lab_${o.name}_${Object.values(prepared.sizes).join("_")}`.replace(/[^A-Za-z0-9_]/g, "_"),
      }),
    );
  };
  const exported = exportRow("live-plan", exportFiles);
  const requests = panelRequests(o.scheduler, problemBox);
  const controls = el(
    "div",
    { className: "live-plan", testid: "live-plan" },
    el("p", {
      className: "live-note",
      textContent:
        o.note ??
        "One slider per linked group. Kernel and quadrature are the ones the model was trained with; this model file stores no grid-tuned partition.",
    }),
    controlsBox,
    problemBox,
  );
  const element = el(
    "div",
    {},
    el("div", { className: "live-cards" }, card, twinNote, cost),
    el("p", { className: "live-note" }, calibrationLine),
  );
  const details = el(
    "div",
    { className: "live-details" },
    el("h2", {}, `Inside the resampled ${title}`),
    el("h3", {}, "Confusion matrix (rows: true class)"),
    confusionBox,
    el("h2", {}, "Export"),
    el(
      "p",
      {},
      `The download is a tfjs layers model (stock layers: Rescaling, Conv2D, DepthwiseConv2D, BatchNormalization, pooling, Add, Concatenate, Dense${session.outputSoftmax ? ", and the original's softmax on the outputs" : ""}) of the resampled integral net at the sizes shown, with the batch-norm statistics re-estimated there; tf.loadLayersModel reads it without custom classes.`,
    ),
    exported.row,
  );

  const show = (p: EvaluationProgress, request: number) => {
    requests.record(request, p.tag, p.estimate);
    if (p.tag === "l1") twinCard?.show(p.estimate, request);
    else {
      card.show(p.estimate, request);
      confusionBox.replaceChildren(ConfusionMatrix(p.confusion, o.evaluator.classes));
    }
    host.onEstimate(p.tag, p.estimate);
  };
  const showPrepared = (prepared: PreparedPlanNet) => {
    cost.show(prepared.compression);
    const both = twin ? " (both nets)" : "";
    calibrationLine.textContent = !hasBatchNorm
      ? "The model has no batch norm, so nothing is re-estimated at reduced sizes."
      : prepared.calibrated
        ? `Batch-norm statistics re-estimated at these sizes on ${CALIBRATION_IMAGES} training images${both} (${prepared.calibrationMs.toFixed(0)} ms).`
        : `Full size: ${o.fullSizeStatistics ?? "the batch-norm statistics stored in the model file (estimated by the build on 1,024 training images)"}.`;
  };

  const changed = () => {
    const sizes = controlsBox.value.sizes;
    host.onChange({ ...sizes });
    exported.share.href = host.link({ ...sizes });
    requests.run(session.problem(sizes), async (request, isCurrent) => {
      const prepared = session.prepare(sizes);
      requests.record(request, "prepare");
      showPrepared(prepared);
      host.onPrepared({ params: prepared.compression.after.params, compression: prepared.compression.params });
      const targets = [{ tag: "plan", logits: (x: tf.Tensor4D) => session.logits(x) }];
      if (twin) targets.push({ tag: "l1", logits: (x: tf.Tensor4D) => session.twinLogits(x) });
      await o.evaluator.evaluate(targets, {
        isCurrent,
        yieldToPage,
        onProgress: (p) => show(p, request),
      });
    });
  };
  controlsBox.addEventListener("input", changed);

  const panel: LivePanel = {
    controls,
    element,
    details,
    family: o.family,
    nets,
    schema,
    summary: twin
      ? "comparing with the L1-pruned original; batch-norm statistics are re-estimated at every reduced size"
      : "its batch-norm statistics are re-estimated at every reduced size",
    state: () => ({ ...controlsBox.value.sizes }),
    api: {
      setSizes: (sizes) => controlsBox.setSizes(sizes),
      setGlobal: (fraction) => controlsBox.setSizes(session.fractionSizes(fraction)),
      idle: () => o.scheduler.idle(),
      log: requests.log,
      groups: session.groups.map((g) => ({ ...g, range: { ...g.range } })),
    },
    classify(image): DigitPrediction[] {
      if (!session.prepared) return [];
      const out = [{ tag: "plan", probabilities: session.classify(image) }];
      if (twin) out.push({ tag: "l1", probabilities: session.classify(image, "twin") });
      return out;
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
