/**
 * The site must build and run offline (docs/design.md §2): Framework fetches every `npm:`/`jsr:` specifier and
 * every implicit global (d3, Plot, Inputs, html, tex, FileAttachment(…).csv() …) from a CDN. This check
 * reads each page with Framework's own Markdown and JavaScript parsers — so it sees the same cells, imports,
 * free variables and file attachments that Framework will resolve — and each module (src/components,
 * src/lib) with acorn after stripping TypeScript, and reports anything that would reach outside the site.
 * The checker is tested against crafted bad and good sources first, then run on the real tree.
 */
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { transform } from "esbuild";
import { createMarkdownIt, parseMarkdown, type FrameworkImport } from "@observablehq/framework/dist/markdown.js";
import { parseProgram } from "@observablehq/framework/dist/javascript/parse.js";
import { findImports } from "@observablehq/framework/dist/javascript/imports.js";
import { findReferences } from "@observablehq/framework/dist/javascript/references.js";
import { getImplicitFileImports, getImplicitInputImports } from "@observablehq/framework/dist/libraries.js";
import config from "../../../observablehq.config.js";

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const srcRoot = join(projectRoot, "src");
const requireFromProject = createRequire(join(projectRoot, "package.json"));

export interface Violation {
  file: string;
  rule:
    | "remote-specifier"
    | "unresolvable-import"
    | "implicit-global"
    | "implicit-file-import"
    | "remote-html"
    | "browser-incompatible";
  detail: string;
}

/**
 * Names Framework injects into pages on demand, each backed by a CDN import. Framework's own table
 * (getImplicitInputImports) is consulted too, so a name it learns later is caught; FileAttachment is
 * listed because this project requires it to be imported from "observablehq:stdlib" explicitly.
 */
const implicitGlobals = new Set([
  "_",
  "aq",
  "Arrow",
  "d3",
  "dot",
  "duckdb",
  "DuckDBClient",
  "echarts",
  "htl",
  "html",
  "svg",
  "Inputs",
  "L",
  "mapboxgl",
  "mermaid",
  "Plot",
  "SQLite",
  "SQLiteDatabaseClient",
  "sql",
  "tex",
  "topojson",
  "vl",
  "vg",
  "FileAttachment",
]);

/** Names every Framework page cell may use without import (runtime builtins, no network). */
const pageBuiltins = new Set([
  "display",
  "view",
  "visibility",
  "invalidation",
  "width",
  "now",
  "resize",
  "Generators",
  "Mutable",
  "observable",
]);

/** Framework specifiers that are bundled into the site rather than fetched. */
const offlineFrameworkModules = new Set([
  "observablehq:stdlib",
  "observablehq:runtime",
  "@observablehq/stdlib",
  "@observablehq/runtime",
]);

/** Bare packages that break in the browser through Framework and have a project replacement. */
const browserIncompatible: Record<string, string> = {
  "@tensorflow/tfjs-backend-wasm":
    'Framework ignores its "browser" field; import "../vendor/tfjs-backend-wasm.js" (or the components/tfjs-backend.js engine) instead',
};

function isImplicitGlobal(name: string): boolean {
  return implicitGlobals.has(name) || getImplicitInputImports([name]).size > 0;
}

function checkSpecifier(file: string, specifier: string, method: string): Violation[] {
  if (/^(npm|jsr):/.test(specifier)) {
    return [
      {
        file,
        rule: "remote-specifier",
        detail: `${method} import of "${specifier}" is fetched from a CDN; import the bare package from node_modules`,
      },
    ];
  }
  if (/^(https?:)?\/\//i.test(specifier) || /^[a-z][\w+.-]*:/i.test(specifier)) {
    if (offlineFrameworkModules.has(specifier)) return [];
    return [
      {
        file,
        rule: "remote-specifier",
        detail: `${method} import of "${specifier}" is not a local module or node_modules package`,
      },
    ];
  }
  if (specifier.startsWith(".") || specifier.startsWith("/")) return []; // local file: Framework serves it
  if (offlineFrameworkModules.has(specifier)) return [];
  if (specifier in browserIncompatible && method !== "resolve") {
    return [{ file, rule: "browser-incompatible", detail: `"${specifier}": ${browserIncompatible[specifier]}` }];
  }
  try {
    requireFromProject.resolve(specifier);
    return [];
  } catch {
    // Framework swallows this and leaves the bare specifier in the page, which the browser cannot load.
    return [{ file, rule: "unresolvable-import", detail: `"${specifier}" does not resolve from node_modules` }];
  }
}

