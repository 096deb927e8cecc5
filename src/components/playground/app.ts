/**
 * The integral playground: two integral MLPs trained live on a toy data set, resampled by a width slider.
 * `Playground` owns the state (one table, mirrored in the URL), the library session that trains and
 * measures the nets, and the views; every reader action is one method. Training runs in animation
 * frames: a time slice of steps, then one redraw.
 *
 * For tests and the benchmark the page exposes `window.__playground` — the same calls a reader's clicks
 * make (train n steps, move the width slider, play, pause) plus readouts (accuracies, tensor count).
 */
import "./gradients.js"; // first: see gradients.ts
import * as tf from "@tensorflow/tfjs-core";
import { initBrowserEngine, engineStatus } from "../tfjs-backend.js";
import { urlStateNote, writeUrlState } from "../url-state.js";
import {
  NET_IDS,
  PlaygroundSession,
  RANDOM_WIDTH_RECIPE,
  type NetId,
  type WidthPoint,
} from "../../lib/live/playground-session.js";
import type { GroupSizes } from "../../lib/integral/groups.js";
import type { InterpolationKernelName } from "../../lib/math/interpolation.js";
import type { MlpQuadrature } from "../../lib/models/integral-mlp.js";
import { mlpWeightFunction } from "../../lib/views/mlp-weight-function.js";
import { BoundaryView } from "./boundary-view.js";
import { LossChart, WidthCurveChart, type LossRecord } from "./charts.js";
import { NET_COLORS } from "./colors.js";
import { h, PlaygroundControls, type StateChange } from "./controls.js";
import {
  PLAYGROUND_SCHEMA,
  readPlaygroundState,
  RESTART_KEYS,
  sessionConfig,
  urlValues,
  type PlaygroundState,
} from "./state.js";
import { ensurePlaygroundStyles } from "./styles.js";
import { WeightFunctionPanel } from "./weight-function-view.js";

/** Grid cells per side of a decision-boundary map. */
const BOUNDARY_RESOLUTION = 64;
/** Milliseconds of training per animation frame (at least one step). */
const TRAIN_SLICE_MS = 12;
/**
 * While training, a redraw (both boundaries, a point of each curve, the loss record) waits until
 * training has run this many times as long as the previous redraw took: redraws then take at most a
 * third of the time, every frame on a fast machine and less often on a slow or busy one.
 */
const RENDER_SPACING = 2;
/** Points of each accuracy-versus-width curve re-measured per frame while training. */
const CURVE_POINTS_PER_FRAME = 1;
/** Milliseconds between redraws of the weight functions, and between loss records, while training. */
const WEIGHTS_INTERVAL_MS = 250;
const LOSS_INTERVAL_MS = 100;
const URL_INTERVAL_MS = 250;

const NET_TITLES: Record<NetId, string> = {
  a: "A · full width only",
  b: "B · random widths",
};

const pct = (x: number, digits = 1) => `${(100 * x).toFixed(digits)}%`;

/** Steps per second over the last second of frames. */
class StepMeter {
  private samples: { t: number; steps: number }[] = [];

  add(t: number, steps: number): void {
    this.samples.push({ t, steps });
    while (this.samples.length > 2 && t - this.samples[0].t > 1000) this.samples.shift();
  }

  reset(): void {
    this.samples = [];
  }

  get rate(): number {
    if (this.samples.length < 2) return 0;
    const span = this.samples.at(-1)!.t - this.samples[0].t;
    const steps = this.samples.slice(1).reduce((a, s) => a + s.steps, 0);
    return span > 0 ? (1000 * steps) / span : 0;
  }
}

interface NetFigure {
  view: BoundaryView;
  accuracy: HTMLElement;
  weights: WeightFunctionPanel;
  roughness: HTMLElement;
}

export class Playground {
  private state: PlaygroundState;
  /** Created once the engine is up (its tensors belong to the chosen backend). */
  private session!: PlaygroundSession;
  private running = false;
  private frame = 0;
  private readonly meter = new StepMeter();
  private readonly controls: PlaygroundControls;
  private readonly figures: Record<NetId, NetFigure>;
  private readonly curveChart = new WidthCurveChart();
  private readonly lossChart = new LossChart();
  private readonly status: HTMLElement;
  private readonly replayNote: HTMLElement;
  private ladder: { fraction: number; sizes: GroupSizes }[] = [];
  private curves: Record<NetId, (WidthPoint | undefined)[]> = { a: [], b: [] };
  /** Model version each curve point was measured at; a point is stale below `version`. */
  private measuredAt: Record<NetId, number[]> = { a: [], b: [] };
  private version = 0;
  private cursor = 0;
  private losses: LossRecord[] = [];
  private lastWeights = 0;
  private lastLoss = 0;
  private lastRender = { at: -Infinity, cost: 0 };
  private weightsFrame = 0;
  private urlTimer: ReturnType<typeof setTimeout> | undefined;
  private lastUrlWrite = -Infinity;
  private settling = 0;
  private current: { sizes: GroupSizes; accuracy: Record<NetId, number>; loss: Record<NetId, number> };

