/**
 * The named tensors of a continuous model file (`{ manifest, blob }`, see model-file.ts) as plain
 * float32 arrays, without tfjs: what a page needs to draw a trained layer's weights, its channel
 * distance matrix or its weight function, with no model built. Every entry is checked against the blob.
 */
import type { ModelFile } from "./model-file.js";
import type { WeightsParameter } from "./weights-file.js";

/** Every tensor of the file (row-major, tfjs layout), in manifest order. `source` names the file in errors. */
export function modelFileTensors(file: ModelFile, source = "model file"): WeightsParameter[] {
  const { manifest, blob } = file;
  if (!manifest || !Array.isArray(manifest.tensors)) throw new Error(`${source}: the manifest has no "tensors" list`);
  return manifest.tensors.map((t, k) => {
    const where = `${source}: tensor ${k} (${JSON.stringify(t?.name)})`;
    if (typeof t.name !== "string" || !Array.isArray(t.shape) || t.shape.some((d) => !Number.isInteger(d) || d < 0))
      throw new Error(`${where} needs a name and a shape of non-negative integers`);
    if (t.dtype !== "float32") throw new Error(`${where} has dtype ${JSON.stringify(t.dtype)}; only float32 is stored`);
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (t.byteLength !== count * 4)
      throw new Error(
        `${where}: shape [${t.shape.join(", ")}] needs ${count * 4} bytes, the manifest says ${t.byteLength}`,
      );
    if (
      !Number.isInteger(t.byteOffset) ||
      t.byteOffset < 0 ||
      t.byteOffset % 4 !== 0 ||
      t.byteOffset + t.byteLength > blob.byteLength
    ) {
      throw new Error(
        `${where}: bytes ${t.byteOffset}…${t.byteOffset + t.byteLength} are outside the ${blob.byteLength}-byte blob (or not 4-byte aligned)`,
      );
    }
    const values = new Float32Array(blob.slice(t.byteOffset, t.byteOffset + t.byteLength));
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i]))
        throw new Error(`${where}: value ${i} is ${values[i]}; a trained model has finite weights`);
    }
    return { name: t.name, shape: [...t.shape], values };
  });
}

/**
 * A 2-D channel-by-channel view of a weight tensor: M[o][i] = the mean over spatial taps of
 * W[…, i, o] (tfjs layout: …, in, out), i.e. the sampled W(x_out, x_in) averaged over the kernel, or
 * one spatial tap `tap` (row-major index into the k×k taps). Returns rows = out, cols = in.
 */
export function channelMatrix(
  t: WeightsParameter,
  options: { tap?: number } = {},
): { rows: number; cols: number; values: Float64Array } {
  if (t.shape.length < 2)
    throw new Error(`channelMatrix: ${t.name} has shape [${t.shape.join(", ")}]; it needs input and output axes`);
  const out = t.shape[t.shape.length - 1] as number;
  const inn = t.shape[t.shape.length - 2] as number;
  const taps = t.values.length / (out * inn);
  const tap = options.tap;
  if (tap !== undefined && !(Number.isInteger(tap) && tap >= 0 && tap < taps))
    throw new Error(`channelMatrix: ${t.name} has ${taps} spatial taps; tap ${tap} does not exist`);
  const values = new Float64Array(out * inn);
  for (let s = 0; s < taps; s++) {
    if (tap !== undefined && s !== tap) continue;
    for (let i = 0; i < inn; i++)
      for (let o = 0; o < out; o++) values[o * inn + i] += t.values[(s * inn + i) * out + o] as number;
  }
  if (tap === undefined) for (let k = 0; k < values.length; k++) values[k] = (values[k] as number) / taps;
  return { rows: out, cols: inn, values };
}
