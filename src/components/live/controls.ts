/**
 * Controls of the live model, built from @observablehq/inputs like the rest of the site: a global slider
 * (the fraction of channels removed from every hidden group) and one slider per linked group, each with
 * its training range drawn as a band under the track; a size outside that range is flagged
 * (data-outside, a warning line) since the function was never asked to work there. Kernel, quadrature
 * and partition selects, disabled when there is no choice. The element is an Observable-style view:
 * `.value` is the configuration, an "input" event fires on every change.
 */
import * as Inputs from "@observablehq/inputs";
import { el } from "../dom.js";
import { MIN_GROUP_SIZE } from "../../lib/integral/groups.js";

export interface GroupControl {
  id: string;
  full: number;
  range: { min: number; max: number };
}

export interface LiveControlsValue {
  sizes: Record<string, number>;
  kernel: string;
  quadrature: string;
  partition: string;
}

export interface LiveControlsOptions {
  groups: GroupControl[];
  value: LiveControlsValue;
  kernels: readonly string[];
  quadratures: readonly string[];
  /** Partitions the model has ("uniform", and "grid-tuned" when it was stored). */
  partitions: readonly string[];
}

export type LiveControlsElement = HTMLDivElement & {
  value: LiveControlsValue;
  setSizes(sizes: Record<string, number>): void;
};

/** Largest fraction of channels the global slider removes (every group keeps at least MIN_GROUP_SIZE). */
const MAX_REMOVED = 0.9;

/** The range input of an Inputs.range, with a test id. */
function rangeInput(form: HTMLFormElement, testid: string): HTMLInputElement {
  const input = form.querySelector<HTMLInputElement>("input[type=range]")!;
  input.dataset.testid = testid;
  return input;
}

/**
 * Where the training range sits on a slider's track: the thumb's centre travels the track less half a
 * thumb at each end, so the band is inset by that much.
 */
function placeBand(band: HTMLElement, track: HTMLInputElement, g: GroupControl): void {
  const row = band.parentElement;
  if (!row || track.offsetWidth === 0) return;
  const thumb = 16;
  const t = track.getBoundingClientRect();
  const r = row.getBoundingClientRect();
  const left = t.left - r.left + thumb / 2;
  band.style.top = `${t.bottom - r.top}px`;
  const usable = track.offsetWidth - thumb;
  const at = (v: number) => left + (usable * (v - MIN_GROUP_SIZE)) / Math.max(1, g.full - MIN_GROUP_SIZE);
  band.style.left = `${at(g.range.min)}px`;
  band.style.width = `${Math.max(2, at(g.range.max) - at(g.range.min))}px`;
}

function choice(label: string, name: string, choices: readonly string[], value: string, note?: string) {
  const form = Inputs.select(choices, { label, value, disabled: choices.length < 2 });
  const select = form.querySelector("select")!;
  select.name = name;
  select.dataset.testid = `live-${name}`;
  if (note) form.title = note;
  return form;
}

export function LiveControls(options: LiveControlsOptions): LiveControlsElement {
  const box = el("div", { className: "live-controls" }) as LiveControlsElement;
  box.setAttribute("role", "group");
  box.setAttribute("aria-label", "Sizes of the resampled network");
  const value: LiveControlsValue = { ...options.value, sizes: { ...options.value.sizes } };

  const global = Inputs.range([0, MAX_REMOVED], { label: "Remove from all", step: 0.01, value: 0 });
  global.classList.add("live-global");
  rangeInput(global, "live-global");
  const globalNote = el("small", { className: "live-note" });
  box.append(global, globalNote);

  const sliders = new Map<string, { form: HTMLFormElement & { value: number }; note: HTMLElement; row: HTMLElement }>();
  const bands: { band: HTMLElement; track: HTMLInputElement; g: GroupControl }[] = [];
  for (const g of options.groups) {
    const form = Inputs.range([MIN_GROUP_SIZE, g.full], { label: g.id, step: 1, value: value.sizes[g.id] });
    const track = rangeInput(form, `live-size-${g.id}`);
    const band = el("div", { className: "live-range-band", title: `trained on sizes ${g.range.min}–${g.range.max}` });
    const note = el("small", { className: "live-note" });
    const row = el("div", { className: "live-group" }, form, band, note);
    box.append(row);
    sliders.set(g.id, { form, note, row });
    bands.push({ band, track, g });
  }
  // The bands follow their tracks when the column is laid out or resized.
  const observer = new ResizeObserver(() => bands.forEach((b) => placeBand(b.band, b.track, b.g)));
  for (const b of bands) observer.observe(b.track);

  const selects = {
    kernel: choice("Kernel", "kernel", options.kernels, value.kernel),
    quadrature: choice("Quadrature", "quadrature", options.quadratures, value.quadrature),
    partition: choice(
      "Partition",
      "partition",
      options.partitions,
      value.partition,
      options.partitions.length < 2 ? "this model file stores no grid-tuned partition" : undefined,
    ),
  };
  box.append(selects.kernel, selects.quadrature, selects.partition);

  const sync = () => {
    let kept = 0,
      total = 0;
    for (const g of options.groups) {
      const { form, note, row } = sliders.get(g.id)!;
      const size = value.sizes[g.id];
      form.value = size;
      const outside = size < g.range.min || size > g.range.max;
      note.textContent = outside
        ? `${size} of ${g.full}: outside the training range ${g.range.min}–${g.range.max}`
        : `trained on ${g.range.min}–${g.range.max} of ${g.full}`;
      row.dataset.outside = String(outside);
      row.classList.toggle("live-outside", outside);
      kept += size;
      total += g.full;
    }
    const removed = 1 - kept / total;
    global.value = Math.round(removed * 100) / 100;
    globalNote.textContent = `${Math.round(removed * 100)}% of the hidden channels removed`;
  };
  const emit = () => {
    sync();
    box.dispatchEvent(new Event("input", { bubbles: true }));
  };

  global.addEventListener("input", (e) => {
    e.stopPropagation();
    const keep = 1 - global.value;
    for (const g of options.groups)
      value.sizes[g.id] = Math.max(MIN_GROUP_SIZE, Math.min(g.full, Math.round(keep * g.full)));
    emit();
  });
  for (const g of options.groups) {
    const { form } = sliders.get(g.id)!;
    form.addEventListener("input", (e) => {
      e.stopPropagation();
      if (!Number.isInteger(form.value)) return; // a half-typed number
      value.sizes[g.id] = form.value;
      emit();
    });
  }
  for (const name of ["kernel", "quadrature", "partition"] as const) {
    const form = selects[name];
    form.addEventListener("input", (e) => {
      e.stopPropagation();
      value[name] = form.value as string;
      emit();
    });
  }
  Object.defineProperty(box, "value", { get: () => ({ ...value, sizes: { ...value.sizes } }) });
  box.setSizes = (sizes) => {
    Object.assign(value.sizes, sizes);
    emit();
  };
  sync();
  return box;
}
