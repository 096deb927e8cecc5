/**
 * The epoch/step loop, independent of where gradients are computed: in-process (LocalTrainer) or
 * across data-parallel workers (loaders/parallel). It owns the batch order, the learning-rate
 * schedule, timing and progress; the trainer owns the model.
 */
import { epochBatches, epochOrder } from "./seeds.js";
import { learningRateAt, type TrainSettings } from "./settings.js";
import type { Evaluation } from "./evaluate.js";

/** Something that can take optimizer steps on the training split and evaluate on the test split. */
export interface Trainer {
  /** Number of training items batches are drawn from. */
  readonly trainCount: number;
  /** One optimizer step on training items `indices` at global step `step`; resolves to the batch's mean loss. */
  step(indices: Int32Array, learningRate: number, step: number): Promise<number>;
  /** Loss and accuracy on the test split with the current weights. */
  evaluate(): Promise<Evaluation>;
  /** Called before the first step of every epoch (forwards to the model's optional `startEpoch`). */
  startEpoch?(epoch: number, epochs: number): Promise<void> | void;
}

export interface StepProgress {
  /** 0-based epoch and step within it. */
  epoch: number;
  epochs: number;
  step: number;
  stepsPerEpoch: number;
  /** Mean loss of the batch just trained. */
  loss: number;
  /** Training images per second so far in this epoch. */
  imagesPerSecond: number;
  /** Estimated seconds until training (not counting evaluation) ends. */
  etaSeconds: number;
}

export interface EpochResult {
  epoch: number;
  learningRate: number;
  /** Mean training loss over the epoch's batches (weighted by batch size). */
  trainLoss: number;
  testLoss: number;
  testAccuracy: number;
  trainSeconds: number;
  evalSeconds: number;
  imagesPerSecond: number;
}

export interface TrainHooks {
  onStep?(progress: StepProgress): void;
  onEpoch?(result: EpochResult): void;
  /** Milliseconds clock (default performance.now). */
  now?(): number;
}

export interface LoopResult {
  epochs: EpochResult[];
  final: Evaluation;
  trainSeconds: number;
  evalSeconds: number;
}

export async function trainLoop(
  settings: TrainSettings,
  trainer: Trainer,
  hooks: TrainHooks = {},
): Promise<LoopResult> {
  const now = hooks.now ?? (() => performance.now());
  const count = trainer.trainCount;
  if (count < 1) throw new Error("train: the training split is empty");
  const stepsPerEpoch = Math.ceil(count / settings.batchSize);
  const epochs: EpochResult[] = [];
  let globalStep = 0;
  let trainMs = 0;
  let evalMs = 0;
  let final: Evaluation | undefined;
  for (let epoch = 0; epoch < settings.epochs; epoch++) {
    const learningRate = learningRateAt(settings, epoch);
    const batches = epochBatches(epochOrder(settings.seed, epoch, count), settings.batchSize);
    await trainer.startEpoch?.(epoch, settings.epochs);
    const epochStart = now();
    let lossSum = 0;
    let seen = 0;
    for (let step = 0; step < batches.length; step++) {
      const batch = batches[step];
      const loss = await trainer.step(batch, learningRate, globalStep++);
      if (!Number.isFinite(loss)) throw new Error(`train: loss became ${loss} at epoch ${epoch + 1}, step ${step + 1}`);
      lossSum += loss * batch.length;
      seen += batch.length;
      const seconds = (now() - epochStart) / 1000;
      const imagesPerSecond = seen / Math.max(seconds, 1e-9);
      const remainingImages = count - seen + (settings.epochs - epoch - 1) * count;
      hooks.onStep?.({
        epoch,
        epochs: settings.epochs,
        step,
        stepsPerEpoch,
        loss,
        imagesPerSecond,
        etaSeconds: remainingImages / imagesPerSecond,
      });
    }
    const trainSeconds = (now() - epochStart) / 1000;
    const evalStart = now();
    final = await trainer.evaluate();
    const evalSeconds = (now() - evalStart) / 1000;
    trainMs += trainSeconds * 1000;
    evalMs += evalSeconds * 1000;
    const result: EpochResult = {
      epoch,
      learningRate,
      trainLoss: lossSum / seen,
      testLoss: final.loss,
      testAccuracy: final.accuracy,
      trainSeconds,
      evalSeconds,
      imagesPerSecond: seen / Math.max(trainSeconds, 1e-9),
    };
    epochs.push(result);
    hooks.onEpoch?.(result);
  }
  return { epochs, final: final!, trainSeconds: trainMs / 1000, evalSeconds: evalMs / 1000 };
}
