/**
 * Where a live session's models come from: a single-file continuous model (io/model-file.ts container), or
 * a tfjs layers model of the reference shape converted on the spot (permutation + exact initialisation,
 * compression/conversion.ts). Every failure is an Error naming the file and the problem.
 */
import { decodeModelFile, loadContinuousModel } from "../io/model-file.js";
import { assignParameters, readParameters, type ParameterTensor } from "../compression/parameters.js";
import { convertReferenceNet, innDiscreteParameters } from "../compression/conversion.js";
import { ReferenceNet } from "../models/reference.js";
import type { ReferenceInn } from "../models/reference-inn.js";
import { referenceParamsFromTfjs } from "../io/tfjs-import.js";

/** A continuous model from a model file's bytes (caller owns the result). */
export function continuousModelFromBytes(bytes: Uint8Array, name: string): ReferenceInn {
  return loadContinuousModel(decodeModelFile(bytes, name), name);
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
): { inn: ReferenceInn; twin: ParameterTensor[] } {
  let json: unknown;
  try {
    json = JSON.parse(modelJsonText);
  } catch (e) {
    throw new Error(`${name}: not valid JSON (${(e as Error).message})`);
  }
  const { params, input } = referenceParamsFromTfjs(json, weights, name);
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
