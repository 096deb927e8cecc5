/**
 * Where a live session's models come from: a single-file continuous model (io/model-file.ts container), or
 * a tfjs layers model. A layers model that this library exported from the reference net (its EdgePadding2D
 * layers) is read back as the reference net and converted on the spot (permutation + exact initialisation,
 * compression/conversion.ts); any other layers model goes to the general converter (src/lib/convert, via
 * graph-session.ts). Every failure is an Error naming the file and the problem. With `fits`, a model whose
 * input or class count differs from the page's data is refused before anything is built.
 */
import type * as tf from "@tensorflow/tfjs-core";
import { decodeModelFile, loadContinuousModel } from "../io/model-file.js";
import { assignParameters, readParameters, type ParameterTensor } from "../compression/parameters.js";
import { convertReferenceNet, innDiscreteParameters } from "../compression/conversion.js";
import { ReferenceNet } from "../models/reference.js";
import type { ReferenceInn } from "../models/reference-inn.js";
import { referenceParamsFromTfjs } from "../io/tfjs-import.js";
import type { InputShape } from "../model.js";
import { checkInputFits, type FitTarget } from "./model-fit.js";
import { EDGE_PADDING_CLASS } from "../io/tfjs-export.js";
import { artifactsFromFiles } from "../convert/weights.js";
import { checkWeightsManifest } from "../io/tfjs-manifest.js";
import { checkLayerWeightShapes } from "../convert/convert.js";
import { parseLayersTopology, type KerasLayer } from "../convert/topology.js";

/** A continuous model from a model file's bytes (caller owns the result). */
export function continuousModelFromBytes(bytes: Uint8Array, name: string, fits?: FitTarget): ReferenceInn {
  const file = decodeModelFile(bytes, name);
  if (fits) checkInputFits(declaredInput(file.manifest?.input, name), fits, name);
  return loadContinuousModel(file, name);
}

/** A file's declared input shape, checked only as far as the fit comparison needs. */
function declaredInput(input: unknown, name: string): InputShape {
  const shape = input as Partial<InputShape> | undefined;
  for (const k of ["height", "width", "channels", "classes"] as const) {
    if (!Number.isInteger(shape?.[k]) || shape![k]! < 1)
      throw new Error(`${name}: input.${k} must be a positive integer, got ${JSON.stringify(shape?.[k])}`);
  }
  return shape as InputShape;
}

/** Full-size discrete parameters of a model file (e.g. the discrete twin stored with nodes = channels). */
export function fullSizeParametersFromBytes(bytes: Uint8Array, name: string): ParameterTensor[] {
  const model = continuousModelFromBytes(bytes, name);
  try {
    const full = model.groups.fullSizes;
    model.resample({ conv1: full.conv1, conv2: full.conv2, conv3: full.conv3 });
    return innDiscreteParameters(model);
  } finally {
    model.dispose();
  }
}

/** A tfjs layers model converted to an integral net; `twin` is the (permuted) discrete net's parameters. */
export function integralFromTfjs(
  modelJsonText: string,
  weights: ArrayBuffer,
  name: string,
  fits?: FitTarget,
): { inn: ReferenceInn; twin: ParameterTensor[] } {
  const json = parseModelJson(modelJsonText, name);
  const { params, input } = referenceParamsFromTfjs(json, weights, name);
  if (fits) checkInputFits(input, fits, name);
  let net: ReferenceNet;
  try {
    net = new ReferenceNet(input, 0);
  } catch (e) {
    throw new Error(`${name}: ${(e as Error).message}`);
  }
  try {
    assignParameters(net, params, name);
    const { inn, permuted } = convertReferenceNet(net, { restarts: 10 });
    try {
      return { inn, twin: readParameters(permuted) };
    } finally {
      permuted.dispose();
    }
  } finally {
    net.dispose();
  }
}

/** model.json's text as JSON; a named error when it is not. */
export function parseModelJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${name}: not valid JSON (${(e as Error).message})`);
  }
}

type Json = Record<string, unknown>;

/**
 * True when a parsed model.json is this library's export of the reference net (io/tfjs-export.ts: its
 * custom EdgePadding2D layers, which no other producer writes). Such a model is read back as the reference
 * net (integralFromTfjs); every other layers model goes to the general converter.
 */
export function isReferenceExport(json: unknown): boolean {
  let layers: KerasLayer[];
  try {
    layers = parseLayersTopology((json as Json | null)?.modelTopology).layers;
  } catch {
    return false; // not a layers model this check can read: the general converter names the problem
  }
  return layers.some((l) => l.className === EDGE_PADDING_CLASS);
}

const basename = (path: string) => path.slice(path.lastIndexOf("/") + 1);

/**
 * A dropped layers model as tf.io artifacts: its parsed model.json and the weight files given with it (by
 * name). Every weights file the manifest names must be given (artifactsFromFiles), and every file given
 * must be one the manifest names — a stray file is more likely a mistake than something to ignore.
 */
export function layersArtifacts(
  json: unknown,
  files: Readonly<Record<string, ArrayBuffer>>,
  name: string,
): tf.io.ModelArtifacts {
  if (typeof (json as Json | null)?.modelTopology !== "object") return artifactsFromFiles(json, files, name);
  const groups = checkWeightsManifest((json as Json).weightsManifest, name);
  const named = new Set(groups.flatMap((g) => g.paths.map(basename)));
  const stray = Object.keys(files).filter((f) => !named.has(basename(f)));
  if (stray.length > 0)
    throw new Error(
      `${name}: ${stray.join(", ")} ${stray.length > 1 ? "are" : "is"} not among the weights files its manifest names (${named.size ? [...named].join(", ") : "none"})`,
    );
  return artifactsFromFiles(json, files, name, (topology, specs) =>
    checkLayerWeightShapes(topology, specs, { source: name }),
  );
}
