/**
 * The tfjs weights-manifest validator (src/lib/io/tfjs-manifest.ts) and both paths that read a manifest
 * through it: the reference-net importer (io/tfjs-import.ts) and the general converter's file reader
 * (convert/weights.ts). Each bad manifest is refused naming the file, the weight and the problem.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend } from "../../../loaders/backend.js";
import { ReferenceNet } from "../../../src/lib/models/reference.js";
import { readParameters } from "../../../src/lib/compression/parameters.js";
import { exportTfjsLayersModel, tfjsModelFiles } from "../../../src/lib/io/tfjs-export.js";
import { referenceParamsFromTfjs } from "../../../src/lib/io/tfjs-import.js";
import { artifactsFromFiles, decodeLayerWeights } from "../../../src/lib/convert/weights.js";
import { checkWeightBytes, checkWeightsManifest, weightBytes } from "../../../src/lib/io/tfjs-manifest.js";

before(async () => {
  await initBackend("cpu");
});

const input = { height: 28, width: 28, channels: 1, classes: 10 };

interface Manifest {
  weightsManifest: { paths: string[]; weights: ({ name?: unknown; shape?: unknown; dtype?: string } | null)[] }[];
}

/** The reference net's export: parsed model.json and weights.bin. */
function exported(): { json: Manifest & Record<string, unknown>; bin: ArrayBuffer } {
  const net = new ReferenceNet(input, 1);
  try {
    const files = tfjsModelFiles(exportTfjsLayersModel(readParameters(net), input));
    return { json: JSON.parse(files.modelJson), bin: files.weightsBin };
  } finally {
    net.dispose();
  }
}

/** The export with its manifest edited; `at` is the index of conv1/kernel's entry (0). */
function withEntry(patch: (w: Manifest["weightsManifest"][0]["weights"]) => void) {
  const e = exported();
  patch(e.json.weightsManifest[0]!.weights);
  return e;
}

/** Both readers of a manifest refuse it with `message` (import: model.json + weights; converter: files). */
function bothRefuse(e: ReturnType<typeof exported>, message: RegExp): void {
  assert.throws(() => referenceParamsFromTfjs(e.json, e.bin, "mine.json"), message, "tfjs-import");
  assert.throws(() => artifactsFromFiles(e.json, { "weights.bin": e.bin }, "mine.json"), message, "converter");
}

test("a negative, fractional or string dim is refused naming the file, the weight and its shape", () => {
  const at = (shape: unknown) =>
    withEntry((w) => {
      w[0]!.shape = shape;
    });
  bothRefuse(
    at([-16]),
    /^Error: mine\.json: weight "conv1\/kernel" has shape \[-16\]: dims must be non-negative integers$/,
  );
  bothRefuse(
    at([15.5]),
    /^Error: mine\.json: weight "conv1\/kernel" has shape \[15\.5\]: dims must be non-negative integers$/,
  );
  bothRefuse(
    at([3, "3", 1, 16]),
    /^Error: mine\.json: weight "conv1\/kernel" has shape \[3,"3",1,16\]: dims must be non-negative integers$/,
  );
  bothRefuse(at("3x3"), /^Error: mine\.json: weight "conv1\/kernel" has shape "3x3": not a list of dims$/);
  bothRefuse(at(undefined), /^Error: mine\.json: weight "conv1\/kernel" has no shape$/);
});

test("a null entry, a missing or non-string name, a null group are refused by position", () => {
  bothRefuse(
    withEntry((w) => {
      w[2] = null;
    }),
    /^Error: mine\.json: weight 3 of weights group 1 is null, not a \{name, shape, dtype\} entry$/,
  );
  bothRefuse(
    withEntry((w) => {
      delete w[1]!.name;
    }),
    /^Error: mine\.json: weight 2 of weights group 1 has no "name"$/,
  );
  bothRefuse(
    withEntry((w) => {
      w[1]!.name = 7;
    }),
    /^Error: mine\.json: weight 2 of weights group 1 has "name" 7, not a string$/,
  );
  const e = exported();
  (e.json.weightsManifest as unknown[]).push(null);
  bothRefuse(e, /^Error: mine\.json: weights group 2 of the manifest is null, not a \{paths, weights\} group$/);
  const notList = exported();
  (notList.json as Record<string, unknown>).weightsManifest = { paths: ["weights.bin"] };
  bothRefuse(notList, /^Error: mine\.json: "weightsManifest" is not a list$/);
});

