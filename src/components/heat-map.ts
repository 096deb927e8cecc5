/**
 * A matrix as a heat map on a canvas (fast for a few thousand cells), with a title, axis labels, a
 * colour legend and the value under the pointer. Diverging colours around zero for signed data
 * (weights), sequential for non-negative data (distances). Optional marks draw sample positions
 * (a partition) along both axes.
 */
import * as d3 from "d3";
import { figureFrame } from "./style/figure.js";

export interface HeatMapOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Pixel size of the square drawing area (default 320). */
  size?: number;
  /** "diverging" (signed, symmetric around 0) or "sequential" (default: diverging if any value < 0). */
  scheme?: "diverging" | "sequential";
  /** Positions in [0, 1] of sample lines to draw along x and y (e.g. a partition). */
  marks?: { x: number[]; y: number[] };
  /** Extra data-* attributes for tests. */
  data?: Record<string, string>;
  /** File name for the SVG/PNG download buttons (none when omitted). */
  download?: string;
}

export function HeatMap(values: ArrayLike<number>, rows: number, cols: number, options: HeatMapOptions): HTMLElement {
  if (values.length !== rows * cols)
    throw new Error(`HeatMap "${options.title}": ${values.length} values for ${rows}×${cols}`);
  const size = options.size ?? 320;
  const extent = d3.extent(Array.from(values)) as [number, number];
  const diverging = (options.scheme ?? (extent[0] < 0 ? "diverging" : "sequential")) === "diverging";
  const m = Math.max(Math.abs(extent[0]), Math.abs(extent[1])) || 1;
  const colour = diverging
    ? d3.scaleSequential(d3.interpolateRdBu).domain([m, -m])
    : d3.scaleSequential(d3.interpolateViridis).domain([extent[0], extent[1] > extent[0] ? extent[1] : extent[0] + 1]);

  const left = 34,
    bottom = 30;
  const svg = d3
    .create("svg")
    .attr("width", size + left + 8)
    .attr("height", size + bottom + 34)
    .attr("font-size", 11);
  svg
    .attr("role", "img")
    .attr(
      "aria-label",
      `${options.title}: ${rows} × ${cols} heat map, values ${extent[0].toPrecision(3)} to ${extent[1].toPrecision(3)}`,
    );
  const canvas = document.createElement("canvas");
  canvas.width = cols;
  canvas.height = rows;
  const ctx = canvas.getContext("2d")!;
  const image = ctx.createImageData(cols, rows);
  for (let k = 0; k < rows * cols; k++) {
    const c = d3.rgb(colour(values[k] as number));
    image.data.set([c.r, c.g, c.b, 255], 4 * k);
  }
  ctx.putImageData(image, 0, 0);
  svg
    .append("image")
    .attr("x", left)
    .attr("y", 4)
    .attr("width", size)
    .attr("height", size)
    .attr("preserveAspectRatio", "none")
    .attr("style", "image-rendering: pixelated")
    .attr("href", canvas.toDataURL());
  const x = d3.scaleLinear([0, cols], [left, left + size]);
  const y = d3.scaleLinear([0, rows], [4, 4 + size]);
  svg
    .append("g")
    .attr("transform", `translate(0,${size + 4})`)
    .call(d3.axisBottom(x).ticks(Math.min(cols, 6)).tickFormat(d3.format("d")));
  svg
    .append("g")
    .attr("transform", `translate(${left},0)`)
    .call(d3.axisLeft(y).ticks(Math.min(rows, 6)).tickFormat(d3.format("d")));
  svg
    .append("text")
    .attr("x", left + size / 2)
    .attr("y", size + 32)
    .attr("text-anchor", "middle")
    .attr("fill", "currentColor")
    .text(options.xLabel);
  svg
    .append("text")
    .attr("transform", `translate(10,${4 + size / 2}) rotate(-90)`)
    .attr("text-anchor", "middle")
    .attr("fill", "currentColor")
    .text(options.yLabel);
  if (options.marks) {
    const g = svg.append("g").attr("stroke", "currentColor").attr("stroke-opacity", 0.6).attr("stroke-width", 0.8);
    for (const t of options.marks.x)
      g.append("line")
        .attr("x1", left + t * size)
        .attr("x2", left + t * size)
        .attr("y1", 4)
        .attr("y2", 4 + size);
    for (const t of options.marks.y)
      g.append("line")
        .attr("y1", 4 + t * size)
        .attr("y2", 4 + t * size)
        .attr("x1", left)
        .attr("x2", left + size);
  }
  // Legend bar.
  const legendY = size + 40;
  const ramp = svg.append("g");
  const lo = diverging ? -m : extent[0],
    hi = diverging ? m : extent[1];
  for (let k = 0; k < 60; k++)
    ramp
      .append("rect")
      .attr("x", left + (k * size) / 60)
      .attr("y", legendY)
      .attr("width", size / 60 + 0.5)
      .attr("height", 8)
      .attr("fill", colour(lo + ((hi - lo) * (k + 0.5)) / 60));
  ramp
    .append("text")
    .attr("x", left)
    .attr("y", legendY + 20)
    .attr("fill", "currentColor")
    .text(d3.format(".3~g")(lo));
  ramp
    .append("text")
    .attr("x", left + size)
    .attr("y", legendY + 20)
    .attr("text-anchor", "end")
    .attr("fill", "currentColor")
    .text(d3.format(".3~g")(hi));
  svg.attr("height", size + bottom + 40);
  svg.attr("viewBox", `0 0 ${size + left + 8} ${legendY + 24}`).attr("height", legendY + 24);
  const readout = document.createElement("div");
  readout.style.font = "12px var(--sans-serif)";
  readout.style.minHeight = "1.3em";
  readout.textContent = "\u00a0";
  svg.on("pointermove", (event: PointerEvent) => {
    const [px, py] = d3.pointer(event);
    const c = Math.floor(x.invert(px)),
      r = Math.floor(y.invert(py));
    readout.textContent =
      r >= 0 && r < rows && c >= 0 && c < cols
        ? `${options.yLabel} ${r}, ${options.xLabel} ${c}: ${(values[r * cols + c] as number).toPrecision(4)}`
        : "\u00a0";
  });
  const figure = figureFrame([svg.node()!, readout], {
    title: options.title,
    description: `${rows} × ${cols} heat map (${options.yLabel} down, ${options.xLabel} across), values ${extent[0].toPrecision(3)} to ${extent[1].toPrecision(3)}${diverging ? ", red positive and blue negative" : ""}; the pointer shows the value under it.`,
    download: options.download,
    testid: "heat-map",
  });
  figure.style.margin = "0";
  figure.style.display = "inline-block";
  figure.style.verticalAlign = "top";
  figure.style.maxWidth = `${size + left + 8}px`;
  for (const [k, v] of Object.entries(options.data ?? {})) figure.dataset[k] = v;
  figure.dataset.rows = String(rows);
  figure.dataset.cols = String(cols);
  return figure;
}
