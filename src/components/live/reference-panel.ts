/**
 * The live page's panel for the reference net: sliders for conv1–conv3 with their training ranges, the
 * kernel and quadrature selects, and the two nets the library prepares at those sizes (LiveSession: the
 * resampled integral net and its discrete twin pruned by L1) evaluated on the test set — a subset
 * estimate, then all images (LiveEvaluator) — shown as one card each beside the parameter and FLOP
 * counts. Its details: the integral net's confusion matrix and sampled weight matrices, the export and
 * the share link.
 */
import { el, yieldToPage } from "../dom.js";
import { exportRow, panelRequests } from "./panel-parts.js";
import type { StateSchema } from "../url-state.js";
import { LiveControls, type LiveControlsValue } from "./controls.js";
import { ConfusionMatrix } from "./confusion.js";
import { WeightMatrices, layerMatrix } from "./weights.js";
import { AccuracyCard, CostCard } from "./cards.js";
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
  /** Method id of the integral net (default "inn-scratch": trained from scratch on random sizes). */
  method?: string;
  host: PanelHost;
}

export type ReferencePanel = LivePanel & { readonly session: LiveSession; value: ReferenceState };

export function ReferencePanel(o: ReferencePanelOptions): ReferencePanel {
  const { session, evaluator, scheduler, host } = o;
  const schema = referenceSchema(session.trained);
  let value: ReferenceState = { ...o.state, sizes: { ...o.state.sizes } };
  const nets: LiveNet[] = [
    { tag: "inn", label: "Integral net, resampled", method: o.method ?? "inn-scratch" },
    {
      tag: "l1",
      label: `${session.twinLabel[0].toUpperCase()}${session.twinLabel.slice(1)}, L1-pruned`,
      method: "discrete-l1",
    },
  ];

  const problemBox = el("p", { className: "warning", testid: "live-problem" });
  problemBox.hidden = true;
  const cards = {
    inn: AccuracyCard({ testid: "live-acc-inn", method: nets[0].method, caption: "integral net, resampled" }),
    l1: AccuracyCard({ testid: "live-acc-l1", method: "discrete-l1", caption: `${session.twinLabel}, same sizes` }),
  };
  const cost = CostCard("live-cost", "of the parameters, both nets");
  const confusionBox = el("div", { className: "live-scroll" });
  const weightsBox = el("div");
  const controlsBox = LiveControls({
    groups: REFERENCE_INN_GROUPS.map((g) => ({ id: g, full: session.fullSizes[g], range: session.trainingRanges[g] })),
    value,
    kernels: LIVE_KERNELS,
    quadratures: LIVE_QUADRATURES,
    partitions: ["uniform"],
  });
  const exportFiles = (): TfjsModelFiles =>
    tfjsModelFiles(
      exportTfjsLayersModel(session.discreteParameters(), session.input, {
        name: `integral_lab_${value.sizes.conv1}_${value.sizes.conv2}_${value.sizes.conv3}`,
      }),
    );
  const exported = exportRow("live", exportFiles);
  const controls = el("div", { testid: "live-reference" }, controlsBox, problemBox);
  const element = el("div", { className: "live-cards" }, cards.inn, cards.l1, cost);
  const details = el(
    "div",
    { className: "live-details" },
    el("h2", {}, "Inside the resampled integral net"),
    el(
      "div",
      { className: "live-details-row" },
      el("div", {}, el("h3", {}, "Confusion matrix (rows: true class)"), confusionBox),
      el("div", {}, el("h3", {}, "Sampled weight matrices (sum over spatial taps; rows out, columns in)"), weightsBox),
    ),
    el("h2", {}, "Export"),
    exported.row,
  );

  const requests = panelRequests(scheduler, problemBox);
  let prepared: PreparedNets | undefined;

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

  const showProgress = (p: EvaluationProgress, request: number) => {
    requests.record(request, p.tag, p.estimate);
    cards[p.tag as "inn" | "l1"].show(p.estimate, request);
    if (p.tag === "inn") confusionBox.replaceChildren(ConfusionMatrix(p.confusion, evaluator.classes));
    host.onEstimate(p.tag, p.estimate);
  };

  const showPrepared = (nets: PreparedNets) => {
    cost.show(nets.compression);
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
    exported.share.href = host.link(state());
    const cfg = config();
    requests.run(session.problem(cfg), async (request, isCurrent) => {
      prepared = session.prepare(cfg);
      requests.record(request, "prepare");
      showPrepared(prepared);
      host.onPrepared({ params: prepared.compression.after.params, compression: prepared.compression.params });
      await evaluator.evaluate([prepared.inn, prepared.l1], {
        isCurrent,
        yieldToPage,
        onProgress: (p) => showProgress(p, request),
      });
    });
  };
  controlsBox.addEventListener("input", () => {
    value = controlsBox.value;
    changed();
  });

  const panel: ReferencePanel = {
    controls,
    element,
    details,
    family: "reference",
    nets,
    schema,
    session,
    get value() {
      return value;
    },
    summary: `comparing with ${session.twinLabel}`,
    state,
    api: {
      setSizes: (sizes) => controlsBox.setSizes(sizes),
      setGlobal: (fraction) => controlsBox.setSizes(sizesAtFraction(session.fullSizes, REFERENCE_INN_GROUPS, fraction)),
      idle: () => scheduler.idle(),
      log: requests.log,
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
  changed();
  return panel;
}
