/**
 * One visual language for methods: every chart that draws a method (curves page, live page, home hero) takes
 * its colour, its short label and its emphasis from here, so a method looks the same on every page. The
 * three methods the site's argument rests on (the INN and the two pruning baselines) are in strong colours;
 * the rest are muted, and brought forward on hover.
 */

export interface MethodStyle {
  /** Stroke and fill colour (works on light and dark backgrounds). */
  color: string;
  /** A short label for legends and direct labels. */
  short: string;
  /** Drawn in colour at rest (the headline comparison); others are context until hovered. */
  headline: boolean;
}

const STYLES: Readonly<Record<string, MethodStyle>> = {
  "inn-scratch": { color: "#2f6fdf", short: "INN (random sizes)", headline: true },
  "discrete-l1": { color: "#e8590c", short: "L1 pruning", headline: true },
  "discrete-random": { color: "#8a8f98", short: "random pruning", headline: true },
  converted: { color: "#0c8599", short: "converted", headline: false },
  "inn-init": { color: "#7048e8", short: "INN-init", headline: false },
  "inn-grid-tuned": { color: "#2b8a3e", short: "grid-tuned", headline: false },
  sinn: { color: "#c2255c", short: "SINN", headline: false },
  ssc: { color: "#d6336c", short: "SSC", headline: false },
};

/** Shades for the families of parameterised methods (lhc-<density>, igpc-ch<Ch>), darkest first. */
const FAMILIES: Readonly<Record<string, { shades: string[]; short: (suffix: string) => string }>> = {
  lhc: { shades: ["#8f5b1f", "#b07327", "#d08c34", "#e8a94f"], short: (s) => `LHC ${s}` },
  igpc: { shades: ["#5c7c0a", "#74a00f", "#94c11a", "#b2d63a"], short: (s) => `IGPC ${s.replace(/^ch/, "Ch ")}` },
};

const FALLBACK = "#868e96";

/** The style of a method id (e.g. "inn-scratch", "lhc-0.3", "igpc-ch8"); unknown ids get a neutral grey. */
export function methodStyle(id: string, siblings: readonly string[] = []): MethodStyle {
  const known = STYLES[id];
  if (known) return known;
  const match = /^(lhc|igpc)-(.+)$/.exec(id);
  if (match) {
    const family = FAMILIES[match[1]];
    const members = [...new Set([...siblings, id].filter((s) => s.startsWith(`${match[1]}-`)))].sort();
    const shade = family.shades[Math.min(members.indexOf(id), family.shades.length - 1)];
    return { color: shade, short: family.short(match[2]), headline: false };
  }
  return { color: FALLBACK, short: id, headline: false };
}

/** Colour scale for Observable Plot: `{ domain, range }` over the given method ids, in their order. */
export function methodColorScale(ids: readonly string[]): { domain: string[]; range: string[] } {
  return { domain: [...ids], range: ids.map((id) => methodStyle(id, ids).color) };
}
