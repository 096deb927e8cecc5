/**
 * Where a live session's models come from: a single-file continuous model (io/model-file.ts container), or
 * a tfjs layers model of the reference shape converted on the spot (permutation + exact initialisation,
 * compression/conversion.ts). Every failure is an Error naming the file and the problem. With `fits`,
 * a model whose input or class count differs from the page's data is refused before anything is built.
 */
import { decodeModelFile, loadContinuousModel } from "../io/model-file.js";
import { assignParameters, readParameters, type ParameterTensor } from "../compression/parameters.js";
import { convertReferenceNet, innDiscreteParameters } from "../compression/conversion.js";
import { ReferenceNet } from "../models/reference.js";
import type { ReferenceInn } from "../models/reference-inn.js";
import { referenceParamsFromTfjs } from "../io/tfjs-import.js";
import type { InputShape } from "../model.js";
import { checkInputFits, type FitTarget } from "./model-fit.js";

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
  let json: unknown;
  try {
    json = JSON.parse(modelJsonText);
  } catch (e) {
    throw new Error(`${name}: not valid JSON (${(e as Error).message})`);
  }
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
