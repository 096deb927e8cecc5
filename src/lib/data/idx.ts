/**
 * The IDX file format (LeCun's MNIST format): a 4-byte magic number `0 0 <type> <ndims>`, then
 * `ndims` big-endian uint32 dimension sizes, then the row-major data, multi-byte values big-endian.
 * Pure: takes bytes, never touches the file system, so Node loaders and the browser share it.
 * Every error names the file it came from and what exactly is wrong with it.
 */

/** IDX element types by their type byte. */
const IDX_TYPES = {
  0x08: { name: "ubyte", bytes: 1 },
  0x09: { name: "sbyte", bytes: 1 },
  0x0b: { name: "int16", bytes: 2 },
  0x0c: { name: "int32", bytes: 4 },
  0x0d: { name: "float32", bytes: 4 },
  0x0e: { name: "float64", bytes: 8 },
} as const;

export type IdxType = (typeof IDX_TYPES)[keyof typeof IDX_TYPES]["name"];

export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  type: IdxType;
  /** Dimension sizes, outermost first. */
  dims: number[];
  /** Row-major values. For "ubyte" this is a view on the input bytes (no copy). */
  data: IdxData;
}

/** Images as stored in an IDX file: `count` row-major [height, width, channels] uint8 pictures. */
export interface IdxImages {
  count: number;
  height: number;
  width: number;
  channels: number;
  /** [count, height, width, channels] row-major, 0..255; a view on the input bytes. */
  pixels: Uint8Array;
}

/** Labels as stored in an IDX file: one uint8 class index per item. */
export interface IdxLabels {
  count: number;
  /** A view on the input bytes. */
  labels: Uint8Array;
}

/** Parse any IDX file. Throws if the header is foreign, the data is truncated, or bytes trail it. */
export function parseIdx(bytes: Uint8Array, fileName: string): IdxArray {
  if (bytes.length < 4) {
    throw new Error(`${fileName}: not an IDX file: only ${bytes.length} bytes, an IDX header needs at least 4`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const magic = view.getUint32(0, false).toString(16).padStart(8, "0");
    throw new Error(
      `${fileName}: not an IDX file: wrong magic number 0x${magic} (an IDX file starts with 0x0000 then a type byte and a dimension count)`,
    );
  }
  const typeCode = bytes[2];
  const type = (IDX_TYPES as Record<number, { name: IdxType; bytes: number } | undefined>)[typeCode];
  if (!type) {
    throw new Error(
      `${fileName}: unsupported IDX data type 0x${typeCode.toString(16).padStart(2, "0")} in the magic number (known: 0x08 ubyte, 0x09 sbyte, 0x0b int16, 0x0c int32, 0x0d float32, 0x0e float64)`,
    );
  }
  const ndims = bytes[3];
  if (ndims === 0) throw new Error(`${fileName}: IDX header declares 0 dimensions`);
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new Error(
      `${fileName}: truncated IDX header: ${ndims} dimensions need ${headerBytes} header bytes, the file has ${bytes.length}`,
    );
  }
  const dims: number[] = [];
  for (let d = 0; d < ndims; d++) dims.push(view.getUint32(4 + 4 * d, false));
  // Products of uint32 stay exact in a double up to 2^53; beyond that no file could hold the data anyway.
  const elements = dims.reduce((a, b) => a * b, 1);
  const expected = headerBytes + elements * type.bytes;
  if (bytes.length < expected) {
    throw new Error(
      `${fileName}: truncated IDX data: dimensions [${dims.join(", ")}] of ${type.name} need ${expected} bytes, the file has ${bytes.length} (${expected - bytes.length} missing)`,
    );
  }
  if (bytes.length > expected) {
    throw new Error(
      `${fileName}: ${bytes.length - expected} unexpected bytes after the IDX data: dimensions [${dims.join(", ")}] of ${type.name} need ${expected} bytes, the file has ${bytes.length}`,
    );
  }
  return { type: type.name, dims, data: readValues(view, headerBytes, elements, type.name, bytes) };
}

