/**
 * The weights of a tfjs layers model: model.json's weightsManifest with its shard files, or `tf.io`
 * ModelArtifacts, decoded into float32 values by name (quantised weights dequantised by tf.io) and checked:
 * every shard present, byte counts equal to what the manifest describes, dtypes readable, values finite.
 */
import * as tf from "@tensorflow/tfjs-core";

export interface DecodedWeight {
  name: string;
  shape: number[];
  values: Float32Array;
}

type Json = Record<string, unknown>;

/** Bytes one weight takes in the weights data. */
function specBytes(spec: tf.io.WeightsManifestEntry, fail: (m: string) => never): number {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  const q = spec.quantization?.dtype;
  if (q) return count * (q === "uint8" ? 1 : 2);
  switch (spec.dtype) {
    case "float32":
    case "int32":
      return 4 * count;
    case "bool":
      return count;
    default:
      return fail(`weight "${spec.name}" has dtype ${JSON.stringify(spec.dtype)}, which holds no numbers`);
  }
}

function checkSpecs(specs: unknown, where: string, fail: (m: string) => never): tf.io.WeightsManifestEntry[] {
  if (!Array.isArray(specs)) return fail(`${where} has no weight list`);
  return specs.map((s, i) => {
    if (
      typeof s !== "object" ||
      s === null ||
      typeof (s as Json).name !== "string" ||
      !Array.isArray((s as Json).shape) ||
      !((s as Json).shape as unknown[]).every((d) => Number.isInteger(d) && (d as number) >= 0)
    )
      return fail(`${where}: entry ${i + 1} is not a {name, shape, dtype} weight`);
    return s as tf.io.WeightsManifestEntry;
  });
}

const basename = (path: string) => path.slice(path.lastIndexOf("/") + 1);

/**
 * The artifacts of a parsed model.json and its weight files (by the paths the manifest names, or their
 * base names): every shard must be given and each manifest group's shards must hold exactly its weights.
 */
export function artifactsFromFiles(
  modelJson: unknown,
  files: Readonly<Record<string, ArrayBuffer>>,
  source = "model.json",
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
  const manifest = json.weightsManifest ?? [];
  if (!Array.isArray(manifest)) return fail(`"weightsManifest" is not a list`);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  manifest.forEach((group: unknown, g) => {
    const listed = (group as Json | null)?.paths;
    if (!Array.isArray(listed) || !listed.every((p) => typeof p === "string"))
      return fail(`weights group ${g + 1} of the manifest has no list of file paths`);
    const paths = listed as string[];
    const weights = checkSpecs((group as Json).weights, `weights group ${g + 1}`, fail);
    const shards = paths.map((p) => {
      const file = files[p] ?? files[basename(p)];
      if (!file) return fail(`weights file "${p}" (named in the manifest) was not given`);
      return file;
    });
    const held = shards.reduce((a, b) => a + b.byteLength, 0);
    const described = weights.reduce((a, w) => a + specBytes(w, fail), 0);
    if (held !== described)
      fail(
        `weights file${paths.length > 1 ? "s" : ""} ${paths.join(", ")} hold${paths.length > 1 ? "" : "s"} ${held} bytes; the manifest describes ${described} for ${weights.map((w) => w.name).join(", ")}`,
      );
    specs.push(...weights);
    buffers.push(...shards);
  });
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
  const specs = checkSpecs(artifacts.weightSpecs ?? [], "the weights manifest", fail);
  const raw = artifacts.weightData;
  const data = raw === undefined ? new ArrayBuffer(0) : Array.isArray(raw) ? tf.io.concatenateArrayBuffers(raw) : raw;
  const described = specs.reduce((a, s) => a + specBytes(s, fail), 0);
  if (data.byteLength !== described)
    fail(
      `the weights hold ${data.byteLength} bytes; the manifest describes ${described} (the weights file does not match it)`,
    );
  const out = new Map<string, DecodedWeight>();
  if (specs.length === 0) return out;
  const tensors = tf.io.decodeWeights(data, specs);
  try {
    for (const spec of specs) {
      if (out.has(spec.name)) fail(`the manifest lists weight "${spec.name}" twice`);
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
