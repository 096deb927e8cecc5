/**
 * src/components/tex.ts lists KaTeX's font files one literal at a time (Framework copies only what a literal
 * import.meta.resolve names). If a KaTeX upgrade renames or adds a face, the page would 404 on it: keep the
 * list equal to what the installed katex.min.css references.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const require = createRequire(join(projectRoot, "package.json"));

describe("KaTeX assets for the tex component", () => {
  it("lists exactly the woff2 faces katex.min.css references, each resolvable", async () => {
    const css = await readFile(require.resolve("katex/dist/katex.min.css"), "utf-8");
    const cssFonts = new Set([...css.matchAll(/url\(fonts\/([\w-]+\.woff2)\)/g)].map((m) => m[1]!));
    const component = await readFile(join(projectRoot, "src", "components", "tex.ts"), "utf-8");
    const listed = [...component.matchAll(/import\.meta\.resolve\("katex\/dist\/fonts\/([\w-]+\.woff2)"\)/g)].map(
      (m) => m[1]!,
    );
    assert.ok(cssFonts.size >= 10, `found only ${cssFonts.size} woff2 faces in katex.min.css`);
    assert.equal(new Set(listed).size, listed.length, "a font is listed twice");
    assert.deepEqual([...listed].sort(), [...cssFonts].sort());
    for (const font of listed) require.resolve(`katex/dist/fonts/${font}`);
    assert.match(component, /import\.meta\.resolve\("katex\/dist\/katex\.min\.css"\)/);
  });
});