  constructor(
    readonly root: HTMLElement,
    initial: { values: PlaygroundState; notes: string[] },
  ) {
    this.state = initial.values;
    this.current = { sizes: {}, accuracy: { a: 0, b: 0 }, loss: { a: 0, b: 0 } };
    this.controls = new PlaygroundControls((change) => this.change(change), {
      play: () => this.play(),
      pause: () => this.pause(),
      step: () => this.stepOnce(),
      reset: () => this.reset(),
    });
    const figure = (id: NetId): NetFigure => ({
      view: new BoundaryView(
        BOUNDARY_RESOLUTION,
        `pg-boundary-${id}`,
        `Net ${id.toUpperCase()}'s decision boundary over the plane, with the training points`,
      ),
      accuracy: h("p", { className: "pg-accuracy", testid: `pg-acc-${id}` }),
      weights: new WeightFunctionPanel(`pg-weights-${id}`, `Net ${id.toUpperCase()}'s weight function`),
      roughness: h("span", { className: "pg-roughness", testid: `pg-roughness-${id}` }),
    });
    this.figures = { a: figure("a"), b: figure("b") };
    this.status = h("p", { className: "pg-status", testid: "pg-status" }, "Starting the tfjs engine…");
    this.replayNote = h("p", { className: "pg-replay-note", testid: "pg-replay-note", hidden: true });
    root.append(urlStateNote(initial.notes), this.layout());
    this.controls.sync(this.state);
    matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => {
      for (const id of NET_IDS) this.figures[id].view.updatePalette();
      this.renderWidth();
    });
  }

  private layout(): HTMLElement {
    const mapFigure = (id: NetId) =>
      h(
        "figure",
        { className: `pg-net pg-net-${id}` },
        h("figcaption", {}, swatch(NET_COLORS[id]), NET_TITLES[id]),
        this.figures[id].view.element,
        this.figures[id].accuracy,
      );
    const weights = h(
      "section",
      { className: "pg-weights" },
      h(
        "div",
        { className: "pg-weights-head" },
        h("h3", {}, "Inside: a weight function along a hidden layer's channels"),
        this.controls.layerSelect.parentElement!,
      ),
      h(
        "div",
        { className: "pg-weights-pair" },
        ...NET_IDS.map((id) =>
          h(
            "figure",
            {},
            h("figcaption", {}, swatch(NET_COLORS[id]), `Net ${id.toUpperCase()}`, this.figures[id].roughness),
            this.figures[id].weights.element,
          ),
        ),
      ),
      h(
        "p",
        { className: "pg-caption" },
        "Lines: W(xₒ, x) for a few output channels o of the layer that reads this hidden layer (for the output layer, one per class); dots: the nodes; rings: the samples at the slider's width; bars: their quadrature factors qᵢ·V (a resampled layer's weight is sample × bar). Roughness: mean squared step between neighbouring nodes over their mean square — white noise scores about 2, a smooth function near 0.",
      ),
    );
    return h(
      "div",
      { className: "pg-app" },
      h("div", { className: "pg-top" }, this.controls.toolbar, this.status, this.replayNote),
      h(
        "div",
        { className: "pg-grid" },
        h("div", { className: "pg-side" }, this.controls.dataPanel, this.controls.netPanel),
        h(
          "div",
          { className: "pg-center" },
          h("div", { className: "pg-maps" }, mapFigure("a"), mapFigure("b")),
          this.controls.widthPanel,
        ),
        h(
          "div",
          { className: "pg-charts" },
          h("figure", {}, h("figcaption", {}, "Test accuracy at every width"), this.curveChart.element),
          h(
            "figure",
            {},
            h("figcaption", {}, "Test loss: full width (solid), slider's width (dashed)"),
            this.lossChart.element,
          ),
        ),
      ),
      weights,
    );
  }

  /** Initialise the engine, replay the link's steps (if any), draw. */
  async start(): Promise<void> {
    const backend = await initBrowserEngine({ prefer: ["wasm", "cpu"] });
    this.status.replaceChildren(engineStatus());
    this.status.dataset.backend = backend;
    this.session = new PlaygroundSession(sessionConfig(this.state));
    this.rebuildViews();
    const replay = this.state.step;
    if (replay > 0) await this.replay(replay);
    this.renderAll();
    this.root.dataset.state = "ready";
    this.controls.sync(this.state);
    this.writeUrl();
  }

  /** Train `steps` steps in slices, showing progress, without drawing every frame. */
  private async replay(steps: number): Promise<void> {
    const note = h("span", { className: "pg-progress" });
    this.status.append(note);
    while (this.session.steps < steps) {
      const start = performance.now();
      while (this.session.steps < steps && performance.now() - start < 40) this.session.step();
      note.textContent = ` Replaying the link's run: step ${this.session.steps.toLocaleString("en")} of ${steps.toLocaleString("en")}…`;
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    note.remove();
    this.version++;
  }

  // ─── reader actions ─────────────────────────────────────────────────────────────────────────────

  play(): void {
    if (this.running || this.root.dataset.state !== "ready") return;
    this.running = true;
    this.controls.setRunning(true);
    this.meter.reset();
    this.writeUrl();
    this.frame = requestAnimationFrame((t) => this.tick(t));
  }

  pause(): void {
    if (!this.running) return;
    this.running = false;
    cancelAnimationFrame(this.frame);
    this.controls.setRunning(false);
    this.renderAll();
    this.writeUrl();
  }

  stepOnce(): void {
    if (this.root.dataset.state !== "ready") return;
    this.session.step();
    this.version++;
    this.renderAll();
    this.writeUrl();
  }

  /** Train `n` steps (as `n` presses of Step) and redraw once. */
  train(n: number): void {
    for (let k = 0; k < n; k++) this.session.step();
    this.version++;
    this.renderAll();
    this.writeUrl();
  }

  reset(): void {
    if (this.root.dataset.state !== "ready") return;
    this.newSession();
    this.renderAll();
    this.writeUrl();
  }

  change(change: StateChange): void {
    if (this.root.dataset.state !== "ready") return;
    const before = this.state;
    this.state = { ...this.state, ...change };
    if (change.hidden && this.state.layer > this.state.hidden.length) this.state.layer = this.state.hidden.length;
    if (change.hidden && before.layer === before.hidden.length) this.state.layer = this.state.hidden.length;
    const restart = RESTART_KEYS.some((k) => JSON.stringify(before[k]) !== JSON.stringify(this.state[k]));
    const resampled = !restart && (change.kernel !== undefined || change.quad !== undefined);
    if (restart) this.newSession();
    else {
      if (change.lr !== undefined) this.session.setLearningRate(Number(this.state.lr));
      if (change.batch !== undefined) this.session.setBatchSize(this.state.batch);
      if (resampled) {
        this.session.setSampling({
          kernel: this.state.kernel as InterpolationKernelName,
          quadrature: this.state.quad as MlpQuadrature,
        });
        this.version++;
        this.rebuildLadder();
      }
    }
    this.controls.sync(this.state);
    if (restart || resampled) this.renderAll();
    else if (change.width !== undefined) this.renderWidth(true);
    else if (change.layer !== undefined) this.renderWeights();
    this.renderReadouts();
    this.writeUrl();
  }

  /** Move the width slider to `percent` (as a reader would) and redraw; returns the milliseconds taken. */
  setWidth(percent: number): number {
    const start = performance.now();
    this.controls.width.input.value = String(percent);
    this.controls.width.input.dispatchEvent(new Event("input", { bubbles: true }));
    return performance.now() - start;
  }

  // ─── training loop ──────────────────────────────────────────────────────────────────────────────

  private tick(now: number): void {
    if (!this.running) return;
    const start = performance.now();
    let steps = 0;
    do {
      this.session.step();
      steps++;
    } while (performance.now() - start < TRAIN_SLICE_MS);
    this.version++;
    this.meter.add(now, steps);
    // Redraw when training has had at least RENDER_SPACING times as long as the last redraw took.
    const end = performance.now();
    if (end - this.lastRender.at >= RENDER_SPACING * this.lastRender.cost) {
      this.renderWidth();
      this.refreshCurves(CURVE_POINTS_PER_FRAME);
      if (now - this.lastLoss > LOSS_INTERVAL_MS) {
        this.logLoss();
        this.lastLoss = now;
      }
      if (now - this.lastWeights > WEIGHTS_INTERVAL_MS) {
        this.renderWeights();
        this.lastWeights = now;
      }
      const done = performance.now();
      this.lastRender = { at: done, cost: done - end };
    }
    this.renderReadouts();
    this.frame = requestAnimationFrame((t) => this.tick(t));
  }

  // ─── drawing ────────────────────────────────────────────────────────────────────────────────────

  private newSession(): void {
    this.session.dispose();
    this.session = new PlaygroundSession(sessionConfig(this.state));
    this.meter.reset();
    this.losses = [];
    this.version++;
    this.rebuildViews();
  }

  private rebuildViews(): void {
    for (const id of NET_IDS) this.figures[id].view.setPoints(this.session.dataset.train);
    this.rebuildLadder();
    this.curveChart.setRange(RANDOM_WIDTH_RECIPE.minFraction, 1);
  }

  private rebuildLadder(): void {
    this.ladder = this.session.widthLadder();
    this.curves = { a: this.ladder.map(() => undefined), b: this.ladder.map(() => undefined) };
    this.measuredAt = { a: this.ladder.map(() => -1), b: this.ladder.map(() => -1) };
    this.cursor = 0;
  }

  /** Everything: the slider's width, a loss record, the weights; the curves follow over the next frames. */
  private renderAll(): void {
    this.renderWidth();
    this.refreshCurves(CURVE_POINTS_PER_FRAME);
    if (this.losses.at(-1)?.step !== this.session.steps) this.logLoss();
    this.renderReadouts();
    this.renderWeights();
  }

  /** Resample both nets to the slider's width: boundaries, accuracies, curve marks. */
  private renderWidth(withWeights = false): void {
    const sizes = this.session.sizesAt(this.state.width / 100);
    this.current.sizes = sizes;
    for (const id of NET_IDS) {
      const m = this.session.measure(id, sizes, BOUNDARY_RESOLUTION);
      this.current.accuracy[id] = m.accuracy;
      this.current.loss[id] = m.loss;
      this.figures[id].view.draw(m.boundary);
    }
    const hidden = this.session.nets.a.hiddenIds.map((g) => sizes[g]);
    const full = this.state.hidden;
    this.controls.widthDetail.textContent = full.every((n) => n === full[0])
      ? `${hidden[0]} of ${full[0]} channels in ${full.length > 1 ? "each hidden layer" : "the hidden layer"}`
      : `${hidden.join(", ")} of ${full.join(", ")} channels in hidden layers ${full.map((_, i) => i + 1).join(", ")}`;
    this.renderAccuracy();
    // The weight functions follow in the next frame, so the slider answers with both boundaries first.
    if (withWeights) this.weightsSoon();
    if (!this.running) this.settle();
  }

  private renderAccuracy(): void {
    const fullAccuracy = (id: NetId) => this.curves[id].at(-1)?.accuracy;
    for (const id of NET_IDS) {
      const e = this.figures[id].accuracy;
      const full = fullAccuracy(id);
      e.dataset.accuracy = String(this.current.accuracy[id]);
      e.dataset.width = String(this.state.width);
      e.replaceChildren(
        h("strong", {}, pct(this.current.accuracy[id])),
        ` test accuracy at ${this.state.width}%`,
        full !== undefined ? h("span", { className: "pg-full" }, ` · ${pct(full, 0)} at full width`) : "",
      );
    }
    const fraction =
      this.ladder.find((p) => sameSizes(p.sizes, this.current.sizes))?.fraction ?? this.state.width / 100;
    this.curveChart.update(this.curves, { fraction, accuracy: this.current.accuracy });
  }

  /** Re-measure `count` curve points per net, stale ones first in round-robin order. */
  private refreshCurves(count: number): void {
    const n = this.ladder.length;
    let done = 0;
    for (let scanned = 0; scanned < n && done < count; scanned++) {
      const k = (this.cursor + scanned) % n;
      if (this.measuredAt.a[k] === this.version && this.measuredAt.b[k] === this.version) continue;
      for (const id of NET_IDS) {
        const { fraction, sizes } = this.ladder[k];
        this.curves[id][k] = { fraction, sizes, accuracy: this.session.evaluate(id, sizes).accuracy };
        this.measuredAt[id][k] = this.version;
      }
      done++;
      this.cursor = (k + 1) % n;
    }
    this.renderAccuracy();
  }

  /** When paused, finish re-measuring the curves over the next frames (the slider stays responsive). */
  private settle(): void {
    if (this.settling) return;
    const work = () => {
      this.settling = 0;
      if (this.running) return;
      const stale = this.measuredAt.a.some((v) => v !== this.version);
      if (!stale) return;
      this.refreshCurves(8);
      this.settling = requestAnimationFrame(work);
    };
    this.settling = requestAnimationFrame(work);
  }

  private logLoss(): void {
    const full = this.session.sizesAt(1);
    const record: LossRecord = {
      step: this.session.steps,
      full: { a: this.session.evaluate("a", full).loss, b: this.session.evaluate("b", full).loss },
      atWidth: { ...this.current.loss },
    };
    if (this.losses.at(-1)?.step === record.step) this.losses[this.losses.length - 1] = record;
    else this.losses.push(record);
    this.lossChart.update(this.losses);
  }

  private renderReadouts(): void {
    this.controls.stepReadout.textContent = `step ${this.session.steps.toLocaleString("en")}`;
    this.controls.stepReadout.dataset.step = String(this.session.steps);
    const rate = this.meter.rate;
    this.controls.rateReadout.textContent = this.running && rate > 0 ? ` · ${rate.toFixed(0)} steps/s` : "";
    this.controls.rateReadout.dataset.rate = String(rate);
    this.replayNote.hidden = this.session.reproducible;
    this.replayNote.textContent = this.session.reproducible
      ? ""
      : "The learning rate, batch, kernel or quadrature changed during this run, so a link cannot replay it: the link starts a fresh run with the current settings.";
  }

  private weightsSoon(): void {
    if (this.weightsFrame) return;
    this.weightsFrame = requestAnimationFrame(() => {
      this.weightsFrame = 0;
      this.renderWeights();
    });
  }

  private renderWeights(): void {
    for (const id of NET_IDS) {
      const view = mlpWeightFunction(this.session.nets[id], this.state.layer - 1, this.current.sizes);
      this.figures[id].weights.update(view);
      this.figures[id].roughness.textContent = `roughness along x: ${view.roughness.toFixed(2)}`;
      this.figures[id].roughness.dataset.value = String(view.roughness);
    }
  }

  /**
   * Mirror the state in the URL: at once, unless the last write was under 250 ms ago (a dragged slider),
   * then once more when the drag pauses — browsers throttle floods of history.replaceState.
   */
  private writeUrl(): void {
    clearTimeout(this.urlTimer);
    const now = performance.now();
    if (now - this.lastUrlWrite < URL_INTERVAL_MS) {
      this.urlTimer = setTimeout(() => this.writeUrl(), URL_INTERVAL_MS);
      return;
    }
    this.lastUrlWrite = now;
    const step = !this.running && this.session.reproducible ? this.session.steps : 0;
    writeUrlState(PLAYGROUND_SCHEMA, urlValues(this.state, step));
  }

  /** Readouts for tests and the benchmark. */
  readout() {
    return {
      step: this.session.steps,
      width: this.state.width,
      sizes: { ...this.current.sizes },
      accuracy: { ...this.current.accuracy },
      fullWidthAccuracy: {
        a: this.session.evaluate("a", this.session.sizesAt(1)).accuracy,
        b: this.session.evaluate("b", this.session.sizesAt(1)).accuracy,
      },
      stepsPerSecond: this.meter.rate,
      running: this.running,
      reproducible: this.session.reproducible,
      numTensors: tf.memory().numTensors,
      backend: tf.getBackend(),
    };
  }
}

function swatch(color: string): HTMLElement {
  const e = h("span", { className: "pg-swatch" });
  e.style.background = color;
  return e;
}

function sameSizes(a: GroupSizes, b: GroupSizes): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

declare global {
  interface Window {
    __playground?: Playground;
  }
}

/** The playground, reading its state from the page URL. */
export function PlaygroundApp(): HTMLElement {
  ensurePlaygroundStyles();
  const root = h("div", { className: "pg" });
  root.dataset.state = "loading";
  const app = new Playground(root, readPlaygroundState(location.search));
  window.__playground = app;
  app.start().catch((error: unknown) => {
    console.error(error);
    root.dataset.state = "error";
    root.prepend(
      h("p", {
        className: "warning",
        testid: "pg-error",
        textContent: `The playground could not start: ${error instanceof Error ? error.message : String(error)}`,
      }),
    );
  });
  return root;
}
