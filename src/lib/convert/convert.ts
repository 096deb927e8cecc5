/**
 * Bring any CNN: a tfjs layers model (`tf.io` ModelArtifacts: model.json's topology and its weights) into
 * an integral network. The steps, one module each: the graph (topology.ts), what each layer computes
 * (layer-specs.ts), the plan with its inferred groups (build-plan.ts, channel-union.ts), the weights
 * (weights.ts, transfer.ts), then the conversion every plan gets (compression/plan-conversion.ts): each
 * resizable group reordered to minimise total variation and the nodes initialised exactly, so at full size
 * the integral net computes the model's logits.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { WeightsParameter } from "../io/weights-file.js";
import {
  convertPlanSteps,
  runSteps,
  type ConversionStep,
  type PlanConversion,
  type PlanConversionOptions,
} from "../compression/plan-conversion.js";
import { runCooperatively } from "../compression/steps.js";
import { buildLayersPlan, type BuildPlanOptions, type LayersPlan } from "./build-plan.js";
import { parseLayersTopology } from "./topology.js";
import { transferWeights } from "./transfer.js";
import { decodeLayerWeights } from "./weights.js";

export interface LayersModelPlan extends Omit<LayersPlan, "sources"> {
  /** The model's parameters under the plan's names, channels as trained. */
  params: WeightsParameter[];
}

/**
 * A layers model's weight shapes (manifest entries, no values) checked against what its layers expect: run
 * before the weights files' lengths are, so a wrong shape is named as one and not as a truncated file.
 */
export function checkLayerWeightShapes(
  modelTopology: unknown,
  specs: readonly { name: string; shape: number[] }[],
  options: BuildPlanOptions = {},
): void {
  const source = options.source ?? "model.json";
  const { sources, plan } = buildLayersPlan(parseLayersTopology(modelTopology, source), options);
  const shapes = new Map(specs.map((s) => [s.name, { name: s.name, shape: s.shape, values: new Float32Array(0) }]));
  transferWeights(plan, sources, shapes, source);
}

/** The plan and parameters of a layers model (no integral net yet; allocates no tensors it keeps). */
export function planFromLayersModel(artifacts: tf.io.ModelArtifacts, options: BuildPlanOptions = {}): LayersModelPlan {
  const source = options.source ?? "model.json";
  const topology = parseLayersTopology(artifacts.modelTopology, source);
  const { sources, ...built } = buildLayersPlan(topology, options);
  const weights = decodeLayerWeights(artifacts, source);
  return { ...built, params: transferWeights(built.plan, sources, weights, source) };
}

export interface ConvertLayersOptions extends BuildPlanOptions, PlanConversionOptions {
  /** Progress lines ("reading the model", "ordering the channels of group …"), e.g. for a page's status. */
  onProgress?: (message: string) => void;
}

export interface ConvertedLayersModel extends LayersModelPlan, PlanConversion {}

/** The conversion as steps (see convertPlanSteps): yields progress lines and checkpoints, returns the converted model. */
export function* convertLayersModelSteps(
  artifacts: tf.io.ModelArtifacts,
  options: ConvertLayersOptions = {},
): Generator<ConversionStep, ConvertedLayersModel> {
  yield "reading the model";
  const parsed = planFromLayersModel(artifacts, options);
  const conversion = yield* convertPlanSteps(parsed.plan, parsed.params, options);
  return { ...parsed, ...conversion };
}

/** Convert a layers model into an integral net, exact at full size (the caller disposes `net`). */
export function convertLayersModel(
  artifacts: tf.io.ModelArtifacts,
  options: ConvertLayersOptions = {},
): ConvertedLayersModel {
  return runSteps(convertLayersModelSteps(artifacts, options), options.onProgress);
}

export interface ConvertLayersAsyncOptions extends ConvertLayersOptions {
  /** Awaited after every progress line and every `sliceMs` inside a group's search (default: one macrotask). */
  pause?: () => Promise<void>;
  /** Longest stretch of work between pauses, in milliseconds (default 20). */
  sliceMs?: number;
  /** Stops the conversion at its next pause (it rejects with the signal's reason; nothing is left allocated). */
  signal?: AbortSignal;
}

/**
 * The same, pausing after every progress line and whenever a group's channel search has run `sliceMs`,
 * so a browser repaints and stays responsive; a long search reports which start it is at.
 */
export async function convertLayersModelAsync(
  artifacts: tf.io.ModelArtifacts,
  options: ConvertLayersAsyncOptions = {},
): Promise<ConvertedLayersModel> {
  let line = "";
  return runCooperatively(convertLayersModelSteps(artifacts, options), {
    yieldFn: options.pause,
    sliceMs: options.sliceMs,
    signal: options.signal,
    urgent: (step) => typeof step === "string",
    onPause: (step) => {
      if (typeof step === "string") line = step;
      options.onProgress?.(typeof step === "string" ? step : `${line}, start ${step.start + 1} of ${step.starts}`);
    },
  });
}

/** Largest |a − b| and the largest |a|, e.g. a converted net's logits against the model's. */
export function logitDifference(
  expected: tf.Tensor,
  got: tf.Tensor,
): { maxAbs: number; scale: number; relative: number } {
  if (expected.shape.join() !== got.shape.join())
    throw new Error(`logitDifference: shapes [${expected.shape}] and [${got.shape}] differ`);
  const [maxAbs, scale] = tf.tidy(() => [
    tf.max(tf.abs(tf.sub(expected, got))).dataSync()[0] as number,
    tf.max(tf.abs(expected)).dataSync()[0] as number,
  ]);
  return { maxAbs, scale, relative: maxAbs / Math.max(scale, 1e-30) };
}

/**
 * The same artifacts with the output layer's softmax replaced by the identity, so tfjs computes the
 * model's logits, comparable with the converted net's. Artifacts without an output softmax come back as they are.
 */
export function withLogitOutput(artifacts: tf.io.ModelArtifacts, source = "model.json"): tf.io.ModelArtifacts {
  const topology = parseLayersTopology(artifacts.modelTopology, source);
  const copy = JSON.parse(JSON.stringify(artifacts.modelTopology)) as Record<string, unknown>;
  const model = (copy.model_config ?? copy) as { config: unknown };
  const layers = (Array.isArray(model.config) ? model.config : (model.config as { layers: unknown[] }).layers) as {
    class_name: string;
    name?: string;
    config: Record<string, unknown>;
  }[];
  const output = layers.find((l) => (l.name ?? l.config.name) === topology.output);
  if (!output) return artifacts;
  if (output.class_name === "Softmax") {
    output.class_name = "Activation";
    output.config = { name: output.config.name, activation: "linear", trainable: false };
  } else if (output.config.activation === "softmax") output.config.activation = "linear";
  else return artifacts;
  return { ...artifacts, modelTopology: copy };
}
