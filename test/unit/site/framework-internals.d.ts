// Minimal types for the Observable Framework 1.13 internals the offline-imports check reuses, so the
// check sees pages exactly as Framework's own parser does (version pinned in package.json).
declare module "@observablehq/framework/dist/markdown.js" {
  export interface FrameworkImport {
    name: string;
    type: "global" | "local";
    method: "static" | "dynamic" | "resolve";
  }
  export interface FrameworkJavaScriptNode {
    declarations: { name: string }[] | null;
    references: { name: string }[];
    files: { name: string; method?: string }[];
    imports: FrameworkImport[];
  }
  export interface FrameworkPage {
    head: string | null;
    header: string | null;
    body: string;
    footer: string | null;
    code: { id: string; node: FrameworkJavaScriptNode; mode: string }[];
  }
  export function createMarkdownIt(options?: object): unknown;
  export function parseMarkdown(input: string, options: { md: unknown; path: string }): FrameworkPage;
}
declare module "@observablehq/framework/dist/javascript/parse.js" {
  export function parseProgram(input: string): unknown;
}
declare module "@observablehq/framework/dist/javascript/imports.js" {
  import type { FrameworkImport } from "@observablehq/framework/dist/markdown.js";
  export function findImports(body: unknown, path: string, input: string): FrameworkImport[];
}
declare module "@observablehq/framework/dist/javascript/references.js" {
  export function findReferences(body: unknown, options?: object): { name: string }[];
}
declare module "@observablehq/framework/dist/libraries.js" {
  export function getImplicitInputImports(inputs: Iterable<string>): Set<string>;
  export function getImplicitFileImports(methods: Iterable<string>): Set<string>;
}
