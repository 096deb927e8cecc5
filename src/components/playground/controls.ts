/**
 * The playground's controls: run buttons, data, training, architecture, the width slider with the
 * kernel and quadrature, and the weight-function layer. Each control reports a partial state change to
 * one callback; `sync` shows a state (after a reset, a clamp or a link). No training code here.
 */
import { TOY_DATASETS } from "../../lib/data/toy-2d.js";
import { MLP_MAX_HIDDEN_LAYERS, MLP_MAX_WIDTH, MLP_MIN_WIDTH } from "../../lib/models/integral-mlp.js";
import { KERNELS, LEARNING_RATES, PLAYGROUND_SCHEMA, QUADRATURES, type PlaygroundState } from "./state.js";

export type StateChange = Partial<PlaygroundState>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> & { testid?: string } = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  const { testid, ...rest } = props;
  Object.assign(e, rest);
  if (testid) e.dataset.testid = testid;
  e.append(...children);
  return e;
}

interface RangeControl {
  label: HTMLLabelElement;
  input: HTMLInputElement;
  output: HTMLOutputElement;
}

function range(
  text: string,
  name: string,
  spec: { min: number; max: number },
  step: number,
  format: (v: number) => string,
  onInput: (v: number) => void,
): RangeControl {
  const input = h("input", { type: "range", min: String(spec.min), max: String(spec.max), step: String(step), name });
  const output = h("output", { className: "pg-value" });
  input.addEventListener("input", () => {
    output.textContent = format(Number(input.value));
    onInput(Number(input.value));
  });
  const label = h("label", { className: "pg-range" }, h("span", { className: "pg-label" }, text), input, output);
  return { label, input, output };
}

function select(
  text: string,
  name: string,
  options: readonly string[],
  names: Record<string, string>,
  onChange: (v: string) => void,
) {
  const s = h("select", { name });
  for (const o of options) s.append(h("option", { value: o, textContent: names[o] ?? o }));
  s.addEventListener("change", () => onChange(s.value));
  return { label: h("label", { className: "pg-select" }, h("span", { className: "pg-label" }, text), s), select: s };
}

const QUADRATURE_NAMES: Record<string, string> = {
  trapezoid: "trapezoid",
  simpson: "Simpson",
  "left-riemann": "left Riemann",
  "right-riemann": "right Riemann",
};
const DATA_NAMES: Record<string, string> = {
  spiral: "spiral",
  circles: "circles",
  xor: "xor",
  gaussians: "two gaussians",
};

export interface RunHandlers {
  play(): void;
  pause(): void;
  step(): void;
  reset(): void;
}

export class PlaygroundControls {
  readonly toolbar: HTMLElement;
  readonly dataPanel: HTMLElement;
  readonly widthPanel: HTMLElement;
  readonly netPanel: HTMLElement;
  readonly layerSelect: HTMLSelectElement;
  readonly playButton: HTMLButtonElement;
  readonly stepReadout: HTMLElement;
  readonly rateReadout: HTMLElement;
  private readonly dataButtons: HTMLInputElement[];
  private readonly noise: RangeControl;
  private readonly train: RangeControl;
  private readonly seed: HTMLInputElement;
  private readonly lr: HTMLSelectElement;
  private readonly batch: RangeControl;
  readonly width: RangeControl;
  readonly widthDetail: HTMLElement;
  private readonly kernel: HTMLSelectElement;
  private readonly quad: HTMLSelectElement;
  private readonly layerCount: HTMLOutputElement;
  private readonly widthsBox: HTMLElement;
  private readonly addLayer: HTMLButtonElement;
  private readonly removeLayer: HTMLButtonElement;
  private hidden: number[] = [];

