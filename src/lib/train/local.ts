/**
 * In-process training: one model, one optimizer, gradients of the whole batch. Used where there is
 * one core, in tests, and in the browser.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Model } from "../model.js";
import { batchImages, batchLabels, headOfSplit, type Dataset, type Split } from "../data/dataset.js";
import { computeGradients } from "./gradients.js";
import { evaluateSums, summarizeEvaluation, type Evaluation } from "./evaluate.js";
import { trainLoop, type LoopResult, type TrainHooks, type Trainer } from "./loop.js";
import { createOptimizer, type Optimizer } from "./optimizers.js";
import { stepRandom } from "./seeds.js";
import type { TrainSettings } from "./settings.js";

/** The training and test splits after applying `limitTrain` / `limitTest` (0 = whole split). */
export function limitedSplits(
  dataset: Dataset,
  settings: Pick<TrainSettings, "limitTrain" | "limitTest">,
): { train: Split; test: Split } {
  const limit = (split: Split, n: number) => (n > 0 && n < split.count ? headOfSplit(split, n, dataset) : split);
  return { train: limit(dataset.train, settings.limitTrain), test: limit(dataset.test, settings.limitTest) };
}

export class LocalTrainer implements Trainer {
  readonly trainCount: number;
  private readonly train: Split;
  private readonly test: Split;
  private readonly optimizer: Optimizer;

  constructor(
    private readonly model: Model,
    private readonly dataset: Dataset,
    private readonly settings: TrainSettings,
  ) {
    ({ train: this.train, test: this.test } = limitedSplits(dataset, settings));
    this.trainCount = this.train.count;
    this.optimizer = createOptimizer(settings.optimizer, model.trainableVariables, {
      momentum: settings.momentum,
      clipNorm: settings.clipNorm,
    });
  }

  async step(indices: Int32Array, learningRate: number, step: number): Promise<number> {
    const images = batchImages(this.train, indices, this.dataset);
    const oneHot = batchLabels(this.train, indices, this.dataset.classes);
    const context = { training: true, random: stepRandom(this.settings.seed, step) };
    const { loss, gradients } = computeGradients(this.model, images, oneHot, context);
    this.optimizer.step(gradients, learningRate);
    tf.dispose([images, oneHot, ...gradients]);
    return loss;
  }

  startEpoch(epoch: number, epochs: number): void {
    this.model.startEpoch?.(epoch, epochs);
  }

  async evaluate(): Promise<Evaluation> {
    return summarizeEvaluation([evaluateSums(this.model, this.test, this.dataset)]);
  }

  /** Free the optimizer state (the model stays with its owner). */
  dispose(): void {
    this.optimizer.dispose();
  }
}

/** Train `model` in-process on `dataset`; the model keeps the trained weights. */
export async function trainInProcess(
  model: Model,
  dataset: Dataset,
  settings: TrainSettings,
  hooks: TrainHooks = {},
): Promise<LoopResult> {
  const trainer = new LocalTrainer(model, dataset, settings);
  try {
    return await trainLoop(settings, trainer, hooks);
  } finally {
    trainer.dispose();
  }
}
