/**
 * The weights of a tfjs layers model: model.json's weightsManifest with its shard files, or `tf.io`
 * ModelArtifacts, decoded into float32 values by name (quantised weights dequantised by tf.io) and checked:
 * every shard present, byte counts equal to what the manifest describes, dtypes readable, values finite.
 */
import * as tf from "@tensorflow/tfjs-core";
import { checkWeightBytes, checkWeightSpecs, checkWeightsManifest } from "../io/tfjs-manifest.js";

export interface DecodedWeight {
  name: string;
  shape: number[];
  values: Float32Array;
}

type Json = Record<string, unknown>;

const basename = (path: string) => path.slice(path.lastIndexOf("/") + 1);

/**
 * The artifacts of a parsed model.json and its weight files (by the paths the manifest names, or their
 * base names): every shard must be given and each manifest group's shards must hold exactly its weights.
 * `checkShapes` (e.g. convert.ts's checkLayerWeightShapes) sees the topology and entries before any shard.
 */
export function artifactsFromFiles(
  modelJson: unknown,
  files: Readonly<Record<string, ArrayBuffer>>,
  source = "model.json",
  checkShapes?: (modelTopology: object, specs: tf.io.WeightsManifestEntry[]) => void,
): tf.io.ModelArtifacts {
  const fail = (problem: string): never => {
    throw new Error(`${source}: ${problem}`);
  };
  if (typeof modelJson !== "object" || modelJson === null) return fail("not a JSON object");
  const json = modelJson as Json;
  if (json.format === "graph-model")
    fail("a graph model (tf.loadGraphModel, converted from a SavedModel); only layers models convert");
  if (typeof json.modelTopology !== "object" || json.modelTopology === null)
    fail(`no "modelTopology": not a tfjs layers model`);
  const groups = checkWeightsManifest(json.weightsManifest, source);
  // Shapes before lengths: a wrong shape is named as one, not as a weights file of the wrong size.
  checkShapes?.(
    json.modelTopology as object,
    groups.flatMap((g) => g.weights),
  );
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  for (const { paths, weights } of groups) {
    const shards = paths.map((p) => {
      const file = files[p] ?? files[basename(p)];
      if (!file) return fail(`weights file "${p}" (named in the manifest) was not given`);
      return file;
    });
    const held = shards.reduce((a, b) => a + b.byteLength, 0);
    checkWeightBytes(
      held,
      weights,
      source,
      paths.length > 1 ? `weights files ${paths.join(" + ")}` : `weights file ${paths[0]}`,
    );
    specs.push(...weights);
    buffers.push(...shards);
  }
  return {
    modelTopology: json.modelTopology as object,
    format: typeof json.format === "string" ? json.format : undefined,
    generatedBy: typeof json.generatedBy === "string" ? json.generatedBy : undefined,
    convertedBy: typeof json.convertedBy === "string" ? json.convertedBy : undefined,
    weightSpecs: specs,
    weightData: tf.io.concatenateArrayBuffers(buffers),
  };
}

/** Every weight of `artifacts` as float32 values by name; throws naming the weight and the problem. */
export function decodeLayerWeights(artifacts: tf.io.ModelArtifacts, source = "model.json"): Map<string, DecodedWeight> {
  const fail = (problem: string): never => {
    throw new Error(`${source}: ${problem}`);
  };
  const specs = checkWeightSpecs(artifacts.weightSpecs ?? [], source);
  const raw = artifacts.weightData;
  const data = raw === undefined ? new ArrayBuffer(0) : Array.isArray(raw) ? tf.io.concatenateArrayBuffers(raw) : raw;
  checkWeightBytes(data.byteLength, specs, source, "the weights data");
  const out = new Map<string, DecodedWeight>();
  if (specs.length === 0) return out;
  const tensors = tf.io.decodeWeights(data, specs);
  try {
    for (const spec of specs) {
      const t = tensors[spec.name] as tf.Tensor;
      const values = Float32Array.from(t.dataSync() as ArrayLike<number>);
      const bad = values.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) fail(`weight "${spec.name}" holds ${values[bad]} at index ${bad} (of ${values.length})`);
      out.set(spec.name, { name: spec.name, shape: spec.shape.slice(), values });
    }
  } finally {
    tf.dispose(Object.values(tensors));
  }
  return out;
}
