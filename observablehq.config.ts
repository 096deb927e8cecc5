/**
 * Observable Framework configuration for Integral Lab.
 *
 * The site must build and run with no network beyond the npm registry at install time, so nothing here
 * may point at a CDN: the stylesheet imports Framework's default layout and themes from the package (no
 * remote font), search is off (its index is local, but nothing needs it yet) and the footer has no
 * external links. See docs/design.md §2.
 */
import { sweepDatasets, sweepDynamicPaths } from "./loaders/sweep/dynamic-paths.js";

/** The navigation, in reading order. The e2e test opens every page listed here. */
export const pages = [
  { name: "Integral playground", path: "/playground" },
  { name: "Weight functions", path: "/weight-functions" },
  { name: "Quadrature", path: "/quadrature" },
  { name: "Kernel shapes", path: "/kernel-shapes" },
  { name: "SIB topologies", path: "/sib-topologies" },
  { name: "Grouped point-wise wiring", path: "/grouped-pointwise" },
  { name: "Permutation", path: "/permutation" },
  { name: "Curves", path: "/curves" },
  { name: "Live model", path: "/live-model" },
];

const SITE = "Integral Lab";
const DESCRIPTION =
  "An interactive notebook for integral neural networks: weights as continuous functions, resampled to any size without fine-tuning — with accuracy-versus-compression curves from real training runs.";
const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/**
 * Which user datasets have curves, for the curves page: one <link> per built dataset (Framework copies the file
 * it names and rewrites the address to the hashed file) and, for every data/<name>/ folder the build skipped,
 * the file and the problem, so the page can say why that dataset is missing.
 */
function datasetsHead(): string[] {
  const { names, skipped } = sweepDatasets();
  const links = names.map(
    (name: string) =>
      `<link rel="alternate" type="application/json" href="/data/${name}/curves.json" data-curves-dataset="${escape(name)}">`,
  );
  // JSON inside <script> is raw text: "<" is escaped so no string can close the element.
  const json = JSON.stringify({ skipped }).replace(/</g, "\\u003c");
  return [...links, `<script type="application/json" id="curves-datasets">${json}</script>`];
}

/**
 * Every page's head: favicon, description and link-preview tags, the datasets block, and two fixes to
 * Framework's fixed <html> and viewport markup — the document language, and pinch-zoom (Framework's viewport
 * sets maximum-scale=1, which stops a reader zooming into a figure).
 */
const head = [
  `<script>document.documentElement.lang = "en"; document.querySelector('meta[name="viewport"]')?.setAttribute("content", "width=device-width, initial-scale=1");</script>`,
  `<link rel="icon" href="/favicon.svg" type="image/svg+xml">`,
  `<meta name="description" content="${escape(DESCRIPTION)}">`,
  `<meta property="og:type" content="website">`,
  `<meta property="og:site_name" content="${SITE}">`,
  `<meta property="og:title" content="${SITE}: integral neural networks, resampled live">`,
  `<meta property="og:description" content="${escape(DESCRIPTION)}">`,
  `<meta name="twitter:card" content="summary">`,
  ...datasetsHead(),
].join("\n");

export default {
  title: SITE,
  root: "src",
  output: "dist",
  home: SITE,
  pages,
  pager: true,
  // Framework's default layout and light/dark themes plus the site's rules, all local (src/style.css).
  style: "style.css",
  // inputs.css styles @observablehq/inputs, which pages import as a bare specifier (so Framework does not add
  // it implicitly). Listing it replaces Framework's default global stylesheet, a remote font.
  globalStylesheets: ["observablehq:stdlib/inputs.css"],
  head,
  footer: "Integral Lab — integral neural networks, resampled live. Built offline with Observable Framework.",
  search: false,
  // One curves file per user dataset in data/<name>/ (src/data/[dataset]/curves.json.ts).
  dynamicPaths: sweepDynamicPaths,
  toc: true,
};
