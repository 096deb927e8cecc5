/**
 * Observable Framework configuration for Integral Lab.
 *
 * The site must build and run with no network beyond the npm registry at install time, so nothing here
 * may point at a CDN: `globalStylesheets` replaces Framework's default (a Google Fonts link) with local
 * stylesheets only, search is off (its index is local, but nothing needs it yet) and the footer has no
 * external links. See docs/design.md §2.
 */
import { sweepDynamicPaths } from "./loaders/sweep/dynamic-paths.js";

/** The navigation, in reading order. The e2e test opens every page listed here. */
export const pages = [
  { name: "Weight functions", path: "/weight-functions" },
  { name: "Quadrature", path: "/quadrature" },
  { name: "Kernel shapes", path: "/kernel-shapes" },
  { name: "SIB topologies", path: "/sib-topologies" },
  { name: "Grouped point-wise wiring", path: "/grouped-pointwise" },
  { name: "Permutation", path: "/permutation" },
  { name: "Curves", path: "/curves" },
  { name: "Live model", path: "/live-model" },
];

export default {
  title: "Integral Lab",
  root: "src",
  output: "dist",
  home: "Integral Lab",
  pages,
  pager: true,
  // Local only: Framework's default adds a remote font stylesheet. inputs.css styles @observablehq/inputs,
  // which pages import as a bare specifier (so Framework does not add it implicitly).
  globalStylesheets: ["observablehq:stdlib/inputs.css"],
  head: '<meta name="description" content="Integral Lab: an interactive notebook for integral neural networks">',
  footer: "Integral Lab — integral neural networks, resampled live. Built offline with Observable Framework.",
  search: false,
  // One curves file per user dataset in data/<name>/ (src/data/[dataset]/curves.json.ts).
  dynamicPaths: sweepDynamicPaths,
  toc: true,
};
