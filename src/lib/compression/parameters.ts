/**
 * A model's parameters as plain lists ({name, shape, values}, row-major in tfjs layout): read out of tfjs,
 * assigned back by name, and re-indexed along one axis. Conversion and pruning work on these lists, so they
 * never touch a model's variables until the result is assigned.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { WeightsParameter } from "../io/weights-file.js";

/** A named parameter's values, row-major in tfjs layout. */
export type ParameterTensor = WeightsParameter;

/** Copy a model's parameters out of tfjs (names aligned with its trainable variables). */
export function readParameters(model: {
  parameterNames: readonly string[];
  trainableVariables: tf.Variable[];
}): ParameterTensor[] {
  return model.trainableVariables.map((v, i) => ({
    name: model.parameterNames[i],
    shape: v.shape.slice(),
    values: v.dataSync().slice() as Float32Array,
  }));
}

/** Assign parameters to a model by name; every variable must be given, with its exact shape. */
export function assignParameters(
  model: { parameterNames: readonly string[]; trainableVariables: tf.Variable[] },
  params: readonly ParameterTensor[],
  where = "assignParameters",
): void {
  const byName = new Map(params.map((p) => [p.name, p]));
  model.trainableVariables.forEach((v, i) => {
    const name = model.parameterNames[i];
    const p = byName.get(name);
    if (!p) throw new Error(`${where}: no values for parameter "${name}"`);
    if (p.shape.join() !== v.shape.join())
      throw new Error(`${where}: parameter "${name}" has shape [${p.shape}], the model expects [${v.shape}]`);
  });
  model.trainableVariables.forEach((v, i) => {
    const p = byName.get(model.parameterNames[i])!;
    tf.tidy(() => v.assign(tf.tensor(p.values, p.shape, "float32")));
  });
}

/** The parameter called `name`, or an error listing the ones there are. */
export function findParameter(params: readonly ParameterTensor[], name: string, where: string): ParameterTensor {
  const p = params.find((q) => q.name === name);
  if (!p) throw new Error(`${where}: no parameter "${name}" (have: ${params.map((q) => q.name).join(", ")})`);
  return p;
}

/** Values of `values` (shape `shape`) with axis `axis` re-indexed: out[…, k, …] = in[…, index[k], …]. */
export function gatherAxis(
  values: Float32Array,
  shape: readonly number[],
  axis: number,
  index: ArrayLike<number>,
): Float32Array {
  const n = shape[axis];
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const m = index.length;
  const out = new Float32Array(outer * m * inner);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < m; k++) {
      const c = index[k];
      if (!(Number.isInteger(c) && c >= 0 && c < n))
        throw new Error(`gatherAxis: channel index ${c} outside 0..${n - 1}`);
      const src = (o * n + c) * inner;
      out.set(values.subarray(src, src + inner), (o * m + k) * inner);
    }
  }
  return out;
}
