/**
 * The sampled weight matrix of each layer at the current sizes: one heat map per layer, rows = output
 * channels, columns = input channels, each cell the sum over the spatial taps (blue negative, red positive).
 */
export interface LayerMatrix {
  id: string;
  /** Row-major [out, in]. */
  values: Float32Array;
  rows: number;
  cols: number;
}

/** Reduce a tfjs conv weight [k, k, in, out] (or dense [in, out]) to [out, in] sums over taps. */
export function layerMatrix(id: string, values: ArrayLike<number>, shape: readonly number[]): LayerMatrix {
  const inC = shape[shape.length - 2];
  const out = shape[shape.length - 1];
  const m = new Float32Array(out * inC);
  for (let k = 0; k < values.length; k++) {
    const o = k % out;
    const i = Math.floor(k / out) % inC;
    m[o * inC + i] += values[k];
  }
  return { id, values: m, rows: out, cols: inC };
}

export function WeightMatrices(layers: readonly LayerMatrix[]): HTMLElement {
  const box = document.createElement("div");
  box.className = "live-weights";
  box.dataset.testid = "live-weights";
  for (const layer of layers) {
    const fig = document.createElement("figure");
    const canvas = document.createElement("canvas");
    const cell = Math.max(2, Math.floor(160 / Math.max(layer.rows, layer.cols)));
    canvas.width = layer.cols * cell;
    canvas.height = layer.rows * cell;
    canvas.dataset.rows = String(layer.rows);
    canvas.dataset.cols = String(layer.cols);
    canvas.setAttribute("role", "img");
    canvas.setAttribute(
      "aria-label",
      `${layer.id}: sampled weights, ${layer.rows} output × ${layer.cols} input channels, summed over taps (red positive, blue negative)`,
    );
    const ctx = canvas.getContext("2d")!;
    let max = 1e-12;
    for (const v of layer.values) max = Math.max(max, Math.abs(v));
    for (let r = 0; r < layer.rows; r++)
      for (let c = 0; c < layer.cols; c++) {
        const t = layer.values[r * layer.cols + c] / max;
        const a = Math.min(1, Math.abs(t));
        ctx.fillStyle = t >= 0 ? `rgba(200,40,40,${a})` : `rgba(40,80,200,${a})`;
        ctx.fillRect(c * cell, r * cell, cell, cell);
      }
    const caption = document.createElement("figcaption");
    caption.textContent = `${layer.id}: ${layer.rows} × ${layer.cols}`;
    fig.append(canvas, caption);
    box.append(fig);
  }
  return box;
}
