/**
 * One visual language for methods: every chart that draws a method (curves page, live page, home hero) takes
 * its colour, its short label and its emphasis from here, so a method looks the same on every page. The
 * three methods the site's argument rests on (the INN and the two pruning baselines) are in strong colours;
 * the rest are context, drawn grey at rest and in their own colour when hovered.
 *
 * A method's colour depends on its id alone (never on which other methods a page shows), so the curves page,
 * the live page and the home page agree even when they draw different subsets.
 */

export interface MethodStyle {
  /** Stroke and fill colour (works on light and dark backgrounds). */
  color: string;
  /** A short label for legends and direct labels. */
  short: string;
  /** Drawn in colour at rest (the headline comparison); others are context until hovered. */
  headline: boolean;
}

/** Context lines at rest: one mid grey that reads on the light and the dark theme. */
export const CONTEXT_COLOR = "#9aa1aa";

const STYLES: Readonly<Record<string, MethodStyle>> = {
  "inn-scratch": { color: "#2f6fdf", short: "INN (random sizes)", headline: true },
  "discrete-l1": { color: "#e8590c", short: "L1 pruning", headline: true },
  "discrete-random": { color: "#b5179e", short: "random pruning", headline: true },
  converted: { color: "#0c8599", short: "converted", headline: false },
  // The discrete net read as a continuous one (its channels as nodes) and resampled: the live page's other source.
  "discrete-resampled": { color: "#5f3dc4", short: "discrete, resampled", headline: false },
  "inn-init": { color: "#7048e8", short: "INN-init", headline: false },
  "inn-grid-tuned": { color: "#2b8a3e", short: "grid-tuned", headline: false },
  sinn: { color: "#c2255c", short: "SINN", headline: false },
  ssc: { color: "#d6336c", short: "SSC", headline: false },
};

/** Hex colour between `from` (t = 0) and `to` (t = 1), linear in sRGB; enough for shades of one hue. */
function mix(from: string, to: string, t: number): string {
  const channel = (hex: string, k: number) => parseInt(hex.slice(1 + 2 * k, 3 + 2 * k), 16);
  const parts = [0, 1, 2].map((k) => Math.round(channel(from, k) + (channel(to, k) - channel(from, k)) * t));
  return `#${parts.map((v) => v.toString(16).padStart(2, "0")).join("")}`;
}

const clamp01 = (t: number) => Math.min(1, Math.max(0, t));

/**
 * Parameterised methods (lhc-<density>, igpc-ch<Ch>): one hue per family, the shade set by the parameter so
 * it is the same on every page. Sparser LHC nets and larger IGPC groups are lighter.
 */
const FAMILIES: Readonly<
  Record<string, { dark: string; light: string; shade: (suffix: string) => number; short: (suffix: string) => string }>
> = {
  // Densities 0.5 … 0.1 on a log scale.
  lhc: {
    dark: "#6e3c0c",
    light: "#cf9028",
    shade: (s) => clamp01(Math.log(0.5 / Number(s)) / Math.log(5)),
    short: (s) => `LHC ${s}`,
  },
  // Channels per group 2 … 16 on a log scale.
  igpc: {
    dark: "#3f5f04",
    light: "#8fb61c",
    shade: (s) => clamp01(Math.log2(Number(s.replace(/^ch/, "")) / 2) / 3),
    short: (s) => `IGPC ${s.replace(/^ch/, "Ch ")}`,
  },
};

const FALLBACK = "#868e96";

/**
 * The style of a method id (e.g. "inn-scratch", "lhc-0.3", "igpc-ch8"); unknown ids get a neutral grey.
 * `siblings` is accepted for older callers and no longer changes the result.
 */
export function methodStyle(id: string, _siblings: readonly string[] = []): MethodStyle {
  const known = STYLES[id];
  if (known) return known;
  const match = /^(lhc|igpc)-(.+)$/.exec(id);
  if (match) {
    const family = FAMILIES[match[1]];
    const t = family.shade(match[2]);
    return {
      color: mix(family.dark, family.light, Number.isFinite(t) ? t : 0),
      short: family.short(match[2]),
      headline: false,
    };
  }
  return { color: FALLBACK, short: id, headline: false };
}

/** Colour scale for Observable Plot: `{ domain, range }` over the given method ids, in their order. */
export function methodColorScale(ids: readonly string[]): { domain: string[]; range: string[] } {
  return { domain: [...ids], range: ids.map((id) => methodStyle(id).color) };
}

/** Method ids with the headline methods first (INN, L1, random), the rest in their given order. */
export function headlineFirst(ids: readonly string[]): string[] {
  const order = Object.keys(STYLES).filter((id) => STYLES[id].headline);
  const headline = order.filter((id) => ids.includes(id));
  return [...headline, ...ids.filter((id) => !headline.includes(id))];
}
