/**
 * The sweep's accuracy-versus-compression curves of the reference family, with the live nets' points
 * (integral net, L1 twin) marked at the current compression.
 */
/** A curves.json (loaders/sweep/curves.ts), only the parts drawn here. */
export interface LiveCurves {
  families: {
    id: string;
    methods: { id: string; label: string; points: { paramsCompression: number; accuracy: { mean: number } }[] }[];
  }[];
}

/** The sweep's curves for the reference family with the live points marked. */
export function CurveChart(
  curves: LiveCurves | undefined,
  live: { compression: number; inn?: number; l1?: number },
): Element {
  const width = 520,
    height = 260,
    m = { l: 46, r: 10, t: 10, b: 36 };
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("width", String(width));
  svg.dataset.testid = "live-curve";
  const x = (c: number) => m.l + c * (width - m.l - m.r);
  const y = (a: number) => m.t + (1 - a) * (height - m.t - m.b);
  const add = (tag: string, attrs: Record<string, string | number>, text?: string) => {
    const node = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text) node.textContent = text;
    svg.append(node);
    return node;
  };
  add("line", { x1: m.l, x2: width - m.r, y1: y(0), y2: y(0), stroke: "currentColor" });
  add("line", { x1: m.l, x2: m.l, y1: y(0), y2: y(1), stroke: "currentColor" });
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    add(
      "text",
      { x: x(t), y: height - 18, "text-anchor": "middle", "font-size": 10, fill: "currentColor" },
      `${t * 100}%`,
    );
    add(
      "text",
      { x: m.l - 4, y: y(t) + 3, "text-anchor": "end", "font-size": 10, fill: "currentColor" },
      `${t * 100}%`,
    );
  }
  add(
    "text",
    { x: (m.l + width) / 2, y: height - 4, "text-anchor": "middle", "font-size": 11, fill: "currentColor" },
    "parameter compression",
  );
  const colors: Record<string, string> = {
    "inn-scratch": "steelblue",
    "discrete-l1": "darkorange",
    "discrete-random": "gray",
  };
  const family = curves?.families.find((f) => f.id === "reference");
  let legendY = m.t + 10;
  for (const method of family?.methods ?? []) {
    const color = colors[method.id] ?? "#999";
    const pts = method.points.slice().sort((a, b) => a.paramsCompression - b.paramsCompression);
    add("path", {
      d: pts.map((p, i) => `${i ? "L" : "M"}${x(p.paramsCompression)},${y(p.accuracy.mean)}`).join(""),
      fill: "none",
      stroke: color,
      "stroke-width": 1.5,
      "data-method": method.id,
    });
    add("text", { x: width - m.r - 4, y: legendY, "text-anchor": "end", "font-size": 10, fill: color }, method.label);
    legendY += 12;
  }
  if (live.inn !== undefined)
    add("circle", {
      cx: x(live.compression),
      cy: y(live.inn),
      r: 5,
      fill: "steelblue",
      stroke: "white",
      "data-point": "inn",
    });
  if (live.l1 !== undefined)
    add("circle", {
      cx: x(live.compression),
      cy: y(live.l1),
      r: 5,
      fill: "darkorange",
      stroke: "white",
      "data-point": "l1",
    });
  return svg;
}
