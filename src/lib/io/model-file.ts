/**
 * Continuous model files: a JSON manifest plus one little-endian float32 blob of every node tensor.
 * The nodes are the model — a file saved after resampling still holds the full continuous weights and
 * the sizes it was resampled to, so loading and resizing any number of times gives exactly what a fresh
 * load and one resize give (the upstream implementation overwrites its parameters when resizing and
 * cannot go back). Pure: functions take and return `{ manifest, blob }`; Node or browser I/O is elsewhere.
 *
 *   { "format": "integral-lab/continuous-model", "version": 1,
 *     "model": { "name": "reference-inn", "ranges": {…}, "kernel": "cubic", "cubicA": -0.75, "quadrature": "trapezoid" },
 *     "input": { "height": 28, "width": 28, "channels": 1, "classes": 10 },
 *     "groups": [{ "id": "conv1", "nodes": 16, "range": {"min": 4, "max": 16}, "quadrature": "trapezoid", "kernel": "cubic(A=-0.75)" }, …],
 *     "sizes": { "image": 1, "conv1": 8, … },
 *     "tensors": [{ "name": "conv1.weight", "shape": [3,3,1,16], "dtype": "float32", "byteOffset": 0, "byteLength": 576 }, …],
 *     "byteLength": 259624 }
 *
 * Grid-tuned (trainable) partitions are not part of version 1: saving such a model is refused.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { InputShape } from "../model.js";
import type { GroupDescription } from "../integral/groups.js";
import { ReferenceInn } from "../models/reference-inn.js";
import { REFERENCE_INN_NAME, referenceInnOptionsFromSpec, referenceInnSpec } from "../models/reference-inn-spec.js";

export const MODEL_FILE_FORMAT = "integral-lab/continuous-model";
export const MODEL_FILE_VERSION = 1;

export interface ManifestGroup {
  id: string;
  nodes: number;
  range?: { min: number; max: number };
  quadrature?: string;
  kernel?: string;
}

export interface ManifestTensor {
  name: string;
  shape: number[];
  dtype: "float32";
  byteOffset: number;
  byteLength: number;
}

export interface ModelFileManifest {
  format: string;
  version: number;
  model: { name: string; [option: string]: unknown };
  input: InputShape;
  groups: ManifestGroup[];
  sizes: Record<string, number>;
  tensors: ManifestTensor[];
  byteLength: number;
  /** Optional provenance (how the model was trained: recipe, seed, accuracy …); readers may ignore it. */
  training?: Record<string, unknown>;
}

export interface ModelFile {
  manifest: ModelFileManifest;
  blob: ArrayBuffer;
}

function manifestGroups(groups: GroupDescription[]): ManifestGroup[] {
  return groups
    .filter((g) => !g.parts)
    .map((g) => ({ id: g.id, nodes: g.nodes, range: g.range, quadrature: g.quadrature, kernel: g.kernel }));
}

/** Serialise a continuous model: its spec, groups, current sizes and every node tensor. */
export function saveContinuousModel(inn: ReferenceInn): ModelFile {
  const described = inn.groups.describe();
  const tuned = described.filter((g) => g.trainablePartition).map((g) => g.id);
  if (tuned.length)
    throw new Error(
      `saveContinuousModel: groups ${tuned.join(", ")} have grid-tuned partitions, which format version ${MODEL_FILE_VERSION} does not store`,
    );
  const tensors: ManifestTensor[] = [];
  let offset = 0;
  const values = inn.trainableVariables.map((v, i) => {
    const data = v.dataSync() as Float32Array;
    if (!data.every(Number.isFinite))
      throw new Error(`saveContinuousModel: parameter ${inn.parameterNames[i]} holds NaN or infinite values`);
    tensors.push({
      name: inn.parameterNames[i],
      shape: v.shape.slice(),
      dtype: "float32",
      byteOffset: offset,
      byteLength: data.length * 4,
    });
    offset += data.length * 4;
    return data;
  });
  const blob = new ArrayBuffer(offset);
  const view = new DataView(blob);
  values.forEach((data, k) => data.forEach((x, i) => view.setFloat32(tensors[k].byteOffset + 4 * i, x, true)));
  return {
    manifest: {
      format: MODEL_FILE_FORMAT,
      version: MODEL_FILE_VERSION,
      model: referenceInnSpec(inn),
      input: { ...inn.input },
      groups: manifestGroups(described),
      sizes: { ...inn.groups.sizes },
      tensors,
      byteLength: offset,
    },
    blob,
  };
}

const isPositiveInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1;

/** Largest input a model file may declare: beyond this it is a corrupt or hostile file, not an image model. */
export const MAX_INPUT = { height: 4096, width: 4096, channels: 64, classes: 65536 } as const;

/** Largest magnitude a stored node may have; trained nodes are orders of magnitude smaller. */
export const MAX_NODE_MAGNITUDE = 1e6;

/**
 * Rebuild a continuous model from a file, validating everything; `source` names the file in errors.
 * The model comes back resampled to the saved sizes. The caller owns (and disposes) it.
 */
export function loadContinuousModel(file: ModelFile, source = "model file"): ReferenceInn {
  const fail = (problem: string): never => {
    throw new Error(`${source}: ${problem}`);
  };
  const m = file?.manifest as Partial<ModelFileManifest> | undefined;
  if (!m || typeof m !== "object") fail("manifest is missing or not an object");
  if (m!.format !== MODEL_FILE_FORMAT)
    fail(`not a continuous model file (format is ${JSON.stringify(m!.format)}, expected "${MODEL_FILE_FORMAT}")`);
  if (m!.version !== MODEL_FILE_VERSION)
    fail(`unsupported format version ${JSON.stringify(m!.version)} (this reader knows version ${MODEL_FILE_VERSION})`);
  const manifest = m as ModelFileManifest;
  if (!(file.blob instanceof ArrayBuffer)) fail("the weights blob is missing (expected an ArrayBuffer)");
  if (typeof manifest.model?.name !== "string") fail(`"model" must be an object with a string name`);
  if (manifest.model.name !== REFERENCE_INN_NAME)
    fail(`unknown continuous model "${manifest.model.name}" (known: ${REFERENCE_INN_NAME})`);
  for (const k of ["height", "width", "channels", "classes"] as const) {
    if (!isPositiveInt(manifest.input?.[k]))
      fail(`input.${k} must be a positive integer, got ${JSON.stringify(manifest.input?.[k])}`);
    if (manifest.input[k] > MAX_INPUT[k]) fail(`input.${k} is ${manifest.input[k]}, more than ${MAX_INPUT[k]}`);
  }
  if (!Number.isInteger(manifest.byteLength) || manifest.byteLength < 0)
    fail(`byteLength must be a non-negative integer`);
  if (file.blob.byteLength < manifest.byteLength)
    fail(`weights blob is truncated: ${file.blob.byteLength} bytes, the manifest declares ${manifest.byteLength}`);
  if (file.blob.byteLength > manifest.byteLength)
    fail(`weights blob has ${file.blob.byteLength} bytes, the manifest declares ${manifest.byteLength}`);
  if (!Array.isArray(manifest.groups)) fail(`"groups" must be an array`);
  if (!Array.isArray(manifest.tensors)) fail(`"tensors" must be an array`);
  if (!manifest.sizes || typeof manifest.sizes !== "object") fail(`"sizes" must be an object of group sizes`);

  let options;
  try {
    options = referenceInnOptionsFromSpec(manifest.model);
  } catch (e) {
    fail((e as Error).message);
  }
  let inn: ReferenceInn;
  try {
    inn = new ReferenceInn(manifest.input, options);
  } catch (e) {
    return fail(`cannot build the model: ${(e as Error).message}`);
  }
  try {
    // The structure the spec builds must be the structure that was saved.
    const built = manifestGroups(inn.groups.describe());
    const saved = new Map(manifest.groups.map((g) => [g?.id, g]));
    for (const g of built) {
      const s = saved.get(g.id);
      if (!s) fail(`group "${g.id}" is missing from "groups"`);
      for (const key of ["nodes", "quadrature", "kernel"] as const) {
        if (s![key] !== g[key])
          fail(
            `group "${g.id}" has ${key} ${JSON.stringify(s![key])} but the model spec builds ${JSON.stringify(g[key])}`,
          );
      }
      if (JSON.stringify(s!.range) !== JSON.stringify(g.range))
        fail(
          `group "${g.id}" has training range ${JSON.stringify(s!.range)} but the model spec builds ${JSON.stringify(g.range)}`,
        );
    }
    for (const id of saved.keys())
      if (!built.some((g) => g.id === id)) fail(`unknown group ${JSON.stringify(id)} in "groups"`);

    const byName = new Map<string, ManifestTensor>();
    for (const t of manifest.tensors) {
      if (typeof t?.name !== "string") fail(`a tensor entry has no name`);
      if (byName.has(t.name)) fail(`tensor "${t.name}" is listed twice`);
      byName.set(t.name, t);
    }
    const view = new DataView(file.blob);
    const claimed: { name: string; start: number; end: number }[] = [];
    const values = inn.trainableVariables.map((v, i) => {
      const name = inn.parameterNames[i];
      const t = byName.get(name);
      if (!t) fail(`tensor "${name}" is missing`);
      if (t!.dtype !== "float32")
        fail(`tensor "${name}" has dtype ${JSON.stringify(t!.dtype)}, only float32 is supported`);
      if (!Array.isArray(t!.shape) || !t!.shape.every((d) => Number.isInteger(d)))
        fail(`tensor "${name}": shape must be an array of integers, got ${JSON.stringify(t!.shape)}`);
      if (t!.shape.join() !== v.shape.join())
        fail(`tensor "${name}" has shape [${t!.shape}], the model expects [${v.shape}]`);
      const bytes = v.size * 4;
      if (t!.byteLength !== bytes)
        fail(`tensor "${name}" declares ${t!.byteLength} bytes, shape [${v.shape}] needs ${bytes}`);
      if (!Number.isInteger(t!.byteOffset) || t!.byteOffset < 0 || t!.byteOffset + bytes > file.blob.byteLength) {
        fail(
          `tensor "${name}" lies outside the weights blob (offset ${t!.byteOffset}, ${bytes} bytes, blob ${file.blob.byteLength} bytes)`,
        );
      }
      const other = claimed.find((c) => t!.byteOffset < c.end && c.start < t!.byteOffset + bytes);
      if (other)
        fail(
          `tensor "${name}" (bytes ${t!.byteOffset}–${t!.byteOffset + bytes}) overlaps tensor "${other.name}" (bytes ${other.start}–${other.end})`,
        );
      claimed.push({ name, start: t!.byteOffset, end: t!.byteOffset + bytes });
      const data = new Float32Array(v.size);
      for (let k = 0; k < data.length; k++) {
        const x = view.getFloat32(t!.byteOffset + 4 * k, true);
        if (!Number.isFinite(x)) fail(`tensor "${name}" holds ${x} at index ${k}`);
        if (Math.abs(x) > MAX_NODE_MAGNITUDE)
          fail(`tensor "${name}" holds ${x} at index ${k}, beyond ±${MAX_NODE_MAGNITUDE} (not a trained model)`);
        data[k] = x;
      }
      return data;
    });
    for (const name of byName.keys()) if (!inn.parameterNames.includes(name)) fail(`unknown tensor "${name}"`);

    const full = inn.groups.fullSizes;
    for (const [id, size] of Object.entries(manifest.sizes)) {
      if (!Object.hasOwn(full, id)) fail(`sizes names unknown group ${JSON.stringify(id)}`);
      if (!Number.isInteger(size) || size < 1 || size > full[id])
        fail(`size of group "${id}" must be an integer in [1, ${full[id]}], got ${JSON.stringify(size)}`);
      if (id !== "conv1" && id !== "conv2" && id !== "conv3" && size !== full[id])
        fail(`group "${id}" is fixed at ${full[id]} channels, got size ${size}`);
    }
    inn.trainableVariables.forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(values[i], v.shape, "float32"))));
    const { conv1, conv2, conv3 } = { ...full, ...manifest.sizes };
    inn.resample({ conv1, conv2, conv3 });
    return inn;
  } catch (e) {
    inn.dispose();
    throw e;
  }
}

