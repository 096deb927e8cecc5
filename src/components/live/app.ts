/**
 * The live model page's application: wires the library's live session (resampling + L1 twin) and
 * evaluator (subset estimate → full set, cancellable) to the controls, results, confusion matrix, weight
 * views, sweep chart, draw-a-digit canvas, file picker and exports. The page only passes the data files.
 *
 * For tests and the benchmark the app exposes `window.__liveModel` (sizes setter, progress log with
 * timestamps, tensor count, test digits, digit prediction) — the same calls a reader's clicks make.
 */
import * as tf from "@tensorflow/tfjs-core";
import { initBrowserEngine, engineStatus } from "../tfjs-backend.js";
import { readUrlState, writeUrlState, urlStateNote, urlStateQuery, type StateSchema } from "../url-state.js";
import { LiveControls, type LiveControlsValue } from "./controls.js";
import { ConfusionMatrix } from "./confusion.js";
import { WeightMatrices, layerMatrix } from "./weights.js";
import { DigitCanvas } from "./digit-pad.js";
import { ModelFilePicker, type PickedModel } from "./file-picker.js";
import { decodeEvalSet, type EvalSet } from "../../lib/data/evalset.js";
import { LiveEvaluator, type EvaluationProgress } from "../../lib/live/live-evaluator.js";
import { LatestOnly } from "../../lib/live/latest-only.js";
import {
  LiveSession,
  LIVE_KERNELS,
  LIVE_QUADRATURES,
  type LiveConfig,
  type PreparedNets,
} from "../../lib/live/reference-session.js";
import { cropInput, receptiveFieldLogits } from "../../lib/live/receptive-field.js";
import {
  continuousModelFromBytes,
  fullSizeParametersFromBytes,
  integralFromTfjs,
} from "../../lib/live/model-sources.js";
import type { AccuracyEstimate } from "../../lib/live/accuracy-estimate.js";
import { exportTfjsLayersModel, tfjsModelFiles } from "../../lib/io/tfjs-export.js";
import { exportPlanTfjsLayersModel } from "../../lib/io/graph-tfjs-export.js";
import { MIN_GROUP_SIZE, sizesAtFraction, type GroupQuadrature } from "../../lib/integral/groups.js";
import type { InterpolationKernelName } from "../../lib/math/interpolation.js";
import { REFERENCE_INN_GROUPS } from "../../lib/models/reference-inn.js";
import { REFERENCE_SIZES } from "../../lib/models/reference.js";
import { ModelEvaluator } from "../../lib/live/model-evaluator.js";
import { logProgress, type ProgressRecord } from "../../lib/live/progress-log.js";
import { PlanLiveSession, planNetFromBytes, type PreparedPlanNet } from "../../lib/live/graph-session.js";
import { PlanPanel, type PlanPanelElement } from "./graph-panel.js";

export interface LiveModelSource {
  id: string;
  label: string;
  /**
   * "reference" (default): a single-file continuous model of the reference net. "plan": a weights file
   * of a plan network (SINN family, src/lib/sinn), resampled per hidden group with batch-norm calibration.
   */
  kind?: "reference" | "plan";
  /** The continuous model (single-file container; for "plan", the weights file). */
  model: () => Promise<Uint8Array>;
  /** Its discrete twin (nodes = channels), pruned by L1 for comparison; default: the model at full size. */
  twin?: () => Promise<Uint8Array>;
}

/** A curves.json (loaders/sweep/curves.ts), only the parts drawn here. */
export interface LiveCurves {
  families: {
    id: string;
    methods: { id: string; label: string; points: { paramsCompression: number; accuracy: { mean: number } }[] }[];
  }[];
}

export interface LiveAppOptions {
  sources: LiveModelSource[];
  evalSet: () => Promise<Uint8Array>;
  /** Training images for batch-norm calibration of "plan" sources (an evalset binary). */
  calibrationSet?: () => Promise<Uint8Array>;
  curves?: LiveCurves;
}

const yieldToPage = () =>
  new Promise<void>((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });

const pct = (x: number, digits = 2) => `${(100 * x).toFixed(digits)}%`;
const si = (x: number) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : String(x));

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> & { testid?: string } = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  const { testid, ...rest } = props;
  Object.assign(node, rest);
  if (testid) node.dataset.testid = testid;
  node.append(...children);
  return node;
}

