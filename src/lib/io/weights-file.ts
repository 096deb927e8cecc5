/**
 * The trained-weights file of a discrete model: JSON with the model spec, input shape and each
 * parameter as base64 little-endian float32. Pure (no fs), so the browser can read what Node wrote.
 *
 *   { "format": "integral-lab/weights", "version": 1, "model": {name, ...}, "input": {...},
 *     "seed": 0, "parameters": [{ "name": "conv1.weight", "shape": [3,3,1,16], "data": "<base64>" }],
 *     "statistics": [{ "name": "stem.bn.mean", "shape": [32], "data": "<base64>" }] }
 *
 * "statistics" (optional, same layout) is the model's non-trainable state (`Model.stateVariables`, e.g.
 * batch-norm running statistics); files without it stay valid, and models without state ignore it.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { InputShape, Model } from "../model.js";
import type { ModelSpec } from "../models/registry.js";

export const WEIGHTS_FORMAT = "integral-lab/weights";
export const WEIGHTS_VERSION = 1;

export interface WeightsParameter {
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface WeightsFile {
  model: ModelSpec;
  input: InputShape;
  seed: number;
  parameters: WeightsParameter[];
  /** Non-trainable state (Model.stateVariables), if the model has any. */
  statistics?: WeightsParameter[];
  /** Optional provenance (recipe, settings, the engine that trained it …); readers may ignore it. */
  training?: Record<string, unknown>;
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

export function bytesToBase64(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += ALPHABET[(n >> 18) & 63] + ALPHABET[(n >> 12) & 63];
    out += i + 1 < bytes.length ? ALPHABET[(n >> 6) & 63] : "=";
    out += i + 2 < bytes.length ? ALPHABET[n & 63] : "=";
  }
  return out;
}

export function base64ToBytes(text: string, what: string): Uint8Array {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new Error(`${what}: not valid base64`);
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const n = [0, 1, 2, 3].reduce((acc, k) => (acc << 6) | Math.max(0, ALPHABET.indexOf(text[i + k])), 0);
    for (const byte of [(n >> 16) & 255, (n >> 8) & 255, n & 255]) if (o < out.length) out[o++] = byte;
  }
  return out;
}

/** Little-endian float32 bytes (the platform's order is checked, not assumed). */
function floatsToBytes(values: Float32Array): Uint8Array {
  const view = new DataView(new ArrayBuffer(values.length * 4));
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return new Uint8Array(view.buffer);
}

function bytesToFloats(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Float32Array.from({ length: bytes.length / 4 }, (_, i) => view.getFloat32(i * 4, true));
}

/** Names of a model's parameters: its own `parameterNames` if it has them, else "p0", "p1", …. */
export function parameterNamesOf(model: Model): string[] {
  const named = (model as { parameterNames?: readonly string[] }).parameterNames;
  return model.trainableVariables.map((_, i) => named?.[i] ?? `p${i}`);
}

/** A model's non-trainable state (Model.stateVariables) as file entries; [] for a model without state. */
export function statisticsOf(model: Model): WeightsParameter[] {
  const vars = model.stateVariables ?? [];
  return vars.map((v, i) => ({
    name: model.stateNames?.[i] ?? `s${i}`,
    shape: v.shape.slice(),
    values: v.dataSync().slice() as Float32Array,
  }));
}

/** Serialise weights (e.g. read from a model or received from a worker) to the file's JSON text. */
export function encodeWeightsFile(file: WeightsFile): string {
  for (const p of [...file.parameters, ...(file.statistics ?? [])]) {
    if (p.values.length !== p.shape.reduce((a, b) => a * b, 1))
      throw new Error(`weights: parameter ${p.name} has ${p.values.length} values for shape [${p.shape}]`);
    if (!p.values.every(Number.isFinite)) throw new Error(`weights: parameter ${p.name} holds NaN or infinite values`);
  }
  const entries = (list: readonly WeightsParameter[]) =>
    list.map((p) => ({ name: p.name, shape: p.shape, data: bytesToBase64(floatsToBytes(p.values)) }));
  return JSON.stringify({
    format: WEIGHTS_FORMAT,
    version: WEIGHTS_VERSION,
    model: file.model,
    input: file.input,
    seed: file.seed,
    parameters: entries(file.parameters),
    ...(file.statistics && file.statistics.length > 0 ? { statistics: entries(file.statistics) } : {}),
    ...(file.training ? { training: file.training } : {}),
  });
}