/**
 * Single-file container for a model file (one download, one data-loader output):
 *
 *   0  magic "ILMF" (4 bytes)   4  version u16 (= 1)   6  reserved u16 (= 0)
 *   8  manifest length u32 (bytes of UTF-8 JSON)       12 manifest JSON, then the blob
 *
 * Little-endian. The blob follows the manifest directly; its length is the manifest's byteLength.
 */
export const MODEL_CONTAINER_MAGIC = "ILMF";
export const MODEL_CONTAINER_VERSION = 1;
const CONTAINER_HEADER_BYTES = 12;

/** Pack a manifest and its blob into one byte array. */
export function encodeModelFile(manifest: ModelFileManifest, blob: ArrayBuffer): Uint8Array {
  if (blob.byteLength !== manifest.byteLength)
    throw new Error(`encodeModelFile: blob has ${blob.byteLength} bytes, the manifest declares ${manifest.byteLength}`);
  const json = new TextEncoder().encode(JSON.stringify(manifest));
  const out = new Uint8Array(CONTAINER_HEADER_BYTES + json.length + blob.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 4; i++) out[i] = MODEL_CONTAINER_MAGIC.charCodeAt(i);
  view.setUint16(4, MODEL_CONTAINER_VERSION, true);
  view.setUint16(6, 0, true);
  view.setUint32(8, json.length, true);
  out.set(json, CONTAINER_HEADER_BYTES);
  out.set(new Uint8Array(blob), CONTAINER_HEADER_BYTES + json.length);
  return out;
}

