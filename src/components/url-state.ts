/**
 * Page state in the URL query, so a view can be shared as a link. A page declares a schema (each field's
 * kind, default and allowed range), reads the state once at load and writes it back on every change with
 * history.replaceState (no reload, no history spam). Values a reader typed or a link mangled never crash
 * the page: out-of-range numbers are clamped, garbage is reset to the default, and each fix is reported as
 * a note the page shows. Query parameters the schema does not own (e.g. ?backend=) are left alone.
 */
import { parseDecimal } from "../lib/io/decimal.js";

export type FieldSpec =
  | { kind: "int"; default: number; min: number; max: number }
  | { kind: "number"; default: number; min: number; max: number }
  | { kind: "choice"; default: string; choices: readonly string[] }
  | {
      kind: "numbers";
      default: readonly number[];
      min: number;
      max: number;
      minLength: number;
      maxLength: number;
      /** Whole numbers only: other entries are rounded, with a note. */
      integer?: boolean;
    }
  /** A subset of `choices` (e.g. the methods a filter hides), comma-separated in the URL, in `choices` order. */
  | { kind: "strings"; default: readonly string[]; choices: readonly string[] };

export type StateSchema = Record<string, FieldSpec>;

export type StateValues<S extends StateSchema> = {
  [K in keyof S]: S[K] extends { kind: "numbers" }
    ? number[]
    : S[K] extends { kind: "strings" }
      ? string[]
      : S[K] extends { kind: "choice" }
        ? string
        : number;
};

export interface UrlState<S extends StateSchema> {
  values: StateValues<S>;
  /** One sentence per value that was clamped or reset. */
  notes: string[];
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** Shortest faithful text for a number in a URL (trims float noise such as 0.30000000000000004). */
export function formatNumber(x: number): string {
  return String(Number(x.toPrecision(6)));
}

function readField(name: string, spec: FieldSpec, raw: string, notes: string[]): unknown {
  const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
  switch (spec.kind) {
    case "int":
    case "number": {
      const x = parseDecimal(raw);
      if (x === undefined) {
        notes.push(`${name}="${shown}" is not a decimal number; using the default ${spec.default}.`);
        return spec.default;
      }
      let v = spec.kind === "int" ? Math.round(x) : x;
      if (v !== x) notes.push(`${name}=${shown} is not a whole number; using ${v}.`);
      if (v < spec.min || v > spec.max) {
        const c = clamp(v, spec.min, spec.max);
        notes.push(`${name}=${formatNumber(v)} is outside ${spec.min}…${spec.max}; using ${c}.`);
        v = c;
      }
      return v;
    }
    case "choice":
      if (spec.choices.includes(raw)) return raw;
      notes.push(`${name}="${shown}" is not one of ${spec.choices.join(", ")}; using ${spec.default}.`);
      return spec.default;
    case "numbers": {
      const parts = raw.split(",").map((s) => s.trim());
      const parsed = parts.map(parseDecimal);
      if (parsed.some((x) => x === undefined)) {
        notes.push(`${name}="${shown}" is not a comma-separated list of numbers; using the default.`);
        return spec.default.slice();
      }
      const xs = parsed as number[];
      if (xs.length < spec.minLength || xs.length > spec.maxLength) {
        notes.push(
          `${name} has ${xs.length} values; it needs ${spec.minLength}…${spec.maxLength}, so the default is used.`,
        );
        return spec.default.slice();
      }
      let ys = xs;
      if (spec.integer && xs.some((x) => !Number.isInteger(x))) {
        ys = xs.map(Math.round);
        notes.push(`${name} has values that are not whole numbers; using ${ys.join(",")}.`);
      }
      if (ys.some((x) => x < spec.min || x > spec.max)) {
        notes.push(`${name} has values outside ${spec.min}…${spec.max}; they were clamped.`);
        return ys.map((x) => clamp(x, spec.min, spec.max));
      }
      return ys;
    }
    case "strings": {
      const parts = raw
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
      const unknown = parts.filter((p) => !spec.choices.includes(p));
      if (unknown.length) {
        const list = unknown.join(", ");
        notes.push(
          `${name} has ${unknown.length === 1 ? "a value" : "values"} that ${unknown.length === 1 ? "is" : "are"} not one of ${spec.choices.join(", ")} (${list.length > 60 ? `${list.slice(0, 60)}…` : list}); ${unknown.length === 1 ? "it was" : "they were"} left out.`,
        );
      }
      return spec.choices.filter((c) => parts.includes(c));
    }
  }
}

/** Read every field of `schema` from a query string (default: the page's), fixing bad values. */
export function readUrlState<S extends StateSchema>(
  schema: S,
  search: string = globalThis.location?.search ?? "",
): UrlState<S> {
  const params = new URLSearchParams(search);
  const notes: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(schema)) {
    const raw = params.get(name);
    values[name] =
      raw === null
        ? spec.kind === "numbers" || spec.kind === "strings"
          ? spec.default.slice()
          : spec.default
        : readField(name, spec, raw, notes);
  }
  return { values: values as StateValues<S>, notes };
}

function encode(spec: FieldSpec, value: unknown): string {
  if (spec.kind === "numbers") return (value as number[]).map(formatNumber).join(",");
  if (spec.kind === "strings") return spec.choices.filter((c) => (value as string[]).includes(c)).join(",");
  if (spec.kind === "choice") return String(value);
  return formatNumber(value as number);
}

function isDefault(spec: FieldSpec, value: unknown): boolean {
  return encode(spec, value) === encode(spec, spec.default);
}

/**
 * The query string for `values` (fields at their default are omitted, unknown parameters of `search`
 * kept, except those in `drop` that `schema` does not own: e.g. a previous view's), starting with "?" or empty.
 */
export function urlStateQuery<S extends StateSchema>(
  schema: S,
  values: Partial<StateValues<S>>,
  search: string = globalThis.location?.search ?? "",
  drop: Iterable<string> = [],
): string {
  const params = new URLSearchParams(search);
  for (const name of drop) if (!Object.hasOwn(schema, name)) params.delete(name);
  for (const [name, spec] of Object.entries(schema)) {
    const value = (values as Record<string, unknown>)[name];
    if (value === undefined) continue;
    if (isDefault(spec, value)) params.delete(name);
    else params.set(name, encode(spec, value));
  }
  const query = params.toString().replace(/%2C/g, ",");
  return query ? `?${query}` : "";
}

/** Replace the page URL's query with `values`, without `drop` (see urlStateQuery; no navigation, no new history entry). */
export function writeUrlState<S extends StateSchema>(
  schema: S,
  values: Partial<StateValues<S>>,
  drop: Iterable<string> = [],
): void {
  const query = urlStateQuery(schema, values, location.search, drop);
  if (query === location.search) return;
  history.replaceState(history.state, "", `${location.pathname}${query}${location.hash}`);
}

/**
 * A visible note listing the fixes readUrlState made (hidden when there are none). data-testid
 * "url-state-note" lets a test find it.
 */
export function urlStateNote(notes: readonly string[]): HTMLElement {
  const box = document.createElement("div");
  box.dataset.testid = "url-state-note";
  box.setAttribute("role", "status");
  if (notes.length === 0) {
    box.hidden = true;
    return box;
  }
  box.className = "warning";
  const lead = document.createElement("p");
  lead.textContent = "Some values in this link could not be used as given:";
  const list = document.createElement("ul");
  for (const note of notes) {
    const item = document.createElement("li");
    item.textContent = note;
    list.append(item);
  }
  box.append(lead, list);
  return box;
}