function checkImports(file: string, imports: readonly FrameworkImport[]): Violation[] {
  return imports.filter((i) => i.type === "global").flatMap((i) => checkSpecifier(file, i.name, i.method));
}

/** Elements that load a resource when rendered; <a href> is navigation and may point anywhere. */
const loadingAttribute =
  /<(script|img|link|iframe|source|video|audio|embed|object|track|image|use)\b[^>]*?\s(src|href|srcset|data|poster|xlink:href)\s*=\s*(["']?)\s*((?:npm:|jsr:|https?:|\/\/)[^"'\s>]*)/gi;

export function checkHtml(file: string, html: string): Violation[] {
  return [...html.matchAll(loadingAttribute)].map((match) => ({
    file,
    rule: "remote-html" as const,
    detail: `<${match[1]} ${match[2]}="${match[4]}"> loads a resource from outside the site`,
  }));
}

/** Check one Markdown page as Framework parses it. `file` is relative to src/, e.g. "index.md". */
export function checkPage(file: string, source: string): Violation[] {
  const page = parseMarkdown(source, { md: createMarkdownIt(), path: `/${file.replace(/\.md$/, "")}` });
  const violations: Violation[] = [];
  for (const html of [page.head, page.header, page.body, page.footer])
    if (html) violations.push(...checkHtml(file, html));
  // Cells share top-level declarations (imports included), so a name imported in one cell is bound in all.
  const declared = new Set(pageBuiltins);
  for (const { node } of page.code) for (const { name } of node.declarations ?? []) declared.add(name);
  const reported = new Set<string>();
  for (const { node } of page.code) {
    violations.push(...checkImports(file, node.imports));
    for (const { name } of node.references) {
      if (declared.has(name) || reported.has(name) || !isImplicitGlobal(name)) continue;
      reported.add(name);
      violations.push({
        file,
        rule: "implicit-global",
        detail: `"${name}" is used without an import (Framework would fetch it from a CDN)`,
      });
    }
    for (const attachment of node.files) {
      const implicit = attachment.method ? [...getImplicitFileImports([attachment.method])] : [];
      if (implicit.length) {
        violations.push({
          file,
          rule: "implicit-file-import",
          detail: `FileAttachment("${attachment.name}") as ${attachment.method} makes Framework import ${implicit.join(", ")} from a CDN; read it with .json(), .text() or .arrayBuffer() and parse with a node_modules package`,
        });
      }
    }
  }
  return violations;
}

/** Check one JavaScript or TypeScript module (a component or a library file). */
export async function checkModule(file: string, source: string): Promise<Violation[]> {
  const loader = file.endsWith(".ts") ? "ts" : "js";
  const { code } = await transform(source, { loader, format: "esm", target: "es2022" }); // strips types only
  const body = parseProgram(code);
  const violations = checkImports(file, findImports(body, `/${file}`, code));
  const reported = new Set<string>();
  for (const { name } of findReferences(body)) {
    if (reported.has(name) || !isImplicitGlobal(name)) continue;
    reported.add(name);
    violations.push({ file, rule: "implicit-global", detail: `"${name}" is used without an import` });
  }
  return violations;
}

async function listFiles(directory: string, pattern: RegExp, skip: (path: string) => boolean): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((path) => pattern.test(path) && !skip(path))
    .sort();
}

const generatedOrCache = (path: string): boolean =>
  path.includes(`${sep}.observablehq${sep}`) || path.includes(`${sep}vendor${sep}`) || path.endsWith(".d.ts");

function summarise(violations: Violation[]): string[] {
  return violations.map((v) => `${v.file}: [${v.rule}] ${v.detail}`);
}

describe("offline-imports checker (crafted sources)", () => {
  it("reports every way a page can reach a CDN", () => {
    const bad = [
      "# Bad page",
      "",
      '<script src="https://cdn.example.com/x.js"></script>',
      '<link rel="stylesheet" href="npm:katex/dist/katex.min.css">',
      '<img src="//cdn.example.com/logo.png">',
      "",
      "```js",
      'import * as Remote from "npm:d3";',
      'import thing from "https://cdn.example.com/thing.js";',
      'import missing from "no-such-package-integral-lab";',
      'import "@tensorflow/tfjs-backend-wasm";',
      "```",
      "",
      "```js",
      "Plot.plot({marks: [Plot.dot([1, 2])]})",
      "```",
      "",
      "```js",
      'const rows = FileAttachment("data/table.csv").csv();',
      "```",
      "",
      "```js",
      "html`<b>${Inputs.range([0, 1])}</b>`",
      "```",
      "",
      "```tex",
      "E = mc^2",
      "```",
      "",
      "Inline: ${d3.sum([1, 2])} and ${_.chunk([1, 2], 1)}.",
      "",
      "```js",
      'const lazy = import("jsr:@std/path");',
      "```",
    ].join("\n");
    const found = summarise(checkPage("bad.md", bad));
    const expected = [
      /remote-html.*<script src="https:\/\/cdn\.example\.com\/x\.js">/,
      /remote-html.*<link href="npm:katex/,
      /remote-html.*<img src="\/\/cdn\.example\.com/,
      /remote-specifier.*static import of "npm:d3"/,
      /remote-specifier.*"https:\/\/cdn\.example\.com\/thing\.js"/,
      /unresolvable-import.*"no-such-package-integral-lab"/,
      /browser-incompatible.*"@tensorflow\/tfjs-backend-wasm"/,
      /implicit-global.*"Plot"/,
      /implicit-global.*"FileAttachment"/,
      /implicit-file-import.*data\/table\.csv.*csv.*npm:d3-dsv/,
      /implicit-global.*"html"/,
      /implicit-global.*"Inputs"/,
      /implicit-global.*"tex"/,
      /implicit-global.*"d3"/,
      /implicit-global.*"_"/,
      /remote-specifier.*dynamic import of "jsr:@std\/path"/,
    ];
    for (const pattern of expected) {
      assert.equal(
        found.filter((line) => pattern.test(line)).length,
        1,
        `expected one violation matching ${pattern}, got:\n${found.join("\n")}`,
      );
    }
    assert.equal(found.length, expected.length, `unexpected extra violations:\n${found.join("\n")}`);
  });

  it("accepts explicit imports, names bound in other cells, local files and plain links", () => {
    const good = [
      "# Good page",
      "",
      'See <a href="https://example.com/paper.pdf">the paper</a> and [the code](https://github.com/example).',
      "",
      "```js",
      'import * as Plot from "@observablehq/plot";',
      'import * as d3 from "d3";',
      'import {FileAttachment} from "observablehq:stdlib";',
      'import {engineStatus} from "./components/tfjs-backend.js";',
      "```",
      "",
      "```js",
      "const html = (strings) => strings.join(''); // a local binding shadows the implicit name",
      'const meta = FileAttachment("data/meta.json").json();',
      "```",
      "",
      "```js",
      "display(Plot.plot({width, marks: [Plot.dot(d3.range(3))]}));",
      "display(html`ok`);",
      "display(engineStatus());",
      "```",
      "",
      "Inline: ${d3.sum([1, 2])}.",
    ].join("\n");
    assert.deepEqual(summarise(checkPage("good.md", good)), []);
  });

  it("checks TypeScript modules: imports, dynamic imports, import.meta.resolve and free globals", async () => {
    const bad = [
      'import type { Tensor } from "npm:@tensorflow/tfjs-core";', // type-only: erased, so harmless
      'import * as tf from "@tensorflow/tfjs-core";',
      "export const chart = (values: number[]): unknown => Plot.plot({ marks: [Plot.line(values)] });",
      'export const later = () => import("npm:plotly.js-dist");',
      'export const binary = import.meta.resolve("https://cdn.example.com/tfjs-backend-wasm.wasm");',
      "export const sum = (t: Tensor) => tf.sum(t);",
    ].join("\n");
    const found = summarise(await checkModule("components/bad.ts", bad));
    assert.deepEqual(found.length, 3, found.join("\n"));
    assert.ok(
      found.some((line) => /implicit-global.*"Plot"/.test(line)),
      found.join("\n"),
    );
    assert.ok(
      found.some((line) => /remote-specifier.*dynamic import of "npm:plotly\.js-dist"/.test(line)),
      found.join("\n"),
    );
    assert.ok(
      found.some((line) => /remote-specifier.*resolve import of "https:/.test(line)),
      found.join("\n"),
    );

    const good = [
      'import * as Plot from "@observablehq/plot";',
      'export const wasm = import.meta.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm");',
      'export const plotly = () => import("plotly.js-dist");',
      "export const chart = (values: number[]) => Plot.plot({ marks: [Plot.line(values)] });",
    ].join("\n");
    assert.deepEqual(summarise(await checkModule("components/good.ts", good)), []);
  });
});

describe("the site's own pages and modules", () => {
  it("every page is offline-clean", async () => {
    const pages = await listFiles(srcRoot, /\.md$/, generatedOrCache);
    type NavEntry = { path?: string; pages?: readonly NavEntry[] };
    const paths = (entries: readonly NavEntry[]): string[] =>
      entries.flatMap((entry) => [...(entry.path ? [entry.path] : []), ...paths(entry.pages ?? [])]);
    for (const path of paths(config.pages)) {
      assert.ok(
        pages.includes(join(srcRoot, `${path.slice(1)}.md`)),
        `config lists ${path} but src${path}.md is missing`,
      );
    }
    assert.ok(pages.includes(join(srcRoot, "index.md")), "src/index.md is missing");
    const violations: Violation[] = [];
    for (const page of pages) violations.push(...checkPage(relative(srcRoot, page), await readFile(page, "utf-8")));
    assert.deepEqual(summarise(violations), []);
  });

  it("every component and library module is offline-clean", async () => {
    const modules = [
      ...(await listFiles(join(srcRoot, "components"), /\.(ts|js|mjs)$/, generatedOrCache)),
      ...(await listFiles(join(srcRoot, "lib"), /\.(ts|js|mjs)$/, generatedOrCache)),
    ];
    assert.ok(
      modules.includes(join(srcRoot, "components", "tfjs-backend.ts")),
      "components/tfjs-backend.ts not scanned",
    );
    const violations: Violation[] = [];
    for (const module of modules)
      violations.push(...(await checkModule(relative(srcRoot, module), await readFile(module, "utf-8"))));
    assert.deepEqual(summarise(violations), []);
  });

  it("the config links no remote stylesheet and its head, header and footer load nothing remote", () => {
    const site = config as { globalStylesheets?: string[]; head?: string; header?: string; footer?: string };
    assert.ok(
      Array.isArray(site.globalStylesheets),
      "globalStylesheets must be set (Framework's default links Google Fonts)",
    );
    for (const sheet of site.globalStylesheets) {
      assert.ok(!/^(https?:|\/\/|npm:|jsr:)/.test(sheet), `global stylesheet "${sheet}" is remote`);
    }
    const html = [site.head, site.header, site.footer]
      .filter((part): part is string => typeof part === "string")
      .join("\n");
    assert.deepEqual(summarise(checkHtml("observablehq.config.ts", html)), []);
  });
});