function accuracyText(e: AccuracyEstimate): string {
  return e.final
    ? `${pct(e.accuracy)} (all ${e.total.toLocaleString("en")} test images)`
    : `${pct(e.accuracy, 1)} ± ${pct(1.96 * e.standardError, 1)} (95% interval ${pct(e.low, 1)}–${pct(e.high, 1)}, ${e.evaluated.toLocaleString("en")} of ${e.total.toLocaleString("en")} images; refining…)`;
}

/** The sweep's curves for the reference family with the live points marked. */
function CurveChart(curves: LiveCurves | undefined, live: { compression: number; inn?: number; l1?: number }): Element {
  const width = 520,
    height = 260,
    m = { l: 46, r: 10, t: 10, b: 36 };
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("width", String(width));
  svg.dataset.testid = "live-curve";
  const x = (c: number) => m.l + c * (width - m.l - m.r);
  const y = (a: number) => m.t + (1 - a) * (height - m.t - m.b);
  const add = (tag: string, attrs: Record<string, string | number>, text?: string) => {
    const node = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text) node.textContent = text;
    svg.append(node);
    return node;
  };
  add("line", { x1: m.l, x2: width - m.r, y1: y(0), y2: y(0), stroke: "currentColor" });
  add("line", { x1: m.l, x2: m.l, y1: y(0), y2: y(1), stroke: "currentColor" });
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    add(
      "text",
      { x: x(t), y: height - 18, "text-anchor": "middle", "font-size": 10, fill: "currentColor" },
      `${t * 100}%`,
    );
    add(
      "text",
      { x: m.l - 4, y: y(t) + 3, "text-anchor": "end", "font-size": 10, fill: "currentColor" },
      `${t * 100}%`,
    );
  }
  add(
    "text",
    { x: (m.l + width) / 2, y: height - 4, "text-anchor": "middle", "font-size": 11, fill: "currentColor" },
    "parameter compression",
  );
  const colors: Record<string, string> = {
    "inn-scratch": "steelblue",
    "discrete-l1": "darkorange",
    "discrete-random": "gray",
  };
  const family = curves?.families.find((f) => f.id === "reference");
  let legendY = m.t + 10;
  for (const method of family?.methods ?? []) {
    const color = colors[method.id] ?? "#999";
    const pts = method.points.slice().sort((a, b) => a.paramsCompression - b.paramsCompression);
    add("path", {
      d: pts.map((p, i) => `${i ? "L" : "M"}${x(p.paramsCompression)},${y(p.accuracy.mean)}`).join(""),
      fill: "none",
      stroke: color,
      "stroke-width": 1.5,
      "data-method": method.id,
    });
    add("text", { x: width - m.r - 4, y: legendY, "text-anchor": "end", "font-size": 10, fill: color }, method.label);
    legendY += 12;
  }
  if (live.inn !== undefined)
    add("circle", {
      cx: x(live.compression),
      cy: y(live.inn),
      r: 5,
      fill: "steelblue",
      stroke: "white",
      "data-point": "inn",
    });
  if (live.l1 !== undefined)
    add("circle", {
      cx: x(live.compression),
      cy: y(live.l1),
      r: 5,
      fill: "darkorange",
      stroke: "white",
      "data-point": "l1",
    });
  return svg;
}

