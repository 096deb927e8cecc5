/**
 * The playground's state: one table of every setting a reader can change (url-state.ts reads, clamps and
 * writes it), the session config it maps to, and which changes need a fresh session.
 */
import { readUrlState, type StateSchema, type StateValues } from "../url-state.js";
import { TOY_DATASETS } from "../../lib/data/toy-2d.js";
import type { PlaygroundConfig } from "../../lib/live/playground-session.js";
import type { InterpolationKernelName } from "../../lib/math/interpolation.js";
import {
  MLP_MAX_HIDDEN_LAYERS,
  MLP_MAX_WIDTH,
  MLP_MIN_WIDTH,
  type MlpQuadrature,
} from "../../lib/models/integral-mlp.js";
import type { ToyDatasetName } from "../../lib/data/toy-2d.js";

export const LEARNING_RATES = ["0.001", "0.003", "0.01", "0.03", "0.1"] as const;
export const KERNELS: readonly InterpolationKernelName[] = ["linear", "cubic", "nearest"];
export const QUADRATURES: readonly MlpQuadrature[] = ["trapezoid", "simpson", "left-riemann", "right-riemann"];

export const PLAYGROUND_SCHEMA = {
  data: { kind: "choice", default: "circles", choices: TOY_DATASETS },
  noise: { kind: "number", default: 0, min: 0, max: 0.5 },
  /** Train fraction, percent. */
  train: { kind: "int", default: 50, min: 10, max: 90 },
  seed: { kind: "int", default: 2, min: 0, max: 99999 },
  hidden: {
    kind: "numbers",
    default: [32, 32],
    min: MLP_MIN_WIDTH,
    max: MLP_MAX_WIDTH,
    minLength: 1,
    maxLength: MLP_MAX_HIDDEN_LAYERS,
    integer: true,
  },
  lr: { kind: "choice", default: "0.03", choices: LEARNING_RATES },
  batch: { kind: "int", default: 32, min: 1, max: 128 },
  kernel: { kind: "choice", default: "linear", choices: KERNELS },
  quad: { kind: "choice", default: "trapezoid", choices: QUADRATURES },
  /** The width slider, percent of every hidden layer's full width. */
  width: { kind: "int", default: 25, min: 5, max: 100 },
  /** Which hidden layer's weight function is drawn (1-based; default: the last). */
  layer: { kind: "int", default: MLP_MAX_HIDDEN_LAYERS, min: 1, max: MLP_MAX_HIDDEN_LAYERS },
  /** Steps trained: a link replays them on load (only written while the run is reproducible). */
  step: { kind: "int", default: 0, min: 0, max: 20000 },
} satisfies StateSchema;

export type PlaygroundState = StateValues<typeof PLAYGROUND_SCHEMA>;

/** Settings whose change starts a new run (new data or new nets). */
export const RESTART_KEYS = [
  "data",
  "noise",
  "train",
  "seed",
  "hidden",
] as const satisfies readonly (keyof PlaygroundState)[];

/**
 * Read the state from a query string. Beyond url-state's checks: the weight-function layer must exist
 * in the chosen architecture (the default, the last layer, adapts silently; a link naming a missing
 * layer gets a note).
 */
export function readPlaygroundState(search: string): { values: PlaygroundState; notes: string[] } {
  const { values, notes } = readUrlState(PLAYGROUND_SCHEMA, search);
  const layers = values.hidden.length;
  if (values.layer > layers) {
    if (new URLSearchParams(search).has("layer"))
      notes.push(
        `layer=${values.layer} does not exist with ${layers} hidden layer${layers > 1 ? "s" : ""}; using ${layers}.`,
      );
    values.layer = layers;
  }
  return { values, notes };
}

/** The session config of a state. */
export function sessionConfig(state: PlaygroundState): PlaygroundConfig {
  return {
    data: state.data as ToyDatasetName,
    noise: state.noise,
    trainFraction: state.train / 100,
    seed: state.seed,
    hidden: state.hidden,
    kernel: state.kernel as InterpolationKernelName,
    quadrature: state.quad as MlpQuadrature,
    learningRate: Number(state.lr),
    batchSize: state.batch,
  };
}

/** The state written to the URL: `layer` only when it is not the last layer, `step` only when replayable. */
export function urlValues(state: PlaygroundState, replayableStep: number): Partial<PlaygroundState> {
  const { layer, ...rest } = state;
  return {
    ...rest,
    layer: layer === state.hidden.length ? PLAYGROUND_SCHEMA.layer.default : layer,
    step: replayableStep,
  };
}
