/**
 * Small k×k binary kernel shapes (e.g. LHC's 15 rigid 3×3 shapes), each with its label and tap count; kept
 * taps filled, dropped taps outlined. ShapeChooser makes the gallery the page's one shape control: the shapes
 * are a radio group (click, or arrow keys), its value the chosen index, an "input" event on every change.
 */
export interface ShapeChooserOptions {
  labels?: readonly string[];
  /** Index chosen at first. */
  value?: number;
  /** Pixel size of one tap (default 14). */
  cell?: number;
}

const SVG = "http://www.w3.org/2000/svg";

export function shapeSvg(shape: readonly (readonly number[])[], cell = 14, colour = "#2f6fdf"): SVGSVGElement {
  const k = shape.length;
  const size = k * cell + 2;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("width", String(size));
  svg.setAttribute("height", String(size));
  svg.setAttribute("viewBox", `0 0 ${size} ${size}`);
  svg.setAttribute("aria-hidden", "true");
  shape.forEach((row, r) =>
    row.forEach((v, c) => {
      const rect = document.createElementNS(SVG, "rect");
      rect.setAttribute("x", String(1 + c * cell));
      rect.setAttribute("y", String(1 + r * cell));
      rect.setAttribute("width", String(cell - 2));
      rect.setAttribute("height", String(cell - 2));
      rect.setAttribute("rx", "2");
      rect.setAttribute("fill", v ? colour : "none");
      rect.setAttribute("stroke", v ? colour : "currentColor");
      rect.setAttribute("stroke-opacity", v ? "1" : "0.35");
      svg.append(rect);
    }),
  );
  return svg;
}

export interface ShapeChooserElement extends HTMLElement {
  value: number;
}

export function ShapeChooser(
  shapes: readonly (readonly (readonly number[])[])[],
  options: ShapeChooserOptions = {},
): ShapeChooserElement {
  const grid = document.createElement("div") as unknown as ShapeChooserElement;
  grid.className = "shape-grid";
  grid.dataset.testid = "shape-grid";
  grid.dataset.count = String(shapes.length);
  grid.style.cssText = "display:flex;flex-wrap:wrap;gap:6px;margin:0.5em 0";
  grid.setAttribute("role", "radiogroup");
  grid.setAttribute("aria-label", "Kernel shape");
  let value = options.value ?? 0;
  const items = shapes.map((shape, i) => {
    const taps = shape.flat().reduce((a, b) => a + b, 0);
    const item = document.createElement("button");
    item.type = "button";
    item.setAttribute("role", "radio");
    item.dataset.index = String(i);
    item.style.cssText =
      "margin:0;padding:6px 4px;width:84px;text-align:center;border-radius:6px;background:none;color:inherit;cursor:pointer;font:11px/1.2 var(--sans-serif)";
    item.append(shapeSvg(shape, options.cell ?? 14));
    const caption = document.createElement("div");
    caption.textContent = `${i}. ${options.labels?.[i] ?? ""} (${taps} tap${taps === 1 ? "" : "s"})`;
    item.append(caption);
    item.addEventListener("click", () => choose(i));
    item.addEventListener("keydown", (e) => {
      const step =
        e.key === "ArrowRight" || e.key === "ArrowDown" ? 1 : e.key === "ArrowLeft" || e.key === "ArrowUp" ? -1 : 0;
      if (!step) return;
      e.preventDefault();
      choose((value + step + shapes.length) % shapes.length);
      items[value].focus();
    });
    return item;
  });
  const paint = () =>
    items.forEach((item, i) => {
      const selected = i === value;
      item.setAttribute("aria-checked", String(selected));
      item.tabIndex = selected ? 0 : -1;
      item.style.border = `2px solid ${selected ? "var(--theme-foreground-focus)" : "var(--theme-foreground-faintest)"}`;
      if (selected) item.dataset.selected = "true";
      else delete item.dataset.selected;
    });
  const choose = (i: number) => {
    if (i === value) return;
    value = i;
    paint();
    grid.dispatchEvent(new Event("input", { bubbles: true }));
  };
  Object.defineProperty(grid, "value", {
    get: () => value,
    set: (v: number) => {
      value = v;
      paint();
    },
  });
  grid.append(...items);
  paint();
  return grid;
}
