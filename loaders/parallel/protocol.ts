/**
 * Messages between the training main thread and its data-parallel workers. Gradients and the
 * averaged gradient travel through SharedArrayBuffers; messages carry only indices and scalars.
 * A pending optimizer update rides on the next message ("apply") to save a round trip per step.
 */
import type { NodeBackend } from "../backend.js";
import type { Engine, EngineRecord } from "../engine.js";
import type { DatasetOptions } from "../datasets.js";
import type { ModelSpec } from "../../src/lib/models/registry.js";
import type { TrainSettings } from "../../src/lib/train/settings.js";
import type { EvaluationSums } from "../../src/lib/train/evaluate.js";

export interface WorkerInit {
  workerIndex: number;
  backend: NodeBackend;
  /** The engine (chosen once by the main thread, so every worker trains on the same one). */
  engine?: Engine;
  /** oneDNN threads of each worker's native kernels. */
  threads?: number;
  model: ModelSpec;
  dataset: string;
  datasetOptions: DatasetOptions;
  settings: TrainSettings;
  /** Modules (file URLs) imported before the model is built, e.g. to register models. */
  preload?: string[];
  /** Start from these weights (flat, in trainable-variable order) instead of the seed's initialisation. */
  initialWeights?: Float32Array;
}

/** Apply the averaged gradient (in the shared buffer) with this learning rate before anything else. */
export interface PendingUpdate {
  learningRate: number;
}

export type ToWorker =
  | { type: "attach"; averaged: SharedArrayBuffer }
  | { type: "step"; apply?: PendingUpdate; indices: Int32Array; step: number }
  | { type: "evaluate"; apply?: PendingUpdate; start: number; end: number }
  | { type: "weights"; apply?: PendingUpdate }
  /** Call the model's optional startEpoch hook (e.g. LHC's gradual mask enabling) before the epoch's first step. */
  | { type: "startEpoch"; apply?: PendingUpdate; epoch: number; epochs: number }
  | { type: "close" };

export type FromWorker =
  | {
      type: "ready";
      backend: string;
      engine: EngineRecord | null;
      parameterNames: string[];
      parameterShapes: number[][];
      trainCount: number;
      testCount: number;
      input: { height: number; width: number; channels: number; classes: number };
      /** This worker's gradient output buffer (Float32 × parameter count). */
      gradients: SharedArrayBuffer;
    }
  | { type: "attached" }
  | { type: "gradients"; loss: number; count: number }
  | { type: "evaluation"; sums: EvaluationSums }
  | { type: "weights"; values: Float32Array }
  | { type: "epochStarted" }
  | { type: "error"; message: string; stack?: string };
