/**
 * A rotatable 3-D surface of W(x_out, x_in) with Plotly, which is ~1.5 MB gzipped: this module imports
 * it only when `WeightSurface` is called (a dynamic import), so no page downloads Plotly unless a reader
 * asks for a surface. The current partition is drawn on the surface as lines at the sample points.
 */
export interface WeightSurfaceOptions {
  title: string;
  /** Coordinates of the grid (length cols / rows), in [-1, 1]. */
  x: number[];
  y: number[];
  /** Partition points along x_in and x_out to draw as lines on the surface. */
  partition?: { x: number[]; y: number[] };
  width?: number;
  height?: number;
}

/** Values row-major [rows = y][cols = x]. Resolves to the element once Plotly has drawn. */
export async function WeightSurface(values: ArrayLike<number>, options: WeightSurfaceOptions): Promise<HTMLElement> {
  const Plotly = (await import("plotly.js-dist")).default;
  const rows = options.y.length,
    cols = options.x.length;
  const z = Array.from({ length: rows }, (_, r) =>
    Array.from({ length: cols }, (_, c) => values[r * cols + c] as number),
  );
  const at = (t: number, axis: number[]) => {
    // Nearest grid index of coordinate t.
    let best = 0;
    for (let k = 1; k < axis.length; k++)
      if (Math.abs((axis[k] as number) - t) < Math.abs((axis[best] as number) - t)) best = k;
    return best;
  };
  const lines = [
    ...(options.partition?.x ?? []).map((t) => {
      const c = at(t, options.x);
      return {
        type: "scatter3d",
        mode: "lines",
        x: options.y.map(() => options.x[c]),
        y: options.y,
        z: z.map((row) => row[c]),
        line: { color: "#111", width: 3 },
        showlegend: false,
        hoverinfo: "skip",
      };
    }),
    ...(options.partition?.y ?? []).map((t) => {
      const r = at(t, options.y);
      return {
        type: "scatter3d",
        mode: "lines",
        x: options.x,
        y: options.x.map(() => options.y[r]),
        z: z[r],
        line: { color: "#111", width: 3 },
        showlegend: false,
        hoverinfo: "skip",
      };
    }),
  ];
  const element = document.createElement("div");
  element.dataset.testid = "weight-surface";
  element.setAttribute("role", "img");
  element.setAttribute(
    "aria-label",
    `${options.title}: the weight function as a 3-D surface over x_in and x_out, with the partition drawn on it`,
  );
  element.style.width = `${options.width ?? 640}px`;
  element.style.maxWidth = "100%";
  element.style.height = `${options.height ?? 480}px`;
  const traces: unknown[] = [
    {
      type: "surface",
      x: options.x,
      y: options.y,
      z,
      colorscale: "RdBu",
      reversescale: true,
      cmid: 0,
      colorbar: { title: { text: "W" } },
    },
    ...lines,
  ];
  // Plotly's trace types are a wide union; these traces are plain surface/scatter3d specs.
  await Plotly.newPlot(
    element,
    traces as never,
    {
      title: { text: options.title },
      margin: { l: 0, r: 0, t: 40, b: 0 },
      scene: {
        xaxis: { title: { text: "x_in" } },
        yaxis: { title: { text: "x_out" } },
        zaxis: { title: { text: "W" } },
      },
    },
    { displaylogo: false, responsive: true },
  );
  return element;
}
