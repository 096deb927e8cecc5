/**
 * The dependency rule (docs/design.md §1): `src/lib` imports only itself and tfjs-core, and uses no Node or DOM
 * globals, so the same code runs in Node, in workers and in the browser; `src/components` import nothing of
 * `loaders/`. Modules are read as Framework reads them (esbuild strips the types, Framework's parser finds the
 * imports and free variables). The checker is tried on crafted sources first, then on the real tree.
 */
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { transform } from "esbuild";
import { parseProgram } from "@observablehq/framework/dist/javascript/parse.js";
import { findImports } from "@observablehq/framework/dist/javascript/imports.js";
import { findReferences } from "@observablehq/framework/dist/javascript/references.js";

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** Packages the library may import: tfjs-core is its one dependency. */
const LIB_PACKAGES = new Set(["@tensorflow/tfjs-core"]);

/** Globals that exist only in a browser page or only in Node. */
const HOST_GLOBALS = new Set([
  "document",
  "window",
  "navigator",
  "location",
  "history",
  "localStorage",
  "sessionStorage",
  "requestAnimationFrame",
  "cancelAnimationFrame",
  "HTMLElement",
  "HTMLCanvasElement",
  "Element",
  "Node",
  "Event",
  "CustomEvent",
  "DOMParser",
  "customElements",
  "getComputedStyle",
  "Image",
  "process",
  "Buffer",
  "require",
  "module",
  "__dirname",
  "__filename",
  "global",
  "setImmediate",
]);

/** Where a file sits: "lib", "components", "loaders" or "other". */
function area(path: string): string {
  const rel = relative(projectRoot, path).split(sep).join("/");
  if (rel.startsWith("src/lib/")) return "lib";
  if (rel.startsWith("src/components/")) return "components";
  if (rel.startsWith("loaders/")) return "loaders";
  return "other";
}

/** Violations of the dependency rule in one module at `path` (absolute), whose text is `source`. */
export async function dependencyViolations(path: string, source: string): Promise<string[]> {
  const from = area(path);
  if (from !== "lib" && from !== "components") return [];
  const file = relative(projectRoot, path);
  // verbatimModuleSyntax keeps value imports even when unused (esbuild would drop them); `import type` goes.
  const { code } = await transform(source, {
    loader: path.endsWith(".ts") ? "ts" : "js",
    format: "esm",
    tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
  });
  const body = parseProgram(code);
  const out: string[] = [];
  for (const { name, type } of findImports(body, `/${file}`, code)) {
    if (type === "local") {
      const target = area(resolve(dirname(path), name));
      if (from === "lib" && target !== "lib")
        out.push(`${file}: imports ${name} (${target}); src/lib imports only src/lib`);
      if (from === "components" && target === "loaders")
        out.push(`${file}: imports ${name}; components never import loaders/`);
    } else if (from === "lib" && !LIB_PACKAGES.has(name)) {
      out.push(`${file}: imports "${name}"; src/lib imports only ${[...LIB_PACKAGES].join(", ")}`);
    }
  }
  if (from === "lib") {
    const seen = new Set<string>();
    for (const { name } of findReferences(body, { globals: new Set() })) {
      if (HOST_GLOBALS.has(name) && !seen.has(name)) {
        seen.add(name);
        out.push(`${file}: uses the host global "${name}"; src/lib runs in Node and the browser alike`);
      }
    }
  }
  return out;
}

describe("dependency rule checker (crafted sources)", () => {
  const lib = join(projectRoot, "src/lib/math/example.ts");
  const component = join(projectRoot, "src/components/example.ts");

  it("reports what the library and the components must not import or use", async () => {
    const bad = [
      'import { readFileSync } from "node:fs";',
      'import * as d3 from "d3";',
      'import { Chart } from "../../components/chart.js";',
      'import { train } from "../../../loaders/train.js";',
      "export const w = () => window.innerWidth + document.title.length + process.env.X;",
      'export const later = () => import("../../components/other.js");',
    ].join("\n");
    const found = await dependencyViolations(lib, bad);
    for (const pattern of [
      /imports "node:fs"/,
      /imports "d3"/,
      /imports \.\.\/\.\.\/components\/chart\.js \(components\)/,
      /imports \.\.\/\.\.\/\.\.\/loaders\/train\.js \(loaders\)/,
      /host global "window"/,
      /host global "document"/,
      /host global "process"/,
      /imports \.\.\/\.\.\/components\/other\.js/,
    ])
      assert.ok(
        found.some((v) => pattern.test(v)),
        `expected ${pattern} among:\n${found.join("\n")}`,
      );
    const fromComponent = await dependencyViolations(component, 'import { run } from "../../loaders/sweep/job.js";');
    assert.equal(fromComponent.length, 1);
    assert.match(fromComponent[0], /components never import loaders/);
  });

  it("accepts what they may do", async () => {
    const good = [
      'import * as tf from "@tensorflow/tfjs-core";',
      'import type { Model } from "../model.js";',
      'import { sampleAxis } from "./sampling.js";',
      "export const x = (model: Model) => tf.tidy(() => sampleAxis(model as never, 0, tf.eye(2)));",
      'export const message = "the window of a document";',
    ].join("\n");
    assert.deepEqual(await dependencyViolations(lib, good), []);
    assert.deepEqual(
      await dependencyViolations(component, 'import * as d3 from "d3";\nexport const w = () => window.innerWidth;'),
      [],
    );
  });
});

describe("dependency rule (the real tree)", () => {
  it("src/lib and src/components keep to it", async () => {
    const files: string[] = [];
    for (const dir of ["src/lib", "src/components"]) {
      const entries = await readdir(join(projectRoot, dir), { recursive: true, withFileTypes: true });
      for (const e of entries)
        if (e.isFile() && /\.(ts|js)$/.test(e.name) && !e.name.endsWith(".d.ts"))
          files.push(join(e.parentPath, e.name));
    }
    assert.ok(files.length > 100, `found ${files.length} modules`);
    const violations = (
      await Promise.all(files.map(async (f) => dependencyViolations(f, await readFile(f, "utf8"))))
    ).flat();
    assert.deepEqual(violations, []);
  });
});
