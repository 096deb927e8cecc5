/**
 * The live model page's application: which model is shown (the page's sources or a file the reader
 * brings), the URL's `model` field, the shared digit pad and file picker — over one panel at a time
 * (ReferencePanel for the reference net and its L1 twin, GraphPanel for a plan network), which owns
 * everything that depends on its model. A new model is parsed first and shown only on success; a
 * failure leaves the current panel, its message and its link as they were.
 *
 * For tests and the benchmark the app exposes `window.__liveModel` (the panel's sizes setters and
 * progress log, tensor count, test digits, digit prediction) — the same calls a reader's clicks make.
 */
import * as tf from "@tensorflow/tfjs-core";
import { initBrowserEngine, engineStatus } from "../tfjs-backend.js";
import { readUrlState, writeUrlState, urlStateNote, urlStateQuery, type StateSchema } from "../url-state.js";
import { el, errorMessage, pct } from "../dom.js";
import { DigitCanvas } from "./digit-pad.js";
import { ModelFilePicker, type PickedModel } from "./file-picker.js";
import type { LivePanel, PanelHost } from "./panel.js";
import { ReferencePanel, referenceSchema, referenceState, type ReferenceState } from "./reference-panel.js";
import { GraphPanel, graphSchema } from "./graph-panel.js";
import type { LiveCurves } from "./curve-chart.js";
import { decodeEvalSet, type EvalSet } from "../../lib/data/evalset.js";
import { LiveEvaluator } from "../../lib/live/live-evaluator.js";
import { ModelEvaluator } from "../../lib/live/model-evaluator.js";
import { LatestOnly } from "../../lib/live/latest-only.js";
import { LiveSession } from "../../lib/live/reference-session.js";
import { PlanLiveSession, planNetFromBytes } from "../../lib/live/graph-session.js";
import type { FitTarget } from "../../lib/live/model-fit.js";
import {
  continuousModelFromBytes,
  fullSizeParametersFromBytes,
  integralFromTfjs,
} from "../../lib/live/model-sources.js";

export type { LiveCurves } from "./curve-chart.js";

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

export interface LiveAppOptions {
  sources: LiveModelSource[];
  evalSet: () => Promise<Uint8Array>;
  /** Training images for batch-norm calibration of "plan" sources (an evalset binary). */
  calibrationSet?: () => Promise<Uint8Array>;
  curves?: LiveCurves;
}

export function LiveModelApp(options: LiveAppOptions): HTMLElement {
  const root = el("div", { className: "live-app" });
  const status = el("p", { testid: "live-status" }, "Loading the model and the test set…");
  status.dataset.state = "loading";
  root.append(engineStatus(), status);
  void start(root, status, options).catch((error: unknown) => {
    status.dataset.state = "error";
    status.className = "warning";
    status.textContent = `The live model could not start: ${errorMessage(error)}`;
  });
  return root;
}

/** The values that remove every key of `schema` from the URL (each at its default). */
const defaults = (schema: StateSchema) =>
  Object.fromEntries(Object.entries(schema).map(([k, spec]) => [k, spec.default])) as Record<string, never>;