test("a weight listed twice is refused naming it and both positions", () => {
  bothRefuse(
    withEntry((w) => {
      w[3]!.name = "conv1/kernel";
    }),
    /^Error: mine\.json: weight "conv1\/kernel" is listed twice \(weights 1 and 4 of the manifest\)$/,
  );
});

test("an unreadable dtype is refused naming the weight", () => {
  bothRefuse(
    withEntry((w) => {
      w[0]!.dtype = "complex64";
    }),
    /^Error: mine\.json: weight "conv1\/kernel" has dtype "complex64", which holds no numbers$/,
  );
});

test("a wrong conv1 kernel shape is a shape mismatch with both shapes, not a truncated file", () => {
  const e = withEntry((w) => {
    w[0]!.shape = [5, 5, 1, 16];
  });
  assert.throws(
    () => referenceParamsFromTfjs(e.json, e.bin, "mine.json"),
    /^Error: mine\.json: weight "conv1\/kernel" expects \[3,3,1,16\], got \[5,5,1,16\]$/,
  );
  const bias = withEntry((w) => {
    w[1]!.shape = [16, 1];
  });
  assert.throws(
    () => referenceParamsFromTfjs(bias.json, bias.bin, "mine.json"),
    /^Error: mine\.json: weight "conv1\/bias" has shape \[16,1\], expected one dim \[out\]$/,
  );
  const dense = withEntry((w) => {
    w[6]!.shape = [32, 10];
  });
  assert.throws(
    () => referenceParamsFromTfjs(dense.json, dense.bin, "mine.json"),
    /^Error: mine\.json: weight "dense\/kernel" expects \[64,10\], got \[32,10\]$/,
  );
});

test("weights bytes: a short file is truncated at the first weight it cannot hold; a long one says both counts", () => {
  const e = exported();
  const specs = checkWeightsManifest(e.json.weightsManifest, "m.json").flatMap((g) => g.weights);
  const total = specs.reduce((a, s) => a + weightBytes(s, "m.json"), 0);
  assert.equal(total, e.bin.byteLength);
  // conv1/kernel 3·3·1·16 floats (576 bytes), conv1/bias 16 (64 bytes): 600 bytes end inside the bias.
  assert.equal(weightBytes(specs[0]!, "m.json"), 576);
  assert.throws(
    () => referenceParamsFromTfjs(e.json, e.bin.slice(0, 600), "mine.json"),
    new RegExp(
      `^Error: mine\\.json: weights file is truncated: weight "conv1/bias" needs bytes 576…640, the file holds 600 \\(the manifest describes ${total}\\)$`,
    ),
  );
  assert.throws(
    () => artifactsFromFiles(e.json, { "weights.bin": e.bin.slice(0, 600) }, "mine.json"),
    new RegExp(
      `^Error: mine\\.json: weights file weights\\.bin is truncated: weight "conv1/bias" needs bytes 576…640, the file holds 600 \\(the manifest describes ${total}\\)$`,
    ),
  );
  const long = new Uint8Array(e.bin.byteLength + 4);
  long.set(new Uint8Array(e.bin));
  assert.throws(
    () => referenceParamsFromTfjs(e.json, long.buffer, "mine.json"),
    new RegExp(`^Error: mine\\.json: weights file has ${total + 4} bytes, the manifest describes ${total}$`),
  );
  assert.throws(
    () => checkWeightBytes(0, specs, "m.json", "weights file w.bin"),
    new RegExp(`^Error: m\\.json: weights file w\\.bin is truncated: weight "conv1/kernel" needs bytes 0…576`),
  );
  assert.doesNotThrow(() => checkWeightBytes(total, specs, "m.json"));
});

test("artifacts handed over directly (tf.io) are checked by the same validator", () => {
  const e = exported();
  const specs = e.json.weightsManifest[0]!.weights as { name: string; shape: number[]; dtype: "float32" }[];
  const artifacts = { modelTopology: {}, weightSpecs: specs.map((s) => ({ ...s })), weightData: e.bin };
  assert.equal(decodeLayerWeights(artifacts, "mine.json").get("conv1/kernel")!.values.length, 144);
  artifacts.weightSpecs[2]!.shape = [5, -5, 16, 32];
  assert.throws(
    () => decodeLayerWeights(artifacts, "mine.json"),
    /^Error: mine\.json: weight "conv2\/kernel" has shape \[5,-5,16,32\]: dims must be non-negative integers$/,
  );
});
