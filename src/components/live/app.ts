/**
 * The live model page's application: which model is shown (the page's sources or a file the reader
 * brings), the URL's `model` field, the file loading with its progress bar, and what every model shares
 * on one screen — controls on the left; on the right the panel's accuracy cards, the accuracy-versus-
 * compression chart with the live nets' dots, and the digit pad classified by every net of the panel.
 * One panel at a time (ReferencePanel for the reference net and its L1 twin, GraphPanel for a plan
 * network) owns everything that depends on its model. A new model is parsed first and shown only on
 * success; a failure leaves the current panel, its message and its link as they were. Of overlapping
 * choices (a file still converting when another model is chosen) the newest wins (LatestChoice). The URL
 * holds `model`, `backend` and the shown panel's parameters only: another model's are dropped.
 *
 * For tests and the benchmark the app exposes `window.__liveModel` (the panel's sizes setters and
 * progress log, tensor count, test digits, digit prediction) — the same calls a reader's clicks make.
 */
import * as tf from "@tensorflow/tfjs-core";
import * as Inputs from "@observablehq/inputs";
import { initBrowserEngine, engineStatus } from "../tfjs-backend.js";
import { readUrlState, writeUrlState, urlStateNote, urlStateQuery, type StateSchema } from "../url-state.js";
import { el, errorMessage } from "../dom.js";
import { DigitCanvas } from "./digit-pad.js";
import { DigitPredictions } from "./digit-predictions.js";
import { ModelFilePicker, type PickedModel, type PickProgress } from "./file-picker.js";
import { FileLoader, type LiveFile } from "./loading.js";
import { LiveCurveChart, type LiveCurveChartElement, type LivePoint } from "./curve-chart.js";
import type { LivePanel, PanelHost } from "./panel.js";
import { ReferencePanel, referenceSchema, referenceState, type ReferenceState } from "./reference-panel.js";
import { GraphPanel, graphSchema, PAGE_PARAMETERS } from "./graph-panel.js";
import { decodeEvalSet, type EvalSet } from "../../lib/data/evalset.js";
import { checkCurvesFile, type CurvesData } from "../../lib/views/curves.js";
import { LiveEvaluator } from "../../lib/live/live-evaluator.js";
import { ModelEvaluator } from "../../lib/live/model-evaluator.js";
import { LatestOnly } from "../../lib/live/latest-only.js";
import { LatestChoice, type Choice } from "../../lib/live/latest-choice.js";
import { LiveSession } from "../../lib/live/reference-session.js";
import { PlanLiveSession, planNetFromBytes, planSessionFromLayersModel } from "../../lib/live/graph-session.js";
import { inputFitProblem, type FitTarget } from "../../lib/live/model-fit.js";
import {
  continuousModelFromBytes,
  fullSizeParametersFromBytes,
  integralFromTfjs,
  isReferenceExport,
  layersArtifacts,
  parseModelJson,
} from "../../lib/live/model-sources.js";

export type { LiveFile } from "./loading.js";

export interface LiveModelSource {
  id: string;
  label: string;
  /**
   * "reference" (default): a single-file continuous model of the reference net. "plan": a weights file
   * of a plan network (SINN family, src/lib/sinn), resampled per hidden group with batch-norm calibration.
   */
  kind?: "reference" | "plan";
  /** Method id of its net in the curves file and components/style/methods.ts (default "inn-scratch", plan "sinn"). */
  method?: string;
  /** The curves file's family whose lines the chart draws beside it (default "reference"; a plan's, e.g. "resnet18"). */
  family?: string;
  /** The continuous model (single-file container; for "plan", the weights file). */
  model: LiveFile;
  /** Its discrete twin (nodes = channels), pruned by L1 for comparison; default: the model at full size. */
  twin?: LiveFile;
}

export interface LiveAppOptions {
  sources: LiveModelSource[];
  /** The test set (an evalset binary) every model is measured on. */
  evalSet: LiveFile;
  /** Training images for batch-norm calibration of "plan" sources (an evalset binary). */
  calibrationSet?: LiveFile;
  /** The sweep's curves.json (parsed), for the chart's lines; without it the chart shows only the live dots. */
  curves?: unknown;
}

