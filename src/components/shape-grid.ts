/**
 * A row of small k×k binary kernel shapes (e.g. LHC's 15 rigid 3×3 shapes), each with its label and tap
 * count; kept taps filled, dropped taps outlined. One shape can be highlighted.
 */
export interface ShapeGridOptions {
  labels?: readonly string[];
  /** Index of the highlighted shape. */
  selected?: number;
  /** Pixel size of one tap (default 14). */
  cell?: number;
}

const SVG = "http://www.w3.org/2000/svg";

export function shapeSvg(shape: readonly (readonly number[])[], cell = 14, colour = "#4e79a7"): SVGSVGElement {
  const k = shape.length;
  const size = k * cell + 2;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("width", String(size));
  svg.setAttribute("height", String(size));
  svg.setAttribute("viewBox", `0 0 ${size} ${size}`);
  shape.forEach((row, r) =>
    row.forEach((v, c) => {
      const rect = document.createElementNS(SVG, "rect");
      rect.setAttribute("x", String(1 + c * cell));
      rect.setAttribute("y", String(1 + r * cell));
      rect.setAttribute("width", String(cell - 2));
      rect.setAttribute("height", String(cell - 2));
      rect.setAttribute("rx", "2");
      rect.setAttribute("fill", v ? colour : "white");
      rect.setAttribute("stroke", v ? colour : "#bbb");
      svg.append(rect);
    }),
  );
  return svg;
}

export function ShapeGrid(
  shapes: readonly (readonly (readonly number[])[])[],
  options: ShapeGridOptions = {},
): HTMLElement {
  const grid = document.createElement("div");
  grid.className = "shape-grid";
  grid.dataset.testid = "shape-grid";
  grid.dataset.count = String(shapes.length);
  grid.style.cssText = "display:flex;flex-wrap:wrap;gap:10px;margin:0.5em 0";
  grid.setAttribute("role", "list");
  shapes.forEach((shape, i) => {
    const taps = shape.flat().reduce((a, b) => a + b, 0);
    const item = document.createElement("figure");
    item.setAttribute("role", "listitem");
    const selected = i === options.selected;
    item.style.cssText = `margin:0;padding:6px;width:86px;text-align:center;border-radius:6px;border:2px solid ${selected ? "#e15759" : "transparent"};background:${selected ? "#fdeeee" : "transparent"}`;
    if (selected) item.dataset.selected = "true";
    item.append(shapeSvg(shape, options.cell ?? 14));
    const caption = document.createElement("figcaption");
    caption.style.cssText = "font-size:11px;line-height:1.2";
    caption.textContent = `${i}. ${options.labels?.[i] ?? ""} (${taps} tap${taps === 1 ? "" : "s"})`;
    item.append(caption);
    grid.append(item);
  });
  return grid;
}
