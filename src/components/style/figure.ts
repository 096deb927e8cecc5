/**
 * The frame every figure on the site sits in: a sans-serif title, the drawing, a description screen readers
 * announce with it (aria-describedby), and buttons that save the drawing as SVG or PNG. The drawing is
 * serialised with the colours the reader sees (the theme's text and background colours are written into the
 * copy), so a dark-mode download looks like the dark-mode page.
 */

export interface FigureOptions {
  /** Shown above the drawing, in the site's sans-serif. */
  title?: string;
  /** What the figure shows, in a sentence or two: read by screen readers, not shown. */
  description: string;
  /** File name without extension for the downloads; no download buttons when omitted. */
  download?: string;
  /** Which downloads to offer (default both; a canvas drawing has no SVG). */
  formats?: readonly ("svg" | "png")[];
  /** data-testid of the <figure>. */
  testid?: string;
}

let figureCount = 0;

/** The drawing to save: the largest SVG or canvas inside `root`. */
function mainDrawing(root: Element): SVGSVGElement | HTMLCanvasElement | null {
  let best: SVGSVGElement | HTMLCanvasElement | null = null;
  let bestArea = -1;
  for (const el of root.querySelectorAll<SVGSVGElement | HTMLCanvasElement>("svg, canvas")) {
    if (el.closest(".il-figure-tools")) continue;
    const box = el.getBoundingClientRect();
    const area = box.width * box.height;
    if (area > bestArea) [best, bestArea] = [el, area];
  }
  return best;
}

/** A standalone copy of an SVG with the page's colours and font written in. */
export function serializeSvg(svg: SVGSVGElement): { text: string; width: number; height: number } {
  const box = svg.getBoundingClientRect();
  const style = getComputedStyle(svg);
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  copy.setAttribute("width", String(Math.round(box.width)));
  copy.setAttribute("height", String(Math.round(box.height)));
  copy.style.color = style.color;
  copy.style.fontFamily = style.fontFamily;
  copy.style.background = pageBackground();
  return { text: new XMLSerializer().serializeToString(copy), width: box.width, height: box.height };
}

function pageBackground(): string {
  const value = getComputedStyle(document.body).backgroundColor;
  return value && value !== "rgba(0, 0, 0, 0)" ? value : "#ffffff";
}

function save(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** A PNG of the drawing at twice its shown size, on the page's background. */
export async function drawingPng(drawing: SVGSVGElement | HTMLCanvasElement): Promise<Blob> {
  const scale = 2;
  const out = document.createElement("canvas");
  const ctx = out.getContext("2d")!;
  if (drawing instanceof HTMLCanvasElement) {
    out.width = drawing.width;
    out.height = drawing.height;
    ctx.fillStyle = pageBackground();
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(drawing, 0, 0);
  } else {
    const { text, width, height } = serializeSvg(drawing);
    const image = new Image();
    const url = URL.createObjectURL(new Blob([text], { type: "image/svg+xml" }));
    try {
      await new Promise<void>((resolve, reject) => {
        image.onload = () => resolve();
        image.onerror = () => reject(new Error("the figure could not be drawn as an image"));
        image.src = url;
      });
    } finally {
      URL.revokeObjectURL(url);
    }
    out.width = Math.ceil(width * scale);
    out.height = Math.ceil(height * scale);
    ctx.fillStyle = pageBackground();
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(image, 0, 0, out.width, out.height);
  }
  return new Promise((resolve, reject) =>
    out.toBlob((b) => (b ? resolve(b) : reject(new Error("PNG encoding failed"))), "image/png"),
  );
}

/** SVG and PNG buttons for the drawing inside `root` (found when clicked, so redraws are picked up). */
export function downloadTools(
  root: Element,
  name: string,
  formats: readonly ("svg" | "png")[] = ["svg", "png"],
): HTMLElement {
  const tools = document.createElement("div");
  tools.className = "il-figure-tools";
  const button = (label: string, kind: "svg" | "png") => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.dataset.download = kind;
    b.setAttribute("aria-label", `Download this figure as ${kind.toUpperCase()}`);
    b.addEventListener("click", async () => {
      const drawing = mainDrawing(root);
      if (!drawing) return;
      if (kind === "svg" && drawing instanceof SVGSVGElement) {
        save(new Blob([serializeSvg(drawing).text], { type: "image/svg+xml" }), `${name}.svg`);
      } else {
        save(await drawingPng(drawing), `${name}.png`);
      }
    });
    return b;
  };
  for (const kind of formats) tools.append(button(kind.toUpperCase(), kind));
  return tools;
}

/** Frame `content` as a figure with a title, an aria description and (optionally) download buttons. */
export function figureFrame(content: Node | readonly Node[], options: FigureOptions): HTMLElement {
  const id = `il-figure-${++figureCount}`;
  const figure = document.createElement("figure");
  figure.className = "il-figure";
  if (options.testid) figure.dataset.testid = options.testid;
  const part = (tag: string, className: string, suffix: string, text: string) => {
    const el = document.createElement(tag);
    el.className = className;
    el.id = `${id}-${suffix}`;
    el.textContent = text;
    return el;
  };
  if (options.title) {
    const title = part("figcaption", "il-figure-title", "title", options.title);
    figure.setAttribute("aria-labelledby", title.id);
    figure.append(title);
  }
  figure.append(...(Array.isArray(content) ? content : [content as Node]));
  const description = part("p", "il-visually-hidden", "description", options.description);
  figure.setAttribute("aria-describedby", description.id);
  figure.append(description);
  if (options.download) figure.append(downloadTools(figure, options.download, options.formats));
  return figure;
}

/** Mark a drawing (svg or canvas) as one image with a label, for screen readers. */
export function labelDrawing<T extends Element>(drawing: T, label: string): T {
  drawing.setAttribute("role", "img");
  drawing.setAttribute("aria-label", label);
  return drawing;
}

/**
 * A CSS colour (e.g. "var(--theme-foreground-faintest)") as the rgb() string the page resolves it to now, for
 * canvas drawings, which cannot read CSS variables. `context` sets where the variables are looked up.
 */
export function resolveColor(css: string, context: Element = document.body): string {
  const probe = document.createElement("span");
  probe.style.color = css;
  probe.style.display = "none";
  context.append(probe);
  const value = getComputedStyle(probe).color;
  probe.remove();
  return value;
}

/** Call `redraw` whenever the reader's light/dark preference changes (canvases must repaint themselves). */
export function onColorSchemeChange(redraw: () => void): () => void {
  const query = globalThis.matchMedia?.("(prefers-color-scheme: dark)");
  query?.addEventListener("change", redraw);
  return () => query?.removeEventListener("change", redraw);
}
