/**
 * The contract between models and everything that trains, evaluates or resamples them.
 * A model is plain tfjs-core: variables plus a forward function. The trainer (loaders/) and the
 * browser page both talk to models only through this interface.
 */
import type * as tf from "@tensorflow/tfjs-core";
import type { Random } from "./random.js";

/** What a forward pass may depend on besides the input. */
export interface ForwardContext {
  /** Training mode: batch-norm uses batch statistics, integral nets may use random partitions. */
  training: boolean;
  /**
   * Random source for this step (random-size partitions draw group sizes from it). Every
   * data-parallel worker gets the same source for the same step, so all draw the same sizes.
   */
  random?: Random;
}

export interface Model {
  /** A short name, e.g. "reference" or "reference-inn". */
  readonly name: string;
  /** Trainable variables, in a fixed order (the data-parallel trainer averages gradients by index). */
  readonly trainableVariables: tf.Variable[];
  /** Logits [batch, classes] for images [batch, height, width, channels] in [0, 1]. */
  apply(images: tf.Tensor4D, context: ForwardContext): tf.Tensor2D;
  /** Free every tensor the model owns. */
  dispose(): void;
  /**
   * Optional task loss of one training batch, for models whose training step is more than one forward
   * pass (e.g. the sandwich rule: full size on the labels plus a random size taught by the full size).
   * Default: softmax cross-entropy of `apply(images, context)` against `oneHot`.
   */
  trainingLoss?(images: tf.Tensor4D, oneHot: tf.Tensor2D, context: ForwardContext): tf.Scalar;
  /**
   * Optional extra training loss (e.g. LHC's mask regulariser), added to the task loss of every
   * training step after the forward pass, inside the gradient computation. Not used in evaluation.
   */
  regularization?(): tf.Scalar;
  /** Optional hook the trainer calls at the start of every epoch (0-based), e.g. to enable masks gradually. */
  startEpoch?(epoch: number, epochs: number): void;
  /**
   * Optional non-trainable state that belongs with the weights (batch-norm running statistics), in a
   * fixed order; weights files carry it next to the parameters (names: `stateNames`, if given).
   */
  readonly stateVariables?: tf.Variable[];
  readonly stateNames?: readonly string[];
  /**
   * Optional: re-estimate data-dependent state (batch-norm statistics) at the model's current sizes
   * from a few batches of training images, without changing weights (e.g. after resampling).
   */
  calibrate?(batches: readonly tf.Tensor4D[]): void;
}

/** Shape of the inputs a model is built for. */
export interface InputShape {
  height: number;
  width: number;
  channels: number;
  classes: number;
}