/** The URL's `model` value while a reader's converted tfjs model is shown (its file cannot travel in a link). */
const OWN_MODEL = "own";

export function LiveModelApp(options: LiveAppOptions): HTMLElement {
  const loader = FileLoader();
  const status = el("p", { testid: "live-status", className: "live-status" }, "Loading the model and the test set…");
  status.dataset.state = "loading";
  const root = el(
    "div",
    { className: "live-app" },
    el("div", { className: "live-top" }, status, loader, engineStatus()),
  );
  void start(root, status, loader, options).catch((error: unknown) => {
    status.dataset.state = "error";
    status.className = "warning";
    status.textContent = `The live model could not start: ${errorMessage(error)}`;
  });
  return root;
}

/** A model loaded for a choice, not shown yet: `show` shows it (taking it over), `dispose` frees it. */
interface Prepared {
  show(): Promise<void>;
  dispose(): void;
}

/** Under the picker when a file's model was not shown because another model was chosen meanwhile. */
const supersededNote = (name: string) => `${name} was not shown: another model was chosen while it loaded.`;

/** A select in the look of Inputs.select whose options' values are ids (for links, tests and `change` events). */
function idSelect(label: string, ids: readonly string[], labels: readonly string[], testid: string) {
  const form = Inputs.select(labels, { label });
  form.classList.add("live-model-form");
  const select = form.querySelector("select")!;
  Array.from(select.options).forEach((option, i) => (option.value = ids[i]));
  select.dataset.testid = testid;
  return { form, select };
}

