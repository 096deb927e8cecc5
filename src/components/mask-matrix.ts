/**
 * A whole layer's kernel mask [k, k, Cin, Cout] (row-major, as SuperSparseConv2d.denseMask() returns it):
 * one small k×k tile per (output filter, input channel) pair, filters as rows, input channels as columns.
 * Drawn on a canvas — a 36×36 layer with 5×5 kernels is 32,400 taps, too many SVG nodes to redraw in a
 * frame. The figure's data attributes hold the counts a test or a screen reader needs.
 */
export interface MaskMatrixOptions {
  /** Pixel size of one tap (default: fit 720 px wide, between 2 and 10). */
  tap?: number;
  title?: string;
  colour?: string;
}

export function MaskMatrix(
  mask: Uint8Array,
  k: number,
  cin: number,
  cout: number,
  options: MaskMatrixOptions = {},
): HTMLElement {
  const gap = 3;
  const tap = options.tap ?? Math.max(2, Math.min(10, Math.floor((720 / cin - gap) / k)));
  const tile = k * tap + gap;
  const figure = document.createElement("figure");
  figure.style.margin = "0.5em 0";
  figure.dataset.testid = "mask-matrix";
  let nonzeros = 0;
  for (const v of mask) nonzeros += v;
  figure.dataset.nonzeros = String(nonzeros);
  figure.dataset.taps = String(mask.length);
  const caption = document.createElement("figcaption");
  caption.style.fontWeight = "bold";
  caption.textContent =
    options.title ?? `Kernel mask: ${cout} filters (rows) × ${cin} input channels (columns), each a ${k}×${k} kernel`;
  const canvas = document.createElement("canvas");
  const dpr = globalThis.devicePixelRatio ?? 1;
  const w = cin * tile + gap,
    h = cout * tile + gap;
  canvas.width = Math.ceil(w * dpr);
  canvas.height = Math.ceil(h * dpr);
  canvas.style.width = `${w}px`;
  canvas.style.maxWidth = "100%";
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", `${nonzeros} of ${mask.length} kernel taps kept`);
  const ctx = canvas.getContext("2d")!;
  ctx.scale(dpr, dpr);
  ctx.fillStyle = "#f3f3f3";
  for (let o = 0; o < cout; o++)
    for (let i = 0; i < cin; i++) ctx.fillRect(gap + i * tile, gap + o * tile, k * tap, k * tap);
  ctx.fillStyle = options.colour ?? "#4e79a7";
  for (let t = 0; t < k * k; t++) {
    const r = Math.floor(t / k),
      c = t % k;
    for (let i = 0; i < cin; i++) {
      for (let o = 0; o < cout; o++) {
        if (mask[(t * cin + i) * cout + o])
          ctx.fillRect(
            gap + i * tile + c * tap,
            gap + o * tile + r * tap,
            tap - (tap > 3 ? 1 : 0),
            tap - (tap > 3 ? 1 : 0),
          );
      }
    }
  }
  figure.append(caption, canvas);
  return figure;
}