  constructor(
    private readonly onChange: (change: StateChange) => void,
    run: RunHandlers,
  ) {
    this.playButton = h("button", { type: "button", className: "pg-play", testid: "pg-play", textContent: "▶ Play" });
    this.playButton.addEventListener("click", () =>
      this.playButton.dataset.running === "true" ? run.pause() : run.play(),
    );
    const stepButton = h("button", {
      type: "button",
      testid: "pg-step",
      textContent: "Step",
      title: "One training step of both nets",
    });
    stepButton.addEventListener("click", () => run.step());
    const resetButton = h("button", {
      type: "button",
      testid: "pg-reset",
      textContent: "Reset",
      title: "Back to step 0 (same seed: same run)",
    });
    resetButton.addEventListener("click", () => run.reset());
    this.stepReadout = h("span", { className: "pg-steps", testid: "pg-step-count" });
    this.rateReadout = h("span", { className: "pg-rate", testid: "pg-rate" });
    this.lr = select("learning rate", "lr", LEARNING_RATES, {}, (v) => onChange({ lr: v })).select;
    this.batch = range("batch", "batch", PLAYGROUND_SCHEMA.batch, 1, String, (v) => onChange({ batch: v }));
    this.toolbar = h(
      "div",
      { className: "pg-toolbar" },
      h("div", { className: "pg-buttons" }, this.playButton, stepButton, resetButton),
      h("div", { className: "pg-readout" }, this.stepReadout, this.rateReadout),
      this.lr.parentElement!,
      this.batch.label,
    );

    this.dataButtons = TOY_DATASETS.map((name) => {
      const b = h("input", { type: "radio", name: "pg-data", value: name });
      b.addEventListener("change", () => b.checked && onChange({ data: name }));
      return b;
    });
    this.noise = range(
      "noise",
      "noise",
      PLAYGROUND_SCHEMA.noise,
      0.05,
      (v) => v.toFixed(2),
      (v) => onChange({ noise: v }),
    );
    this.train = range(
      "train",
      "train",
      PLAYGROUND_SCHEMA.train,
      10,
      (v) => `${v}%`,
      (v) => onChange({ train: v }),
    );
    this.seed = h("input", {
      type: "number",
      name: "seed",
      min: "0",
      max: String(PLAYGROUND_SCHEMA.seed.max),
      step: "1",
    });
    this.seed.addEventListener("change", () => {
      const v = Math.round(Number(this.seed.value));
      if (Number.isFinite(v)) onChange({ seed: Math.min(PLAYGROUND_SCHEMA.seed.max, Math.max(0, v)) });
    });
    this.dataPanel = h(
      "fieldset",
      { className: "pg-data" },
      h("legend", {}, "Data"),
      h(
        "div",
        { className: "pg-data-choices" },
        ...this.dataButtons.map((b) => h("label", { className: "pg-chip" }, b, DATA_NAMES[b.value])),
      ),
      this.noise.label,
      this.train.label,
      h("label", { className: "pg-select" }, h("span", { className: "pg-label" }, "seed"), this.seed),
    );

    this.widthDetail = h("span", { className: "pg-width-detail", testid: "pg-width-detail" });
    this.width = range(
      "Resample both nets to",
      "width",
      PLAYGROUND_SCHEMA.width,
      1,
      (v) => `${v}%`,
      (v) => onChange({ width: v }),
    );
    this.width.input.dataset.testid = "pg-width";
    this.width.label.classList.add("pg-width-slider");
    this.kernel = select("kernel", "kernel", KERNELS, {}, (v) => onChange({ kernel: v })).select;
    this.quad = select("quadrature", "quad", QUADRATURES, QUADRATURE_NAMES, (v) => onChange({ quad: v })).select;
    this.widthPanel = h(
      "div",
      { className: "pg-width" },
      this.width.label,
      this.widthDetail,
      h("div", { className: "pg-sampling" }, this.kernel.parentElement!, this.quad.parentElement!),
    );

    this.layerCount = h("output", { className: "pg-value" });
    this.removeLayer = h("button", {
      type: "button",
      textContent: "−",
      title: "Remove a hidden layer",
      className: "pg-small",
    });
    this.addLayer = h("button", {
      type: "button",
      textContent: "+",
      title: "Add a hidden layer",
      className: "pg-small",
    });
    this.removeLayer.addEventListener(
      "click",
      () => this.hidden.length > 1 && onChange({ hidden: this.hidden.slice(0, -1) }),
    );
    this.addLayer.addEventListener(
      "click",
      () => this.hidden.length < MLP_MAX_HIDDEN_LAYERS && onChange({ hidden: [...this.hidden, this.hidden.at(-1)!] }),
    );
    this.widthsBox = h("div", { className: "pg-widths" });
    this.layerSelect = select("weight function of hidden layer", "layer", ["1"], {}, (v) =>
      onChange({ layer: Number(v) }),
    ).select;
    this.netPanel = h(
      "fieldset",
      { className: "pg-nets" },
      h("legend", {}, "Both nets"),
      h(
        "div",
        { className: "pg-layer-count" },
        h("span", { className: "pg-label" }, "hidden layers"),
        this.removeLayer,
        this.layerCount,
        this.addLayer,
      ),
      this.widthsBox,
    );
  }

  /** Show `state` in every control. */
  sync(state: PlaygroundState): void {
    for (const b of this.dataButtons) b.checked = b.value === state.data;
    setRange(this.noise, state.noise, state.noise.toFixed(2));
    setRange(this.train, state.train, `${state.train}%`);
    this.seed.value = String(state.seed);
    this.lr.value = state.lr;
    setRange(this.batch, state.batch, String(state.batch));
    setRange(this.width, state.width, `${state.width}%`);
    this.kernel.value = state.kernel;
    this.quad.value = state.quad;
    if (this.hidden.join() !== state.hidden.join()) this.buildWidths(state.hidden);
    this.layerCount.textContent = String(state.hidden.length);
    this.removeLayer.disabled = state.hidden.length <= 1;
    this.addLayer.disabled = state.hidden.length >= MLP_MAX_HIDDEN_LAYERS;
    const layers = state.hidden.map((_, i) => String(i + 1));
    if ([...this.layerSelect.options].map((o) => o.value).join() !== layers.join())
      this.layerSelect.replaceChildren(...layers.map((v) => h("option", { value: v, textContent: v })));
    this.layerSelect.value = String(state.layer);
  }

  setRunning(running: boolean): void {
    this.playButton.dataset.running = String(running);
    this.playButton.textContent = running ? "❚❚ Pause" : "▶ Play";
  }

  private buildWidths(hidden: readonly number[]): void {
    this.hidden = [...hidden];
    this.widthsBox.replaceChildren(
      ...hidden.map((n, i) => {
        const control = range(
          `layer ${i + 1}`,
          `hidden${i + 1}`,
          { min: MLP_MIN_WIDTH, max: MLP_MAX_WIDTH },
          1,
          (v) => `${v} ch`,
          (v) => {
            const next = [...this.hidden];
            next[i] = v;
            this.hidden = next;
            this.onChange({ hidden: next });
          },
        );
        setRange(control, n, `${n} ch`);
        return control.label;
      }),
    );
  }
}

function setRange(control: RangeControl, value: number, text: string): void {
  if (control.input.value !== String(value)) control.input.value = String(value);
  control.output.textContent = text;
}