function readValues(view: DataView, offset: number, n: number, type: IdxType, bytes: Uint8Array): IdxData {
  switch (type) {
    case "ubyte":
      return bytes.subarray(offset, offset + n);
    case "sbyte":
      return new Int8Array(bytes.buffer, bytes.byteOffset + offset, n).slice();
    case "int16": {
      const out = new Int16Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt16(offset + 2 * i, false);
      return out;
    }
    case "int32": {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(offset + 4 * i, false);
      return out;
    }
    case "float32": {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(offset + 4 * i, false);
      return out;
    }
    case "float64": {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(offset + 8 * i, false);
      return out;
    }
  }
}

/** Parse an image file: idx3 ubyte [n, h, w] (one channel) or idx4 ubyte [n, h, w, c]. */
export function parseIdxImages(bytes: Uint8Array, fileName: string): IdxImages {
  const idx = parseIdx(bytes, fileName);
  if (idx.type !== "ubyte") {
    throw new Error(`${fileName}: images must be IDX ubyte (type 0x08), this file holds ${idx.type}`);
  }
  const d = idx.dims;
  if (d.length !== 3 && d.length !== 4) {
    throw new Error(
      `${fileName}: unexpected dimensions [${d.join(", ")}] for images: expected idx3 [count, height, width] or idx4 [count, height, width, channels]`,
    );
  }
  const [count, height, width] = d;
  const channels = d.length === 4 ? d[3] : 1;
  if (count === 0) throw new Error(`${fileName}: the image file holds no images (count 0)`);
  if (height === 0 || width === 0 || channels === 0) {
    throw new Error(
      `${fileName}: unexpected dimensions [${d.join(", ")}]: image height, width and channels must be positive`,
    );
  }
  return { count, height, width, channels, pixels: idx.data as Uint8Array };
}

/** Parse a label file: idx1 ubyte [n]. With `classes`, every label must be below it. */
export function parseIdxLabels(bytes: Uint8Array, fileName: string, options: { classes?: number } = {}): IdxLabels {
  const idx = parseIdx(bytes, fileName);
  if (idx.type !== "ubyte") {
    throw new Error(`${fileName}: labels must be IDX ubyte (type 0x08), this file holds ${idx.type}`);
  }
  if (idx.dims.length !== 1) {
    throw new Error(`${fileName}: unexpected dimensions [${idx.dims.join(", ")}] for labels: expected idx1 [count]`);
  }
  const labels = idx.data as Uint8Array;
  if (labels.length === 0) throw new Error(`${fileName}: the label file holds no labels (count 0)`);
  if (options.classes !== undefined) checkLabelRange(labels, options.classes, fileName);
  return { count: labels.length, labels };
}

/** Throw if any label is ≥ classes, naming the first offending item. */
export function checkLabelRange(labels: Uint8Array, classes: number, fileName: string): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= classes) {
      throw new Error(
        `${fileName}: label ${labels[i]} at item ${i} is out of range: expected 0..${classes - 1} (${classes} classes)`,
      );
    }
  }
}

/** Largest label + 1. */
export function labelClassCount(labels: Uint8Array): number {
  let max = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] > max) max = labels[i];
  return max + 1;
}

/** Parse an image file and its label file together; their counts must agree. */
export function parseIdxPair(
  images: { bytes: Uint8Array; fileName: string },
  labels: { bytes: Uint8Array; fileName: string },
  options: { classes?: number } = {},
): IdxImages & { labels: Uint8Array } {
  const img = parseIdxImages(images.bytes, images.fileName);
  const lab = parseIdxLabels(labels.bytes, labels.fileName, options);
  if (img.count !== lab.count) {
    throw new Error(
      `image/label count mismatch: ${images.fileName} holds ${img.count} images but ${labels.fileName} holds ${lab.count} labels`,
    );
  }
  return { ...img, labels: lab.labels };
}

/** Encode a ubyte IDX file (used by tests and by anyone exporting a dataset). */
export function encodeIdxUbyte(dims: number[], data: Uint8Array): Uint8Array {
  const elements = dims.reduce((a, b) => a * b, 1);
  if (elements !== data.length) {
    throw new Error(`encodeIdxUbyte: dimensions [${dims.join(", ")}] need ${elements} values, got ${data.length}`);
  }
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + data.length);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, header);
  return out;
}