async function start(root: HTMLElement, status: HTMLElement, options: LiveAppOptions): Promise<void> {
  const referenceSources = options.sources.filter((s) => s.kind !== "plan");
  if (referenceSources.length === 0) throw new Error("the live page needs at least one reference-net model source");
  const modelField = {
    model: { kind: "choice" as const, default: referenceSources[0].id, choices: options.sources.map((s) => s.id) },
  };
  const initialSearch = location.search;
  const initialModel = readUrlState(modelField, initialSearch);

  await initBrowserEngine();
  const evalSet: EvalSet = decodeEvalSet(await options.evalSet(), "mnist-test.evalset");
  // Every model must take this test set's images and classes; others are refused before anything changes.
  const fits: FitTarget = {
    shape: { height: evalSet.height, width: evalSet.width, channels: evalSet.channels, classes: evalSet.classes },
    name: "mnist-test.evalset",
  };
  const evaluator = new LiveEvaluator(evalSet);
  const scheduler = new LatestOnly();
  let graphEvaluator: ModelEvaluator | undefined;
  let calibrationSet: EvalSet | undefined;

  // The panel shown, its source id (the URL's model), and the reference view's last state (kept while a
  // plan model is shown, so coming back restores it).
  let panel: LivePanel | undefined;
  let sourceId = initialModel.values.model;
  let referenceView: { state: ReferenceState; defaults: { kernel: string; quadrature: string } } | undefined;

  // Layout.
  const picker = el("select", { testid: "live-model" });
  const refreshPicker = () =>
    picker.replaceChildren(
      ...options.sources.map((s) => new Option(s.label, s.id, s.id === sourceId, s.id === sourceId)),
    );
  refreshPicker();
  const sourceProblem = el("p", { className: "warning", testid: "live-source-problem" });
  sourceProblem.hidden = true;
  const panelBox = el("div");
  const digit = DigitCanvas();
  const probs = el("div", { testid: "live-digit-probs", className: "live-probs" });
  const fileMessageBox = ModelFilePicker(async (picked) => useOwnModel(picked));
  const notes = [...initialModel.notes];
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
    el("h2", {}, "Model"),
    el("label", {}, "Model ", picker),
    sourceProblem,
    panelBox,
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

  const predictDigit = () => {
    const image = digit.value;
    const predictions = image && panel ? panel.classify(image) : [];
    if (!image || predictions.length === 0) {
      probs.replaceChildren("Draw a digit on the black square.");
      delete probs.dataset.predicted;
      return;
    }
    const p = predictions[0].probabilities;
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

  /** The host callbacks of a panel shown for source `id`: the URL holds `model` and the panel's own state. */
  const hostFor = (id: string, schema: StateSchema): PanelHost => {
    const linkSchema = { ...modelField, ...schema };
    return {
      onChange: (state) => writeUrlState(linkSchema, { model: id, ...state }),
      link: (state) => `${location.pathname}${urlStateQuery(linkSchema, { model: id, ...state })}`,
      onPrepared: predictDigit,
    };
  };

  /**
   * Show the panel `make` builds, for source `id`, once the model it needs is parsed: the previous panel's
   * work stops, its link parameters leave the URL and its tensors go; then the new panel starts.
   */
  const show = async (id: string, make: () => LivePanel) => {
    if (panel) {
      const old = panel;
      panel = undefined;
      writeUrlState(old.schema, defaults(old.schema));
      await old.dispose();
    }
    sourceId = id;
    panel = make();
    panelBox.replaceChildren(panel.element);
    refreshPicker();
  };

  /** A reference panel over `session` (taken over) at `wanted`, or the previous reference view's state. */
  const showReference = async (id: string, session: LiveSession, wanted?: ReferenceState) => {
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
      const p: ReferencePanel = ReferencePanel({
        session,
        evaluator,
        scheduler,
        state,
        curves: options.curves,
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
    const model = continuousModelFromBytes(await source.model(), `${source.id}.model`, fits);
    try {
      const twin = source.twin ? fullSizeParametersFromBytes(await source.twin(), `${source.id} twin`) : undefined;
      return new LiveSession(model, { twin, twinLabel: source.twin ? "the discrete net trained alike" : undefined });
    } catch (e) {
      model.dispose();
      throw e;
    }
  };

  /** Open a page source; `fromLink`: at the state the page's first URL names (bad values fixed, with a note). */
  const openSource = async (source: LiveModelSource, fromLink = false) => {
    if (source.kind === "plan") {
      if (!options.calibrationSet) throw new Error("this page passes no calibration images, which a plan model needs");
      calibrationSet ??= decodeEvalSet(await options.calibrationSet(), "mnist-calibration.evalset");
      const net = planNetFromBytes(await source.model(), `${source.id}.model`, fits);
      let session: PlanLiveSession;
      try {
        session = new PlanLiveSession(net, calibrationSet);
      } catch (e) {
        net.dispose();
        throw e;
      }
      let sizes = session.fullSizes;
      try {
        const schema = graphSchema(session);
        if (fromLink) {
          const linked = readUrlState(schema, initialSearch);
          addNotes(linked.notes);
          sizes = linked.values as Record<string, number>;
        }
      } catch (e) {
        session.dispose();
        throw e;
      }
      graphEvaluator ??= new ModelEvaluator(evalSet);
      const graphEval = graphEvaluator;
      await show(source.id, () =>
        GraphPanel({
          session,
          evaluator: graphEval,
          scheduler,
          name: source.id,
          sizes,
          host: hostFor(source.id, graphSchema(session)),
        }),
      );
      return;
    }
    const session = await loadReferenceSession(source);
    let wanted: ReferenceState | undefined;
    if (fromLink) {
      const { model: _model, ...schema } = { ...modelField, ...referenceSchema(session.trained) };
      const linked = readUrlState(schema, initialSearch);
      addNotes(linked.notes);
      const v = linked.values;
      wanted = {
        sizes: { conv1: v.conv1, conv2: v.conv2, conv3: v.conv3 },
        kernel: v.kernel,
        quadrature: v.quadrature,
        partition: v.partition,
      };
    }
    await showReference(source.id, session, wanted);
  };

  picker.addEventListener("change", async () => {
    const id = picker.value;
    const chosen = options.sources.find((s) => s.id === id);
    if (!chosen) return;
    try {
      await openSource(chosen);
      sourceProblem.hidden = true;
    } catch (error) {
      sourceProblem.hidden = false;
      sourceProblem.textContent = `Could not load ${id}: ${errorMessage(error)}`;
      refreshPicker();
    }
  });

  /** A reader's file, shown as a reference view (the URL keeps the reference source it replaces). */
  async function useOwnModel(picked: PickedModel): Promise<void> {
    let session: LiveSession;
    if (picked.kind === "model-file")
      session = new LiveSession(continuousModelFromBytes(picked.bytes, picked.name, fits));
    else {
      const { inn, twin } = integralFromTfjs(picked.modelJson, picked.weights, picked.name, fits);
      session = new LiveSession(inn, { twin, twinLabel: "your discrete net" });
    }
    const id = options.sources.find((s) => s.id === sourceId)?.kind === "plan" ? referenceSources[0].id : sourceId;
    await showReference(id, session);
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
      return panel && options.sources.find((s) => s.id === sourceId)?.kind === "plan" ? panel.api : undefined;
    },
    exportArtifacts: () => panel?.exportFiles().modelJson,
    /** The plan model's export at its prepared sizes: model.json and weights.bin (as bytes). */
    exportPlan: () => {
      const files = panel!.exportFiles();
      return { modelJson: files.modelJson, weightsBin: Array.from(new Uint8Array(files.weightsBin)) };
    },
  };

  const initial = options.sources.find((s) => s.id === sourceId)!;
  try {
    await openSource(initial, true);
  } catch (error) {
    if (initial.kind !== "plan") throw error;
    addNotes([`model=${initial.id} could not be loaded (${errorMessage(error)}); showing ${referenceSources[0].id}.`]);
    await openSource(referenceSources[0], true);
  }
  status.textContent = `Model and ${evalSet.count.toLocaleString("en")} test images loaded; ${panel!.summary}.`;
  status.dataset.state = "ready";
}

function trainedDefaults(session: LiveSession): { kernel: string; quadrature: string } {
  return { kernel: session.trained.kernel, quadrature: session.trained.quadrature };
}
