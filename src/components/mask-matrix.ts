/**
 * A whole layer's kernel mask [k, k, Cin, Cout] (row-major, as SuperSparseConv2d.denseMask() returns it):
 * one small k×k tile per (output filter, input channel) pair, filters as rows, input channels as columns.
 * Drawn on a canvas — a 36×36 layer with 5×5 kernels is 32,400 taps, too many SVG nodes to redraw in a
 * frame — in the theme's colours (repainted when the reader switches between light and dark). The figure's
 * data attributes hold the counts a test or a screen reader needs.
 */
import { figureFrame, onColorSchemeChange, resolveColor } from "./style/figure.js";

export interface MaskMatrixOptions {
  /** Pixel size of one tap (default: fit `width`, between 2 and 10). */
  tap?: number;
  /** Width to fit (default 720). */
  width?: number;
  title?: string;
  colour?: string;
  /** File name for the PNG download (none when omitted). */
  download?: string;
}

export function MaskMatrix(
  mask: Uint8Array,
  k: number,
  cin: number,
  cout: number,
  options: MaskMatrixOptions = {},
): HTMLElement {
  const gap = k > 1 ? 3 : 1;
  const fit = options.width ?? 720;
  const tap = options.tap ?? Math.max(2, Math.min(10, Math.floor((fit / cin - gap) / k)));
  const tile = k * tap + gap;
  let nonzeros = 0;
  for (const v of mask) nonzeros += v;
  const canvas = document.createElement("canvas");
  const dpr = globalThis.devicePixelRatio ?? 1;
  const w = cin * tile + gap,
    h = cout * tile + gap;
  canvas.width = Math.ceil(w * dpr);
  canvas.height = Math.ceil(h * dpr);
  canvas.style.width = `${w}px`;
  canvas.style.maxWidth = "100%";
  canvas.setAttribute("role", "img");
  canvas.setAttribute(
    "aria-label",
    `${cout} filters by ${cin} input channels, each a ${k}×${k} kernel: ${nonzeros} of ${mask.length} taps kept`,
  );
  const paint = () => {
    const ctx = canvas.getContext("2d")!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    // Empty taps in a faint tint of the text colour: light grey on the light theme, dark grey on the dark one.
    ctx.fillStyle = resolveColor("var(--theme-foreground-faintest)");
    for (let o = 0; o < cout; o++)
      for (let i = 0; i < cin; i++) ctx.fillRect(gap + i * tile, gap + o * tile, k * tap, k * tap);
    ctx.fillStyle = options.colour ?? "#2f6fdf";
    const inset = tap > 3 ? 1 : 0;
    for (let t = 0; t < k * k; t++) {
      const r = Math.floor(t / k),
        c = t % k;
      for (let i = 0; i < cin; i++) {
        for (let o = 0; o < cout; o++) {
          if (mask[(t * cin + i) * cout + o])
            ctx.fillRect(gap + i * tile + c * tap, gap + o * tile + r * tap, tap - inset, tap - inset);
        }
      }
    }
  };
  paint();
  onColorSchemeChange(paint);
  const figure = figureFrame(canvas, {
    title:
      options.title ?? `Kernel mask: ${cout} filters (rows) × ${cin} input channels (columns), each a ${k}×${k} kernel`,
    description: `A grid of ${cout} × ${cin} small squares, one per kernel, each showing which of its ${k * k} taps are kept (coloured) or dropped.`,
    download: options.download,
    formats: ["png"],
    testid: "mask-matrix",
  });
  figure.style.margin = "0.5em 0";
  figure.dataset.nonzeros = String(nonzeros);
  figure.dataset.taps = String(mask.length);
  return figure;
}
