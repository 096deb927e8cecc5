/**
 * Dataset discovery reads each data/<name>/ folder's IDX headers (not the data): a folder with a bad or
 * disagreeing file is skipped with the file and the problem, once, on stderr, and the build's dynamic paths
 * list only the usable datasets — so one corrupt folder cannot fail the site build.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { gzipSync } from "node:zlib";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { inspectDatasets, listDatasets, loadDataset, STANDARD_FILES } from "../../loaders/datasets.js";
import { sweepDatasets, sweepDynamicPaths } from "../../loaders/sweep/dynamic-paths.js";
import { encodeIdxUbyte } from "../../src/lib/data/idx.js";

const projectRoot = fileURLToPath(new URL("../..", import.meta.url));
const root = mkdtempSync(join(tmpdir(), "integral-lab-discovery-"));
after(() => rmSync(root, { recursive: true, force: true }));

type Files = Record<string, Uint8Array>;

function dataset(count = 5, side = 4): Files {
  const images = (n: number) => encodeIdxUbyte([n, side, side], new Uint8Array(n * side * side).fill(7));
  const labels = (n: number) =>
    encodeIdxUbyte(
      [n],
      Uint8Array.from({ length: n }, (_, i) => i % 3),
    );
  return {
    [STANDARD_FILES.trainImages]: images(count),
    [STANDARD_FILES.trainLabels]: labels(count),
    [STANDARD_FILES.testImages]: images(3),
    [STANDARD_FILES.testLabels]: labels(3),
  };
}

function write(name: string, files: Files, gzip = false): void {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [base, bytes] of Object.entries(files))
    writeFileSync(join(dir, gzip ? `${base}.gz` : base), gzip ? gzipSync(bytes) : bytes);
}

test("good folders are listed, bad ones skipped with the file and the problem", () => {
  write("good", dataset());
  write("goodgz", dataset(), true);
  const magic = dataset();
  magic[STANDARD_FILES.trainLabels] = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
  write("badmagic", magic);
  const short = dataset();
  short[STANDARD_FILES.testImages] = short[STANDARD_FILES.testImages].subarray(0, 30);
  write("truncated", short, true);
  const counts = dataset();
  counts[STANDARD_FILES.trainLabels] = encodeIdxUbyte([4], new Uint8Array(4));
  write("counts", counts);
  const shapes = dataset();
  shapes[STANDARD_FILES.testImages] = encodeIdxUbyte([3, 5, 4], new Uint8Array(60));
  write("shapes", shapes);
  const missing = dataset();
  delete missing[STANDARD_FILES.testLabels];
  write("missing", missing);
  mkdirSync(join(root, "not-a-dataset"), { recursive: true });
  writeFileSync(join(root, "not-a-dataset", "notes.txt"), "unrelated");
  const badgz = dataset();
  write("badgz", badgz, true);
  writeFileSync(
    join(root, "badgz", `${STANDARD_FILES.trainImages}.gz`),
    Uint8Array.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4]),
  );

  const { names, skipped } = inspectDatasets({ dataDir: root });
  assert.deepEqual(names, ["good", "goodgz"]);
  const why = Object.fromEntries(skipped.map((s) => [s.name, `${s.file}: ${s.problem}`]));
  assert.deepEqual(Object.keys(why).sort(), ["badgz", "badmagic", "counts", "missing", "shapes", "truncated"]);
  assert.equal(why.badmagic, "badmagic/train-labels-idx1-ubyte: not an IDX file (wrong magic number)");
  assert.match(
    why.truncated!,
    /^truncated\/t10k-images-idx3-ubyte\.gz: dimensions \[3, 4, 4\] need 64 bytes, the file holds 30$/,
  );
  assert.equal(why.counts, "counts/train-labels-idx1-ubyte: 4 labels for 5 images");
  assert.equal(why.shapes, "shapes/t10k-images-idx3-ubyte: test images are 5×4×1, training images 4×4×1");
  assert.equal(why.missing, "missing/t10k-labels-idx1-ubyte: missing");
  assert.match(why.badgz!, /^badgz\/train-images-idx3-ubyte\.gz: bad gzip data/);
  // What discovery accepts, the loader reads.
  for (const name of names) assert.equal(loadDataset(name, { dataDir: root }).train.count, 5);
});

test("listDatasets warns once per bad folder and the build's dynamic paths skip it", () => {
  const lines: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => (
    lines.push(String(chunk)),
    true
  )) as typeof process.stderr.write;
  const previous = process.env.INTEGRAL_LAB_DATA_DIR;
  process.env.INTEGRAL_LAB_DATA_DIR = root;
  try {
    assert.deepEqual(listDatasets({ dataDir: root }), ["mnist", "good", "goodgz"]);
    assert.deepEqual(sweepDynamicPaths(), ["/data/good/curves.json", "/data/goodgz/curves.json"]);
    assert.deepEqual(sweepDatasets().names, ["good", "goodgz"]);
  } finally {
    process.stderr.write = write;
    if (previous === undefined) delete process.env.INTEGRAL_LAB_DATA_DIR;
    else process.env.INTEGRAL_LAB_DATA_DIR = previous;
  }
  const badmagic = lines.filter((l) => l.includes("data/badmagic"));
  assert.deepEqual(badmagic, [
    "[datasets] skipping data/badmagic: badmagic/train-labels-idx1-ubyte: not an IDX file (wrong magic number)\n",
  ]);
  assert.equal(lines.length, 6, `one line per bad folder:\n${lines.join("")}`);
});

test("the site config tells the curves page which datasets were built and why a skipped one is missing", () => {
  const out = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "-e",
      'import("./observablehq.config.ts").then((c) => process.stdout.write(JSON.stringify({ head: c.default.head, paths: c.default.dynamicPaths() })))',
    ],
    { cwd: projectRoot, env: { ...process.env, INTEGRAL_LAB_DATA_DIR: root }, encoding: "utf-8" },
  );
  assert.equal(out.status, 0, out.stderr);
  const { head, paths } = JSON.parse(out.stdout) as { head: string; paths: string[] };
  assert.deepEqual(paths, ["/data/good/curves.json", "/data/goodgz/curves.json"]);
  assert.match(
    head,
    /<link rel="alternate" type="application\/json" href="\/data\/good\/curves\.json" data-curves-dataset="good">/,
  );
  const json = /<script type="application\/json" id="curves-datasets">([^<]*)<\/script>/.exec(head)![1]!;
  const { skipped } = JSON.parse(json) as { skipped: { name: string; file: string; problem: string }[] };
  assert.deepEqual(
    skipped.find((s) => s.name === "badmagic"),
    { name: "badmagic", file: "badmagic/train-labels-idx1-ubyte", problem: "not an IDX file (wrong magic number)" },
  );
  // Listing the build's pages warns once per skipped folder on stderr, naming its file.
  assert.match(out.stderr, /\[datasets\] skipping data\/badmagic: badmagic\/train-labels-idx1-ubyte: not an IDX file/);
});
