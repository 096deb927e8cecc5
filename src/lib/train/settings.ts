/**
 * Training settings: what the CLI, the workers and the PyTorch reference script all agree on.
 * Plain JSON so it can be printed with the result and sent to workers.
 */

export type OptimizerName = "adam" | "sgd";

export interface TrainSettings {
  /** Seed for initialisation, batch order and per-step randomness. */
  seed: number;
  epochs: number;
  batchSize: number;
  optimizer: OptimizerName;
  /** Initial learning rate. */
  learningRate: number;
  /** SGD momentum (ignored by Adam). */
  momentum: number;
  /**
   * Largest global L2 norm of a step's gradient (0 = no limit): a larger gradient is scaled down to it before
   * the update, as PyTorch's clip_grad_norm_. A guard against the rare step that throws SGD off.
   */
  clipNorm: number;
  /** Step schedule: the learning rate is multiplied by `lrGamma` every `lrStepEpochs` epochs. */
  lrGamma: number;
  lrStepEpochs: number;
  /** Train on only the first N training images (0 = all). */
  limitTrain: number;
  /** Evaluate on only the first N test images (0 = all). */
  limitTest: number;
}

/** Defaults chosen to train the reference net well in a couple of epochs (see bench/ and README). */
export const DEFAULT_SETTINGS: TrainSettings = {
  seed: 0,
  epochs: 3,
  batchSize: 128,
  optimizer: "adam",
  learningRate: 0.003,
  momentum: 0.9,
  clipNorm: 0,
  lrGamma: 0.5,
  lrStepEpochs: 1,
  limitTrain: 0,
  limitTest: 0,
};

function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(`training settings: ${message}`);
}

/** Merge `partial` into the defaults and validate every value; throws naming the bad setting. */
export function resolveSettings(partial: Partial<TrainSettings> = {}): TrainSettings {
  const s: TrainSettings = { ...DEFAULT_SETTINGS, ...partial };
  const isInt = (v: number) => Number.isInteger(v);
  check(isInt(s.seed) && s.seed >= 0 && s.seed <= 0xffffffff, `seed must be an integer in [0, 2^32), got ${s.seed}`);
  check(isInt(s.epochs) && s.epochs >= 1, `epochs must be a positive integer, got ${s.epochs}`);
  check(isInt(s.batchSize) && s.batchSize >= 1, `batchSize must be a positive integer, got ${s.batchSize}`);
  check(s.optimizer === "adam" || s.optimizer === "sgd", `optimizer must be "adam" or "sgd", got "${s.optimizer}"`);
  check(
    Number.isFinite(s.learningRate) && s.learningRate > 0,
    `learningRate must be a positive number, got ${s.learningRate}`,
  );
  check(
    Number.isFinite(s.momentum) && s.momentum >= 0 && s.momentum < 1,
    `momentum must be in [0, 1), got ${s.momentum}`,
  );
  check(
    Number.isFinite(s.clipNorm) && s.clipNorm >= 0,
    `clipNorm must be a non-negative number (0 = no clipping), got ${s.clipNorm}`,
  );
  check(Number.isFinite(s.lrGamma) && s.lrGamma > 0, `lrGamma must be a positive number, got ${s.lrGamma}`);
  check(isInt(s.lrStepEpochs) && s.lrStepEpochs >= 1, `lrStepEpochs must be a positive integer, got ${s.lrStepEpochs}`);
  check(isInt(s.limitTrain) && s.limitTrain >= 0, `limitTrain must be a non-negative integer, got ${s.limitTrain}`);
  check(isInt(s.limitTest) && s.limitTest >= 0, `limitTest must be a non-negative integer, got ${s.limitTest}`);
  return s;
}

/** Learning rate in epoch `epoch` (0-based) under the step schedule. */
export function learningRateAt(settings: TrainSettings, epoch: number): number {
  return settings.learningRate * settings.lrGamma ** Math.floor(epoch / settings.lrStepEpochs);
}