/** Parse and validate a weights file; `source` names it in errors. */
export function decodeWeightsFile(text: string, source: string): WeightsFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source}: not a weights file (invalid JSON: ${(e as Error).message})`);
  }
  const obj = json as Record<string, unknown>;
  if (obj?.format !== WEIGHTS_FORMAT)
    throw new Error(
      `${source}: not a weights file (format is ${JSON.stringify(obj?.format)}, expected "${WEIGHTS_FORMAT}")`,
    );
  if (obj.version !== WEIGHTS_VERSION)
    throw new Error(`${source}: unsupported weights version ${JSON.stringify(obj.version)}`);
  const model = obj.model as ModelSpec;
  if (typeof model?.name !== "string") throw new Error(`${source}: "model" must be an object with a string name`);
  const input = obj.input as InputShape;
  for (const k of ["height", "width", "channels", "classes"] as const) {
    if (!Number.isInteger(input?.[k]) || input[k] < 1)
      throw new Error(`${source}: input.${k} must be a positive integer`);
  }
  if (!Array.isArray(obj.parameters)) throw new Error(`${source}: "parameters" must be an array`);
  if (obj.statistics !== undefined && !Array.isArray(obj.statistics))
    throw new Error(`${source}: "statistics" must be an array when present`);
  const entries = (list: Record<string, unknown>[], what: string) =>
    list.map((raw: Record<string, unknown>, i: number) => {
      const name = typeof raw?.name === "string" ? raw.name : `#${i}`;
      const shape = raw?.shape;
      if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0))
        throw new Error(`${source}: ${what} ${name} has an invalid shape`);
      if (typeof raw.data !== "string") throw new Error(`${source}: ${what} ${name} has no base64 data`);
      const bytes = base64ToBytes(raw.data, `${source}: ${what} ${name}`);
      const size = (shape as number[]).reduce((a, b) => a * b, 1);
      if (bytes.length !== size * 4)
        throw new Error(`${source}: ${what} ${name} holds ${bytes.length} bytes, shape [${shape}] needs ${size * 4}`);
      const values = bytesToFloats(bytes);
      if (!values.every(Number.isFinite)) throw new Error(`${source}: ${what} ${name} holds NaN or infinite values`);
      return { name, shape: shape as number[], values };
    });
  const parameters = entries(obj.parameters, "parameter");
  const statistics = Array.isArray(obj.statistics) ? entries(obj.statistics, "statistic") : undefined;
  if (
    obj.training !== undefined &&
    (typeof obj.training !== "object" || obj.training === null || Array.isArray(obj.training))
  )
    throw new Error(`${source}: "training" must be an object when present`);
  const training = obj.training as Record<string, unknown> | undefined;
  return {
    model,
    input,
    seed: Number(obj.seed ?? 0),
    parameters,
    ...(statistics ? { statistics } : {}),
    ...(training ? { training } : {}),
  };
}

/** Copy weights into a model built from the same spec; shapes must match by position. */
export function assignWeights(model: Model, parameters: readonly WeightsParameter[], source = "weights"): void {
  const vars = model.trainableVariables;
  if (parameters.length !== vars.length)
    throw new Error(`${source}: ${parameters.length} parameters for a model with ${vars.length}`);
  vars.forEach((v, i) => {
    if (!tf.util.arraysEqual(v.shape, parameters[i].shape)) {
      throw new Error(
        `${source}: parameter ${parameters[i].name} has shape [${parameters[i].shape}], the model expects [${v.shape}]`,
      );
    }
  });
  vars.forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(parameters[i].values, v.shape, "float32"))));
}

/**
 * Copy a file's non-trainable state into a model (Model.stateVariables), matched by position and
 * checked by shape (and name, where the model names its state). Returns false, changing nothing, when
 * the file has none (an older file): the caller then re-estimates (Model.calibrate) or keeps defaults.
 */
export function assignStatistics(
  model: Model,
  statistics: readonly WeightsParameter[] | undefined,
  source = "weights",
): boolean {
  const vars = model.stateVariables ?? [];
  if (!statistics || statistics.length === 0) return false;
  if (statistics.length !== vars.length)
    throw new Error(`${source}: ${statistics.length} statistics for a model with ${vars.length}`);
  vars.forEach((v, i) => {
    const name = model.stateNames?.[i];
    if (name !== undefined && statistics[i].name !== name)
      throw new Error(`${source}: statistic #${i} is "${statistics[i].name}", the model expects "${name}"`);
    if (!tf.util.arraysEqual(v.shape, statistics[i].shape))
      throw new Error(
        `${source}: statistic ${statistics[i].name} has shape [${statistics[i].shape}], the model expects [${v.shape}]`,
      );
  });
  vars.forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(statistics[i].values, v.shape, "float32"))));
  return true;
}
