/**
 * A compact evaluation set for the browser: a few thousand uint8 images and their labels in one
 * binary file with a CRC-32, so the page can tell a damaged or foreign download from real data.
 *
 * Layout (little-endian):
 *   0  magic "ILEV" (4 bytes)       16 width    u32
 *   4  version u16 (= 1)            20 channels u32
 *   6  header bytes u16 (= 32)      24 classes  u32
 *   8  count u32                    28 CRC-32 of bytes [0, 28) followed by bytes [32, end)
 *  12  height u32
 *  32  pixels: count × height × width × channels uint8, row-major NHWC
 *  32 + count·h·w·c  labels: count uint8
 */
import { crc32 } from "./crc32.js";
import type { Split } from "./dataset.js";

export const EVALSET_MAGIC = "ILEV";
export const EVALSET_VERSION = 1;
const HEADER_BYTES = 32;
const CHECKSUM_OFFSET = 28;

export interface EvalSetMeta {
  height: number;
  width: number;
  channels: number;
  classes: number;
}

export interface EvalSet extends Split, EvalSetMeta {}

function checkedDim(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 0xffffffff) {
    throw new Error(`encodeEvalSet: ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/** Encode a split (all of it; take a subset with headOfSplit first) and its geometry. */
export function encodeEvalSet(split: Split, meta: EvalSetMeta): Uint8Array {
  const count = checkedDim("count", split.count);
  const h = checkedDim("height", meta.height);
  const w = checkedDim("width", meta.width);
  const c = checkedDim("channels", meta.channels);
  const classes = checkedDim("classes", meta.classes);
  const pixels = count * h * w * c;
  if (split.images.length !== pixels) {
    throw new Error(
      `encodeEvalSet: split holds ${split.images.length} pixel values, expected ${count}×${h}×${w}×${c} = ${pixels}`,
    );
  }
  if (split.labels.length !== count) {
    throw new Error(`encodeEvalSet: split holds ${split.labels.length} labels, expected ${count}`);
  }
  for (let i = 0; i < count; i++) {
    if (split.labels[i] >= classes)
      throw new Error(`encodeEvalSet: label ${split.labels[i]} of item ${i} is out of range for ${classes} classes`);
  }
  const out = new Uint8Array(HEADER_BYTES + pixels + count);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 4; i++) out[i] = EVALSET_MAGIC.charCodeAt(i);
  view.setUint16(4, EVALSET_VERSION, true);
  view.setUint16(6, HEADER_BYTES, true);
  view.setUint32(8, count, true);
  view.setUint32(12, h, true);
  view.setUint32(16, w, true);
  view.setUint32(20, c, true);
  view.setUint32(24, classes, true);
  out.set(split.images, HEADER_BYTES);
  out.set(split.labels, HEADER_BYTES + pixels);
  view.setUint32(CHECKSUM_OFFSET, checksum(out), true);
  return out;
}

function checksum(file: Uint8Array): number {
  return crc32(file.subarray(HEADER_BYTES), crc32(file.subarray(0, CHECKSUM_OFFSET)));
}

/** Decode and verify an evaluation set. `sourceName` (file name or URL) appears in every error. */
export function decodeEvalSet(bytes: Uint8Array, sourceName: string): EvalSet {
  if (bytes.length < HEADER_BYTES) {
    throw new Error(
      `${sourceName}: truncated evaluation set: ${bytes.length} bytes, the header alone needs ${HEADER_BYTES}`,
    );
  }
  const magic = String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]);
  if (magic !== EVALSET_MAGIC) {
    throw new Error(
      `${sourceName}: not an evaluation set: magic ${JSON.stringify(magic)}, expected "${EVALSET_MAGIC}"`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(4, true);
  if (version !== EVALSET_VERSION) {
    throw new Error(
      `${sourceName}: unsupported evaluation set version ${version} (this code reads version ${EVALSET_VERSION})`,
    );
  }
  const headerBytes = view.getUint16(6, true);
  if (headerBytes !== HEADER_BYTES) {
    throw new Error(
      `${sourceName}: evaluation set header declares ${headerBytes} bytes, version ${EVALSET_VERSION} has ${HEADER_BYTES}`,
    );
  }
  const count = view.getUint32(8, true);
  const height = view.getUint32(12, true);
  const width = view.getUint32(16, true);
  const channels = view.getUint32(20, true);
  const classes = view.getUint32(24, true);
  if (!count || !height || !width || !channels || !classes) {
    throw new Error(
      `${sourceName}: evaluation set header has a zero size (count ${count}, ${height}×${width}×${channels}, ${classes} classes)`,
    );
  }
  const pixels = count * height * width * channels;
  const expected = HEADER_BYTES + pixels + count;
  if (bytes.length !== expected) {
    const what = bytes.length < expected ? "truncated evaluation set" : "evaluation set has trailing bytes";
    throw new Error(
      `${sourceName}: ${what}: ${count} images of ${height}×${width}×${channels} need ${expected} bytes, the file has ${bytes.length}`,
    );
  }
  const stored = view.getUint32(CHECKSUM_OFFSET, true);
  const actual = checksum(bytes);
  if (stored !== actual) {
    throw new Error(
      `${sourceName}: evaluation set checksum mismatch: stored CRC-32 0x${stored.toString(16).padStart(8, "0")}, data gives 0x${actual.toString(16).padStart(8, "0")} (the file is damaged)`,
    );
  }
  const images = bytes.slice(HEADER_BYTES, HEADER_BYTES + pixels);
  const labels = bytes.slice(HEADER_BYTES + pixels, expected);
  for (let i = 0; i < count; i++) {
    if (labels[i] >= classes)
      throw new Error(`${sourceName}: label ${labels[i]} of item ${i} is out of range for ${classes} classes`);
  }
  return { images, labels, count, height, width, channels, classes };
}
