/**
 * Controls of the live model: a global compression slider (a fraction of every hidden group's full
 * size) and one slider per linked group, each with its training range drawn as a band under the track;
 * a size outside that range is flagged (data-outside, red label) since the function was never asked to
 * work there. Kernel, quadrature and partition selects. The element is an Observable-style view:
 * `.value` is the configuration, an "input" event fires on every change.
 */
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

export type LiveControlsElement = HTMLFormElement & {
  value: LiveControlsValue;
  setSizes(sizes: Record<string, number>): void;
};

function select(
  label: string,
  name: string,
  choices: readonly string[],
  value: string,
  disabledNote?: string,
): HTMLLabelElement {
  const wrap = document.createElement("label");
  wrap.className = "live-select";
  const sel = document.createElement("select");
  sel.name = name;
  sel.dataset.testid = `live-${name}`;
  for (const c of choices) sel.append(new Option(c, c, c === value, c === value));
  if (disabledNote) sel.title = disabledNote;
  wrap.append(`${label} `, sel);
  return wrap;
}

export function LiveControls(options: LiveControlsOptions): LiveControlsElement {
  const form = document.createElement("form") as LiveControlsElement;
  form.className = "live-controls";
  form.onsubmit = (e) => e.preventDefault();
  const value: LiveControlsValue = { ...options.value, sizes: { ...options.value.sizes } };

  const globalRow = document.createElement("label");
  globalRow.className = "live-global";
  const global = document.createElement("input");
  global.type = "range";
  global.min = "0";
  global.max = "0.9";
  global.step = "0.01";
  global.dataset.testid = "live-global";
  const globalOut = document.createElement("output");
  globalRow.append("Global compression (channels removed) ", global, globalOut);
  form.append(globalRow);

  const sliders = new Map<
    string,
    { input: HTMLInputElement; out: HTMLOutputElement; row: HTMLElement; g: GroupControl }
  >();
  for (const g of options.groups) {
    const row = document.createElement("div");
    row.className = "live-group";
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "range";
    input.min = "2";
    input.max = String(g.full);
    input.step = "1";
    input.dataset.testid = `live-size-${g.id}`;
    const out = document.createElement("output");
    label.append(`${g.id} `, input, out);
    // The training range as a band under the track: positions of min and max on the 2…full scale.
    const band = document.createElement("div");
    band.className = "live-range-band";
    const span = Math.max(1, g.full - 2);
    band.style.setProperty("--lo", `${(100 * (g.range.min - 2)) / span}%`);
    band.style.setProperty("--hi", `${(100 * (g.range.max - 2)) / span}%`);
    band.title = `trained on sizes ${g.range.min}–${g.range.max}`;
    const note = document.createElement("small");
    note.textContent = `trained on ${g.range.min}–${g.range.max} of ${g.full}`;
    row.append(label, band, note);
    form.append(row);
    sliders.set(g.id, { input, out, row, g });
  }

  form.append(
    select("Interpolation kernel", "kernel", options.kernels, value.kernel),
    select("Quadrature", "quadrature", options.quadratures, value.quadrature),
    select(
      "Partition",
      "partition",
      options.partitions,
      value.partition,
      options.partitions.length < 2 ? "this model file stores no grid-tuned partition" : undefined,
    ),
  );

  const sync = () => {
    let kept = 0,
      total = 0;
    for (const { input, out, row, g } of sliders.values()) {
      const size = value.sizes[g.id];
      input.value = String(size);
      const outside = size < g.range.min || size > g.range.max;
      out.textContent = ` ${size}${outside ? " — outside the training range" : ""}`;
      row.dataset.outside = String(outside);
      row.classList.toggle("live-outside", outside);
      kept += size;
      total += g.full;
    }
    global.value = String(Math.round((1 - kept / total) * 100) / 100);
    globalOut.textContent = ` ${Math.round((1 - kept / total) * 100)}%`;
  };
  const emit = () => {
    sync();
    form.dispatchEvent(new Event("input", { bubbles: true }));
  };

  global.addEventListener("input", (e) => {
    e.stopPropagation();
    const keep = 1 - Number(global.value);
    for (const { g } of sliders.values()) value.sizes[g.id] = Math.max(2, Math.min(g.full, Math.round(keep * g.full)));
    emit();
  });
  for (const { input, g } of sliders.values()) {
    input.addEventListener("input", (e) => {
      e.stopPropagation();
      value.sizes[g.id] = Number(input.value);
      emit();
    });
  }
  for (const name of ["kernel", "quadrature", "partition"] as const) {
    const sel = form.querySelector<HTMLSelectElement>(`select[name=${name}]`)!;
    sel.addEventListener("input", (e) => {
      e.stopPropagation();
      value[name] = sel.value;
      emit();
    });
  }
  Object.defineProperty(form, "value", { get: () => ({ ...value, sizes: { ...value.sizes } }) });
  form.setSizes = (sizes) => {
    Object.assign(value.sizes, sizes);
    emit();
  };
  sync();
  return form;
}