/**
 * Unpack a container into `{ manifest, blob }` (the manifest is parsed, not yet validated: pass the result
 * to a loader such as `loadContinuousModel`). `name` (file name or URL) appears in every error.
 */
export function decodeModelFile(bytes: Uint8Array, name: string): ModelFile {
  const fail = (problem: string): never => {
    throw new Error(`${name}: ${problem}`);
  };
  if (!(bytes instanceof Uint8Array)) fail("expected the file's bytes (a Uint8Array)");
  if (bytes.length < CONTAINER_HEADER_BYTES)
    fail(`truncated model file: ${bytes.length} bytes, the header alone needs ${CONTAINER_HEADER_BYTES}`);
  const magic = String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]);
  if (magic !== MODEL_CONTAINER_MAGIC)
    fail(`not a model file: magic ${JSON.stringify(magic)}, expected "${MODEL_CONTAINER_MAGIC}"`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(4, true);
  if (version !== MODEL_CONTAINER_VERSION)
    fail(`unsupported model file container version ${version} (this reader knows version ${MODEL_CONTAINER_VERSION})`);
  const manifestLength = view.getUint32(8, true);
  if (CONTAINER_HEADER_BYTES + manifestLength > bytes.length)
    fail(
      `truncated model file: the manifest needs ${manifestLength} bytes, only ${bytes.length - CONTAINER_HEADER_BYTES} follow the header`,
    );
  let manifest: ModelFileManifest;
  try {
    manifest = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(
        bytes.subarray(CONTAINER_HEADER_BYTES, CONTAINER_HEADER_BYTES + manifestLength),
      ),
    );
  } catch (e) {
    return fail(`the manifest is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (!manifest || typeof manifest !== "object") fail("the manifest is not a JSON object");
  const blobStart = CONTAINER_HEADER_BYTES + manifestLength;
  const declared = manifest.byteLength;
  if (!Number.isInteger(declared) || declared < 0)
    fail(`the manifest's byteLength must be a non-negative integer, got ${JSON.stringify(declared)}`);
  const available = bytes.length - blobStart;
  if (available < declared)
    fail(`truncated model file: the weights blob needs ${declared} bytes, ${available} are present`);
  if (available > declared)
    fail(`model file has ${available - declared} trailing bytes after the ${declared}-byte weights blob`);
  return { manifest, blob: bytes.slice(blobStart).buffer as ArrayBuffer };
}
