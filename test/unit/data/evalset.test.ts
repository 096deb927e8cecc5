import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeEvalSet, encodeEvalSet } from "../../../src/lib/data/evalset.js";
import { crc32 } from "../../../src/lib/data/crc32.js";

function sample(count = 3, h = 2, w = 3, c = 2, classes = 4) {
  const images = new Uint8Array(count * h * w * c).map((_, i) => (i * 37 + 11) % 256);
  const labels = new Uint8Array(count).map((_, i) => (i * 3) % classes);
  return { split: { images, labels, count }, meta: { height: h, width: w, channels: c, classes } };
}

test("CRC-32 matches the standard check value", () => {
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  const bytes = new TextEncoder().encode("integral lab");
  assert.equal(crc32(bytes.subarray(5), crc32(bytes.subarray(0, 5))), crc32(bytes));
});

test("encode → decode round-trips pixels, labels and geometry", () => {
  const { split, meta } = sample();
  const bytes = encodeEvalSet(split, meta);
  assert.equal(bytes.length, 32 + 36 + 3);
  const back = decodeEvalSet(bytes, "eval.bin");
  assert.deepEqual([back.count, back.height, back.width, back.channels, back.classes], [3, 2, 3, 2, 4]);
  assert.deepEqual(Array.from(back.images), Array.from(split.images));
  assert.deepEqual(Array.from(back.labels), Array.from(split.labels));
  // Works on a view with a byte offset (as a fetch'd or file slice may be).
  const padded = new Uint8Array(bytes.length + 5);
  padded.set(bytes, 5);
  assert.deepEqual(Array.from(decodeEvalSet(padded.subarray(5), "view").labels), Array.from(split.labels));
});

test("wrong magic, version, truncation, trailing bytes and checksum mismatch are named", () => {
  const { split, meta } = sample();
  const good = encodeEvalSet(split, meta);
  const edit = (f: (b: Uint8Array) => void) => {
    const b = good.slice();
    f(b);
    return b;
  };
  assert.throws(
    () =>
      decodeEvalSet(
        edit((b) => {
          b[0] = 0x3c;
        }),
        "page.html",
      ),
    /page\.html: not an evaluation set: magic "<LEV"/,
  );
  assert.throws(
    () =>
      decodeEvalSet(
        edit((b) => {
          b[4] = 2;
        }),
        "e.bin",
      ),
    /e\.bin: unsupported evaluation set version 2/,
  );
  assert.throws(
    () => decodeEvalSet(good.subarray(0, 20), "e.bin"),
    /e\.bin: truncated evaluation set: 20 bytes, the header alone needs 32/,
  );
  assert.throws(
    () => decodeEvalSet(good.subarray(0, good.length - 1), "e.bin"),
    /e\.bin: truncated evaluation set: 3 images of 2×3×2 need 71 bytes, the file has 70/,
  );
  const long = new Uint8Array(good.length + 2);
  long.set(good);
  assert.throws(() => decodeEvalSet(long, "e.bin"), /trailing bytes/);
  assert.throws(
    () =>
      decodeEvalSet(
        edit((b) => {
          b[40] ^= 1;
        }),
        "e.bin",
      ),
    /e\.bin: evaluation set checksum mismatch/,
  );
  // A header field changed without updating the checksum is also caught.
  assert.throws(
    () =>
      decodeEvalSet(
        edit((b) => {
          b[24] = 5;
        }),
        "e.bin",
      ),
    /checksum mismatch/,
  );
});

test("encode rejects inconsistent input", () => {
  const { split, meta } = sample();
  assert.throws(
    () => encodeEvalSet(split, { ...meta, height: 3 }),
    /split holds 36 pixel values, expected 3×3×3×2 = 54/,
  );
  assert.throws(() => encodeEvalSet(split, { ...meta, classes: 2 }), /label 3 of item 1 is out of range for 2 classes/);
  assert.throws(() => encodeEvalSet({ ...split, labels: split.labels.subarray(0, 2) }, meta), /2 labels, expected 3/);
});
