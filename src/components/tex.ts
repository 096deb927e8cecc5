/**
 * Math typesetting with KaTeX from node_modules. Framework's implicit `tex` loads KaTeX from a CDN, which
 * fails offline; this module imports KaTeX itself and links its stylesheet from the site's own origin.
 *
 * Each `import.meta.resolve` below is a string literal so that Framework copies the file into
 * dist/_node/katex@<version>/dist/, keeping the stylesheet's relative `url(fonts/…)` references valid.
 * Only the .woff2 faces are listed: every browser that runs this site's modules picks woff2 first.
 */
import katex from "katex";

export const katexStylesheet = import.meta.resolve("katex/dist/katex.min.css");

/** The woff2 faces katex.min.css names (a unit test keeps this list equal to the stylesheet's). */
export const katexFonts = [
  import.meta.resolve("katex/dist/fonts/KaTeX_AMS-Regular.woff2"),
  import.meta.resolve("katex/dist/fonts/KaTeX_Caligraphic-Bold.woff2"),
  import.meta.resolve("katex/dist/fonts/KaTeX_Caligraphic-Regular.woff2"),
  import.meta.resolve("katex/dist/fonts/KaTeX_Fraktur-Bold.woff2"),
  import.meta.resolve("katex/dist/fonts/KaTeX_Fraktur-Regular.woff2"),
  import.meta.resolve("katex/dist/fonts/KaTeX_Main-Bold.woff2"),
  import.meta.resolve("katex/dist/fonts/KaTeX_Main-BoldItalic.woff2"),
  import.meta.resolve("katex/dist/fonts/KaTeX_Main-Italic.woff2"),
  import.meta.resolve("katex/dist/fonts/KaTeX_Main-Regular.woff2"),
  import.meta.resolve("katex/dist/fonts/KaTeX_Math-BoldItalic.woff2"),
  import.meta.resolve("katex/dist/fonts/KaTeX_Math-Italic.woff2"),
  import.meta.resolve("katex/dist/fonts/KaTeX_SansSerif-Bold.woff2"),
  import.meta.resolve("katex/dist/fonts/KaTeX_SansSerif-Italic.woff2"),
  import.meta.resolve("katex/dist/fonts/KaTeX_SansSerif-Regular.woff2"),
  import.meta.resolve("katex/dist/fonts/KaTeX_Script-Regular.woff2"),
  import.meta.resolve("katex/dist/fonts/KaTeX_Size1-Regular.woff2"),
  import.meta.resolve("katex/dist/fonts/KaTeX_Size2-Regular.woff2"),
  import.meta.resolve("katex/dist/fonts/KaTeX_Size3-Regular.woff2"),
  import.meta.resolve("katex/dist/fonts/KaTeX_Size4-Regular.woff2"),
  import.meta.resolve("katex/dist/fonts/KaTeX_Typewriter-Regular.woff2"),
];

/** Add KaTeX's stylesheet to the document once. */
export function ensureKatexStylesheet(): void {
  if (document.querySelector("link[data-katex-stylesheet]")) return;
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = katexStylesheet;
  link.dataset.katexStylesheet = "";
  document.head.append(link);
}

export interface TexOptions {
  /** Display (block) math rather than inline. Default false. */
  displayMode?: boolean;
  /** Throw on a LaTeX error (default, for the site's own formulas); false renders the error in red instead. */
  throwOnError?: boolean;
  /** Extra macros, e.g. { "\\R": "\\mathbb{R}" }. */
  macros?: Record<string, string>;
}

/** Render a LaTeX string to an element: a <span> inline, a <div> in display mode. */
export function renderTex(source: string, options: TexOptions = {}): HTMLElement {
  ensureKatexStylesheet();
  const element = document.createElement(options.displayMode ? "div" : "span");
  element.className = options.displayMode ? "tex tex-block" : "tex";
  katex.render(source, element, {
    displayMode: options.displayMode ?? false,
    throwOnError: options.throwOnError ?? true,
    macros: { ...options.macros },
    output: "htmlAndMathml", // MathML for screen readers, HTML for looks
  });
  return element;
}

function raw(strings: TemplateStringsArray, values: unknown[]): string {
  return String.raw({ raw: strings.raw }, ...values);
}

/** Inline math as a tagged template: tex`\int_{-1}^{1} W(x)\,dx` (backslashes kept as written). */
export function tex(strings: TemplateStringsArray, ...values: unknown[]): HTMLElement {
  return renderTex(raw(strings, values));
}

/** Display math as a tagged template: texBlock`W_d[o,i] = W(x_o, x_i)\,q_i\,V`. */
export function texBlock(strings: TemplateStringsArray, ...values: unknown[]): HTMLElement {
  return renderTex(raw(strings, values), { displayMode: true });
}