function download(name: string, data: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = el("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function LiveModelApp(options: LiveAppOptions): HTMLElement {
  const root = el("div", { className: "live-app" });
  const status = el("p", { testid: "live-status" }, "Loading the model and the test set…");
  status.dataset.state = "loading";
  root.append(engineStatus(), status);
  void start(root, status, options).catch((error: unknown) => {
    status.dataset.state = "error";
    status.className = "warning";
    status.textContent = `The live model could not start: ${error instanceof Error ? error.message : String(error)}`;
  });
  return root;
}

async function start(root: HTMLElement, status: HTMLElement, options: LiveAppOptions): Promise<void> {
  const referenceSources = options.sources.filter((s) => s.kind !== "plan");
  if (referenceSources.length === 0) throw new Error("the live page needs at least one reference-net model source");
  const modelField = {
    model: { kind: "choice" as const, default: referenceSources[0].id, choices: options.sources.map((s) => s.id) },
  };
  // Kernel and quadrature default to the ones the named model was trained with: any other default would
  // show a resampled net the model file does not describe (off full size, kernels disagree between nodes).
  const schemaFor = (trained: LiveSession["trained"]) => ({
    ...modelField,
    conv1: { kind: "int" as const, default: REFERENCE_SIZES.conv1, min: MIN_GROUP_SIZE, max: 1024 },
    conv2: { kind: "int" as const, default: REFERENCE_SIZES.conv2, min: MIN_GROUP_SIZE, max: 1024 },
    conv3: { kind: "int" as const, default: REFERENCE_SIZES.conv3, min: MIN_GROUP_SIZE, max: 1024 },
    kernel: { kind: "choice" as const, default: trained.kernel as string, choices: LIVE_KERNELS },
    quadrature: { kind: "choice" as const, default: trained.quadrature as string, choices: LIVE_QUADRATURES },
    partition: { kind: "choice" as const, default: "uniform", choices: ["uniform", "grid-tuned"] },
  });
  const initialSearch = location.search;
  const initialModel = readUrlState(modelField, initialSearch);
  const notes = [...initialModel.notes];

  await initBrowserEngine();
  const evalSet: EvalSet = decodeEvalSet(await options.evalSet(), "mnist-test.evalset");
  const evaluator = new LiveEvaluator(evalSet);
  const scheduler = new LatestOnly();

  const initialPlan = options.sources.find((s) => s.id === initialModel.values.model && s.kind === "plan");
  let linkedPlanPending = initialPlan !== undefined;
  let sourceId = initialPlan ? referenceSources[0].id : initialModel.values.model;
  const loadSource = async (id: string): Promise<LiveSession> => {
    const source = options.sources.find((s) => s.id === id)!;
    const model = continuousModelFromBytes(await source.model(), `${source.id}.model`);
    try {
      const twin = source.twin ? fullSizeParametersFromBytes(await source.twin(), `${source.id} twin`) : undefined;
      return new LiveSession(model, { twin, twinLabel: source.twin ? "the discrete net trained alike" : undefined });
    } catch (e) {
      model.dispose();
      throw e;
    }
  };
  let session = await loadSource(sourceId);
  let schema = schemaFor(session.trained);
  const { model: _model, ...settingsSchema } = schema;
  const initial = readUrlState(settingsSchema);
  notes.push(...initial.notes);

  // Sizes from the URL, clamped to this model's groups (with a visible note).
  const clampSizes = (s: LiveSession, wanted: Record<string, number>) => {
    const full = s.fullSizes;
    const sizes = { ...full };
    for (const g of REFERENCE_INN_GROUPS) {
      const v = wanted[g] ?? full[g];
      const c = Math.max(2, Math.min(full[g], v));
      if (c !== v) notes.push(`${g}=${v} does not fit this model (2…${full[g]}); using ${c}.`);
      sizes[g] = c;
    }
    return sizes;
  };
  let value: LiveControlsValue = {
    sizes: clampSizes(session, {
      conv1: initial.values.conv1,
      conv2: initial.values.conv2,
      conv3: initial.values.conv3,
    }),
    kernel: initial.values.kernel,
    quadrature: initial.values.quadrature,
    partition: initial.values.partition,
  };
  if (value.partition === "grid-tuned") {
    notes.push(
      "partition=grid-tuned: this model file stores no grid-tuned partition (model files v1 do not); using uniform.",
    );
    value.partition = "uniform";
  }

  // Layout.
  const picker = el("select", { testid: "live-model" });
  const refreshPicker = () => {
    picker.replaceChildren(
      ...options.sources.map((s) => new Option(s.label, s.id, s.id === sourceId, s.id === sourceId)),
    );
  };
  refreshPicker();
  const controlsBox = el("div");
  const problemBox = el("p", { className: "warning", testid: "live-problem" });
  problemBox.hidden = true;
  const innLine = el("span", { testid: "live-acc-inn" });
  const l1Line = el("span", { testid: "live-acc-l1" });
  const costLine = el("span", { testid: "live-cost" });
  const results = el(
    "div",
    { className: "live-results" },
    el("p", {}, el("strong", {}, "Integral net, resampled: "), innLine),
    el("p", {}, el("strong", {}, "Discrete twin, L1-pruned to the same sizes: "), l1Line),
    el("p", {}, costLine),
  );
  const curveBox = el("div");
  const confusionBox = el("div");
  const weightsBox = el("div");
  const digit = DigitCanvas();
  const probs = el("div", { testid: "live-digit-probs", className: "live-probs" });
  const shareLink = el("a", { testid: "live-share", textContent: "link to this configuration" });
  const exportButton = el("button", {
    type: "button",
    testid: "live-export",
    textContent: "Download the resampled model (tfjs: model.json + weights.bin)",
  });
  const fileMessageBox = ModelFilePicker(async (picked) => useOwnModel(picked));

  // The reference net's sections; hidden (and its controls removed) while a plan model is shown.
  const refBox = el(
    "div",
    { testid: "live-reference" },
    el("h2", {}, "Sizes, kernel, quadrature"),
    controlsBox,
    problemBox,
    el("h2", {}, "Results"),
    results,
    curveBox,
    el("h3", {}, "Confusion matrix of the integral net"),
    confusionBox,
    el("h3", {}, "Sampled weight matrices (sum over spatial taps; rows out, columns in)"),
    weightsBox,
    el("h2", {}, "Export"),
    el("p", {}, exportButton, " · ", shareLink),
  );
  const planBox = el("div");
  let noteBox = urlStateNote(notes);
  const addNotes = (more: string[]) => {
    if (more.length === 0) return;
    notes.push(...more);
    const next = urlStateNote(notes);
    noteBox.replaceWith(next);
    noteBox = next;
  };
  root.append(
    noteBox,
    el("h2", {}, "Model"),
    el("label", {}, "Model ", picker),
    refBox,
    planBox,
    el("h2", {}, "Draw a digit"),
    el("div", { className: "live-draw-row" }, digit, probs),
    el("h2", {}, "Bring your own model"),
    el(
      "p",
      {},
      "A model file in this library's format (.model), or a tfjs layers model of the reference shape (model.json with its weights .bin), which is converted on the spot: channels reordered to vary smoothly, nodes initialised exactly.",
    ),
    fileMessageBox,
  );

  let controls = makeControls();
  function makeControls() {
    const ranges = session.trainingRanges;
    const full = session.fullSizes;
    const c = LiveControls({
      groups: REFERENCE_INN_GROUPS.map((g) => ({ id: g, full: full[g], range: ranges[g] })),
      value,
      kernels: LIVE_KERNELS,
      quadratures: LIVE_QUADRATURES,
      partitions: ["uniform"],
    });
    c.addEventListener("input", () => {
      value = c.value;
      changed();
    });
    controlsBox.replaceChildren(c);
    return c;
  }

  // Progress log for tests and the benchmark.
  const log: ProgressRecord[] = [];
  let requestStart = 0;
  let lastInn: AccuracyEstimate | undefined;
  let lastL1: AccuracyEstimate | undefined;
  let prepared: PreparedNets | undefined;

  const config = (): LiveConfig => ({
    sizes: { conv1: value.sizes.conv1, conv2: value.sizes.conv2, conv3: value.sizes.conv3 },
    kernel: value.kernel as InterpolationKernelName,
    quadrature: value.quadrature as GroupQuadrature,
  });

  const drawCurve = () =>
    curveBox.replaceChildren(
      CurveChart(options.curves, {
        compression: prepared?.compression.params ?? 0,
        inn: lastInn?.accuracy,
        l1: lastL1?.accuracy,
      }),
    );

  const showProgress = (p: EvaluationProgress, request: number) => {
    logProgress(log, request, p.tag, p.estimate, performance.now() - requestStart);
    const line = p.tag === "inn" ? innLine : l1Line;
    line.textContent = accuracyText(p.estimate);
    line.dataset.accuracy = String(p.estimate.accuracy);
    line.dataset.evaluated = String(p.estimate.evaluated);
    line.dataset.final = String(p.estimate.final);
    line.dataset.request = String(request);
    if (p.tag === "inn") {
      lastInn = p.estimate;
      confusionBox.replaceChildren(ConfusionMatrix(p.confusion, evalSet.classes));
    } else lastL1 = p.estimate;
    drawCurve();
  };

  const predictDigit = () => {
    const image = digit.value;
    if (image && plan) {
      const p = tf.tidy(() => tf.softmax(plan!.session.logits(tf.tensor4d(image, [1, 28, 28, 1]))).dataSync());
      const best = p.indexOf(Math.max(...p));
      probs.dataset.predicted = String(best);
      probs.replaceChildren(
        ...Array.from(p, (v, k) =>
          el(
            "div",
            { className: k === best ? "live-prob best" : "live-prob" },
            el("span", {}, String(k)),
            el("meter", { min: 0, max: 1, value: v }),
            el("span", {}, pct(v, 1)),
          ),
        ),
      );
      return;
    }
    if (!image || !prepared) {
      probs.replaceChildren("Draw a digit on the black square.");
      delete probs.dataset.predicted;
      return;
    }
    const nets = prepared;
    const p = tf.tidy(() => {
      const x = tf.tensor4d(image, [1, 28, 28, 1]);
      return tf
        .softmax(receptiveFieldLogits(cropInput(x, evaluator.plan), nets.inn.weights, evaluator.plan))
        .dataSync();
    });
    const best = p.indexOf(Math.max(...p));
    probs.dataset.predicted = String(best);
    probs.replaceChildren(
      ...Array.from(p, (v, k) =>
        el(
          "div",
          { className: k === best ? "live-prob best" : "live-prob" },
          el("span", {}, String(k)),
          el("meter", { min: 0, max: 1, value: v }),
          el("span", {}, pct(v, 1)),
        ),
      ),
    );
  };
  digit.addEventListener("input", predictDigit);

  const changed = () => {
    // While a link's plan model is still loading, the link stays as it came (the plan view rewrites it).
    if (!linkedPlanPending)
      writeUrlState(schema, {
        model: sourceId,
        ...value.sizes,
        kernel: value.kernel,
        quadrature: value.quadrature,
        partition: value.partition,
      });
    shareLink.href = `${location.pathname}${urlStateQuery(schema, { model: sourceId, ...value.sizes, kernel: value.kernel, quadrature: value.quadrature, partition: value.partition })}`;
    const problem = session.problem(config());
    problemBox.hidden = !problem;
    problemBox.textContent = problem ? `Cannot resample: ${problem}.` : "";
    if (problem) return;
    requestStart = performance.now();
    const s = session;
    const cfg = config();
    const request = scheduler.latest + 1;
    void scheduler
      .request(async (isCurrent) => {
        prepared = s.prepare(cfg);
        logProgress(log, request, "prepare", undefined, performance.now() - requestStart);
        const c = prepared.compression;
        costLine.dataset.params = String(c.after.params);
        costLine.dataset.flops = String(c.after.flops);
        costLine.dataset.compression = String(c.params);
        costLine.textContent = `Parameters ${si(c.after.params)} of ${si(c.full.params)} (compression ${pct(c.params, 1)}); FLOPs per image ${si(c.after.flops)} of ${si(c.full.flops)} (compression ${pct(c.flops, 1)}). Both nets have these counts.`;
        weightsBox.replaceChildren(
          WeightMatrices(
            ["conv1", "conv2", "conv3", "dense"].map((id, i) => {
              const w = i < 3 ? prepared!.inn.weights.convs[i].weight : prepared!.inn.weights.dense.weight;
              return layerMatrix(id, w.dataSync(), w.shape);
            }),
          ),
        );
        predictDigit();
        await evaluator.evaluate([prepared.inn, prepared.l1], {
          isCurrent,
          yieldToPage,
          onProgress: (p) => showProgress(p, request),
        });
      })
      .catch((error: unknown) => {
        problemBox.hidden = false;
        problemBox.textContent = `Resampling failed: ${error instanceof Error ? error.message : String(error)}`;
      });
  };

  const replaceSession = async (next: LiveSession) => {
    await scheduler.request(async () => undefined); // stop running work before the old weights go
    session.dispose();
    evaluator.clearPrefixCache();
    session = next;
    value = { ...value, sizes: clampSizes(session, value.sizes) };
    controls = makeControls();
    changed();
  };

  // Plan models (SINN): their own session, evaluator (lazily built) and panel; the reference session stays loaded.
  let plan: { session: PlanLiveSession; panel: PlanPanelElement; schema: StateSchema } | undefined;
  let planEvaluator: ModelEvaluator | undefined;
  /** The plan model at its prepared sizes as tfjs layers-model files. */
  const planModelFiles = () => {
    if (!plan?.session.prepared) throw new Error("no plan model is prepared");
    const sizes = plan.session.prepared.sizes;
    return tfjsModelFiles(
      exportPlanTfjsLayersModel(plan.session.model, {
        name: `integral_lab_${sourceId}_${Object.values(sizes).join("_")}`.replace(/[^A-Za-z0-9_]/g, "_"),
      }),
    );
  };
  let calibrationSet: EvalSet | undefined;
  const leavePlan = async () => {
    if (!plan) return;
    await scheduler.request(async () => undefined); // stop running work before the session goes
    plan.session.dispose();
    // The plan's sizes leave the URL (at their defaults they are omitted); the reference view writes its own.
    writeUrlState(plan.schema, plan.session.fullSizes);
    if (options.sources.find((s) => s.id === sourceId)?.kind === "plan") {
      sourceId = referenceSources[0].id;
      refreshPicker();
    }
    plan = undefined;
    planBox.replaceChildren();
    refBox.hidden = false;
  };
  // A plan model's link state: one size per hidden group, named by the group's id (2…its full size;
  // the global slider is derived from the sizes, so they restore it too).
  const planSchemaFor = (s: PlanLiveSession): StateSchema => {
    const clash = s.groups.find((g) => g.id in schema);
    if (clash)
      throw new Error(
        `the model's group "${clash.id}" has the name of another link parameter, so its size cannot be put in the URL`,
      );
    return Object.fromEntries(
      s.groups.map((g) => [g.id, { kind: "int" as const, default: g.full, min: 2, max: g.full }]),
    );
  };
  /** Enter a plan model; with `fromLink`, at the sizes the page's first URL names (bad ones fixed, with a note). */
  const enterPlan = async (source: LiveModelSource, fromLink = false) => {
    if (!options.calibrationSet) throw new Error("this page passes no calibration images, which a plan model needs");
    calibrationSet ??= decodeEvalSet(await options.calibrationSet(), "mnist-calibration.evalset");
    const next = new PlanLiveSession(planNetFromBytes(await source.model(), `${source.id}.model`), calibrationSet);
    let planSchema: StateSchema;
    try {
      planSchema = planSchemaFor(next);
    } catch (e) {
      next.dispose();
      throw e;
    }
    let sizes = next.fullSizes;
    if (fromLink) {
      const linked = readUrlState(planSchema, initialSearch);
      addNotes(linked.notes);
      sizes = linked.values as Record<string, number>;
    }
    await leavePlan();
    await scheduler.request(async () => undefined);
    planEvaluator ??= new ModelEvaluator(evalSet);
    refBox.hidden = true;
    controlsBox.replaceChildren(); // one set of sliders in the page at a time
    const planShare = el("a", { testid: "live-plan-share", textContent: "link to this configuration" });
    const planExport = el("button", {
      type: "button",
      testid: "live-plan-export",
      textContent: "Download the resampled model (tfjs: model.json + weights.bin)",
    });
    planExport.addEventListener("click", () => {
      const files = planModelFiles();
      download("model.json", files.modelJson, "application/json");
      download("weights.bin", files.weightsBin, "application/octet-stream");
    });
    const linkSchema = { model: schema.model, ...planSchema };
    const panel = PlanPanel({
      session: next,
      evaluator: planEvaluator,
      scheduler,
      classes: evalSet.classes,
      yieldToPage,
      accuracyText,
      sizes,
      onChange: (now) => {
        writeUrlState(linkSchema, { model: source.id, ...now });
        planShare.href = `${location.pathname}${urlStateQuery(linkSchema, { model: source.id, ...now })}`;
      },
      onPrepared: () => predictDigit(),
      costText: (p: PreparedPlanNet) => {
        const c = p.compression;
        return `Parameters ${si(c.after.params)} of ${si(c.full.params)} (compression ${pct(c.params, 1)}); FLOPs per image ${si(c.after.flops)} of ${si(c.full.flops)} (compression ${pct(c.flops, 1)}).`;
      },
    });
    plan = { session: next, panel, schema: planSchema };
    planBox.replaceChildren(
      el("h2", {}, "Sizes (per linked group)"),
      el(
        "p",
        {},
        "Kernel and quadrature are the ones the model was trained with; this model file stores no grid-tuned partition.",
      ),
      panel,
      el("h2", {}, "Export"),
      el(
        "p",
        {},
        "The download is a tfjs layers model (stock layers: Rescaling, Conv2D, DepthwiseConv2D, BatchNormalization, pooling, Add, Concatenate, Dense) at the sizes shown, with the batch-norm statistics re-estimated there; tf.loadLayersModel reads it without custom classes.",
      ),
      el("p", {}, planExport, " · ", planShare),
    );
    sourceId = source.id;
    refreshPicker();
  };

  picker.addEventListener("change", async () => {
    const id = picker.value;
    const chosen = options.sources.find((s) => s.id === id);
    if (chosen?.kind === "plan") {
      try {
        await enterPlan(chosen);
      } catch (error) {
        problemBox.hidden = false;
        refBox.hidden = false;
        problemBox.textContent = `Could not load ${id}: ${error instanceof Error ? error.message : String(error)}`;
        refreshPicker();
      }
      return;
    }
    try {
      const next = await loadSource(id);
      sourceId = id;
      // Follow the new model's trained kernel/quadrature unless the reader picked others.
      const nextSchema = schemaFor(next.trained);
      if (value.kernel === schema.kernel.default) value = { ...value, kernel: nextSchema.kernel.default };
      if (value.quadrature === schema.quadrature.default)
        value = { ...value, quadrature: nextSchema.quadrature.default };
      schema = nextSchema;
      await leavePlan();
      await replaceSession(next);
    } catch (error) {
      problemBox.hidden = false;
      problemBox.textContent = `Could not load ${id}: ${error instanceof Error ? error.message : String(error)}`;
      refreshPicker();
    }
  });

  async function useOwnModel(picked: PickedModel): Promise<void> {
    await leavePlan();
    let next: LiveSession;
    if (picked.kind === "model-file") next = new LiveSession(continuousModelFromBytes(picked.bytes, picked.name));
    else {
      const { inn, twin } = integralFromTfjs(picked.modelJson, picked.weights, picked.name);
      next = new LiveSession(inn, { twin, twinLabel: "your discrete net" });
    }
    await replaceSession(next);
  }

  exportButton.addEventListener("click", () => {
    const files = tfjsModelFiles(
      exportTfjsLayersModel(session.discreteParameters(), session.input, {
        name: `integral_lab_${value.sizes.conv1}_${value.sizes.conv2}_${value.sizes.conv3}`,
      }),
    );
    download("model.json", files.modelJson, "application/json");
    download("weights.bin", files.weightsBin, "application/octet-stream");
  });

  (globalThis as Record<string, unknown>).__liveModel = {
    setSizes: (sizes: Record<string, number>) => controls.setSizes(sizes),
    setGlobal: (fraction: number) => {
      const full = session.fullSizes;
      controls.setSizes(sizesAtFraction(full, REFERENCE_INN_GROUPS, fraction));
    },
    log,
    idle: () => scheduler.idle(),
    numTensors: () => tf.memory().numTensors,
    backend: () => tf.getBackend(),
    testDigit: (i: number) => ({
      pixels: Array.from(evalSet.images.subarray(i * 784, (i + 1) * 784), (v) => v / 255),
      label: evalSet.labels[i],
    }),
    drawDigit: (pixels: number[]) => digit.drawDigit(pixels),
    /** The plan (SINN) panel's controls and progress log while a plan model is shown. */
    get plan() {
      return plan?.panel.api;
    },
    exportArtifacts: () => tfjsModelFiles(exportTfjsLayersModel(session.discreteParameters(), session.input)).modelJson,
    /** The plan model's export at its prepared sizes: model.json and weights.bin (as bytes). */
    exportPlan: () => {
      const files = planModelFiles();
      return { modelJson: files.modelJson, weightsBin: Array.from(new Uint8Array(files.weightsBin)) };
    },
  };

  status.textContent = `Model and ${evalSet.count.toLocaleString("en")} test images loaded; comparing with ${session.twinLabel}.`;
  status.dataset.state = "ready";
  drawCurve();
  changed();
  if (initialPlan) {
    picker.value = initialPlan.id;
    try {
      await enterPlan(initialPlan, true);
    } finally {
      linkedPlanPending = false;
    }
  }
}