async function start(
  root: HTMLElement,
  status: HTMLElement,
  loader: ReturnType<typeof FileLoader>,
  options: LiveAppOptions,
): Promise<void> {
  const referenceSources = options.sources.filter((s) => s.kind !== "plan");
  if (referenceSources.length === 0) throw new Error("the live page needs at least one reference-net model source");
  const modelField = {
    model: { kind: "choice" as const, default: referenceSources[0].id, choices: options.sources.map((s) => s.id) },
  };
  const initialSearch = location.search;
  // A link made while a reader's own model was shown: its sizes wait for that file to be dropped again.
  let ownLinkPending = new URLSearchParams(initialSearch).get("model") === OWN_MODEL;
  const initialModel = readUrlState(modelField, ownLinkPending ? "" : initialSearch);
  const notes = [...initialModel.notes];
  if (ownLinkPending)
    notes.push(
      `model=${OWN_MODEL}: this link was made with a model file of the reader's own, which a link cannot carry; choose that file under "Bring your own model" to see it at the link's sizes.`,
    );
  let curves: CurvesData | undefined;
  if (options.curves !== undefined) {
    try {
      curves = checkCurvesFile(options.curves, "curves.json");
    } catch (error) {
      notes.push(`The chart draws no curves: ${errorMessage(error)}.`);
    }
  }
  let sourceId = initialModel.values.model;
  const initial = options.sources.find((s) => s.id === sourceId)!;

  const [, [evalBytes]] = await Promise.all([
    initBrowserEngine(),
    // The first model's files load alongside the test images, under one bar.
    loader.load("Loading the test images and the model", [
      options.evalSet,
      initial.model,
      ...(initial.twin ? [initial.twin] : []),
    ]),
  ]);
  const evalSet: EvalSet = decodeEvalSet(evalBytes, options.evalSet.name);
  // Every model must take this test set's images and classes; others are refused before anything changes.
  const fits: FitTarget = {
    shape: { height: evalSet.height, width: evalSet.width, channels: evalSet.channels, classes: evalSet.classes },
    name: options.evalSet.name,
  };
  const evaluator = new LiveEvaluator(evalSet);
  const scheduler = new LatestOnly();
  const choices = new LatestChoice();
  // Parameters the next panel's first URL write removes unless it owns them: the previous panel's, and
  // whatever the first link holds besides the page's own (another model's sizes, e.g. a model=own link's).
  let staleParameters = [...new URLSearchParams(initialSearch).keys()].filter((k) => !PAGE_PARAMETERS.includes(k));
  let graphEvaluator: ModelEvaluator | undefined;
  let calibrationSet: EvalSet | undefined;

  // The panel shown, the name of a reader's file when it is one, and the reference view's last state
  // (kept while a plan model is shown, so coming back restores it).
  let panel: LivePanel | undefined;
  let ownFile: string | undefined;
  let referenceView: { state: ReferenceState; defaults: { kernel: string; quadrature: string } } | undefined;

  // Layout: one screen — controls left; cards, chart and digit pad right; the panel's details below.
  const sourceBox = el("div");
  const refreshPicker = () => {
    const ids = options.sources.map((s) => s.id);
    const labels = options.sources.map((s) => s.label);
    if (ownFile) (ids.push("own"), labels.push(`Your file: ${ownFile}`));
    const made = idSelect("Model", ids, labels, "live-model");
    made.select.value = ownFile ? "own" : sourceId;
    made.select.addEventListener("change", () => void choose(made.select.value));
    sourceBox.replaceChildren(made.form);
  };
  const sourceProblem = el("p", { className: "warning", testid: "live-source-problem" });
  sourceProblem.hidden = true;
  const controlsSlot = el("div");
  const cardsSlot = el("div", { className: "live-results" });
  const chartSlot = el("div", { className: "live-chart-slot" });
  const detailsSlot = el("div");
  const digit = DigitCanvas({ side: 224 });
  const predictions = DigitPredictions();
  const fileMessageBox = ModelFilePicker((picked, progress) => useOwnModel(picked, progress));
  let noteBox = urlStateNote(notes);
  const addNotes = (more: readonly string[]) => {
    if (more.length === 0) return;
    notes.push(...more);
    const next = urlStateNote(notes);
    noteBox.replaceWith(next);
    noteBox = next;
  };
  root.append(
    noteBox,
    el(
      "div",
      { className: "live-screen" },
      el(
        "div",
        { className: "live-side" },
        sourceBox,
        sourceProblem,
        controlsSlot,
        el(
          "details",
          { className: "live-own" },
          el("summary", {}, "Bring your own model"),
          el(
            "p",
            { className: "live-note" },
            "A model file in this library's format (.model), or a tfjs layers model (model.json with its .bin weight files, chosen together; Sequential or functional, also as tensorflowjs_converter writes Keras models), converted on the spot: each linked group's channels reordered to vary smoothly, nodes initialised exactly, so at full size it computes what your model computes. It must take this page's 28×28 grey images (pixels in [0, 1]) in 10 classes; the layers that convert are listed under “Your own model” below the page.",
          ),
          fileMessageBox,
        ),
      ),
      cardsSlot,
      el(
        "div",
        { className: "live-figures" },
        chartSlot,
        el(
          "div",
          { className: "live-digit" },
          el("h3", {}, "Draw a digit"),
          el("div", { className: "live-digit-row" }, digit, predictions),
        ),
      ),
    ),
    detailsSlot,
  );
  // The <details> opens by itself when a file is chosen through it, so its message is seen.
  fileMessageBox.addEventListener("change", () => fileMessageBox.closest("details")?.setAttribute("open", ""));

  let chart: LiveCurveChartElement | undefined;
  let point: LivePoint = { accuracy: {} };
  const predictDigit = () => {
    const image = digit.value;
    predictions.show(panel?.nets ?? [], image && panel ? panel.classify(image) : []);
  };
  digit.addEventListener("input", predictDigit);

  /** The host callbacks of a panel shown for source `id`: the URL holds `model` and the panel's own state. */
  const hostFor = (id: string, schema: StateSchema): PanelHost => {
    const linkSchema = { ...modelField, ...schema };
    return {
      onChange: (state) => {
        writeUrlState(linkSchema, { model: id, ...state }, staleParameters);
        staleParameters = [];
      },
      link: (state) => `${location.pathname}${urlStateQuery(linkSchema, { model: id, ...state })}`,
      onPrepared: (size) => {
        point = { ...size, accuracy: {} };
        chart?.update(point);
        predictDigit();
      },
      onEstimate: (tag, estimate) => {
        point = { ...point, accuracy: { ...point.accuracy, [tag]: estimate.accuracy } };
        chart?.update(point);
      },
    };
  };

  /**
   * Show the panel `make` builds, for source `id`, once the model it needs is parsed: the previous panel's
   * work stops and its tensors go; then the new panel starts, its first URL write dropping the old one's
   * parameters it does not share. Only through `choices.commit`, so two never interleave.
   */
  const show = async (id: string, make: () => LivePanel) => {
    if (panel) {
      const old = panel;
      panel = undefined;
      staleParameters.push(...Object.keys(old.schema));
      await old.dispose();
    }
    sourceId = id;
    point = { accuracy: {} };
    chart = undefined;
    panel = make();
    chart = LiveCurveChart({ curves, family: panel.family, nets: panel.nets });
    chart.update(point);
    controlsSlot.replaceChildren(panel.controls);
    cardsSlot.replaceChildren(panel.element);
    chartSlot.replaceChildren(chart);
    detailsSlot.replaceChildren(panel.details);
    refreshPicker();
    predictDigit();
  };

  /** A reference panel over `session` (taken over) at `wanted`, or the previous reference view's state. */
  const showReference = async (id: string, session: LiveSession, method?: string, wanted?: ReferenceState) => {
    const fixes: string[] = [];
    const state = referenceState(
      session,
      wanted ?? referenceView?.state ?? { sizes: session.fullSizes, ...trainedDefaults(session), partition: "uniform" },
      fixes,
      wanted ? undefined : referenceView?.defaults,
    );
    addNotes(fixes);
    await show(id, () => {
      const host = hostFor(id, referenceSchema(session.trained));
      let p: ReferencePanel | undefined = undefined;
      p = ReferencePanel({
        session,
        evaluator,
        scheduler,
        state,
        method,
        host: {
          ...host,
          onChange: (values) => {
            host.onChange(values);
            // The panel reports its first state from inside its constructor, before `p` exists.
            if (p) referenceView = { state: p.value, defaults: trainedDefaults(session) };
          },
        },
      });
      referenceView = { state: p.value, defaults: trainedDefaults(session) };
      return p;
    });
  };

  const loadReferenceSession = async (source: LiveModelSource): Promise<LiveSession> => {
    const [modelBytes, twinBytes] = await loader.load(`Loading ${source.label}`, [
      source.model,
      ...(source.twin ? [source.twin] : []),
    ]);
    const model = continuousModelFromBytes(modelBytes, `${source.id}.model`, fits);
    try {
      const twin = twinBytes ? fullSizeParametersFromBytes(twinBytes, `${source.id} twin`) : undefined;
      return new LiveSession(model, { twin, twinLabel: source.twin ? "the discrete net trained alike" : undefined });
    } catch (e) {
      model.dispose();
      throw e;
    }
  };

  /** A plan session's link state and first sizes: the first URL's (with notes) `fromLink`, else full; disposes it on failure. */
  const openingSizes = (session: PlanLiveSession, fromLink: boolean) => {
    try {
      const schema = graphSchema(session);
      if (!fromLink) return { schema, sizes: session.fullSizes };
      const linked = readUrlState(schema, initialSearch);
      addNotes(linked.notes);
      return { schema, sizes: linked.values as Record<string, number> };
    } catch (e) {
      session.dispose();
      throw e;
    }
  };

  /** Load a page source, ready to show; `fromLink`: at the state the page's first URL names (bad values fixed, with a note). */
  const openSource = async (source: LiveModelSource, fromLink = false): Promise<Prepared> => {
    if (source.kind === "plan") {
      if (!options.calibrationSet) throw new Error("this page passes no calibration images, which a plan model needs");
      const [modelBytes, calibrationBytes] = await loader.load(`Loading ${source.label}`, [
        source.model,
        options.calibrationSet,
      ]);
      calibrationSet ??= decodeEvalSet(calibrationBytes, options.calibrationSet.name);
      const net = planNetFromBytes(modelBytes, `${source.id}.model`, fits);
      let session: PlanLiveSession;
      try {
        session = new PlanLiveSession(net, calibrationSet);
      } catch (e) {
        net.dispose();
        throw e;
      }
      const { sizes } = openingSizes(session, fromLink);
      return {
        dispose: () => session.dispose(),
        show: async () => {
          graphEvaluator ??= new ModelEvaluator(evalSet);
          const graphEval = graphEvaluator;
          ownFile = undefined;
          await show(source.id, () =>
            GraphPanel({
              session,
              evaluator: graphEval,
              scheduler,
              name: source.id,
              method: source.method,
              family: source.family,
              sizes,
              host: hostFor(source.id, graphSchema(session)),
            }),
          );
        },
      };
    }
    const session = await loadReferenceSession(source);
    let wanted: ReferenceState | undefined;
    if (fromLink) {
      const linked = readUrlState(referenceSchema(session.trained), initialSearch);
      addNotes(linked.notes);
      const v = linked.values;
      wanted = {
        sizes: { conv1: v.conv1, conv2: v.conv2, conv3: v.conv3 },
        kernel: v.kernel,
        quadrature: v.quadrature,
        partition: v.partition,
      };
    }
    return {
      dispose: () => session.dispose(),
      show: async () => {
        ownFile = undefined;
        await showReference(source.id, session, source.method, wanted);
      },
    };
  };

  /** Show what `load` prepares for `choice` unless a newer choice came first; resolves whether it was shown. */
  const present = async (choice: Choice, load: () => Promise<Prepared>): Promise<boolean> =>
    choices.commit(
      choice,
      await load(),
      (prepared) => prepared.show(),
      (prepared) => prepared.dispose(),
    );

  async function choose(id: string): Promise<void> {
    const chosen = options.sources.find((s) => s.id === id);
    if (!chosen) return;
    const choice = choices.begin();
    try {
      if (await present(choice, () => openSource(chosen))) sourceProblem.hidden = true;
    } catch (error) {
      // A choice overtaken by a newer one says nothing, whatever became of it.
      if (!choice.isCurrent()) return;
      sourceProblem.hidden = false;
      sourceProblem.textContent = `Could not load ${chosen.label}: ${errorMessage(error)}`;
      refreshPicker();
    }
  }

  /**
   * A reader's file: a model file or this library's reference-net export as a reference view (the URL
   * keeps the reference source it replaces); any other tfjs layers model converted in the page (progress
   * under the picker) and shown as a plan view with its L1-pruned original, the URL saying model=own.
   * Resolves with a note when another model was chosen before it was ready (it is then not shown).
   */
  async function useOwnModel(pickedFiles: Promise<PickedModel>, progress: PickProgress): Promise<string | void> {
    // The choice begins when the files are chosen, before they are read: a later choice elsewhere wins.
    const choice = choices.begin();
    let name = "the chosen model";
    try {
      const picked = await pickedFiles;
      name = picked.name;
      if (await present(choice, () => prepareOwnModel(picked, progress, choice.signal))) return;
    } catch (error) {
      if (choice.isCurrent()) throw error;
    }
    return supersededNote(name);
  }

  async function prepareOwnModel(picked: PickedModel, progress: PickProgress, signal: AbortSignal): Promise<Prepared> {
    let session: LiveSession;
    if (picked.kind === "model-file")
      session = new LiveSession(continuousModelFromBytes(picked.bytes, picked.name, fits));
    else {
      const json = parseModelJson(picked.modelJson, picked.name);
      if (!isReferenceExport(json)) return prepareConvertedModel(json, picked.weights, picked.name, progress, signal);
      // The reference net's export is one model.json with one weights.bin.
      const bins = Object.values(picked.weights);
      if (bins.length !== 1) throw new Error(`choose model.json and one weights file, not ${bins.length + 1} files`);
      const { inn, twin } = integralFromTfjs(picked.modelJson, bins[0], picked.name, fits);
      session = new LiveSession(inn, { twin, twinLabel: "your discrete net" });
    }
    return {
      dispose: () => session.dispose(),
      show: async () => {
        const id = referenceSources.some((s) => s.id === sourceId) ? sourceId : referenceSources[0].id;
        ownFile = picked.name;
        // A converted tfjs model is the curves' "converted" method; a model file's provenance is unknown.
        await showReference(id, session, picked.kind === "tfjs" ? "converted" : undefined);
      },
    };
  }

  /** A tfjs layers model of any supported architecture, converted here (stopping when `signal` aborts) for a plan view. */
  async function prepareConvertedModel(
    json: unknown,
    weights: Record<string, ArrayBuffer>,
    name: string,
    progress: PickProgress,
    signal: AbortSignal,
  ): Promise<Prepared> {
    if (!options.calibrationSet)
      throw new Error("this page passes no calibration images, which a converted model needs");
    const artifacts = layersArtifacts(json, weights, name);
    const [calibrationBytes] = await loader.load("Loading the calibration images", [options.calibrationSet]);
    calibrationSet ??= decodeEvalSet(calibrationBytes, options.calibrationSet.name);
    const calibration = calibrationSet;
    // The converter checks the model against the calibration images; they must be the test set's kind.
    const mismatch = inputFitProblem(calibration, fits.shape, fits.name);
    if (mismatch) throw new Error(`${options.calibrationSet.name}: ${mismatch.replace("the model", "it")}`);
    progress("converting: reading the model");
    const session = await planSessionFromLayersModel(artifacts, calibration, {
      source: name,
      restarts: CONVERT_RESTARTS,
      signal,
      onProgress: (line) => progress(`converting: ${line}`),
    });
    const { schema, sizes } = openingSizes(session, ownLinkPending);
    return {
      dispose: () => session.dispose(),
      show: async () => {
        ownLinkPending = false;
        graphEvaluator ??= new ModelEvaluator(evalSet);
        const graphEval = graphEvaluator;
        ownFile = name;
        await show(OWN_MODEL, () =>
          GraphPanel({
            session,
            evaluator: graphEval,
            scheduler,
            name: name.replace(/\.json$/, ""),
            method: "converted",
            title: "converted model",
            netLabel: "Your model, converted and resampled",
            note: "One slider per linked group: channel axes that must keep one size (a conv's outputs with its consumers' inputs, batch norm and depth-wise convs with their input, both operands of an Add; each part of a Concatenate has its own). Your model was trained at its full size only; the band under each slider is the range a fine-tune on random sizes would train on (loaders/convert.ts --fine-tune-epochs), not one it has seen.",
            fullSizeStatistics: "the batch-norm statistics of your model",
            sizes,
            host: hostFor(OWN_MODEL, schema),
          }),
        );
      },
    };
  }

  (globalThis as Record<string, unknown>).__liveModel = {
    setSizes: (sizes: Record<string, number>) => panel?.api.setSizes(sizes),
    setGlobal: (fraction: number) => panel?.api.setGlobal(fraction),
    get log() {
      return panel?.api.log ?? [];
    },
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
      return panel && (sourceId === OWN_MODEL || options.sources.find((s) => s.id === sourceId)?.kind === "plan")
        ? panel.api
        : undefined;
    },
    exportArtifacts: () => panel?.exportFiles().modelJson,
    /** The plan model's export at its prepared sizes: model.json and weights.bin (as bytes). */
    exportPlan: () => {
      const files = panel!.exportFiles();
      return { modelJson: files.modelJson, weightsBin: Array.from(new Uint8Array(files.weightsBin)) };
    },
  };

  // The first model is a choice too: one made in the page while it loads wins over it.
  const first = choices.begin();
  try {
    await present(first, () => openSource(initial, true));
  } catch (error) {
    if (first.isCurrent()) {
      if (initial.kind !== "plan") throw error;
      addNotes([
        `model=${initial.id} could not be loaded (${errorMessage(error)}); showing ${referenceSources[0].id}.`,
      ]);
      await present(first, () => openSource(referenceSources[0], true));
    }
  }
  // A model chosen while the first one loaded may still be loading; its panel has no summary yet.
  const summary = panel ? `; ${panel.summary}` : "";
  status.textContent = `Model and ${evalSet.count.toLocaleString("en")} test images loaded${summary}.`;
  status.dataset.state = "ready";
}

/** 2-opt restarts per group when the page converts a model (the CLI's default is 100; the page keeps it quick). */
const CONVERT_RESTARTS = 10;

function trainedDefaults(session: LiveSession): { kernel: string; quadrature: string } {
  return { kernel: session.trained.kernel, quadrature: session.trained.quadrature };
}
